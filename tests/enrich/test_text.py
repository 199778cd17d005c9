"""`normalise` must stay byte-identical to the definition the shipped weights were trained with."""

from __future__ import annotations

import random
import re

from flarewatch.enrich import text
from flarewatch.enrich.text import normalise

# The original definition (regex substitutions), kept here as the reference.
_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_MENTION = re.compile(r"@\w+")
_REPEAT = re.compile(r"(.)\1{2,}")
# Indic vowel signs and viramas (``text._MARKS``) are word characters since the definition
# stopped splitting Devanagari words apart.
_PUNCT = re.compile(rf"([^\w\s'’{text._MARKS}])")
_CAPS_WORD = re.compile(r"\b[A-Z]{3,}\b")


def _basic(t: str) -> str:
    t = _URL.sub(" http ", t)
    t = _MENTION.sub(" @user ", t).lower()
    t = _REPEAT.sub(r"\1\1", t)
    t = _PUNCT.sub(r" \1 ", t).replace("@ user", "@user").replace("’", "'")
    return " ".join(t.split())


_CUES = tuple(f" {_basic(p)} " for p in text._SARCASM_PHRASES)


def reference(t: str) -> str:
    out = _basic(t)
    if any(c in f" {out} " for c in _CUES):
        out += " " + text.SARCASM_TOKEN
    if len(_CAPS_WORD.findall(t)) >= 2:
        out += " " + text.CAPS_TOKEN
    return out


TRICKY = [
    "",
    "hi @ user",
    "@ username and @user's cat",
    "@bob’s review!!! http://x.co/a WOW SO GOOD",
    "HTTPS://EXAMPLE.COM/x Www.Example.com www.ok",
    "@İstanbul çok güzel",
    "yeah right, thanks a lot 🙄",
    "soooo goooood!!!!! ...",
    "ABC DEF ghi",
    "xABC DEFx GHI_ JKL",
    "tab\tand\u00a0nbsp\u3000ideographic\x1cfs\x85nel",
    "ну конечно, איזה כיף",
]


def test_normalise_matches_the_reference_on_tricky_texts() -> None:
    for t in TRICKY:
        assert normalise.__wrapped__(t) == reference(t), t


def test_normalise_matches_the_reference_on_random_texts() -> None:
    rng = random.Random(5)
    pieces = [*"aAzZ  \t\n'’@#!?.,:/-_09ąłİıſKß😀🙄", "http://x.co", "www.E.com", "@user"]
    pieces += ["@ user", "user", "@USER", "yeah right", "/s", "#sarcasm", "AAA", "BBB C", "\u00a0"]
    pieces += ["फि", "\u094d", "\u093e", "।", "\u0591", "\u064e"]
    for _ in range(3000):
        t = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        assert normalise.__wrapped__(t) == reference(t), repr(t)


def test_indic_words_keep_their_vowel_signs_and_viramas() -> None:
    # Combining marks are not \w in Python's re; Devanagari words used to fall apart at each.
    assert normalise("यह फिल्म अच्छी है। मुझे पसंद आई!") == "यह फिल्म अच्छी है । मुझे पसंद आई !"
    assert normalise("ভালো না") == "ভালো না"
    assert normalise("อร่อยมาก") == "อร่อยมาก"
