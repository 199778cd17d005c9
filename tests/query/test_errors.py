"""Syntax errors: message, 1-based column, caret line and the hint for common mistakes."""

from __future__ import annotations

import pytest

from flarewatch.query import QuerySyntaxError, parse, render, validate

ERRORS = [
    ("", "the query is empty", 1),
    ("(apple OR pear", "'(' is never closed", 1),
    ("apple OR pear)", "')' without a matching '('", 14),
    ('"apple pie', "unbalanced quote", 1),
    ('apple "pie', "unbalanced quote", 7),
    ("{Apple", "'{' is never closed", 1),
    ("Apple}", "'}' without a matching '{'", 6),
    ("apple AND", "AND needs a term after it", 7),
    ("AND apple", "AND needs a term on both sides", 1),
    ("apple OR OR pear", "OR followed by OR", 10),
    ("apple NEAR/3", "NEAR/3 needs a term on both sides", 7),
    ("NEAR/3 apple", "NEAR/3 needs a term on both sides", 1),
    ("apple NEAR pie", "NEAR needs a distance", 7),
    ("apple NEAR/3 NOT pie", "NEAR/3 needs a term on both sides", 7),
    ("(a AND b) NEAR/3 c", "left side of NEAR/3", 2),
    ("a NEAR/3 (b AND c)", "right side of NEAR/3", 11),
    ("*ing", "cannot start with a wildcard", 1),
    ("apple AND ?pple", "cannot start with a wildcard", 11),
    ("#*tag", "cannot start with a wildcard", 1),
    ("()", "empty parentheses", 1),
    ('""', "empty phrase", 1),
    ("author: acme", "needs a value right after the colon", 1),
    ("[apple]", "square bracket", 1),
    ("apple NOT", "NOT needs a term after it", 7),
    ("NOT NOT apple", "NOT followed by NOT", 5),
    ('"a b"~', "needs a number", 6),
    ("---", "has no letters", 1),
    ("lang:(en NEAR/2 pl)", "cannot be used inside lang:", 10),
    # Other tools' operators are errors at their own column, never search words.
    # A sign between a field and its value: "title without pie" or the word "-pie"? Never guessed.
    ("apple AND title:-pie", "'-' right after 'title:' is ambiguous", 17),
    ("title:!pie", "'!' right after 'title:' is ambiguous", 7),
    ("apple juice~5", "'~5' only works after a quoted phrase", 12),
    ("(apple OR pear) juice~3", "only works after a quoted phrase", 22),
    ("(apple juice)~5", "after a group is not supported", 14),
    ("colour~", "similar spellings", 7),
    ("apple^9 OR pear", "ranking boost", 6),
    ('"apple pie"^2', "ranking boost", 12),
    ("hand /2 cream", "'/2' is not an operator", 6),
    ("hand w/3 cream", "'w/3' is not an operator", 6),
    ("apple -", "has no letters", 7),
    ("apple AND -", "has no letters", 11),
    ("NOT -apple", "NOT followed by -", 5),
]

HINTS = [
    ("apple juice~5", '"apple juice"~5, or apple NEAR/5 juice'),
    ("hand /2 cream", "hand NEAR/2 cream"),
    ("(apple juice)~5", "NEAR/5"),
    ("apple^9", "remove '^9'"),
    ("title:-pie", "-title:pie (NOT title:pie)"),
]


@pytest.mark.parametrize(("query", "hint"), HINTS, ids=[h[0] for h in HINTS])
def test_foreign_operator_hint_gives_the_flarewatch_form(query: str, hint: str) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse(query)
    assert info.value.hint and hint in info.value.hint


@pytest.mark.parametrize(
    ("query", "canonical"),
    [
        ("chocolate -swiss", "chocolate AND NOT swiss"),
        ("(-bike OR -car) AND road", "(NOT bike OR NOT car) AND road"),
        ('(!"NASA" OR space) AND launch', '(NOT "nasa" OR space) AND launch'),
        ("apple !{Pie}", "apple AND NOT {Pie}"),
        ("e-mail x-ray", "e-mail AND x-ray"),
        ("url:example.com/~user", "url:example.com/~user"),
    ],
)
def test_leading_minus_and_bang_exclude(query: str, canonical: str) -> None:
    assert render(parse(query)) == canonical


@pytest.mark.parametrize(
    ("query", "message", "column"), ERRORS, ids=[e[0] or "empty" for e in ERRORS]
)
def test_error_column_and_message(query: str, message: str, column: int) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse(query)
    err = info.value
    assert message in err.message
    assert err.column == column
    assert err.query == query
    first, caret = err.caret().split("\n")
    assert first == query
    assert caret.index("^") == column - 1
    text = str(err)
    assert text.startswith(f"{err.message} at column {column}\n{query}\n")
    if err.hint:
        assert text.endswith(f"hint: {err.hint}")
    problems = validate(query)
    assert [p.severity for p in problems] == ["error"]
    assert problems[0].column == column


def test_error_is_value_error() -> None:
    with pytest.raises(ValueError):
        parse("(")


def test_leading_wildcard_is_explained() -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse("*ing")
    assert info.value.hint and "indexed" in info.value.hint


WARNINGS = [
    ("apple and pie", "lower-case 'and'", 7),
    ("apple or pie", "lower-case 'or'", 7),
    ("apple near/3 pie", "searched as words", 7),
    ("apple OR pie AND tart", "AND binds tighter than OR", 10),
    ("NOT spam", "only excludes", 1),
    ("foo:bar", "'foo:' is not a field", 1),
    ("a* AND apple", "very large number", 1),
]


@pytest.mark.parametrize(("query", "message", "column"), WARNINGS, ids=[w[0] for w in WARNINGS])
def test_warnings(query: str, message: str, column: int) -> None:
    problems = validate(query)
    assert problems, query
    assert all(p.severity == "warning" for p in problems)
    found = [p for p in problems if message in p.message]
    assert found and found[0].column == column
    parse(query)  # warnings never stop a query from parsing


def test_clean_query_has_no_problems() -> None:
    assert validate('(apple OR "apple pie") AND NOT lang:pl') == []


def test_deep_nesting_is_a_syntax_error() -> None:
    with pytest.raises(QuerySyntaxError, match="nested too deeply"):
        parse("(" * 500 + "a" + ")" * 500)
    parse("(" * 30 + "a" + ")" * 30)


def test_validate_never_raises() -> None:
    for q in ['"', "(", ")", "{", "}", "NEAR/", "title:", "a" * 5000, "\x00", "((((((((a"]:
        assert isinstance(validate(q), list)
