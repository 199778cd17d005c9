"""Compile a syntax tree into closures over a PostView, and the naive reference `matches`.

The matcher verifies its candidates with exactly these closures, so presearch can only ever
change *which* queries are tried, never what a match means.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from flarewatch.mentions.post import Post
from flarewatch.query.analysis import foldcase, term_keys
from flarewatch.query.ast import And as AndNode
from flarewatch.query.ast import Field, Leaf, Near, Node, Not, Or, Phrase, Term, Wildcard
from flarewatch.query.meta import compile_meta
from flarewatch.query.parser import parse
from flarewatch.query.polish import fold
from flarewatch.query.view import PostView, TextView

Pred = Callable[[TextView], bool]
Spans = list[tuple[int, int]]
SpanFn = Callable[[TextView], Spans]


def wildcard_regex(pattern: str) -> re.Pattern[str]:
    parts = (".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile("".join(parts), re.DOTALL)


class Compiler:
    """Turns nodes into predicates; `with_fold` compiles for the diacritics-insensitive mode."""

    def __init__(self, with_fold: bool) -> None:
        self.with_fold = with_fold

    # -- boolean ----------------------------------------------------------------------------
    def pred(self, node: Node) -> Pred:
        if isinstance(node, Term):
            return self.term_pred(node)
        if isinstance(node, Wildcard):
            return self.wildcard_pred(node)
        if isinstance(node, (Phrase, Near)):
            spans = self.spans(node)
            return lambda v: bool(spans(v))
        if isinstance(node, AndNode):
            return self.and_pred(node.children)
        if isinstance(node, Or):
            return self.or_pred(node.children)
        if isinstance(node, Not):
            banned = self.simple_keys(node.child)
            if banned is not None:
                return lambda v: banned.isdisjoint(v.keys)
            inner = self.pred(node.child)
            return lambda v: not inner(v)
        if isinstance(node, Field):
            if node.name == "title":
                inner = self.pred(node.child)
                return lambda v: inner(v.post.title())
            return compile_meta(node.name, node.child)
        raise TypeError(f"unknown node {node!r}")

    def simple_keys(self, node: Node) -> frozenset[str] | None:
        """Key set of a plain term or an OR of plain terms: true iff it meets the post's keys.

        Such nodes, the bulk of real queries, then cost one C-level isdisjoint, no closure."""
        if isinstance(node, Term) and not node.case_sensitive:
            return self.keys(node)
        if isinstance(node, Or):
            parts = [self.simple_keys(c) for c in node.children]
            if all(p is not None for p in parts):
                return frozenset().union(*parts)  # type: ignore[arg-type]
        return None

    def or_pred(self, children: tuple[Node, ...]) -> Pred:
        keysets = [k for c in children if (k := self.simple_keys(c)) is not None]
        rest = [self.pred(c) for c in _cheap_first(children) if self.simple_keys(c) is None]
        keys = frozenset().union(*keysets)
        if not rest:
            return lambda v: not keys.isdisjoint(v.keys)
        if not keys:
            return lambda v: any(p(v) for p in rest)
        return lambda v: not keys.isdisjoint(v.keys) or any(p(v) for p in rest)

    def and_pred(self, children: tuple[Node, ...]) -> Pred:
        required: list[frozenset[str]] = []
        excluded: list[frozenset[str]] = []
        rest: list[Pred] = []
        for child in _cheap_first(children):
            keys = self.simple_keys(child)
            negated = self.simple_keys(child.child) if isinstance(child, Not) else None
            if keys is not None:
                required.append(keys)
            elif negated is not None:
                excluded.append(negated)
            else:
                rest.append(self.pred(child))
        # NOT lists are merged: the post must miss all of them, i.e. their union.
        banned = frozenset().union(*excluded)

        def run(v: TextView) -> bool:
            keys = v.keys
            for needed in required:
                if needed.isdisjoint(keys):
                    return False
            if banned and not banned.isdisjoint(keys):
                return False
            return all(pred(v) for pred in rest)

        return run

    def term_pred(self, term: Term) -> Pred:
        keys = self.keys(term)
        if not term.case_sensitive:
            return lambda v: not keys.isdisjoint(v.keys)
        exact = re.compile(re.escape(term.text))
        return lambda v: not keys.isdisjoint(v.keys) and bool(v.surface_positions(exact))

    def wildcard_pred(self, wc: Wildcard) -> Pred:
        if wc.case_sensitive:
            regex = wildcard_regex(wc.pattern)
            return lambda v: bool(v.surface_positions(regex))
        regex, folded = self.wildcard(wc)
        fragment = longest_literal(self.wildcard_text(wc))
        # The longest literal piece must occur in the post's tokens: a C-level substring test
        # that rejects most posts before any regex runs.
        return lambda v: fragment in v.joined() and v.wildcard_any(regex, folded)

    # -- positional ---------------------------------------------------------------------------
    def spans(self, node: Node) -> SpanFn:
        if isinstance(node, (Term, Wildcard)):
            positions = self.positions(node)
            return lambda v: [(p, p) for p in positions(v)]
        if isinstance(node, Phrase):
            return self.phrase_spans(node)
        if isinstance(node, Or):
            parts = [self.spans(c) for c in node.children]
            return lambda v: sorted({s for part in parts for s in part(v)})
        if isinstance(node, Near):
            return self.near_spans(node)
        raise TypeError(f"{type(node).__name__} has no positions")

    def positions(self, leaf: Leaf) -> Callable[[TextView], list[int]]:
        if isinstance(leaf, Term):
            keys = self.keys(leaf)
            if leaf.case_sensitive:
                exact = re.compile(re.escape(leaf.text))
                return lambda v: v.surface_positions(exact) if not keys.isdisjoint(v.keys) else []
            return lambda v: v.key_positions(keys) if not keys.isdisjoint(v.keys) else []
        if leaf.case_sensitive:
            regex = wildcard_regex(leaf.pattern)
            return lambda v: v.surface_positions(regex)
        regex, folded = self.wildcard(leaf)
        return lambda v: v.wildcard_positions(regex, folded)

    def phrase_spans(self, node: Phrase) -> SpanFn:
        words = [self.positions(w) for w in node.words]
        slop = node.slop
        k = len(words)

        def run(v: TextView) -> Spans:
            lists = []
            for w in words:
                found = w(v)
                if not found:
                    return []
                lists.append(found)
            if slop is None:
                rest = [set(p) for p in lists[1:]]
                return [
                    (p, p + k - 1)
                    for p in lists[0]
                    if all(p + j + 1 in s for j, s in enumerate(rest))
                ]
            return _windows(lists, k + slop)

        return run

    def near_spans(self, node: Near) -> SpanFn:
        left, right = self.spans(node.left), self.spans(node.right)
        dist, ordered = node.distance, node.ordered

        def run(v: TextView) -> Spans:
            ls = left(v)
            if not ls:
                return []
            rs = right(v)
            out = set()
            for a0, a1 in ls:
                for b0, b1 in rs:
                    if a1 < b0 and b0 - a1 - 1 <= dist:
                        out.add((a0, b1))
                    elif not ordered and b1 < a0 and a0 - b1 - 1 <= dist:
                        out.add((b0, a1))
            return sorted(out)

        return run

    # -- leaves -------------------------------------------------------------------------------
    def keys(self, term: Term) -> frozenset[str]:
        norm = foldcase(term.text)
        return term_keys(
            norm,
            exact=term.exact or term.case_sensitive,
            with_fold=self.with_fold and not term.case_sensitive,
        )

    def wildcard_text(self, wc: Wildcard) -> str:
        norm = foldcase(wc.pattern)
        return fold(norm) if self.with_fold and not wc.case_sensitive else norm

    def wildcard(self, wc: Wildcard) -> tuple[re.Pattern[str], bool]:
        # Under folding the folded pattern meets folded token forms: prad* finds prądu.
        return wildcard_regex(self.wildcard_text(wc)), self.with_fold


def longest_literal(pattern: str) -> str:
    return max(re.split(r"[*?]", pattern), key=len)


def _windows(lists: list[list[int]], width: int) -> Spans:
    """Windows of at most `width` tokens holding one position from every list (any order)."""
    events = sorted((p, i) for i, plist in enumerate(lists) for p in plist)
    need = len(lists)
    counts = [0] * need
    have = 0
    out: Spans = []
    lo = 0
    for p, i in events:
        if counts[i] == 0:
            have += 1
        counts[i] += 1
        while have == need:
            start = events[lo][0]
            if p - start + 1 <= width:
                out.append((start, p))
            j = events[lo][1]
            counts[j] -= 1
            if counts[j] == 0:
                have -= 1
            lo += 1
    return out


def _cost(node: Node) -> int:
    if isinstance(node, Term):
        return 1 if not node.case_sensitive else 3
    if isinstance(node, (Wildcard, Field)):
        return 4
    if isinstance(node, (Phrase, Near)):
        return 6
    if isinstance(node, Not):
        return _cost(node.child)
    if isinstance(node, (AndNode, Or)):
        return sum(_cost(c) for c in node.children)
    return 5


def _cheap_first(children: tuple[Node, ...]) -> list[Node]:
    # all()/any() short-circuit, so set lookups go before position work.
    return sorted(children, key=_cost)


def compile_query(node: Node, *, fold_diacritics: bool = False) -> Pred:
    """A predicate over a post's body view."""
    return Compiler(fold_diacritics).pred(node)


@lru_cache(maxsize=4096)
def _compiled(query: str, fold_diacritics: bool) -> Pred:
    return compile_query(parse(query), fold_diacritics=fold_diacritics)


def matches(query: str | Node, post: Post, *, fold_diacritics: bool = False) -> bool:
    """The reference evaluator: analyse the post and evaluate the whole query on it."""
    pred = (
        _compiled(query, fold_diacritics)
        if isinstance(query, str)
        else compile_query(query, fold_diacritics=fold_diacritics)
    )
    return pred(PostView(post, with_fold=fold_diacritics).body)
