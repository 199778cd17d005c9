"""A light English plural stemmer (possessives are already dropped by the tokenizer).

Full stemmers (Porter, Snowball) conflate words that brand monitoring must keep apart
("university"/"universe", "news"/"new"); plural folding is what users expect from "car" finding
"cars", so that is all this does.
"""

from __future__ import annotations

_ES_AFTER = ("sses", "xes", "ches", "shes", "zzes")
_KEEP_S = ("ss", "us", "is", "'s")


def en_stem(word: str) -> str:
    n = len(word)
    if n <= 3 or not word.isalpha() or word[-1] != "s":
        return word
    if n > 4 and word.endswith("ies") and word[-4] not in "ae":
        return word[:-3] + "y"
    if word.endswith(_ES_AFTER):
        return word[:-2]
    if word.endswith(_KEEP_S):
        return word
    return word[:-1]
