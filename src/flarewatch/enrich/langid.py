"""Language identification: script rules first, lingua restricted to the workspace, catch-all last.

Policy (docs/enrichment.md has the reasoning):

1. Letters are counted per script. A post whose letters are at least 30% Hebrew is Hebrew: Israeli
   posts mix in English brand names and handles, and the Hebrew part carries the opinion. Other
   scripts that identify one language (Arabic, Greek, Hangul, kana, Thai, ...) decide directly;
   Cyrillic goes to lingua restricted to Cyrillic languages.
2. Latin-script posts: transliterated Hebrew or Russian (a marker-word list) map to "he"/"ru" when
   the workspace has that language.
3. Otherwise lingua runs restricted to the workspace's Latin-script languages (high accuracy, about
   10k posts/s). When it is not sure (< 0.99) a low-accuracy lingua over ~20 common languages acts
   as the catch-all, so a German post in an en/pl workspace comes out "de", not "en".
4. Posts with fewer than 3 words or 10 letters are too short for n-gram statistics: their
   confidence is capped at 0.5 and the caller may prefer the source's own language tag.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from functools import lru_cache

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

_HEBREW = re.compile(r"[\u0590-\u05FF\uFB1D-\uFB4F]")
_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")
_NON_LATIN = re.compile(r"[^\W\d_A-Za-z\u00C0-\u024F]")
_UNIQUE_SCRIPTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[\u0370-\u03FF]"), "el"),
    (re.compile(r"[\u3040-\u30FF]"), "ja"),
    (re.compile(r"[\uAC00-\uD7AF\u1100-\u11FF]"), "ko"),
    (re.compile(r"[\u4E00-\u9FFF]"), "zh"),
    (re.compile(r"[\u0E00-\u0E7F]"), "th"),
    (re.compile(r"[\u0900-\u097F]"), "hi"),
    (re.compile(r"[\u0530-\u058F]"), "hy"),
    (re.compile(r"[\u10A0-\u10FF]"), "ka"),
)
CYRILLIC_LANGS = ("ru", "uk", "bg", "mk", "sr", "be", "kk", "mn")
ARABIC_SCRIPT_LANGS = ("ar", "fa", "ur")
CATCH_ALL = (
    "en",
    "es",
    "pt",
    "fr",
    "de",
    "it",
    "nl",
    "pl",
    "tr",
    "id",
    "sv",
    "ro",
    "cs",
    "da",
    "fi",
    "hu",
    "ca",
    "sk",
    "hr",
    "lt",
    "vi",
    "ms",
)
SURE = 0.99
SHORT_CAP = 0.5

# Common words of Hebrew and Russian typed in Latin letters (chat, SMS, gamer slang).
TRANSLIT: dict[str, frozenset[str]] = {
    "he": frozenset(
        [
            "sababa",
            "achla",
            "ahla",
            "yalla",
            "walla",
            "wallak",
            "beseder",
            "toda",
            "tov",
            "ma",
            "nishma",
            "nishma",
            "ken",
            "lo",
            "ani",
            "ata",
            "at",
            "anachnu",
            "hakol",
            "mamash",
            "stam",
            "chaval",
            "haval",
            "ein",
            "yesh",
            "kol",
            "hakavod",
            "balagan",
            "lehitraot",
            "shalom",
            "boker",
            "erev",
            "laila",
            "tov",
            "tova",
            "yofi",
            "metzuyan",
            "meod",
            "lama",
            "eich",
            "kama",
            "efo",
        ]
    ),
    "ru": frozenset(
        [
            "privet",
            "spasibo",
            "pozhaluysta",
            "khorosho",
            "horosho",
            "ochen",
            "kak",
            "dela",
            "davai",
            "davay",
            "nichego",
            "ya",
            "ty",
            "my",
            "vy",
            "oni",
            "eto",
            "chto",
            "kto",
            "gde",
            "kogda",
            "pochemu",
            "tozhe",
            "prosto",
            "uzhe",
            "segodnya",
            "zavtra",
            "bolshoe",
            "ploho",
            "otlichno",
            "ladno",
            "konechno",
            "blin",
        ]
    ),
}
_WORD = re.compile(r"[a-z']+")
_NOISE = re.compile(r"https?://\S+|www\.\S+|@\w+")


def _lingua(code: str) -> Language | None:
    try:
        return Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
    except (AttributeError, ValueError):
        return None


_build_lock = threading.Lock()


@lru_cache(maxsize=64)
def _detector(codes: tuple[str, ...], low_accuracy: bool) -> LanguageDetector | None:
    langs = [lang for lang in (_lingua(c) for c in codes) if lang is not None]
    if len(langs) < 2:
        return None
    with _build_lock:
        builder = LanguageDetectorBuilder.from_languages(*langs)
        if low_accuracy:
            builder = builder.with_low_accuracy_mode()
        return builder.with_preloaded_language_models().build()


def _iso(language: Language) -> str:
    return language.iso_code_639_1.name.lower()


def _best(detector: LanguageDetector, text: str) -> tuple[str, float]:
    values = detector.compute_language_confidence_values(text)
    if not values or values[0].value <= 0:
        return "und", 0.0
    return _iso(values[0].language), float(values[0].value)


def _pick(candidates: Sequence[str], workspace: Sequence[str], text: str) -> tuple[str, float]:
    """Choose within a script family, preferring the workspace's languages of that family."""
    own = tuple(c for c in candidates if c in workspace)
    if len(own) == 1:
        return own[0], 0.9
    det = _detector(own or tuple(candidates), False)
    return _best(det, text) if det is not None else (candidates[0], 0.6)


def _latin(text: str, languages: Sequence[str]) -> tuple[str, float]:
    words = _WORD.findall(text.lower())
    for code, markers in TRANSLIT.items():
        if code in languages and words:
            hits = sum(w in markers for w in words)
            if hits >= 2 and hits / len(words) >= 0.3:
                return code, 0.5
    latin_ws = tuple(
        c
        for c in languages
        if c not in ("he", "ru", "uk", "ar", "fa", "el", "zh", "ja", "ko", "th", "hi")
    )
    code, conf = "und", 0.0
    det = _detector(tuple(sorted(latin_ws)), False)
    if det is not None:
        code, conf = _best(det, text)
        if conf >= SURE:
            return code, conf
    elif len(latin_ws) == 1:
        code, conf = latin_ws[0], 0.5
    catch = _detector(tuple(sorted(set(CATCH_ALL) | set(latin_ws))), True)
    if catch is not None:
        other, other_conf = _best(catch, text)
        if other not in latin_ws and other != "und" and (code == "und" or other_conf > 0.5):
            return other, other_conf
        if code == "und" and other in latin_ws:
            return other, other_conf
    return code, conf


CACHE_SIZE = 65_536


def detect_language(text: str, languages: Sequence[str]) -> tuple[str, float]:
    """(ISO 639-1 code or "und", confidence 0..1) for one post, given the workspace's languages.

    Results are memoised (LRU, 64k entries): retweets and copy-paste campaigns repeat texts, and
    lingua is the most expensive step of the enrichment.
    """
    return _detect_cached(text, tuple(languages))


@lru_cache(maxsize=CACHE_SIZE)
def _detect_cached(text: str, languages: tuple[str, ...]) -> tuple[str, float]:
    text = _NOISE.sub(" ", text)  # URLs and handles say nothing about the language
    latin = len(_LATIN.findall(text))
    non_latin = _NON_LATIN.findall(text)
    letters = latin + len(non_latin)
    if letters == 0:
        return "und", 0.0
    short = letters < 10 or len(text.split()) < 3
    code, conf = _by_script(text, languages, latin, non_latin, letters)
    return (code, min(conf, SHORT_CAP)) if short and code != "he" else (code, conf)


def _by_script(
    text: str, languages: Sequence[str], latin: int, non_latin: list[str], letters: int
) -> tuple[str, float]:
    if non_latin:
        joined = "".join(non_latin)
        hebrew = len(_HEBREW.findall(joined))
        if hebrew / letters >= 0.3:
            return "he", 0.6 + 0.4 * hebrew / letters
        if len(non_latin) >= latin:
            if len(_ARABIC.findall(joined)) * 2 >= len(non_latin):
                return _pick(ARABIC_SCRIPT_LANGS, languages, text)
            if len(_CYRILLIC.findall(joined)) * 2 >= len(non_latin):
                return _pick(CYRILLIC_LANGS, languages, text)
            for pattern, code in _UNIQUE_SCRIPTS:
                if len(pattern.findall(joined)) * 2 >= len(non_latin):
                    if code == "zh" and "ja" in languages:
                        return "ja", 0.6  # kanji-only Japanese posts exist; trust the workspace
                    return code, 0.9
    return _latin(text, languages)


def detect_languages(texts: Sequence[str], languages: Sequence[str]) -> list[tuple[str, float]]:
    return [detect_language(t, languages) for t in texts]
