"""Crisis lexicon: words that turn a busy hour into a dangerous one, in en/he/pl.

Terms are stems matched at the start of a word, so "recall" also finds "recalled" and
"bojkot" finds "bojkotu". Hebrew glues prepositions and the article to the next word
(ה, ו, ב, ל, מ, ש, כ), so up to two of those letters may precede a Hebrew term. Workspaces
extend the list with `crisis_terms = [...]` in their file.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

DEFAULT_TERMS: dict[str, tuple[str, ...]] = {
    "en": (
        "recall",
        "boycott",
        "lawsuit",
        "sued",
        "poisoning",
        "poisoned",
        "leak",
        "outage",
        "refund",
        "scam",
        "fraud",
        "contaminat",
        "salmonella",
        "listeria",
        "worm",
        "maggot",
        "cockroach",
        "foreign object",
        "hospitali",
        "data breach",
        "breach",
        "class action",
        "investigation",
        "racist",
        "harass",
        "explosion",
        "injur",
    ),
    "he": (
        "ריקול",
        "החזרה",
        "חרם",
        "תביעה",
        "תביעייצוגית",
        "הרעלה",
        "הורעל",
        "דליפה",
        "דלף",
        "תקלה",
        "השבתה",
        "החזר כספי",
        "הונאה",
        "עוקץ",
        "תולעת",
        "תולעים",
        "ג'וק",
        "חיידק",
        "סלמונלה",
        "אשפוז",
        "חקירה",
        "גזענ",
        "פריצה",
    ),
    "pl": (
        "wycofan",
        "bojkot",
        "pozew",
        "pozw",
        "zatruci",
        "zatruł",
        "wyciek",
        "awari",
        "zwrot pieniędzy",
        "reklamacj",
        "oszust",
        "oszukan",
        "robak",
        "robal",
        "karalu",
        "salmonell",
        "skażon",
        "szpital",
        "śledztw",
        "rasis",
    ),
}
_HEBREW = re.compile(r"[\u0590-\u05FF]")


@lru_cache(maxsize=64)
def compile_lexicon(extra: tuple[str, ...] = ()) -> re.Pattern[str]:
    terms = {t.lower() for lang in DEFAULT_TERMS.values() for t in lang}
    terms.update(t.strip().lower() for t in extra if t.strip())
    parts = []
    for term in sorted(terms, key=len, reverse=True):
        body = re.escape(term.strip())
        prefix = "(?:[והבלמשכ]{0,2})" if _HEBREW.search(term) else ""
        parts.append(f"(?P<t{len(parts)}>{prefix}{body})")
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + ")", re.IGNORECASE)


def _canonical(match: re.Match[str], extra: tuple[str, ...]) -> str:
    text = match.group(0).lower()
    if _HEBREW.search(text):
        # Report the term, not the prefixed surface form.
        for term in (*extra, *(t for lang in DEFAULT_TERMS.values() for t in lang)):
            if text.endswith(term.strip().lower()):
                return term.strip().lower()
    return text.strip()


# Letters that IGNORECASE matches to "i" but `casefold` does not turn into a plain "i".
_DOTTED_I = str.maketrans({"\u0130": "i", "\u0131": "i"})


@lru_cache(maxsize=64)
def _needles(extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Every term's body, case-folded: a text that contains none of them cannot match."""
    terms = {t for lang in DEFAULT_TERMS.values() for t in lang}
    terms.update(t for t in extra if t.strip())
    return tuple(sorted({t.strip().casefold() for t in terms}))


def find_terms(text: str, extra: Iterable[str] = ()) -> Counter[str]:
    """Crisis terms in one text, counted once per post (a rant repeating a word is one hit)."""
    extra_terms = tuple(sorted(extra))
    found: Counter[str] = Counter()
    # Most posts name no crisis term: substring tests of the folded text (C speed) say so
    # before the regex, which tries its whole alternation at every position of the text.
    folded = text.translate(_DOTTED_I).casefold()
    if not any(needle in folded for needle in _needles(extra_terms)):
        return found
    pattern = compile_lexicon(extra_terms)
    for match in pattern.finditer(text):
        found[_canonical(match, extra_terms)] = 1
    return found
