"""Presearch terms: a small set of keys such that every post a query matches holds at least one.

As in Lucene Monitor, AND needs only its most selective child, OR needs all of its children, and
NOT contributes nothing (absence cannot be looked up). A query with no such set is verified on
every post. Wildcards contribute their longest literal fragment, found by Aho-Corasick.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flarewatch.query.analysis import META, foldcase, normalize_language
from flarewatch.query.ast import And, Field, Near, Node, Not, Or, Phrase, Term, Wildcard
from flarewatch.query.evaluate import Compiler
from flarewatch.query.polish import fold
from flarewatch.query.view import normalize_author

KEY = "k"
FRAGMENT = "w"


@dataclass(frozen=True, slots=True)
class Requirement:
    """Any one of `entries` must be present. `cost` estimates how often that happens."""

    entries: frozenset[tuple[str, str]]
    cost: float


def _key_cost(norm: str) -> float:
    # Short words are frequent words; a crude but corpus-free stand-in for document frequency.
    return 1.0 if len(norm) > 3 else 4.0


def extract(node: Node, compiler: Compiler) -> Requirement | None:
    if isinstance(node, Term):
        keys = compiler.keys(node)
        return Requirement(frozenset((KEY, k) for k in keys), _key_cost(node.text))
    if isinstance(node, Wildcard):
        return _wildcard(node, compiler.with_fold)
    if isinstance(node, Phrase):
        return _best([extract(w, compiler) for w in node.words])
    if isinstance(node, Near):
        return _best([extract(node.left, compiler), extract(node.right, compiler)])
    if isinstance(node, And):
        return _best([extract(c, compiler) for c in node.children])
    if isinstance(node, Or):
        parts = [extract(c, compiler) for c in node.children]
        if any(p is None for p in parts):
            return None
        return Requirement(frozenset().union(*(p.entries for p in parts if p)),
                           sum(p.cost for p in parts if p))
    if isinstance(node, Not):
        return None
    if isinstance(node, Field):
        if node.name == "title":
            return extract(node.child, compiler)
        return _meta(node.name, node.child)
    return None


def _best(parts: list[Requirement | None]) -> Requirement | None:
    usable = [p for p in parts if p is not None]
    return min(usable, key=lambda p: p.cost) if usable else None


def _wildcard(node: Wildcard, with_fold: bool) -> Requirement | None:
    norm = foldcase(node.pattern)
    if with_fold and not node.case_sensitive:
        norm = fold(norm)
    fragment = max(re.split(r"[*?]", norm), key=len)
    if not fragment:
        return None
    return Requirement(frozenset({(FRAGMENT, fragment)}), 2.0 + 4.0 / len(fragment))


_META_COST = 50.0  # lang:en or platform:twitter hold for a large share of all posts


def _meta(name: str, child: Node) -> Requirement | None:
    if isinstance(child, Or):
        parts = [_meta(name, c) for c in child.children]
        if any(p is None for p in parts):
            return None
        return Requirement(frozenset().union(*(p.entries for p in parts if p)),
                           sum(p.cost for p in parts if p))
    if isinstance(child, And):
        return _best([_meta(name, c) for c in child.children])
    if not isinstance(child, Term) or child.case_sensitive:
        return None
    value = child.text.strip()
    if name == "lang":
        value = normalize_language(value) or ""
    elif name == "author":
        value = normalize_author(value)
    elif name == "site":
        value = value.casefold().removeprefix("www.").rstrip("/")
        if "/" in value:
            return None
    elif name in ("country", "platform"):
        value = value.casefold()
    else:
        return None
    return Requirement(frozenset({(KEY, f"{META}{name}:{value}")}), _META_COST)
