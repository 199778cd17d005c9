"""The query syntax tree.

Leaves keep the text the user typed (already split into single tokens by the analyser) so that the
tree can be rendered back, compiled for a post, or mined for presearch terms.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Canonical field names; `language:` is accepted as an alias of `lang:`.
TEXT_FIELDS = frozenset({"title"})
META_FIELDS = frozenset(
    {"author", "authorname", "site", "url", "lang", "country", "platform", "links", "raw"}
)
FIELDS = TEXT_FIELDS | META_FIELDS
FIELD_ALIASES = {"language": "lang"}


@dataclass(frozen=True, slots=True)
class Term:
    """One token: a word, `#hashtag`, `@mention` or emoji.

    `exact` turns off stemming (the word was quoted); `case_sensitive` comes from `{Term}`.
    """

    text: str
    exact: bool = False
    case_sensitive: bool = False
    column: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Wildcard:
    """A token with `*` (any run of characters) and/or `?` (exactly one character)."""

    pattern: str
    case_sensitive: bool = False
    column: int = field(default=0, compare=False)


Leaf = Term | Wildcard


@dataclass(frozen=True, slots=True)
class Phrase:
    """Consecutive words, or with `slop` all words inside a window of len(words) + slop tokens."""

    words: tuple[Leaf, ...]
    slop: int | None = None
    column: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Near:
    """`left NEAR/n right`: at most `distance` tokens in between; `ordered`: left first."""

    left: Node
    right: Node
    distance: int
    ordered: bool = False
    column: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]
    column: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]
    column: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Not:
    child: Node
    column: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Field:
    """`name:value`. Under `title` the child is a text query; under metadata fields, values."""

    name: str
    child: Node
    column: int = field(default=0, compare=False)


Node = Term | Wildcard | Phrase | Near | And | Or | Not | Field

POSITIONAL = (Term, Wildcard, Phrase, Near)


def is_positional(node: Node) -> bool:
    """Whether the node has token positions, i.e. can be an operand of NEAR."""
    if isinstance(node, POSITIONAL):
        return True
    return isinstance(node, Or) and all(is_positional(c) for c in node.children)
