"""The paging timeline of an alert: which step notifies whom, on which channel, and when.

`plan_escalation` is pure: given the workspace's on-call configuration, the alert's instant
and severity, and when (if ever) someone acknowledges, it lists every notification the policy
sends. Each step resolves its rota at its own instant, so a handover in the middle of an
escalation pages the new person. `flarewatch oncall simulate` prints this list; the durable
runner (later part of issue 19) sends the same steps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from flarewatch.oncall.config import policy_for
from flarewatch.oncall.rota import on_call
from flarewatch.oncall.urgency import Urgency, urgency, working_time_of

if TYPE_CHECKING:
    from flarewatch.config.workspace import WorkspaceConfig


@dataclass(frozen=True, slots=True)
class PlannedNotification:
    """One message of an escalation: `recipient` is a person's key or `route:NAME`."""

    at: datetime
    recipient: str
    channel: str
    step: int  # 1-based, as the policy lists it


@dataclass(frozen=True, slots=True)
class EscalationPlan:
    """What an alert at `at` causes: its urgency and the notifications, in time order."""

    urgency: Urgency | None  # None: no policy covers the severity
    notifications: tuple[PlannedNotification, ...]
    unreached: tuple[str, ...] = ()  # steps whose rota had no one on call, e.g. "step 1 rota:duty"


def channel_of(url: str) -> str:
    """The channel of an Apprise URL, its scheme ('mailto', 'tgram', 'ntfy'); never the URL,
    which may hold a token."""
    scheme, found, _ = url.partition("://")
    return scheme.lower() if found else url.strip().lower()


def plan_escalation(
    config: WorkspaceConfig,
    at: datetime,
    severity: str,
    ack_after: timedelta | None = None,
) -> EscalationPlan:
    """Every notification an alert of `severity` raised at `at` causes, until acknowledged
    `ack_after` later (a notification due at or after the acknowledgement is not sent)."""
    if at.tzinfo is None:
        raise ValueError(f"{at.isoformat()} has no timezone; give the instant with an offset")
    policy = policy_for(config.escalation, severity)
    if policy is None:
        return EscalationPlan(None, ())
    working = working_time_of(
        config.timezone, config.working_hours, config.weekend, config.holidays_country
    )
    if urgency(policy, working, at) == "digest":
        return EscalationPlan("digest", ())
    zone = ZoneInfo(config.timezone)
    people = {person.key: person for person in config.people}
    rotas = {rota.key: rota for rota in config.rotas}
    routes = {route.name: route for route in config.alert_routes if route.name}
    # In UTC: adding minutes to a zoned datetime moves its clock reading, not time, and would
    # put a wait across a DST change an hour off.
    at = at.astimezone(UTC)
    acked = at + ack_after if ack_after is not None else None
    out: list[PlannedNotification] = []
    unreached: list[str] = []
    when = at
    for number, step in enumerate(policy.steps, start=1):
        for _ in range(step.repeat):
            if acked is not None and when >= acked:
                return EscalationPlan("page", tuple(out), tuple(unreached))
            kind, key = step.target()
            if kind == "route":
                out.append(
                    PlannedNotification(when, f"route:{key}", channel_of(routes[key].url), number)
                )
            else:
                person = key if kind == "person" else on_call(rotas[key], when)
                if person is None:
                    local = when.astimezone(zone).isoformat(timespec="minutes")
                    unreached.append(f"step {number} {step.notify} at {local}")
                else:
                    out += _to_person(when, person, people[person].notify, number)
            when += timedelta(minutes=step.wait_minutes)
    return EscalationPlan("page", tuple(out), tuple(unreached))


def _to_person(
    when: datetime, person: str, urls: Sequence[str], step: int
) -> list[PlannedNotification]:
    return [PlannedNotification(when, person, channel_of(url), step) for url in urls]
