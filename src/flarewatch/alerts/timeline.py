"""The alert's own timeline (`alert_event`): every notification sent, delivery attempt and
failure, acknowledgement, reminder and lapse, written by the system as it happens, and the same
line on the timeline of the alert's case when it has one.

Entries are stored as a message and its parameters (alerts/wording.py), so the alert page shows
each in the reader's language with names and errors bidi-isolated.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flarewatch.alerts.models import Alert, AlertEvent
from flarewatch.alerts.wording import spoken, wording

# What each kind of entry is (the alert page styles and filters by it).
EVENT_KINDS = (
    "notified",  # an escalation round queued its messages
    "nobody",  # a rota step found no one on call
    "delivered",  # a delivery attempt went through
    "retrying",  # a delivery attempt failed; tried again later
    "failed",  # a delivery gave up
    "acknowledged",
    "resolved",
    "noise",
    "reminded",  # acknowledged but untouched: whoever was paged is reminded
    "unacknowledged",  # untouched too long: the acknowledgement lapsed
)


def record_event(
    session: Session,
    alert: Alert,
    kind: str,
    message: str,
    at: datetime,
    *,
    by: str = "system",
    on_case: bool = True,
    **params: Any,
) -> AlertEvent:
    """One line on the alert's timeline, and on its case's (unless `on_case` is false) as
    written `by` a person or the system."""
    said = wording(message, alert=alert.id, **params)
    event = AlertEvent(alert_id=alert.id, at=at, kind=kind, text=spoken(said), data=said)
    session.add(event)
    if on_case:
        from flarewatch.cases.models import CaseEvent
        from flarewatch.cases.service import case_for_alert

        case = case_for_alert(session, alert.id)
        if case is not None:
            session.add(
                CaseEvent(
                    case_id=case.id,
                    at=at,
                    kind="alert",
                    actor=by,
                    text=spoken(said),
                    data={"alert_id": alert.id, "event": kind, **said},
                )
            )
    return event


def alert_events(session: Session, alert_id: int) -> list[AlertEvent]:
    """The alert's timeline, oldest first."""
    return list(
        session.scalars(
            select(AlertEvent)
            .where(AlertEvent.alert_id == alert_id)
            .order_by(AlertEvent.at, AlertEvent.id)
        )
    )


def last_activity(session: Session, alert: Alert) -> datetime | None:
    """When a person last did something about the alert: its acknowledgement, or a note, task
    or status change on its case. The system's own entries are not activity, nor are the
    alert's lines on the case (its triage is `acknowledged_at`)."""
    from flarewatch.cases.models import Case, CaseEvent

    latest = session.scalar(
        select(func.max(CaseEvent.at))
        .join(Case, Case.id == CaseEvent.case_id)
        .where(Case.alert_id == alert.id, CaseEvent.actor != "system", CaseEvent.kind != "alert")
    )
    moments = [m for m in (alert.acknowledged_at, latest) if m is not None]
    return max(moments) if moments else None
