"""Importing queries from Brandwatch, Talkwalker, Sprinklr, Meltwater, Google and X.

The examples follow each vendor's documented meaning (written for these tests, not copied);
every row either converts to a query with that meaning or fails with a column.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flarewatch.mentions.post import Post
from flarewatch.query import Matcher, QuerySyntaxError, import_query, matches, parse
from flarewatch.query.dialects import convert_query

CASES = [
    (
        "brandwatch",
        "(apple OR orange) NEAR/5 (smartphone OR phone)",
        "(apple OR orange) NEAR/5 (smartphone OR phone)",
    ),
    ("brandwatch", "logitech NEAR/2f keyboard", "logitech ONEAR/2 keyboard"),
    ("brandwatch", '"apple juice"~5', '"apple juice"~5'),
    ("brandwatch", "raw:Google+ AND site:twitter.com", "raw:Google+ AND site:twitter.com"),
    ("brandwatch", "apple <<<the fruit, not the firm>>> AND NOT iphone", "apple AND NOT iphone"),
    (
        "brandwatch",
        "{Apple} AND language:en AND pageType:twitter",
        "{Apple} AND lang:en AND platform:twitter",
    ),
    ("brandwatch", "url:msn.com/news AND links:bbc.co.uk", "url:msn.com/news AND links:bbc.co.uk"),
    ("brandwatch", "apple AND -pie", "apple AND NOT pie"),
    ("talkwalker", "BMW AND NOT bike", "bmw AND NOT bike"),
    ("talkwalker", "chocolate -swiss", "chocolate AND NOT swiss"),
    ("talkwalker", 'BMW -site:"mysite.com"', "bmw AND NOT site:mysite.com"),
    ("talkwalker", "Luxemb* AND lang:fr", "luxemb* AND lang:fr"),
    ("talkwalker", "+apple", '"apple"'),
    ("talkwalker", "nike sourcetype:SOCIALMEDIA_TWITTER", "nike AND platform:twitter"),
    ("talkwalker", "nike domain_url:nike.com", "nike AND site:nike.com"),
    ("sprinklr", "[(iot OR robot) AND sensor]", "(iot OR robot) AND sensor"),
    ("sprinklr", '"social media" ONEAR/5 facebook', '"social media" ONEAR/5 facebook'),
    ("sprinklr", "author: acme AND language: en", "(author:acme OR authorname:acme) AND lang:en"),
    ("sprinklr", 'message: ("Gandalf" AND ("Frodo" OR "SAM"))', '"gandalf" AND ("frodo" OR "sam")'),
    ("sprinklr", 'exactMessage:"Spider-Man"', "raw:Spider-Man"),
    ("sprinklr", 'authorContaining:"Justin"', "author:*Justin*"),
    ("sprinklr", "me?t OR melt*", "me?t OR melt*"),
    # Exclusion with a leading - inside groups (it used to be read as a search word).
    ("talkwalker", "(-bike OR -car) AND road", "(NOT bike OR NOT car) AND road"),
    ("brandwatch", "(tesla OR -ford) AND ev", "(tesla OR NOT ford) AND ev"),
    # Talkwalker: site values as published (scheme, www.), repeated site: widens the search.
    ("talkwalker", 'Luxembourg site:"http://www.wort.lu"', "luxembourg AND site:wort.lu"),
    (
        "talkwalker",
        'phone site:"www.cnet.com" site:"bild.de"',
        "phone AND site:(cnet.com OR bild.de)",
    ),
    (
        "talkwalker",
        'phone -site:"a.com" -site:"b.com"',
        "phone AND NOT site:a.com AND NOT site:b.com",
    ),
    # Brandwatch: ~n after a group of two word sets joined by AND is proximity of the sets.
    (
        "brandwatch",
        '((cake OR "ice cream") AND (birthday OR party))~5',
        '(cake OR "ice cream") NEAR/5 (birthday OR party)',
    ),
    # Sprinklr: author: is the display name or the handle.
    (
        "sprinklr",
        'author: "Justin Blake"',
        'author:"Justin Blake" OR authorname:"Justin Blake"',
    ),
    # Meltwater: operators in any case, NEAR/ONEAR default to 4 words.
    ("meltwater", '("sailboat" or "boat") and racing', '("sailboat" OR "boat") AND racing'),
    ("meltwater", "apple NEAR watch", "apple NEAR/4 watch"),
    ("meltwater", "apple ONEAR/10 watch", "apple ONEAR/10 watch"),
    ("meltwater", "apple near/3 watch", "apple NEAR/3 watch"),
    ("meltwater", "headline:outage AND bank", "title:outage AND bank"),
    ("meltwater", "stores near me", "stores AND near AND me"),
    # Google: - excludes, | and OR, AROUND(n), intitle:/inurl:/site:, +word exact.
    ("google", "jaguar -car", "jaguar AND NOT car"),
    ("google", "jaguar (car | cat)", "jaguar AND (car OR cat)"),
    ("google", "climate AROUND(3) policy", "climate NEAR/3 policy"),
    ("google", "intitle:outage site:https://www.bbc.co.uk/", "title:outage AND site:bbc.co.uk"),
    ("google", "inurl:news bank", "url:news AND bank"),
    ("google", "+bank -river", '"bank" AND NOT river'),
    # X / PowerTrack: from:, lang:, url: (a link in the post), place_country:, -exclusion.
    (
        "x",
        "from:acme lang:en (outage OR down) -spam",
        "author:acme AND lang:en AND (outage OR down) AND NOT spam",
    ),
    ("x", '"apple juice" url:example.com', '"apple juice" AND links:example.com'),
    ("x", "#brand place_country:GB", "#brand AND country:GB"),
    ("x", "apple or pear", "apple AND or AND pear"),
    # The remaining field rows of the conformance table (docs/queries.md).
    ("brandwatch", "acme domain:bbc.co.uk", "acme AND site:bbc.co.uk"),
    (
        "brandwatch",
        "title:outage author:acme country:PL",
        "title:outage AND author:acme AND country:PL",
    ),
    ("talkwalker", "nike host_url:nike.com", "nike AND site:nike.com"),
    ("talkwalker", "nike domain:nike.com", "nike AND site:nike.com"),
    ("google", "intext:outage bank", "outage AND bank"),
    ("x", "acme url_contains:example.com", "acme AND links:example.com"),
    (
        "sprinklr",
        "acme AND site:bbc.co.uk AND country:PL AND title:x",
        "acme AND site:bbc.co.uk AND country:PL AND title:x",
    ),
    ("meltwater", "acme AND lang:pl AND country:PL", "acme AND lang:pl AND country:PL"),
]


@pytest.mark.parametrize(("dialect", "source", "expected"), CASES, ids=[c[1] for c in CASES])
def test_import(dialect: str, source: str, expected: str) -> None:
    converted = import_query(source, dialect)
    assert converted == expected
    parse(converted)


@pytest.mark.parametrize(
    ("dialect", "source", "column"),
    [
        ("brandwatch", "apple AND authorGender:female", 11),
        ("sprinklr", "apple AND userbio:chef", 11),
        ("talkwalker", "[apple]", 1),
        ("brandwatch", "apple AND (pie", 11),
        # Errors found after conversion point into the query as typed, past comments and fields.
        ("brandwatch", "a <<<a comment>>> AND NOT NEAR/3", 27),
        ("talkwalker", "x -site:a.com AND OR b", 19),
        ("sprinklr", "[a AND] b", 4),
    ],
)
def test_import_errors(dialect: str, source: str, column: int) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        import_query(source, dialect)
    assert info.value.column == column


# Malformed or untranslatable input: (dialect, query, column in the query as typed, message).
MALFORMED = [
    ("brandwatch", "apple juice~5", 12, "only works after a quoted phrase"),
    ("brandwatch", "(apple OR pear OR plum)~5", 24, "exactly two word sets"),
    ("brandwatch", "colour~", 7, "similar spellings"),
    ("meltwater", "apple^9 OR pear", 6, "ranking boost"),
    ("talkwalker", '"apple pie"^2', 12, "ranking boost"),
    ("talkwalker", "hand /2 cream", 6, "'/2' is not an operator"),
    ("meltwater", "hand w/2 cream", 6, "'w/2' is not an operator"),
    ("brandwatch", "apple AROUND(3) pie", 7, "'AROUND(3)' is not an operator"),
    ("brandwatch", '(!"NASA" OR space)', 2, "no '!' prefix"),
    ("talkwalker", "apple !pie", 7, "no '!' prefix"),
    ("x", "!apple pie", 1, "no '!' prefix"),
    ("brandwatch", "+apple pie", 1, "prefix '+'"),
    # A sign between a field and its value: exclusion or part of the word? Never guessed.
    ("brandwatch", "apple title:-pie", 13, "'-' right after 'title:' is ambiguous"),
    ("meltwater", "headline:-outage AND bank", 10, "right after 'headline:'"),
    ("talkwalker", "acme site:-spam.com", 11, "'-' right after 'site:'"),
    ("google", "jaguar car | cat", 12, "reads OR before AND"),
    ("google", "before:2024-01-01 apple", 1, "'before:'"),
    ("google", "allintitle:bank outage", 1, "'allintitle:'"),
    ("x", "from:acme -is:retweet", 12, "'is:'"),
    ("x", "apple has:links", 7, "'has:'"),
    ("x", "acme to:bob", 6, "'to:'"),
    ("google", "acme related:x.com", 6, "'related:'"),
    ("meltwater", "ingress:bank", 1, "'ingress:'"),
    ("google", "camera $100..$300", 12, "number range"),
    ("google", '"best * ever"', 7, "stands for any word"),
    ("x", "$AAPL earnings", 1, "cashtag"),
    ("x", 'acme "apple juice"~3', 19, "counts distance differently"),
    ("sprinklr", "[apple", 1, "never closed"),
]


@pytest.mark.parametrize(
    ("dialect", "source", "column", "message"), MALFORMED, ids=[m[1] for m in MALFORMED]
)
def test_malformed_import_names_the_column(
    dialect: str, source: str, column: int, message: str
) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        import_query(source, dialect)
    assert message in info.value.message
    assert info.value.column == column
    assert info.value.hint or "never closed" in message


def test_rejections_give_the_nearest_flarewatch_form() -> None:
    hints = {
        ("x", "apple has:links"): "links:",
        ("google", "before:2024-01-01 apple"): "time range",
        ("brandwatch", "(a OR b OR c)~5"): "NEAR/5",
        ("talkwalker", "hand /2 cream"): "NEAR/2",
        ("meltwater", "apple^9"): "remove '^9'",
    }
    for (dialect, source), hint in hints.items():
        with pytest.raises(QuerySyntaxError) as info:
            import_query(source, dialect)
        assert info.value.hint and hint in info.value.hint, source


def test_changes_are_reported() -> None:
    result = convert_query('apple or pear site:"http://www.wort.lu"', "meltwater")
    assert result.changes == (
        "lower-case 'or' read as OR",
        "site:http://www.wort.lu → site:wort.lu",
    )
    assert [w.message for w in result.warnings] == ["AND binds tighter than OR here"]
    assert convert_query("apple -pie", "talkwalker").changes == ()


@pytest.mark.parametrize(
    ("source", "dialect"),
    [
        ("apple <<<the fruit>>>", "brandwatch"),
        ("nike sourcetype:SOCIALMEDIA_TWITTER", "talkwalker"),
        ("[iot AND sensor]", "sprinklr"),
        ("apple or pear", "meltwater"),
        ("intitle:outage bank", "google"),
        ("from:acme outage", "x"),
        ("apple -pie", "talkwalker"),
    ],
)
def test_auto_guesses_and_says_which(source: str, dialect: str) -> None:
    result = convert_query(source, "auto")
    assert result.dialect == dialect
    assert result.changes[0].startswith(f"read as {dialect} (")


# The documented meaning, checked by matching: (dialect, query, post, expected).
def _p(text: str, **kw: object) -> Post:
    return Post(external_id="m", text=text, language="en", **kw)  # type: ignore[arg-type]


MEANING = [
    ("talkwalker", "chocolate -swiss", _p("swiss chocolate"), False),
    ("talkwalker", "chocolate -swiss", _p("dark chocolate"), True),
    (
        "talkwalker",
        'Luxembourg site:"http://www.wort.lu"',
        _p("Luxembourg", url="https://www.wort.lu/a"),
        True,
    ),
    (
        "talkwalker",
        'phone site:"www.cnet.com" site:"bild.de"',
        _p("phone", url="https://bild.de/x"),
        True,
    ),
    (
        "talkwalker",
        'phone site:"www.cnet.com" site:"bild.de"',
        _p("phone", url="https://other.de/x"),
        False,
    ),
    ("sprinklr", 'author: "Justin Blake"', _p("hi", author="jb", author_name="Justin Blake"), True),
    ("sprinklr", "author: jb", _p("hi", author="@JB", author_name="Justin Blake"), True),
    ("sprinklr", 'author: "Justin Blake"', _p("hi", author="jb", author_name="Justin"), False),
    ("brandwatch", "((cake OR cookie) AND (birthday OR party))~2", _p("cookie for my party"), True),
    (
        "brandwatch",
        "((cake OR cookie) AND (birthday OR party))~2",
        _p("cake and tea and a long party"),
        False,
    ),
    ("meltwater", "apple NEAR watch", _p("apple makes a really nice watch"), True),
    ("meltwater", "apple NEAR watch", _p("apple makes a really very nice new watch"), False),
    ("google", "climate AROUND(2) policy", _p("climate and energy policy"), True),
    ("google", "jaguar (car | cat)", _p("the jaguar is a big cat"), True),
    ("x", "from:acme -spam", _p("news", author="acme"), True),
    ("x", "from:acme -spam", _p("spam news", author="acme"), False),
    ("x", "url:example.com", _p("see", links=["https://example.com/a"]), True),
    ("x", "from:acme lang:pl awaria", _p("awaria", author="acme"), False),
    ("x", "#brand place_country:GB", _p("love #brand", country="gb"), True),
    (
        "talkwalker",
        "Luxemb* AND lang:fr",
        Post(external_id="m", text="Luxembourg", language="fr"),
        True,
    ),
    ("talkwalker", "+apple", _p("apples"), False),
    ("talkwalker", "+apple", _p("an apple"), True),
    ("talkwalker", "BMW AND NOT bike", _p("bmw bike"), False),
    ("talkwalker", "nike sourcetype:SOCIALMEDIA_TWITTER", _p("nike", platform="twitter"), True),
    ("brandwatch", "raw:Google+ AND search", _p("Google+ search"), True),
    ("brandwatch", "raw:Google+ AND search", _p("google search"), False),
    ("brandwatch", "{Apple} AND -pie", _p("Apple stock"), True),
    ("brandwatch", "{Apple} AND -pie", _p("apple stock"), False),
    ("brandwatch", "logitech NEAR/2f keyboard", _p("keyboard by logitech"), False),
    ("sprinklr", 'authorContaining: "Justin"', _p("hi", author="iamjustin"), True),
    ("sprinklr", "[(iot OR robot) AND sensor]", _p("robot with a sensor"), True),
    ("meltwater", "apple ONEAR watch", _p("watch from apple"), False),
    ("meltwater", "apple not juice", _p("apple juice"), False),
    ("google", "intitle:outage bank", Post(external_id="m", text="bank", title="Outage"), True),
    ("google", "jaguar -car", _p("jaguar car"), False),
]


@pytest.mark.parametrize(
    ("dialect", "source", "post", "expected"),
    MEANING,
    ids=[f"{m[0]}|{m[1]}|{m[2].text}" for m in MEANING],
)
def test_imported_query_keeps_the_documented_meaning(
    dialect: str, source: str, post: Post, expected: bool
) -> None:
    assert matches(import_query(source, dialect), post) is expected


def test_unknown_dialect() -> None:
    with pytest.raises(ValueError, match="unknown dialect"):
        import_query("a", "lexisnexis")


def test_imported_query_matches() -> None:
    q = import_query('"apple juice"~2 AND -"orange juice" <<<no OJ>>>', "brandwatch")
    assert matches(q, Post(external_id="1", text="apple, tasty juice", language="en"))
    assert not matches(q, Post(external_id="2", text="apple juice and orange juice"))


# Property: a random Boolean query over the core every dialect shares, spelled the way each
# dialect writes it, imports to a query that matches exactly the posts its meaning selects.
_VOCAB = ["apple", "pear", "plum", "kiwi", "fig"]
_Tree = tuple[str, object, object] | str

_trees = st.recursive(
    st.sampled_from(_VOCAB),
    lambda inner: st.one_of(
        st.tuples(st.just("and"), inner, inner),
        st.tuples(st.just("or"), inner, inner),
        st.tuples(st.just("not"), st.sampled_from(_VOCAB), st.none()),
    ),
    max_leaves=6,
)

# How each dialect spells AND, OR and a leading exclusion.
_SPELLING = {
    "brandwatch": (" AND ", " OR ", "-"),
    "talkwalker": (" ", " OR ", "-"),
    "sprinklr": (" AND ", " OR ", "NOT "),
    "meltwater": (" and ", " or ", "NOT "),
    "google": (" ", " | ", "-"),
    "x": (" ", " OR ", "-"),
}


def _spell(tree: _Tree, dialect: str) -> str:
    if isinstance(tree, str):
        return tree
    op, left, right = tree
    and_, or_, not_ = _SPELLING[dialect]
    if op == "not":
        return f"{not_}{left}"
    joiner = and_ if op == "and" else or_
    return f"({_spell(left, dialect)}{joiner}{_spell(right, dialect)})"  # type: ignore[arg-type]


def _meaning(tree: _Tree, words: set[str]) -> bool:
    if isinstance(tree, str):
        return tree in words
    op, left, right = tree
    if op == "not":
        return left not in words
    if op == "and":
        return _meaning(left, words) and _meaning(right, words)  # type: ignore[arg-type]
    return _meaning(left, words) or _meaning(right, words)  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    tree=_trees,
    dialect=st.sampled_from(sorted(_SPELLING)),
    posts=st.lists(st.sets(st.sampled_from(_VOCAB)), min_size=1, max_size=6),
)
def test_dialect_import_keeps_boolean_meaning(
    tree: _Tree, dialect: str, posts: list[set[str]]
) -> None:
    source = _spell(tree, dialect)
    converted = import_query(source, dialect)
    matcher = Matcher()
    matcher.add("q", converted)
    for words in posts:
        post = _p(" ".join(sorted(words)) or "nothing")
        expected = _meaning(tree, words)
        assert matches(converted, post) is expected, (source, converted, words)
        assert (matcher.match(post) == ["q"]) is expected
