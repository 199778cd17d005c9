"""Metadata fields: author:, authorname:, site:, url:, lang:, country:, platform:, links:, raw:.

Their leaves are literal values, not analysed words: `site:bbc.co.uk` must not be split into
three tokens, and `raw:` exists precisely to keep the punctuation the analyser throws away.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from flarewatch.query.analysis import normalize_language
from flarewatch.query.ast import And, Node, Not, Or, Phrase, Term, Wildcard
from flarewatch.query.view import (
    PostView,
    TextView,
    normalize_author,
    normalize_site,
    normalize_url,
)

Pred = Callable[[TextView], bool]
ValueTest = Callable[[PostView], bool]


def compile_meta(name: str, child: Node) -> Pred:
    test = _compile(name, child)
    return lambda v: test(v.post)


def _compile(name: str, node: Node) -> ValueTest:
    if isinstance(node, And):
        parts = [_compile(name, c) for c in node.children]
        return lambda p: all(t(p) for t in parts)
    if isinstance(node, Or):
        parts = [_compile(name, c) for c in node.children]
        return lambda p: any(t(p) for t in parts)
    if isinstance(node, Not):
        inner = _compile(name, node.child)
        return lambda p: not inner(p)
    if isinstance(node, Phrase):  # a value typed without quotes that the analyser split
        node = Term(" ".join(w.text if isinstance(w, Term) else w.pattern for w in node.words))
    if isinstance(node, (Term, Wildcard)):
        return _leaf(name, node)
    raise TypeError(f"{type(node).__name__} is not allowed in {name}:")


def value_of(leaf: Term | Wildcard) -> str:
    return leaf.text if isinstance(leaf, Term) else leaf.pattern


def _glob(value: str, anchored: bool) -> re.Pattern[str]:
    body = "".join(".*" if ch == "*" else re.escape(ch) for ch in value)
    return re.compile(body if anchored else f".*{body}.*", re.DOTALL)


def _leaf(name: str, leaf: Term | Wildcard) -> ValueTest:
    value = value_of(leaf).strip()
    wild = isinstance(leaf, Wildcard)
    if name == "raw":
        return _raw(value)
    if name in ("url", "links"):
        target = normalize_url(value) if "*" not in value else value.casefold()
        rx = _glob(target, anchored=False)

        def in_urls(p: PostView) -> bool:
            found = [p.url()] if name == "url" else p.links()
            return any(rx.fullmatch(u) for u in found if u)

        return in_urls
    if name == "site":
        site = normalize_site(value)
        if "*" in site:
            rx = _glob(site, anchored=True)
            return lambda p: bool(rx.fullmatch(p.host()))
        if "/" in site:
            site_host, _, path = site.partition("/")

            def under(p: PostView) -> bool:
                host = p.host()
                if host != site_host and not host.endswith("." + site_host):
                    return False
                return (p.url().partition("/")[2] + "/").startswith(path + "/")

            return under
        return lambda p: (host := p.host()) == site or host.endswith("." + site)
    getter = _GETTERS[name]
    norm = (normalize_language(value) or "") if name == "lang" else _norm(name, value)
    if wild:
        rx = (
            _glob(norm, anchored=True)
            if "*" in norm
            else re.compile(re.escape(norm).replace(r"\?", "."))
        )
        return lambda p: bool(rx.fullmatch(getter(p)))
    return lambda p: getter(p) == norm


def _norm(name: str, value: str) -> str:
    if name == "authorname":
        return " ".join(value.split()).casefold()
    return normalize_author(value) if name == "author" else value.casefold()


_GETTERS: dict[str, Callable[[PostView], str]] = {
    "lang": lambda p: p.lang,
    "country": lambda p: (p.post.country or "").casefold(),
    "platform": lambda p: (p.post.platform or "").casefold(),
    "author": lambda p: normalize_author(p.post.author or ""),
    # The display name ("Justin Blake"), compared whole; spaces inside are kept as one.
    "authorname": lambda p: " ".join((p.post.author_name or "").split()).casefold(),
}


def _raw(value: str) -> ValueTest:
    """raw: is Brandwatch's literal match: case and punctuation count (raw:Google+)."""
    literal = unicodedata.normalize("NFKC", value)
    # A literal that starts or ends with a word character must not match inside a longer word.
    left = r"(?<!\w)" if literal[:1].isalnum() else ""
    right = r"(?!\w)" if literal[-1:].isalnum() else ""
    rx = re.compile(left + re.escape(literal) + right)
    return lambda p: bool(rx.search(p.raw()))
