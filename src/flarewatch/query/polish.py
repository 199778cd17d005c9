"""A light Polish stemmer: strip one inflectional ending, then undo the regular stem alternations.

Why not a dictionary lemmatiser or Stempel: a lemmatiser (Morfeusz) is a native dependency with a
large dictionary, and Stempel (pystempel) is a pure-Python trie walk that is too slow for 100k
posts/s. Matching only needs both sides to land on the same key, so a suffix stripper that is
applied identically to the query word and the post word is enough for nouns and adjectives:
awaria, awarii, awarię, awarią, awariami -> "awar". Verbs are not stemmed (their endings collide
with noun stems such as "kanał"), and irregular or consonant-changing forms such as pies/psa or
kot/kocie are known misses; docs/queries.md lists them.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

_SUFFIXES = (
    # nouns
    "iami",
    "iach",
    "ami",
    "ach",
    "owie",
    "owi",
    "iem",
    "iom",
    "om",
    "ów",
    "em",
    "ia",
    "ie",
    "ii",
    "iu",
    "io",
    "ią",
    "ię",
    "a",
    "ą",
    "ę",
    "e",
    "i",
    "y",
    "o",
    "u",
    # adjectives (and -owy/-owa/-owe derived from nouns: prądowy -> prąd)
    "owego",
    "owemu",
    "owymi",
    "owych",
    "owej",
    "owym",
    "owa",
    "owe",
    "owy",
    "iego",
    "iemu",
    "ego",
    "emu",
    "ymi",
    "imi",
    "ych",
    "ich",
    "iej",
    "ej",
    "ym",
    "im",
)
MIN_STEM = 3

# Stem-final alternations that inflection produces regularly; mapping both sides to one spelling
# lets prąd/prądzie, lekarz/lekarza, koń/konia, Polska/Polsce, stół/stole meet.
_FINAL = (
    ("dz", "d"),
    ("rz", "r"),
    ("ć", "k"),
    ("ń", "n"),
    ("ś", "s"),
    ("ź", "z"),
    ("ł", "l"),
    ("c", "k"),
)
_INNER = str.maketrans({"ó": "o", "ę": "ą"})


def fold(word: str) -> str:
    """Drop diacritics (ł is a letter of its own in Unicode, so it needs an explicit mapping)."""
    decomposed = unicodedata.normalize("NFD", word.replace("ł", "l").replace("Ł", "L"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


Table = tuple[tuple[tuple[int, frozenset[str]], ...], tuple[tuple[str, str], ...]]


def _table(folded: bool) -> Table:
    suffixes = {fold(s) for s in _SUFFIXES} if folded else set(_SUFFIXES)
    # Longest first: one set lookup per suffix length instead of an endswith per suffix.
    by_len = tuple(
        (n, frozenset(s for s in suffixes if len(s) == n))
        for n in sorted({len(s) for s in suffixes}, reverse=True)
    )
    if not folded:
        return by_len, _FINAL
    finals = tuple(dict.fromkeys((fold(a), fold(b)) for a, b in _FINAL if fold(a) != fold(b)))
    return by_len, finals


_PLAIN = _table(False)
_FOLDED = _table(True)


@lru_cache(maxsize=262_144)
def pl_stem(word: str, folded: bool = False) -> str:
    """The stem key of a casefolded word; `folded` compares without diacritics (prad = prąd)."""
    if folded:
        word = fold(word)
    if not word.isalpha():
        return word
    suffixes, finals = _FOLDED if folded else _PLAIN
    stem = word
    for n, group in suffixes:
        if len(word) - n >= MIN_STEM and word[-n:] in group:
            stem = word[:-n]
            break
    for old, new in finals:
        if stem.endswith(old):
            stem = stem[: -len(old)] + new
            break
    return stem if folded else stem.translate(_INNER)
