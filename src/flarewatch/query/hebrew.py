"""Hebrew normalisation and one-letter prefixes.

Hebrew writes the words "and", "the", "in", "to", "from", "that", "as/when" as single letters glued
to the next word (ו ה ב ל מ ש כ), and they chain: וכשהגיע, ומהבית. A query word must find the word
behind such a chain but never a word *inside* another one, so instead of substring search we strip
only chains from a closed grammar at the start of a token and keep at least two letters behind it.
"""

from __future__ import annotations

import itertools

FINAL_TO_REGULAR = str.maketrans({"ך": "כ", "ם": "מ", "ן": "נ", "ף": "פ", "ץ": "צ"})

# Niqqud and cantillation marks (U+0591..U+05C7) except the punctuation in that block:
# maqaf U+05BE, paseq U+05C0, sof pasuq U+05C3, nun hafukha U+05C6.
_PUNCT = {0x05BE, 0x05C0, 0x05C3, 0x05C6}
NIQQUD = {cp: None for cp in range(0x0591, 0x05C8) if cp not in _PUNCT}

HEBREW_LETTERS = "\u05d0-\u05ea"
_LETTERS = frozenset(chr(c) for c in range(0x05D0, 0x05EB))


def _chains() -> frozenset[str]:
    # ו first ("and"), then a relative/temporal ש group, then one preposition or the article.
    conj = ["", "ו"]
    rel = ["", "ש", "כש", "מש", "לכש"]
    prep = ["", "ה", "ב", "ל", "כ", "מ", "מה", "שה"]
    chains = {a + b + c for a, b, c in itertools.product(conj, rel, prep)}
    chains.discard("")
    return frozenset(chains)


PREFIX_CHAINS = _chains()
MAX_CHAIN = max(len(c) for c in PREFIX_CHAINS)
MIN_BASE = 2  # never reduce a token to a single letter: too many false hits


def is_hebrew(token: str) -> bool:
    return bool(token) and token[0] in _LETTERS


def prefix_bases(token: str) -> list[str]:
    """Every word the token can be after removing a valid prefix chain, longest base first."""
    bases: list[str] = []
    limit = min(MAX_CHAIN, len(token) - MIN_BASE)
    for k in range(1, limit + 1):
        if token[:k] in PREFIX_CHAINS:
            bases.append(token[k:])
        elif token[k - 1] not in "והבלמשכ":
            break
    return bases
