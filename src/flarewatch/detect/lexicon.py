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


def find_terms(text: str, extra: Iterable[str] = ()) -> Counter[str]:
    """Crisis terms in one text, counted once per post (a rant repeating a word is one hit)."""
    extra_terms = tuple(sorted(extra))
    pattern = compile_lexicon(extra_terms)
    found: Counter[str] = Counter()
    for match in pattern.finditer(text):
        found[_canonical(match, extra_terms)] = 1
    return found
