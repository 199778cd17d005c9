"""Render a syntax tree back to canonical Flarewatch syntax (upper-case operators, explicit AND,
parentheses wherever precedence would otherwise have to be remembered)."""

from __future__ import annotations

from flarewatch.query.ast import And, Field, Leaf, Near, Node, Not, Or, Phrase, Term, Wildcard

_BARE_SAFE = set(' ()"{}[]')


def _leaf(leaf: Leaf, quoted: bool) -> str:
    text = leaf.text if isinstance(leaf, Term) else leaf.pattern
    if leaf.case_sensitive:
        return "{" + text + "}"
    if isinstance(leaf, Term) and leaf.exact and not quoted:
        return f'"{text}"'
    return text


def _value(leaf: Node) -> str:
    if isinstance(leaf, Term):
        text = leaf.text
        if leaf.case_sensitive:
            return "{" + text + "}"
        return f'"{text}"' if any(ch in _BARE_SAFE for ch in text) else text
    if isinstance(leaf, Wildcard):
        return leaf.pattern
    return "(" + render(leaf, meta=True) + ")"


def render(node: Node, *, meta: bool = False) -> str:
    if isinstance(node, (Term, Wildcard)):
        return _value(node) if meta else _leaf(node, quoted=False)
    if isinstance(node, Phrase):
        if all(w.case_sensitive for w in node.words) and node.slop is None:
            return "{" + " ".join(_text(w) for w in node.words) + "}"
        exact = any(isinstance(w, Term) and w.exact for w in node.words)
        if not exact and node.slop is None:
            return "-".join(_leaf(w, quoted=True) for w in node.words)
        body = '"' + " ".join(_leaf(w, quoted=True) for w in node.words) + '"'
        return body + (f"~{node.slop}" if node.slop is not None else "")
    if isinstance(node, Near):
        op = f"ONEAR/{node.distance}" if node.ordered else f"NEAR/{node.distance}"
        left = _wrap(node.left, (Or,), meta)
        right = _wrap(node.right, (Or, Near), meta)
        return f"{left} {op} {right}"
    if isinstance(node, And):
        return " AND ".join(_wrap(c, (Or, And), meta) for c in node.children)
    if isinstance(node, Or):
        return " OR ".join(_wrap(c, (And, Or), meta) for c in node.children)
    if isinstance(node, Not):
        return "NOT " + _wrap(node.child, (And, Or, Not), meta)
    if isinstance(node, Field):
        is_meta = node.name != "title"
        child = node.child
        if isinstance(child, (Term, Wildcard)):
            inner = _value(child) if is_meta else _leaf(child, quoted=False)
        elif isinstance(child, Phrase) and not is_meta:
            inner = render(child)
        else:
            inner = "(" + render(child, meta=is_meta) + ")"
        return f"{node.name}:{inner}"
    raise TypeError(f"unknown node {node!r}")


def _text(leaf: Leaf) -> str:
    return leaf.text if isinstance(leaf, Term) else leaf.pattern


def _wrap(node: Node, kinds: tuple[type, ...], meta: bool) -> str:
    text = render(node, meta=meta)
    return f"({text})" if isinstance(node, kinds) else text
