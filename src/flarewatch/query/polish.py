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

_SUFFIXES = (
    # nouns
    "iami", "iach", "ami", "ach", "owie", "owi", "iem", "iom", "om", "ów", "em",
    "ia", "ie", "ii", "iu", "io", "ią", "ię", "a", "ą", "ę", "e", "i", "y", "o", "u",
    # adjectives (and -owy/-owa/-owe derived from nouns: prądowy -> prąd)
    "owego", "owemu", "owymi", "owych", "owej", "owym", "owa", "owe", "owy",
    "iego", "iemu", "ego", "emu", "ymi", "imi", "ych", "ich", "iej", "ej", "ym", "im",
)
MIN_STEM = 3

# Stem-final alternations that inflection produces regularly; mapping both sides to one spelling
# lets prąd/prądzie, lekarz/lekarza, koń/konia, Polska/Polsce, stół/stole meet.
_FINAL = (("dz", "d"), ("rz", "r"), ("ć", "k"), ("ń", "n"), ("ś", "s"), ("ź", "z"), ("ł", "l"),
          ("c", "k"))
_INNER = str.maketrans({"ó": "o", "ę": "ą"})


def fold(word: str) -> str:
    """Drop diacritics (ł is a letter of its own in Unicode, so it needs an explicit mapping)."""
    decomposed = unicodedata.normalize("NFD", word.replace("ł", "l").replace("Ł", "L"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _table(folded: bool) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    if not folded:
        return tuple(sorted(set(_SUFFIXES), key=len, reverse=True)), _FINAL
    suffixes = tuple(sorted({fold(s) for s in _SUFFIXES}, key=len, reverse=True))
    finals = tuple(dict.fromkeys((fold(a), fold(b)) for a, b in _FINAL if fold(a) != fold(b)))
    return suffixes, finals


_PLAIN = _table(False)
_FOLDED = _table(True)


def pl_stem(word: str, folded: bool = False) -> str:
    """The stem key of a casefolded word; `folded` compares without diacritics (prad = prąd)."""
    if folded:
        word = fold(word)
    if not word.isalpha():
        return word
    suffixes, finals = _FOLDED if folded else _PLAIN
    stem = word
    for suffix in suffixes:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            stem = word[: -len(suffix)]
            break
    for old, new in finals:
        if stem.endswith(old):
            stem = stem[: -len(old)] + new
            break
    return stem if folded else stem.translate(_INNER)
