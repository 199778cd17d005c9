"""Numbers, dates and times in the reader's locale and the workspace's time zone: one formatter
for the web, notifications and the terminal, so each shows the same figure the same way.

The locale for dates is the reader's language in the workspace's country when CLDR knows that
pair: English for an Asia/Jerusalem workspace writes dates as Israel does ("07/12/2026, 18:33",
locale en_IL), not as the United States does ("12/7/26, 6:33 PM"). A zone with no country (UTC)
keeps the language's own conventions.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import format_date, format_datetime, format_time, format_timedelta
from babel.numbers import format_decimal, format_percent

from flarewatch.detect.explain import format_number


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@lru_cache(maxsize=64)
def regional_locale(language: str, timezone: str) -> str:
    """`language` as written in the country of `timezone` ("en" + Asia/Jerusalem → "en_IL"),
    or `language` alone when CLDR has no such locale or the zone has no country."""
    territory = get_global("zone_territories").get(timezone)
    if not territory:
        return language
    try:
        Locale.parse(f"{language}_{territory}")
    except (UnknownLocaleError, ValueError):
        return language
    return f"{language}_{territory}"


def risk_figure(score: float) -> int:
    """A risk score (0–100) as the whole number every channel shows; halves round up, so 94.5
    reads 95 everywhere (Python's round() would say 94)."""
    return int(math.floor(score + 0.5))


class Formatter:
    """Formats values for one reader; templates get it as `fmt`, notifications and the terminal
    build one for their language and the workspace's zone."""

    def __init__(self, language: str, timezone: str | None) -> None:
        self.language = language
        self.tz = zone(timezone)
        self.timezone = self.tz.key
        self.locale = regional_locale(language, self.tz.key)

    def datetime(self, value: datetime | None, format: str = "short") -> str:
        if value is None:
            return ""
        return format_datetime(value, format=format, tzinfo=self.tz, locale=self.locale)

    def time(self, value: datetime | None) -> str:
        if value is None:
            return ""
        return format_datetime(value, format="HH:mm", tzinfo=self.tz, locale=self.locale)

    def day(self, value: date) -> str:
        """A calendar day with its weekday, "Sat, 5 Dec" (the rota page)."""
        return format_date(value, format="EEE, d MMM", locale=self.locale)

    def window(self, start: datetime, end: datetime) -> str:
        """A time window with its zone: "07/12/2026, 18:30–18:40 (Asia/Jerusalem)"; the end
        shows only its time when both fall on the same local day."""
        local_start, local_end = start.astimezone(self.tz), end.astimezone(self.tz)
        same_day = local_start.date() == local_end.date()
        until = (
            format_time(end, format="short", tzinfo=self.tz, locale=self.locale)
            if same_day
            else self.datetime(end)
        )
        return f"{self.datetime(start)}–{until} ({self.timezone})"

    def stamp(self, value: datetime | None) -> str:
        """A moment for the terminal, its zone said: "07/12/2026, 20:33 +0200"; "—" for none."""
        if value is None:
            return "—"
        zone_name = format_datetime(value, format="z", tzinfo=self.tz, locale=self.locale)
        return f"{self.datetime(value)} {zone_name}"

    def axis_label(self, value: datetime) -> str:
        return format_datetime(value, format="d MMM HH:mm", tzinfo=self.tz, locale=self.locale)

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

    def risk(self, score: float | None) -> str:
        """A risk score as a whole number in the locale ("95"), the same on every channel."""
        if score is None:
            return ""
        return format_decimal(risk_figure(score), locale=self.language)

    def percent(self, value: float) -> str:
        return format_percent(value, locale=self.language)
