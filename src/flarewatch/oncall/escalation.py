"""The paging timeline of an alert: which step notifies whom, on which channel, and when.

`plan_escalation` is pure: given the workspace's on-call configuration, the alert's instant
and severity, and when (if ever) someone acknowledges, it lists every notification the policy
sends. Each step resolves its rota at its own instant, so a handover in the middle of an
escalation pages the new person. `flarewatch oncall simulate` prints this list; the durable
runner (later part of issue 19) sends the same steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from flarewatch.oncall.config import policy_for
from flarewatch.oncall.rota import on_call
from flarewatch.oncall.urgency import Urgency, urgency, working_time_of

if TYPE_CHECKING:
    from flarewatch.config.workspace import WorkspaceConfig
    from flarewatch.oncall.config import EscalationPolicyConfig, OncallConfig


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


@dataclass(frozen=True, slots=True)
class DueStep:
    """One notification round of a policy: step `step` (1-based), round `round` of its repeats."""

    step: int
    round: int
    target: str
    due_at: datetime  # UTC


def step_schedule(policy: EscalationPolicyConfig, at: datetime) -> list[DueStep]:
    """Every round of every step of `policy` for an alert at `at`, with its due instant."""
    # In UTC: adding minutes to a zoned datetime moves its clock reading, not time, and would
    # put a wait across a DST change an hour off.
    when = at.astimezone(UTC)
    out = []
    for number, step in enumerate(policy.steps, start=1):
        for repeat in range(1, step.repeat + 1):
            out.append(DueStep(number, repeat, step.notify, when))
            when += timedelta(minutes=step.wait_minutes)
    return out


def recipients(
    config: WorkspaceConfig | OncallConfig, target: str, at: datetime
) -> list[tuple[str, str]] | None:
    """(person key or route:NAME, Apprise URL) for each message `target` sends at `at`; None
    when a rota has no one on call then. Raises KeyError for a name the config lacks."""
    kind, _, key = target.partition(":")
    if kind == "route":
        routes = {route.name: route.url for route in config.alert_routes if route.name}
        return [(target, routes[key])]
    if kind == "rota":
        rota = {rota.key: rota for rota in config.rotas}[key]
        person = on_call(rota, at)
        if person is None:
            return None
    else:
        person = key
    urls = {p.key: p.notify for p in config.people}[person]
    return [(person, url) for url in urls]


def plan_escalation(
    config: WorkspaceConfig | OncallConfig,
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
    acked = at + ack_after if ack_after is not None else None
    out: list[PlannedNotification] = []
    unreached: list[str] = []
    for due in step_schedule(policy, at):
        if acked is not None and due.due_at >= acked:
            break
        sent = recipients(config, due.target, due.due_at)
        if sent is None:
            local = due.due_at.astimezone(zone).isoformat(timespec="minutes")
            unreached.append(f"step {due.step} {due.target} at {local}")
            continue
        out += [
            PlannedNotification(due.due_at, who, channel_of(url), due.step) for who, url in sent
        ]
    return EscalationPlan("page", tuple(out), tuple(unreached))
