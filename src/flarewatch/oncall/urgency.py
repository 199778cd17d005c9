"""Working hours, the local weekend and public holidays: whether an alert pages now.

A policy with `page = "working_hours"` pages only on a local working day, in the workspace's
working hours; otherwise the alert is left for the digest. Holidays come from the `holidays`
library for the workspace's `holidays_country`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

from flarewatch.oncall.config import EscalationPolicyConfig, parse_hours

Urgency = Literal["page", "digest"]
DEFAULT_WEEKEND: tuple[str, ...] = ("sat", "sun")


@dataclass(frozen=True, slots=True)
class WorkingTime:
    """A workspace's working week: its timezone, hours, weekend days and holiday country."""

    timezone: str
    hours: tuple[time, time]
    weekend: tuple[str, ...] = DEFAULT_WEEKEND
    holidays_country: str | None = None


@lru_cache(maxsize=64)  # (country, year) pairs: a handful per workspace
def _holidays(country: str, year: int) -> dict[date, str]:
    import holidays

    return dict(holidays.country_holidays(country, years=year))


def holiday_name(country: str | None, day: date) -> str | None:
    """The public holiday on `day` in `country` (ISO 3166 code), or None."""
    if country is None:
        return None
    return _holidays(country, day.year).get(day)


def is_working_time(working: WorkingTime, at: datetime) -> bool:
    """Whether `at` is in working hours on a local working day (no weekend, no holiday)."""
    local = at.astimezone(ZoneInfo(working.timezone))
    if local.strftime("%a").lower() in working.weekend:
        return False
    if holiday_name(working.holidays_country, local.date()) is not None:
        return False
    start, end = working.hours
    clock = local.time().replace(tzinfo=None)
    return start <= clock < end if start < end else (clock >= start or clock < end)


def urgency(policy: EscalationPolicyConfig, working: WorkingTime, at: datetime) -> Urgency:
    """'page' when the policy pages at `at`, 'digest' when the alert waits for the digest."""
    if policy.page == "any_time" or is_working_time(working, at):
        return "page"
    return "digest"


def working_time_of(
    timezone: str, hours: str, weekend: list[str] | None, country: str | None
) -> WorkingTime:
    """A WorkingTime from the workspace file's fields (weekend None: Saturday and Sunday)."""
    return WorkingTime(
        timezone, parse_hours(hours), tuple(weekend) if weekend else DEFAULT_WEEKEND, country
    )
