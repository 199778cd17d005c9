"""Who is on call over a stretch of days: pure functions over a rota, for the rota page.

`segments` walks the rota from change to change (oncall/rota.py `next_change`), so a handover,
a layer's hours and an override each start a new segment; `calendar_days` cuts them at the
viewer's local midnights, so each day of the calendar lists its own stretches in the viewer's
time zone, whatever the rota's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flarewatch.oncall.config import RotaConfig
from flarewatch.oncall.rota import next_change, on_call


@dataclass(frozen=True, slots=True)
class Segment:
    """`person` (None: no one) on call from `start` to `end` (UTC instants)."""

    person: str | None
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class CalendarDay:
    day: date  # in the viewer's zone
    segments: tuple[Segment, ...]


def segments(rota: RotaConfig, start: datetime, end: datetime) -> list[Segment]:
    """Who is on call from `start` to `end`, one segment per unbroken stretch of one person."""
    at, end = start.astimezone(UTC), end.astimezone(UTC)
    out: list[Segment] = []
    while at < end:
        person = on_call(rota, at)
        until = min(next_change(rota, at), end)
        if out and out[-1].person == person:
            out[-1] = Segment(person, out[-1].start, until)
        else:
            out.append(Segment(person, at, until))
        at = until
    return out


def calendar_days(rota: RotaConfig, first: date, days: int, zone: str) -> list[CalendarDay]:
    """`days` local days from `first` in `zone` (the viewer's), each with its segments."""
    tz = ZoneInfo(zone)
    midnights = [
        datetime.combine(first + timedelta(days=n), datetime.min.time(), tzinfo=tz).astimezone(UTC)
        for n in range(days + 1)
    ]
    stretch = segments(rota, midnights[0], midnights[-1])
    out = []
    for n in range(days):
        lo, hi = midnights[n], midnights[n + 1]
        inside = tuple(
            Segment(s.person, max(s.start, lo), min(s.end, hi))
            for s in stretch
            if s.start < hi and s.end > lo
        )
        out.append(CalendarDay(first + timedelta(days=n), inside))
    return out
