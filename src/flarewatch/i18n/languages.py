"""The UI languages, their catalogues and their writing direction."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.support import NullTranslations, Translations

# The catalogues stay next to the web's templates, where `pybabel extract` has always put them
# (docs/web.md, "Catalogues"); every part of Flarewatch reads them from here.
TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "web" / "translations"
LANGUAGES: dict[str, str] = {"en": "English", "he": "עברית", "pl": "Polski"}
DEFAULT_LANGUAGE = "en"


@lru_cache(maxsize=8)
def translations_for(language: str) -> NullTranslations:
    """The catalogue of `language`; English (the source language) and unknown codes get none."""
    if language == DEFAULT_LANGUAGE or language not in LANGUAGES:
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS_DIR), [language], domain="messages")


def is_rtl(language: str) -> bool:
    try:
        return Locale.parse(language).character_order == "right-to-left"
    except (UnknownLocaleError, ValueError):
        return False


def workspace_language(languages: list[str] | tuple[str, ...] | None) -> str:
    """The language a workspace is written to in: its first language with a catalogue (a
    Hebrew-first workspace gets Hebrew), else English. Notifications without a language of
    their own and `flarewatch report` use it."""
    return next((code for code in languages or () if code in LANGUAGES), DEFAULT_LANGUAGE)
