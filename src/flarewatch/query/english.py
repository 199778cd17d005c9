"""A light English plural stemmer (possessives are already dropped by the tokenizer).

Full stemmers (Porter, Snowball) conflate words that brand monitoring must keep apart
("university"/"universe", "news"/"new"); plural folding is what users expect from "car" finding
"cars", so that is all this does.
"""

from __future__ import annotations

from functools import lru_cache

_ES_AFTER = ("sses", "xes", "ches", "shes", "zzes")
_KEEP_S = ("ss", "us", "is", "'s")
# Singular words ending in -s that the rule above would wrongly shorten.
_INVARIANT_TEXT = """news series species means physics mathematics economics politics
ethics athletics gas yes this his its was has does lens bias atlas alias canvas chaos cosmos
ethos pathos iris always perhaps"""
_INVARIANT = frozenset(_INVARIANT_TEXT.split())


@lru_cache(maxsize=262_144)
def en_stem(word: str) -> str:
    n = len(word)
    if n <= 3 or word[-1] != "s" or not word.isalpha() or word in _INVARIANT:
        return word
    if n > 4 and word.endswith("ies") and word[-4] not in "ae":
        return word[:-3] + "y"
    if word.endswith(_ES_AFTER):
        return word[:-2]
    if word.endswith(_KEEP_S):
        return word
    return word[:-1]
