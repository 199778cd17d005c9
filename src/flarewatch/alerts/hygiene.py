"""Alert hygiene as pure decisions: grouping, cool-down and escalation.

Kept free of the database so the rules can be read, tested and tuned in one place; the service
only gathers the facts (the group's live alert, its last closed one) and applies the verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from flarewatch.detect.types import SEVERITY_ORDER

DEFAULT_COOLDOWN = timedelta(minutes=30)
# A workspace file may carry this key once the workspace schema grows it; until then the
# default (or the caller's explicit value) applies.
COOLDOWN_CONFIG_KEY = "alert_cooldown_minutes"


class Action(StrEnum):
    OPEN = "open"  # a new alert and new notifications
    UPDATE = "update"  # refresh the live alert's figures, stay quiet
    ESCALATE = "escalate"  # raise the live alert's severity and notify again
    SUPPRESS = "suppress"  # inside the cool-down of a just-closed alert, stay quiet


@dataclass(frozen=True, slots=True)
class ClosedAlert:
    """The most recent resolved or noise alert of a group."""

    severity: str
    closed_at: datetime
    window_end: datetime


def severity_rank(severity: str) -> int:
    try:
        return SEVERITY_ORDER[severity]
    except KeyError:
        known = ", ".join(SEVERITY_ORDER)
        raise ValueError(f"unknown severity {severity!r}; use one of {known}") from None


def cooldown_anchor(closed: ClosedAlert, now: datetime) -> datetime:
    """When the cool-down of a closed alert started.

    People close alerts on the wall clock while a replayed scenario runs on data time; a close
    time that lies in `now`'s future would otherwise silence the group until the replay catches
    up, so the evidence's own clock (the window end) is used instead.
    """
    return closed.closed_at if closed.closed_at <= now else closed.window_end


def decide(
    severity: str,
    live_severity: str | None,
    last_closed: ClosedAlert | None,
    now: datetime,
    cooldown: timedelta = DEFAULT_COOLDOWN,
) -> Action:
    """What a candidate of `severity` does to its group.

    `live_severity` is the severity of the group's open or acknowledged alert, if any.
    """
    rank = severity_rank(severity)
    if live_severity is not None:
        return Action.ESCALATE if rank > severity_rank(live_severity) else Action.UPDATE
    if last_closed is not None:
        cooling = now - cooldown_anchor(last_closed, now) < cooldown
        # Severity rising above what was just closed is news, even inside the cool-down.
        if cooling and rank <= severity_rank(last_closed.severity):
            return Action.SUPPRESS
    return Action.OPEN


def cooldown_from_config(config: dict[str, Any] | None) -> timedelta:
    minutes = (config or {}).get(COOLDOWN_CONFIG_KEY)
    if isinstance(minutes, int | float) and not isinstance(minutes, bool) and minutes >= 0:
        return timedelta(minutes=minutes)
    return DEFAULT_COOLDOWN


def merge_post_ids(latest: list[int], earlier: list[int], cap: int = 100) -> list[int]:
    """The latest candidate's posts first (detection ranks them), then older ones, no repeats."""
    seen: set[int] = set()
    merged: list[int] = []
    for post_id in [*latest, *earlier]:
        if post_id not in seen:
            seen.add(post_id)
            merged.append(post_id)
    return merged[:cap]
