"""Text normalisation shared by training and inference.

Training and inference must see byte-identical normalised text, otherwise the hashed features drift
and the shipped weights silently stop matching; so everything that rewrites text lives here.
"""

from __future__ import annotations

import re
from functools import lru_cache

_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_MENTION = re.compile(r"@\w+")
_REPEAT = re.compile(r"(.)\1{2,}")
# Punctuation and symbols (emoji included) become their own tokens so that word features and the
# lexicons see "good" in "good!!" and an emoji glued to a word is still a word of its own: a token
# is a run of word characters and apostrophes, or one other non-space character. (Joining findall's
# tokens gives the same string as substituting " \1 " around punctuation and collapsing whitespace,
# at half the cost: a substitution with a group reference calls back into Python on every match.)
# Combining marks are not \w in Python's re: without them Devanagari and the other Indic scripts
# fell apart at every vowel sign and virama ("फिल्म" → "फ ि ल ् म"), so the char n-grams never saw
# a Hindi word. The Indic blocks (Devanagari to Sinhala, the dandas excepted) and Thai's marks
# count as word characters. Hebrew points, Arabic harakat and Latin combining accents still split
# off as before (the shared model was trained that way; they are rare in posts).
_MARKS = "\u0900-\u0963\u0966-\u0dff\u0e31\u0e34-\u0e3a\u0e47-\u0e4e"
_TOKEN = re.compile(rf"[\w'’{_MARKS}]+|[^\w\s'’{_MARKS}]")
# An all-caps word of 3+ letters: r"\b[A-Z]{3,}\b" written to start with a character class, which
# lets the regex engine skip ahead to capitals instead of testing a boundary at every position.
_CAPS_WORD = re.compile(r"[A-Z](?<!\w[A-Z])[A-Z]{2,}(?!\w)")

# Cue tokens appended to the normalised text. They use letters only so _PUNCT leaves them alone and
# they hash like any other word, which lets the linear model learn their weights.
SARCASM_TOKEN = "xxsarcasm"
CAPS_TOKEN = "xxshouting"

# Phrases written raw here and normalised once below; matched as padded substrings of the normalised
# text because one big alternation regex cost ~60 µs a post, more than the whole model.
_SARCASM_PHRASES = (
    "/s",
    "#sarcasm",
    "#sarcastic",
    "#not",
    "yeah right",
    "yeah, right",
    "oh great",
    "oh, great",
    "thanks a lot",
    "just what i needed",
    "as if",
    "🙄",
    "😒",
    "🙃",
    "ну да, конечно",
    "ага, конечно",
    "ну конечно",
    "jasne, jasne",
    "no jasne",
    "sí, claro",
    "como no",
    "c'est ça",
    "ben voyons",
    "na klar",
    "ja klar",
    "come no",
    "sim, claro",
    "איזה כיף",
    "ממש תודה",
    "בטח בטח",
)


def decode_escapes(text: str) -> str:
    """Undo literal ``\\uXXXX`` escapes that some published tweet dumps contain."""
    if "\\u" not in text:
        return text
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)


@lru_cache(maxsize=65_536)
def normalise(text: str) -> str:
    """Lower-case, mask URLs and handles, split punctuation and add sarcasm/shouting cues."""
    t = _basic(text)
    if _SARCASM_CUE.search(f" {t} ") is not None:
        t += " " + SARCASM_TOKEN
    if len(_CAPS_WORD.findall(text)) >= 2:
        t += " " + CAPS_TOKEN
    return t


def _basic(text: str) -> str:
    low = text.lower()
    # The guards only skip substitutions that cannot match (_URL ignores case, hence `low`).
    t = _URL.sub(" http ", text) if "http" in low or "www." in low else text
    t = _MENTION.sub(" @user ", t).lower() if "@" in t else t.lower()
    t = _REPEAT.sub(r"\1\1", t)
    if "@user" not in t:
        return " ".join(_TOKEN.findall(t)).replace("’", "'")
    # Masked handles stay one token; a bare "@" followed by "user" elsewhere stays two.
    tokens: list[str] = []
    for i, part in enumerate(t.split("@user")):
        if i:
            tokens.append("@user")
        tokens += _TOKEN.findall(part)
    return " ".join(tokens).replace("’", "'")


_SARCASM_CUES = tuple(f" {_basic(p)} " for p in _SARCASM_PHRASES)
# One alternation of the padded cues (all start with the space): the same test as
# `any(cue in padded for cue in _SARCASM_CUES)` in one pass.
_SARCASM_CUE = re.compile(" (?:" + "|".join(re.escape(c[1:]) for c in _SARCASM_CUES) + ")")


# Words that flip the polarity of the next few tokens, per language; kept as a flat set because a
# post's language guess can be wrong and the lists barely collide across languages.
NEGATORS: frozenset[str] = frozenset(
    [
        "not",
        "no",
        "never",
        "nothing",
        "nobody",
        "none",
        "nor",
        "neither",
        "without",
        "cannot",
        "can't",
        "don't",
        "doesn't",
        "didn't",
        "isn't",
        "aren't",
        "wasn't",
        "weren't",
        "won't",
        "wouldn't",
        "shouldn't",
        "couldn't",
        "ain't",
        "dont",
        "doesnt",
        "didnt",
        "isnt",
        "wont",
        "cant",
        "לא",
        "אין",
        "אף",
        "בלי",
        "מעולם",
        "אינו",
        "אינה",
        "אינם",
        "nie",
        "nigdy",
        "bez",
        "żaden",
        "żadna",
        "żadne",
        "ani",
        "не",
        "нет",
        "никогда",
        "ни",
        "без",
        "ничего",
        "никто",
        "nunca",
        "jamás",
        "sin",
        "ni",
        "nada",
        "nadie",
        "tampoco",
        "ne",
        "pas",
        "jamais",
        "sans",
        "rien",
        "personne",
        "aucun",
        "aucune",
        "n'",
        "nicht",
        "kein",
        "keine",
        "keinen",
        "keiner",
        "nie",
        "niemals",
        "ohne",
        "nichts",
        "non",
        "mai",
        "senza",
        "niente",
        "nessuno",
        "nessuna",
        "não",
        "nao",
        "nem",
        "sem",
        "nada",
        "ninguém",
        "لا",
        "ما",
        "لم",
        "لن",
        "ليس",
        "مش",
        "غير",
        "بدون",
    ]
)

BOOSTERS: frozenset[str] = frozenset(
    [
        "very",
        "so",
        "really",
        "extremely",
        "totally",
        "absolutely",
        "too",
        "super",
        "most",
        "such",
        "incredibly",
        "truly",
        "damn",
        "fucking",
        "completely",
        "utterly",
        "highly",
        "מאוד",
        "ממש",
        "הכי",
        "נורא",
        "לגמרי",
        "סופר",
        "ביותר",
        "bardzo",
        "naprawdę",
        "strasznie",
        "mega",
        "tak",
        "totalnie",
        "niesamowicie",
        "najbardziej",
        "очень",
        "так",
        "слишком",
        "супер",
        "реально",
        "совсем",
        "крайне",
        "самый",
        "muy",
        "tan",
        "súper",
        "demasiado",
        "re",
        "totalmente",
        "realmente",
        "très",
        "trop",
        "vraiment",
        "tellement",
        "totalement",
        "sehr",
        "wirklich",
        "echt",
        "total",
        "voll",
        "extrem",
        "absolut",
        "molto",
        "tanto",
        "davvero",
        "troppo",
        "veramente",
        "proprio",
        "muito",
        "tão",
        "demais",
        "bem",
        "realmente",
        "totalmente",
        "جدا",
        "جداً",
        "كتير",
        "أوي",
        "مرة",
        "للغاية",
    ]
)

# Tokens that end a negation scope: after these, "not" no longer applies.
CLAUSE_BREAKS: frozenset[str] = frozenset(
    [
        ".",
        ",",
        ";",
        ":",
        "!",
        "?",
        "but",
        "however",
        "ale",
        "но",
        "pero",
        "mais",
        "aber",
        "ma",
        "mas",
        "אבל",
        "لكن",
    ]
)


# A post that renounces the brand ("never eating there again", "nie polecam", "לא מומלץ",
# "zmieniam bank") is a complaint even when its words carry no polarity a linear model has
# learned (eating, bank, recommend under a negation): the default backend moves probability
# towards negative when one of these matches (sentiment/routed.py). Written raw, normalised once
# below, matched as padded substrings of the normalised text; the gapped patterns allow up to four
# words in between ("never eating there again", "לעולם לא אוכל שם שוב").
_RENOUNCE_PHRASES = (
    # English
    "not recommended",
    "do not recommend",
    "don't recommend",
    "dont recommend",
    "would not recommend",
    "wouldn't recommend",
    "will not recommend",
    "won't be back",
    "will not be back",
    "never going back",
    "stay away from",
    "avoid at all costs",
    "switching to another",
    "closing my account",
    # Polish
    "nigdy więcej",
    "nie polecam",
    "nikomu nie polecam",
    "odradzam",
    "omijajcie",
    "zmieniam bank",
    "zmieniam operatora",
    "zmieniam sieć",
    "rezygnuję z",
    # Hebrew
    "לא מומלץ",
    "לא מומלצת",
    "לא ממליץ",
    "לא ממליצה",
    "לא ממליצים",
    "לא אחזור",
    "לא נחזור",
    "תתרחקו",
    # Spanish, French, German, Italian, Portuguese, Russian, Arabic
    "nunca más",
    "no lo recomiendo",
    "no recomiendo",
    "plus jamais",
    "je ne recommande pas",
    "à éviter",
    "nie wieder",
    "nicht empfehlenswert",
    "nicht zu empfehlen",
    "kann ich nicht empfehlen",
    "mai più",
    "sconsiglio",
    "non lo consiglio",
    "nunca mais",
    "não recomendo",
    "больше никогда",
    "никогда больше",
    "не рекомендую",
    "не советую",
    "لا أنصح",
    "لا انصح",
)
# (first words, last word): the first words, up to four other words, then the last word.
_RENOUNCE_GAPPED = (
    ("never", "again"),
    ("לעולם לא", "שוב"),
    ("אף פעם לא", "שוב"),
    ("nigdy nie", "więcej"),
    ("nigdy", "więcej"),
    ("nunca", "más"),
    ("jamais", "plus"),
)
_RENOUNCE_CUE = re.compile(
    " (?:"
    + "|".join(
        [re.escape(_basic(p)) for p in _RENOUNCE_PHRASES]
        + [
            re.escape(_basic(first)) + r"(?: [^ ]+){0,4} " + re.escape(_basic(last))
            for first, last in _RENOUNCE_GAPPED
        ]
    )
    + ") "
)


def renounces(normalised: str) -> bool:
    """Whether a normalised text says the author is done with the brand (see above)."""
    return _RENOUNCE_CUE.search(f" {normalised} ") is not None
