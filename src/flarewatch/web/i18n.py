"""UI languages, right-to-left direction, and dates and numbers in the reader's locale and zone."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.dates import format_datetime, format_timedelta
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations

from flarewatch.detect.explain import format_number

TRANSLATIONS_DIR = Path(__file__).parent / "translations"
LANGUAGES: dict[str, str] = {"en": "English", "he": "עברית", "pl": "Polski"}
DEFAULT_LANGUAGE = "en"
LOCALE_COOKIE = "flarewatch_lang"


@lru_cache(maxsize=8)
def translations_for(language: str) -> NullTranslations:
    if language == DEFAULT_LANGUAGE:
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS_DIR), [language], domain="messages")


def is_rtl(language: str) -> bool:
    try:
        return Locale.parse(language).character_order == "right-to-left"
    except (UnknownLocaleError, ValueError):
        return False


def negotiate(accept_language: str | None) -> str:
    """The best supported language for an Accept-Language header, by its q-values."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    choices: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        # 'iw' is the code older browsers still send for Hebrew.
        primary = tag.strip().lower().split("-")[0].replace("iw", "he")
        if primary in LANGUAGES and quality > 0:
            choices.append((-quality, index, primary))
    return min(choices)[2] if choices else DEFAULT_LANGUAGE


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


class Formatter:
    """Formats values for one reader; templates get it as `fmt`."""

    def __init__(self, language: str, timezone: str | None) -> None:
        self.language = language
        self.tz = zone(timezone)
        self.timezone = self.tz.key

    def datetime(self, value: datetime | None, format: str = "short") -> str:
        if value is None:
            return ""
        return format_datetime(value, format=format, tzinfo=self.tz, locale=self.language)

    def time(self, value: datetime | None) -> str:
        if value is None:
            return ""
        return format_datetime(value, format="HH:mm", tzinfo=self.tz, locale=self.language)

    def axis_label(self, value: datetime) -> str:
        return format_datetime(value, format="d MMM HH:mm", tzinfo=self.tz, locale=self.language)

    def ago(self, value: datetime | None, now: datetime) -> str:
        if value is None:
            return ""
        return format_timedelta(value - now, add_direction=True, locale=self.language)

    def duration(self, seconds: float | None) -> str:
        """A length of time in words ("3 hours"), rounded to its largest unit."""
        if seconds is None:
            return ""
        return format_timedelta(seconds, threshold=1.0, locale=self.language)

    def number(self, value: float | int | None) -> str:
        if value is None:
            return ""
        return format_decimal(value, locale=self.language, format="#,##0.##")

    def compact(self, value: float | int | None) -> str:
        """A count as a person reads it: 950, 12.5K (en), 280 tys. (pl)."""
        if value is None:
            return ""
        return format_number(float(value), self.language)

    def percent(self, value: float) -> str:
        return format_percent(value, locale=self.language)
