"""Acknowledged but untouched: reminders, then the acknowledgement lapses.

A policy's `remind_minutes` reminds whoever was paged (the person who acknowledged, when they
are one of the workspace's people) while nothing has happened since the acknowledgement, and
again every as many minutes; its `unacknowledge_minutes` reopens the alert after that long
without activity, and the escalation starts over from the first step as a new cycle.
"Activity" is the acknowledgement itself, or a person's note, task or status change on the
alert's case (alerts/timeline.py `last_activity`).

Like the rounds of the policy, a reminder is a row (`escalation_step`, kind "reminder") stored
in the same transaction as its deliveries: a crash before the commit sends nothing and the next
cycle reminds; one after it never reminds twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flarewatch.alerts.models import Alert
from flarewatch.alerts.timeline import last_activity, record_event
from flarewatch.alerts.wording import REMINDED, UNACKNOWLEDGED
from flarewatch.oncall.config import EscalationPolicyConfig, OncallConfig, policy_for
from flarewatch.oncall.escalation import channel_of
from flarewatch.oncall.models import EscalationStep
from flarewatch.oncall.service import (
    cancel_pending,
    current_cycle,
    effective_config,
    queue_deliveries,
    store_rounds,
)
from flarewatch.workspaces.models import Workspace

log = logging.getLogger(__name__)
BATCH = 200


@dataclass(slots=True)
class WatchReport:
    reminded: list[int] = field(default_factory=list)  # alert ids
    unacknowledged: list[int] = field(default_factory=list)


def watch_acknowledged(session: Session, now: datetime, *, limit: int = BATCH) -> WatchReport:
    """Remind about, or reopen, acknowledged alerts left untouched; the caller commits."""
    report = WatchReport()
    configs: dict[int, OncallConfig | None] = {}
    alerts = session.scalars(
        select(Alert)
        .where(Alert.status == "acknowledged")
        .order_by(Alert.acknowledged_at, Alert.id)
        .limit(limit)
    ).all()
    for alert in alerts:
        if alert.workspace_id not in configs:
            configs[alert.workspace_id] = effective_config(
                session, session.get_one(Workspace, alert.workspace_id), now
            )
        config = configs[alert.workspace_id]
        policy = policy_for(config.escalation, alert.severity) if config else None
        if config is None or policy is None:
            continue
        if policy.remind_minutes is None and policy.unacknowledge_minutes is None:
            continue
        since = last_activity(session, alert) or alert.acknowledged_at or now
        idle = now - since
        lapse = policy.unacknowledge_minutes
        if lapse is not None and idle >= timedelta(minutes=lapse):
            _lapse(session, alert, policy, now, lapse)
            report.unacknowledged.append(alert.id)
        elif (
            policy.remind_minutes is not None
            and _remind_due(session, alert, since, now, policy.remind_minutes)
            and _remind(session, config, alert, now, idle)
        ):
            report.reminded.append(alert.id)
    session.flush()
    return report


def _lapse(
    session: Session, alert: Alert, policy: EscalationPolicyConfig, now: datetime, minutes: int
) -> None:
    """Reopen the alert and start its escalation over as a new cycle."""
    alert.status = "open"
    alert.acknowledged_at = None
    alert.acknowledged_by = None
    alert.updated_at = now
    cancel_pending(session, alert.id, "the acknowledgement lapsed: the escalation starts over")
    record_event(session, alert, "unacknowledged", UNACKNOWLEDGED, now, idle_seconds=minutes * 60)
    store_rounds(session, alert, policy, now, current_cycle(session, alert.id) + 1)


def _remind_due(session: Session, alert: Alert, since: datetime, now: datetime, every: int) -> bool:
    """Whether `every` minutes have passed since the last activity and since the last reminder
    sent after it."""
    if now - since < timedelta(minutes=every):
        return False
    last = session.scalar(
        select(func.max(EscalationStep.sent_at)).where(
            EscalationStep.alert_id == alert.id,
            EscalationStep.kind == "reminder",
            EscalationStep.sent_at >= since,
        )
    )
    return last is None or now - last >= timedelta(minutes=every)


def reminder_recipients(
    session: Session, config: OncallConfig, alert: Alert
) -> list[tuple[str, str]]:
    """(person key, contact URL) for a reminder: the person who acknowledged when they are one
    of the workspace's people, else every person the escalation paged."""
    contacts = {person.key: person.notify for person in config.people}
    if alert.acknowledged_by in contacts:
        people = [alert.acknowledged_by]
    else:
        paged = session.scalars(
            select(EscalationStep.recipients)
            .where(
                EscalationStep.alert_id == alert.id,
                EscalationStep.kind == "page",
                EscalationStep.status == "sent",
            )
            .order_by(EscalationStep.sent_at, EscalationStep.id)
        ).all()
        people = list(
            dict.fromkeys(
                str(who)
                for rows in paged
                for who, _ in rows
                if not str(who).startswith("route:") and str(who) in contacts
            )
        )
    return [(person, url) for person in people for url in contacts[person]]


def _remind(
    session: Session, config: OncallConfig, alert: Alert, now: datetime, idle: timedelta
) -> bool:
    sent = reminder_recipients(session, config, alert)
    if not sent:
        log.info("alert #%s: acknowledged and untouched, but no one to remind", alert.id)
        return False
    cycle = current_cycle(session, alert.id)
    number = session.scalar(
        select(func.count()).where(
            EscalationStep.alert_id == alert.id,
            EscalationStep.kind == "reminder",
            EscalationStep.cycle == cycle,
            EscalationStep.severity == alert.severity,
        )
    )
    session.add(
        EscalationStep(
            alert_id=alert.id,
            severity=alert.severity,
            cycle=cycle,
            kind="reminder",
            step=0,
            round=int(number or 0) + 1,
            target="reminder",
            due_at=now,
            status="sent",
            sent_at=now,
            recipients=[[who, channel_of(url)] for who, url in sent],
        )
    )
    queue_deliveries(session, alert, sent, now, purpose="reminder")
    who = ", ".join(dict.fromkeys(who for who, _ in sent))
    record_event(
        session, alert, "reminded", REMINDED, now, who=who, idle_seconds=int(idle.total_seconds())
    )
    return True
