"""Presearch terms: small sets of keys such that every post a query matches holds one of each.

As in Lucene Monitor, a query reduces to a conjunction of *requirements*, each a disjunction of
keys: AND concatenates its children's requirements, OR merges the best requirement of each child
into one, NOT contributes nothing (absence cannot be looked up), NEAR and phrases behave like
AND. The matcher indexes a query under its two cheapest requirements (two passes, like Monitor's
multipass presearcher), so a query with `brand AND context` is only verified on posts holding
both. A query with no requirement is verified on every post. Wildcards contribute their longest
literal fragment, found by Aho-Corasick.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flarewatch.query.analysis import META, foldcase, normalize_language
from flarewatch.query.ast import And, Field, Near, Node, Or, Phrase, Term, Wildcard
from flarewatch.query.evaluate import Compiler
from flarewatch.query.polish import fold
from flarewatch.query.view import normalize_author, normalize_site

KEY = "k"
FRAGMENT = "w"


@dataclass(frozen=True, slots=True)
class Requirement:
    """Any one of `entries` must be present. `cost` estimates how often that happens."""

    entries: frozenset[tuple[str, str]]
    cost: float


def _key_cost(norm: str) -> float:
    # Without corpus statistics, length is the usual stand-in for rarity (as in Lucene Monitor's
    # default term weighting): short words are frequent words.
    return 1.0 + 12.0 / max(len(norm), 1)


def requirements(node: Node, compiler: Compiler) -> list[Requirement]:
    """A conjunction of requirements that every matching post satisfies (may be empty)."""
    if isinstance(node, Term):
        keys = compiler.keys(node)
        return [Requirement(frozenset((KEY, k) for k in keys), _key_cost(node.text))]
    if isinstance(node, Wildcard):
        req = _wildcard(node, compiler.with_fold)
        return [req] if req else []
    if isinstance(node, Phrase):
        return [r for w in node.words for r in requirements(w, compiler)]
    if isinstance(node, Near):
        return requirements(node.left, compiler) + requirements(node.right, compiler)
    if isinstance(node, And):
        return [r for c in node.children for r in requirements(c, compiler)]
    if isinstance(node, Or):
        parts = [best(requirements(c, compiler)) for c in node.children]
        return [_union(parts)] if all(parts) else []
    if isinstance(node, Field):
        if node.name == "title":
            return requirements(node.child, compiler)
        req = _meta(node.name, node.child)
        return [req] if req else []
    return []  # NOT


def best(reqs: list[Requirement]) -> Requirement | None:
    return min(reqs, key=lambda r: r.cost) if reqs else None


def cheapest_two(reqs: list[Requirement]) -> list[Requirement]:
    ordered = sorted(set(reqs), key=lambda r: (r.cost, sorted(r.entries)))
    return ordered[:2]


def _union(parts: list[Requirement | None]) -> Requirement:
    present = [p for p in parts if p is not None]
    return Requirement(
        frozenset().union(*(p.entries for p in present)), sum(p.cost for p in present)
    )


def _wildcard(node: Wildcard, with_fold: bool) -> Requirement | None:
    norm = foldcase(node.pattern)
    if with_fold and not node.case_sensitive:
        norm = fold(norm)
    fragment = max(re.split(r"[*?]", norm), key=len)
    if not fragment:
        return None
    return Requirement(frozenset({(FRAGMENT, fragment)}), 3.0 + 12.0 / len(fragment))


_META_COST = 50.0  # lang:en or platform:twitter hold for a large share of all posts


def _meta(name: str, child: Node) -> Requirement | None:
    if isinstance(child, Or):
        parts = [_meta(name, c) for c in child.children]
        return _union(parts) if all(parts) else None
    if isinstance(child, And):
        return best([r for c in child.children if (r := _meta(name, c)) is not None])
    if not isinstance(child, Term) or child.case_sensitive:
        return None
    value = child.text.strip()
    if name == "lang":
        value = normalize_language(value) or ""
    elif name == "author":
        value = normalize_author(value)
    elif name == "site":
        value = normalize_site(value)
        if "/" in value:
            return None
    elif name in ("country", "platform"):
        value = value.casefold()
    else:
        return None
    return Requirement(frozenset({(KEY, f"{META}{name}:{value}")}), _META_COST)
