"""Recursive-descent parser.

Precedence, tightest first: field prefix and grouping, NEAR/ONEAR and ~n (left-associative),
NOT, AND (explicit or by juxtaposition), OR. Hand-written rather than generated because the
errors are the product here: every failure names the column and the usual mistake behind it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flarewatch.query.analysis import analyse_query_surface, analyse_query_word
from flarewatch.query.ast import (
    META_FIELDS,
    And,
    Field,
    Leaf,
    Near,
    Node,
    Not,
    Or,
    Phrase,
    Term,
    Wildcard,
    is_positional,
)
from flarewatch.query.errors import QueryProblem, QuerySyntaxError
from flarewatch.query.lexer import Kind, Lexeme, lex

_OPERAND_START = {Kind.WORD, Kind.PHRASE, Kind.CASE, Kind.FIELD, Kind.LPAREN, Kind.NOT}
_LOWER_OPS = {"and": "AND", "or": "OR", "not": "NOT"}
_LOWER_NEAR = re.compile(r"(?i)o?near/\d+f?$")
_FIELDISH = re.compile(r"^([A-Za-z]{2,}):(?!//)\S")
_SLASH_DISTANCE = re.compile(r"(?i)w?/(\d+)$")
_BOOST = re.compile(r"\^\d*(?:\.\d+)?$")
_TILDE = re.compile(r"~(\d+)?")
MAX_DEPTH = 64  # far beyond any real query, well within Python's recursion limit


@dataclass
class _Parser:
    query: str
    lexemes: list[Lexeme]
    pos: int = 0
    meta: str | None = None  # inside a metadata field: leaves are literal values
    depth: int = 0
    warnings: list[QueryProblem] = field(default_factory=list)

    # -- helpers -----------------------------------------------------------------------------
    def peek(self) -> Lexeme:
        return self.lexemes[self.pos]

    def take(self) -> Lexeme:
        lx = self.lexemes[self.pos]
        self.pos += 1
        return lx

    def error(self, message: str, lx: Lexeme, hint: str | None = None) -> QuerySyntaxError:
        return QuerySyntaxError(message, lx.column, self.query, hint, max(lx.end - lx.column, 1))

    def warn(self, message: str, column: int, hint: str | None = None, width: int = 1) -> None:
        self.warnings.append(QueryProblem("warning", message, column, hint, width))

    # -- grammar -----------------------------------------------------------------------------
    def parse(self) -> Node:
        if self.peek().kind is Kind.EOF:
            raise QuerySyntaxError(
                "the query is empty",
                1,
                self.query,
                'type a word, a "phrase" or a field such as lang:en',
            )
        node = self.or_expr()
        lx = self.peek()
        if lx.kind is Kind.RPAREN:
            raise self.error("unbalanced parenthesis: ')' without a matching '('", lx)
        if lx.kind is not Kind.EOF:
            raise self.error(f"unexpected {lx.text!r}", lx)
        return node

    def or_expr(self) -> Node:
        first = self.peek()
        children = [self.and_expr()]
        while self.peek().kind is Kind.OR:
            op = self.take()
            self.expect_operand(op)
            children.append(self.and_expr())
        if len(children) == 1:
            return children[0]
        for child in children:
            if isinstance(child, _BareAnd):
                self.warn(
                    "AND binds tighter than OR here",
                    child.column,
                    "add parentheses to say which you mean: (a OR b) AND c",
                )
                break
        return Or(tuple(_flatten(Or, children)), column=first.column)

    def and_expr(self) -> Node:
        first = self.peek()
        children = [self.not_expr()]
        while True:
            lx = self.peek()
            if lx.kind is Kind.AND:
                self.take()
                self.expect_operand(lx)
            elif lx.kind not in _OPERAND_START:
                break
            children.append(self.not_expr())
        if len(children) == 1:
            return children[0]
        return _BareAnd(tuple(_flatten(And, children)), column=first.column)

    def not_expr(self) -> Node:
        lx = self.peek()
        if lx.kind is Kind.NOT:
            self.take()
            self.expect_operand(lx)
            return Not(self.not_expr(), column=lx.column)
        return self.near_expr()

    def near_expr(self) -> Node:
        left = self.primary()
        while self.peek().kind is Kind.NEAR:
            op = self.take()
            if self.meta:
                raise self.error(f"{op.text} cannot be used inside {self.meta}:", op)
            nxt = self.peek()
            if nxt.kind not in _OPERAND_START or nxt.kind is Kind.NOT:
                raise self.error(
                    f"{op.text} needs a term on both sides", op, "for example: brand NEAR/3 outage"
                )
            right = self.primary()
            for side, operand in (("left", left), ("right", right)):
                if not is_positional(operand):
                    raise QuerySyntaxError(
                        f"the {side} side of {op.text} must be words, phrases or an OR-group",
                        _column(operand, op.column),
                        self.query,
                        "AND, NOT and fields cannot be inside NEAR; move them outside",
                    )
            left = Near(left, right, op.distance, op.ordered, column=op.column)
        return left

    def primary(self) -> Node:
        lx = self.peek()
        kind = lx.kind
        if kind is Kind.LPAREN:
            self.take()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise self.error(
                    "parentheses nested too deeply", lx, f"at most {MAX_DEPTH} levels are allowed"
                )
            if self.peek().kind is Kind.RPAREN:
                raise self.error("empty parentheses", lx, "put a term between ( and )")
            node = self.or_expr()
            close = self.peek()
            if close.kind is not Kind.RPAREN:
                if close.kind is Kind.EOF:
                    raise self.error(
                        "unbalanced parenthesis: '(' is never closed", lx, "add the missing ')'"
                    )
                raise self.error(f"unexpected {close.text!r}", close)
            self.take()
            self.depth -= 1
            return _unbare(node)
        if kind is Kind.PHRASE:
            self.take()
            return self.phrase(lx)
        if kind is Kind.CASE:
            self.take()
            return self.case_term(lx)
        if kind is Kind.WORD:
            self.take()
            return self.word(lx)
        if kind is Kind.FIELD:
            self.take()
            if self.meta:
                raise self.error(f"field {lx.text}: cannot be nested inside {self.meta}:", lx)
            outer = self.meta
            self.meta = lx.text if lx.text in META_FIELDS else None
            try:
                child = self.primary()
            finally:
                self.meta = outer
            return Field(lx.text, _unbare(child), column=lx.column)
        if kind is Kind.EOF:
            prev = self.lexemes[self.pos - 1] if self.pos else lx
            raise self.error(
                f"missing term after {prev.text}",
                prev,
                f"{prev.text} needs a term on both sides"
                if prev.kind in (Kind.AND, Kind.OR, Kind.NEAR)
                else None,
            )
        if kind is Kind.RPAREN:
            raise self.error("unbalanced parenthesis: ')' without a matching '('", lx)
        raise self.error(
            f"{lx.text} needs a term on both sides",
            lx,
            "a query cannot start with an operator, nor have two in a row",
        )

    def expect_operand(self, op: Lexeme) -> None:
        nxt = self.peek()
        if nxt.kind in _OPERAND_START and not (op.kind is Kind.NOT and nxt.kind is Kind.NOT):
            return
        if nxt.kind is Kind.EOF or nxt.kind is Kind.RPAREN:
            raise self.error(f"{op.text} needs a term after it", op)
        raise self.error(
            f"{op.text} followed by {nxt.text}", nxt, f"{op.text} needs a term on both sides"
        )

    # -- leaves ------------------------------------------------------------------------------
    def word(self, lx: Lexeme) -> Node:
        text = lx.text
        if self.meta:
            # In URLs a '?' is the query string, not a wildcard.
            literal_q = self.meta in ("url", "links", "site")
            if "*" in text or ("?" in text and not literal_q):
                return Wildcard(text, column=lx.column)
            return Term(text, exact=True, column=lx.column)
        self.reject_foreign_operator(lx)
        lower = _LOWER_OPS.get(text)
        if lower:
            self.warn(
                f"lower-case '{text}' is searched as a word",
                lx.column,
                f'write {lower} for the operator, or "{text}" to search the word',
                len(text),
            )
        elif _LOWER_NEAR.match(text):
            self.warn(
                f"'{text}' is searched as words",
                lx.column,
                f"operators are upper case: {text.upper()}",
                len(text),
            )
        elif _FIELDISH.match(text):
            name = text.split(":", 1)[0]
            self.warn(
                f"'{name}:' is not a field, so it is searched as words",
                lx.column,
                "fields: author: authorname: site: url: title: lang: country: platform: links: "
                "raw:",
                len(name) + 1,
            )
        return self.leaves(text, lx, exact=False)

    def reject_foreign_operator(self, lx: Lexeme) -> None:
        """Other tools' operators glued to words (`juice~5`, `)~5`, `^9`, `/2`) are errors with
        the nearest Flarewatch form: reading them as words would silently change the query."""
        text = lx.text
        prev = self.lexemes[self.pos - 2] if self.pos >= 2 else None
        before = prev.text if prev is not None and prev.kind is Kind.WORD else "word1"
        if m := _SLASH_DISTANCE.match(text):
            after = self.peek().text if self.peek().kind is Kind.WORD else "word2"
            raise self.error(
                f"'{text}' is not an operator here",
                lx,
                f"write {before} NEAR/{m.group(1)} {after} for at most {m.group(1)} words between",
            )
        if m := _BOOST.search(text):
            raise QuerySyntaxError(
                f"'{m.group()}' is a ranking boost; Flarewatch does not rank, so it cannot change "
                "what matches",
                lx.column + m.start(),
                self.query,
                f"remove {m.group()!r}",
                len(m.group()),
            )
        tilde = text.find("~")
        if tilde < 0:
            return
        m = _TILDE.match(text, tilde)
        distance = m.group(1) if m else ""
        if tilde == 0 and prev is not None and prev.kind is Kind.RPAREN:
            message, hint = (
                f"'{text}' after a group is not supported",
                f"join the group to the other words with NEAR/{distance or 5}, "
                f'or quote the words: "word1 word2"~{distance or 5}',
            )
        elif distance:
            word = text[:tilde] or "word2"
            message, hint = (
                f"'~{distance}' only works after a quoted phrase",
                f'write "{before} {word}"~{distance}, or {before} NEAR/{distance} {word}',
            )
        else:
            message, hint = (
                "'~' (similar spellings) is not supported",
                "list the spellings instead: (colour OR color)",
            )
        raise QuerySyntaxError(message, lx.column + tilde, self.query, hint, len(text) - tilde)

    def phrase(self, lx: Lexeme) -> Node:
        if self.meta:
            return Term(lx.text, exact=True, column=lx.column)
        if not lx.text.strip():
            raise self.error("empty phrase", lx, "put words between the quotes")
        slop = lx.distance if lx.distance >= 0 else None
        node = self.leaves(lx.text, lx, exact=True)
        if slop is not None and isinstance(node, Phrase):
            return Phrase(node.words, slop, column=lx.column)
        return node

    def case_term(self, lx: Lexeme) -> Node:
        pieces = analyse_query_surface(lx.text)
        if not pieces:
            raise self.error("empty case-sensitive term", lx, "write {Term} with a word inside")
        if self.meta:
            return Term(lx.text, exact=True, case_sensitive=True, column=lx.column)
        leaves = [self.leaf(p, lx, exact=True, case_sensitive=True) for p in pieces]
        return leaves[0] if len(leaves) == 1 else Phrase(tuple(leaves), column=lx.column)

    def leaves(self, text: str, lx: Lexeme, *, exact: bool) -> Node:
        pieces = analyse_query_word(text, keep_wildcards=True)
        if not pieces:
            raise self.error(
                f"{text!r} has no letters, digits or emoji to search",
                lx,
                'punctuation is ignored in words; use raw:"..." to match it',
            )
        leaves = [self.leaf(p, lx, exact=exact) for p in pieces]
        return leaves[0] if len(leaves) == 1 else Phrase(tuple(leaves), column=lx.column)

    def leaf(self, piece: str, lx: Lexeme, *, exact: bool, case_sensitive: bool = False) -> Leaf:
        if "*" not in piece and "?" not in piece:
            return Term(piece, exact=exact, case_sensitive=case_sensitive, column=lx.column)
        body = piece[1:] if piece[0] in "#@" else piece
        if body[0] in "*?":
            raise self.error(
                "a word cannot start with a wildcard",
                lx,
                "leading wildcards match almost anything and cannot be indexed; "
                "write the start of the word, e.g. shop*",
            )
        literal = re.split(r"[*?]", body, maxsplit=1)[0]
        if len(literal) < 2:
            self.warn(
                f"'{piece}' matches a very large number of words",
                lx.column,
                "give at least two letters before the wildcard",
                max(lx.end - lx.column, 1),
            )
        return Wildcard(piece, case_sensitive=case_sensitive, column=lx.column)


class _BareAnd(And):
    """An AND written without parentheses; only used to warn about mixing AND and OR."""

    __slots__ = ()


def _unbare(node: Node) -> Node:
    return And(node.children, column=node.column) if isinstance(node, _BareAnd) else node


def _flatten(kind: type[And] | type[Or], children: list[Node]) -> list[Node]:
    out: list[Node] = []
    for child in children:
        child = _unbare(child)
        if type(child) is kind:
            out.extend(child.children)  # type: ignore[union-attr]
        else:
            out.append(child)
    return out


def _column(node: Node, default: int) -> int:
    return node.column or default


def _finish(node: Node) -> Node:
    """Replace the parser-internal _BareAnd nodes by plain And nodes, recursively."""
    if isinstance(node, And):
        return And(tuple(_finish(c) for c in node.children), column=node.column)
    if isinstance(node, Or):
        return Or(tuple(_finish(c) for c in node.children), column=node.column)
    if isinstance(node, Not):
        return Not(_finish(node.child), column=node.column)
    if isinstance(node, Field):
        return Field(node.name, _finish(node.child), column=node.column)
    if isinstance(node, Near):
        return Near(
            _finish(node.left), _finish(node.right), node.distance, node.ordered, column=node.column
        )
    return node


def parse_with_warnings(query: str) -> tuple[Node, list[QueryProblem]]:
    parser = _Parser(query, lex(query))
    node = _finish(parser.parse())
    if _only_negative(node):
        parser.warn(
            "the query only excludes",
            1,
            "it matches every post without those words; add a term to look for",
        )
    return node, parser.warnings


def _only_negative(node: Node) -> bool:
    if isinstance(node, Not):
        return True
    if isinstance(node, And):
        return all(_only_negative(c) for c in node.children)
    return False


def parse(query: str) -> Node:
    """Parse a query into its syntax tree; raises QuerySyntaxError with the column."""
    return parse_with_warnings(query)[0]
