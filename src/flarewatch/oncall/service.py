"""Escalation until acknowledged: an alert's steps stored when it opens, sent when due.

`schedule_escalation` stores every round of the alert's policy with its due instant;
`run_due_steps` (called by the runtime's cycle) claims each due round by marking it sent in the
same transaction that queues its deliveries, so a crash before the commit leaves the round
pending (nothing was sent: the next cycle does it) and a crash after it leaves it sent (its
deliveries are queued, retried with backoff by `alerts.notify.deliver_pending`). An alert that
is no longer open (acknowledged, resolved, noise, merged) or whose severity changed has its
remaining rounds cancelled, not sent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from flarewatch.alerts.models import Alert, AlertDelivery
from flarewatch.alerts.timeline import record_event
from flarewatch.alerts.wording import ESCALATION_NOBODY, ESCALATION_NOTIFIED
from flarewatch.oncall.config import EscalationPolicyConfig, OncallConfig, policy_for
from flarewatch.oncall.escalation import channel_of, recipients, step_schedule
from flarewatch.oncall.models import EscalationStep
from flarewatch.oncall.urgency import urgency, working_time_of
from flarewatch.workspaces.models import Workspace

log = logging.getLogger(__name__)
BATCH = 100  # rounds claimed per call; the rest wait for the next cycle


def oncall_config(workspace: Workspace) -> OncallConfig | None:
    """The workspace's on-call configuration, or None when it has none or it is unreadable
    (logged: `workspace check` names the problem)."""
    stored = workspace.config or {}
    if not stored.get("escalation"):
        return None
    try:
        return OncallConfig.model_validate(stored)
    except ValidationError as err:
        log.error("workspace %s: on-call configuration unreadable: %s", workspace.slug, err)
        return None


def people_config(workspace: Workspace) -> OncallConfig:
    """The workspace's people and rotas, with or without an escalation policy (the rota page);
    empty when unreadable (logged: `workspace check` names the problem)."""
    try:
        return OncallConfig.model_validate(workspace.config or {})
    except ValidationError as err:
        log.error("workspace %s: on-call configuration unreadable: %s", workspace.slug, err)
        return OncallConfig()


def schedule_escalation(
    session: Session, workspace: Workspace, alert: Alert, now: datetime
) -> bool:
    """Store the rounds of the policy covering the alert's severity, due from `now`; whether a
    policy covers it (then it, not the plain routes, decides who hears of the alert).

    No rounds when the policy pages only in working hours and `now` is outside them (the
    digest reports the alert), or when this severity's rounds are already stored. Rounds
    planned for another severity (before an escalation) are cancelled.
    """
    session.execute(
        update(EscalationStep)
        .where(
            EscalationStep.alert_id == alert.id,
            EscalationStep.status == "pending",
            EscalationStep.severity != alert.severity,
        )
        .values(status="cancelled", note=f"superseded: the alert is now {alert.severity}")
    )
    config = oncall_config(workspace)
    policy = policy_for(config.escalation, alert.severity) if config else None
    if config is None or policy is None:
        return False
    stored = session.scalar(
        select(EscalationStep.id).where(
            EscalationStep.alert_id == alert.id, EscalationStep.severity == alert.severity
        )
    )
    working = working_time_of(
        config.timezone, config.working_hours, config.weekend, config.holidays_country
    )
    if stored is not None or urgency(policy, working, now) == "digest":
        return True
    store_rounds(session, alert, policy, now, current_cycle(session, alert.id))
    return True


def store_rounds(
    session: Session, alert: Alert, policy: EscalationPolicyConfig, now: datetime, cycle: int
) -> None:
    """Every round of `policy` for the alert, due from `now`, as cycle `cycle`."""
    session.add_all(
        EscalationStep(
            alert_id=alert.id,
            severity=alert.severity,
            cycle=cycle,
            kind="page",
            step=due.step,
            round=due.round,
            target=due.target,
            due_at=due.due_at,
            status="pending",
            recipients=[],
        )
        for due in step_schedule(policy, now)
    )
    session.flush()


def current_cycle(session: Session, alert_id: int) -> int:
    """The alert's latest escalation cycle (1 until an acknowledgement lapses)."""
    found = session.scalar(
        select(func.max(EscalationStep.cycle)).where(EscalationStep.alert_id == alert_id)
    )
    return int(found or 1)


def cancel_pending(session: Session, alert_id: int, note: str) -> int:
    """Cancel the alert's rounds still waiting; how many there were."""
    result = session.execute(
        update(EscalationStep)
        .where(EscalationStep.alert_id == alert_id, EscalationStep.status == "pending")
        .values(status="cancelled", note=note)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def ack_link_hours(workspace: Workspace, severity: str) -> int:
    """How long the acknowledgement link of an alert of `severity` stays valid: its policy's
    `ack_link_hours`, else 24."""
    config = oncall_config(workspace)
    policy = policy_for(config.escalation, severity) if config else None
    return policy.ack_link_hours if policy is not None else 24


@dataclass(slots=True)
class StepReport:
    sent: list[int] = field(default_factory=list)  # escalation_step ids whose deliveries queued
    cancelled: list[int] = field(default_factory=list)
    unreached: list[int] = field(default_factory=list)  # a rota with no one on call


def effective_config(session: Session, workspace: Workspace, now: datetime) -> OncallConfig | None:
    from flarewatch.oncall.changes import effective_config as with_app_changes

    return with_app_changes(session, workspace, now)


def run_due_steps(session: Session, now: datetime, *, limit: int = BATCH) -> StepReport:
    """Queue the deliveries of every round due at `now`; the caller commits.

    One bad round (its person or route gone from the file) is cancelled with a note and never
    stops the others.
    """
    report = StepReport()
    # SKIP LOCKED: two runners on PostgreSQL never claim the same round; SQLite serialises
    # writers and ignores the clause.
    due = session.scalars(
        select(EscalationStep)
        .where(EscalationStep.status == "pending", EscalationStep.due_at <= now)
        .order_by(EscalationStep.due_at, EscalationStep.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for row in due:
        alert = session.get(Alert, row.alert_id)
        if alert is None or alert.status != "open" or alert.severity != row.severity:
            row.status = "cancelled"
            row.note = f"alert {alert.status if alert else 'deleted'} before it was due"
            report.cancelled.append(row.id)
            continue
        workspace = session.get_one(Workspace, alert.workspace_id)
        config = effective_config(session, workspace, now)
        try:
            sent = recipients(config, row.target, row.due_at) if config else []
        except KeyError:
            sent = []
        if not sent:
            row.status = "cancelled"
            row.note = (
                f"no one on call in {row.target}"
                if sent is None
                else f"{row.target} is no longer in the workspace file"
            )
            (report.unreached if sent is None else report.cancelled).append(row.id)
            if sent is None:
                record_event(
                    session,
                    alert,
                    "nobody",
                    ESCALATION_NOBODY,
                    now,
                    step=row.step,
                    target=row.target,
                )
            continue
        queue_deliveries(session, alert, sent, now, purpose="alert")
        row.status = "sent"
        row.sent_at = now
        row.recipients = [[who, channel_of(url)] for who, url in sent]
        who = ", ".join(dict.fromkeys(who for who, _ in sent))
        record_event(session, alert, "notified", ESCALATION_NOTIFIED, now, step=row.step, who=who)
        report.sent.append(row.id)
    session.flush()
    return report


def queue_deliveries(
    session: Session, alert: Alert, sent: list[tuple[str, str]], now: datetime, *, purpose: str
) -> None:
    """One delivery per (recipient, contact URL), due now."""
    for who, url in sent:
        session.add(
            AlertDelivery(
                alert_id=alert.id,
                route=url,
                severity=alert.severity,
                status="pending",
                attempts=0,
                next_attempt_at=now,
                recipient=who,
                purpose=purpose,
            )
        )


def escalation_of(session: Session, alert_id: int) -> list[EscalationStep]:
    """The alert's rounds in order: what was sent, what is pending, what was cancelled."""
    return list(
        session.scalars(
            select(EscalationStep)
            .where(EscalationStep.alert_id == alert_id)
            .order_by(EscalationStep.due_at, EscalationStep.id)
        )
    )
