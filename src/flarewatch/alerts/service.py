"""Raising, grouping and acknowledging alerts.

Every function flushes but never commits: the caller owns the transaction, so the pipeline can
store an alert and its delivery rows atomically with the figures that produced it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from flarewatch.alerts.hygiene import (
    Action,
    ClosedAlert,
    cooldown_from_config,
    decide,
    merge_post_ids,
    severity_rank,
)
from flarewatch.alerts.models import ALERT_STATUSES, Alert, AlertDelivery
from flarewatch.alerts.routing import routes_for
from flarewatch.db.base import utcnow
from flarewatch.detect.types import AlertCandidate
from flarewatch.errors import InputError, InvalidTransitionError, NotFoundError
from flarewatch.mentions.models import RawPost
from flarewatch.workspaces.models import Workspace

LIVE_STATUSES = ("open", "acknowledged")
CLOSED_STATUSES = ("resolved", "noise")


def raise_alerts(
    session: Session,
    workspace: Workspace,
    candidates: Sequence[AlertCandidate],
    now: datetime,
    *,
    cooldown: timedelta | None = None,
) -> list[Alert]:
    """Turn detector candidates into alerts; returns the alerts that are new or escalated.

    Candidates of one group join the group's open (or acknowledged) alert. A higher severity
    escalates it and notifies again; the same or a lower one only refreshes its figures. After a
    group's alert is resolved or marked noise, the group stays quiet for the cool-down unless the
    severity rises above the closed alert's.
    """
    cooldown = cooldown if cooldown is not None else cooldown_from_config(workspace.config)
    changed: dict[int, Alert] = {}
    for candidate in candidates:
        _check_candidate(workspace, candidate)
        live = _live_alert(session, workspace.id, candidate.group_key)
        closed = None if live else _last_closed(session, workspace.id, candidate.group_key)
        action = decide(candidate.severity, live.severity if live else None, closed, now, cooldown)
        if action is Action.OPEN:
            alert = _open(session, workspace, candidate, now)
            changed[alert.id] = alert
        elif action is Action.ESCALATE and live is not None:
            _refresh(live, candidate, now)
            _escalate(session, workspace, live, candidate.severity)
            changed[live.id] = live
        elif action is Action.UPDATE and live is not None:
            _refresh(live, candidate, now)
    session.flush()
    return list(changed.values())


def _check_candidate(workspace: Workspace, candidate: AlertCandidate) -> None:
    if candidate.workspace_id != workspace.id:
        raise InputError(
            f"alert candidate for workspace #{candidate.workspace_id} was given to workspace "
            f"#{workspace.id} ({workspace.slug}); raise each workspace's candidates separately"
        )
    try:
        severity_rank(candidate.severity)
    except ValueError as err:
        raise InputError(f"alert candidate {candidate.group_key!r}: {err}") from None


def _live_alert(session: Session, workspace_id: int, group_key: str) -> Alert | None:
    return session.scalars(
        select(Alert)
        .where(
            Alert.workspace_id == workspace_id,
            Alert.group_key == group_key,
            Alert.status.in_(LIVE_STATUSES),
        )
        .order_by(Alert.id.desc())
        .limit(1)
    ).first()


def _last_closed(session: Session, workspace_id: int, group_key: str) -> ClosedAlert | None:
    alert = session.scalars(
        select(Alert)
        .where(
            Alert.workspace_id == workspace_id,
            Alert.group_key == group_key,
            Alert.status.in_(CLOSED_STATUSES),
        )
        .order_by(Alert.updated_at.desc(), Alert.id.desc())
        .limit(1)
    ).first()
    if alert is None:
        return None
    # A closed alert is never touched again, so its updated_at is the moment it was closed.
    return ClosedAlert(alert.severity, alert.updated_at, alert.window_end)


def _open(
    session: Session, workspace: Workspace, candidate: AlertCandidate, now: datetime
) -> Alert:
    alert = Alert(
        workspace_id=workspace.id,
        topic_id=candidate.topic_id,
        group_key=candidate.group_key,
        kind=candidate.kind,
        source_id=candidate.source_id,
        severity=candidate.severity,
        risk_score=candidate.risk_score,
        status="open",
        title=candidate.title,
        explanation=candidate.explanation,
        factors=[f.as_dict() for f in candidate.factors],
        post_ids=list(candidate.post_ids),
        window_start=candidate.window_start,
        window_end=candidate.window_end,
        created_at=now,
        updated_at=now,
    )
    session.add(alert)
    session.flush()
    _queue_deliveries(session, workspace, alert, now)
    return alert


def _refresh(alert: Alert, candidate: AlertCandidate, now: datetime) -> None:
    alert.risk_score = candidate.risk_score
    alert.title = candidate.title
    alert.explanation = candidate.explanation
    alert.factors = [f.as_dict() for f in candidate.factors]
    alert.post_ids = merge_post_ids(list(candidate.post_ids), list(alert.post_ids or []))
    alert.window_start = min(alert.window_start, candidate.window_start)
    alert.window_end = max(alert.window_end, candidate.window_end)
    if candidate.topic_id is not None:
        alert.topic_id = candidate.topic_id
    _touch(alert, now)


def _touch(alert: Alert, at: datetime) -> None:
    # The column's onupdate would stamp the wall clock whenever the value looks unchanged, but
    # the cool-down must run on the caller's clock (replays run on data time).
    alert.updated_at = at
    flag_modified(alert, "updated_at")


def _escalate(session: Session, workspace: Workspace, alert: Alert, severity: str) -> None:
    previous = alert.severity
    alert.severity = severity
    if alert.status == "acknowledged":
        # Whoever acknowledged the smaller signal has not seen this one.
        alert.status = "open"
        alert.acknowledged_at = None
        alert.acknowledged_by = None
    # Unsent notifications of the smaller signal would now only repeat the new one.
    session.execute(
        update(AlertDelivery)
        .where(AlertDelivery.alert_id == alert.id, AlertDelivery.status == "pending")
        .values(status="skipped", last_error=f"superseded: escalated {previous} → {severity}")
    )
    _queue_deliveries(session, workspace, alert, alert.updated_at)


def _queue_deliveries(session: Session, workspace: Workspace, alert: Alert, now: datetime) -> None:
    for route in routes_for(workspace.config, alert.severity):
        session.add(
            AlertDelivery(
                alert_id=alert.id,
                route=route,
                severity=alert.severity,
                status="pending",
                attempts=0,
                next_attempt_at=now,
            )
        )


def get_alert(session: Session, alert_id: int, *, workspace_id: int | None = None) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None or (workspace_id is not None and alert.workspace_id != workspace_id):
        raise NotFoundError(
            f"alert #{alert_id} not found; list alerts with 'flarewatch alerts list'"
        )
    return alert


def alert_posts(session: Session, alert: Alert, limit: int = 5) -> list[RawPost]:
    """The alert's key posts in detection's order (post_ids is ranked), at most `limit`."""
    wanted = list(alert.post_ids or [])[:limit]
    if not wanted:
        return []
    rows = session.scalars(
        select(RawPost).where(RawPost.id.in_(wanted), RawPost.workspace_id == alert.workspace_id)
    ).all()
    by_id = {row.id: row for row in rows}
    return [by_id[i] for i in wanted if i in by_id]


def list_alerts(
    session: Session, workspace_id: int | None, *, status: str | None = None, limit: int = 50
) -> list[Alert]:
    """Newest first; `workspace_id=None` lists every workspace (operators, CLI)."""
    query = select(Alert)
    if workspace_id is not None:
        query = query.where(Alert.workspace_id == workspace_id)
    if status is not None:
        if status not in ALERT_STATUSES:
            known = ", ".join(ALERT_STATUSES)
            raise InputError(f"unknown alert status {status!r}; use one of {known}")
        query = query.where(Alert.status == status)
    query = query.order_by(Alert.created_at.desc(), Alert.id.desc()).limit(max(1, limit))
    return list(session.scalars(query))


def acknowledge(
    session: Session,
    alert_id: int,
    actor: str,
    *,
    workspace_id: int | None = None,
    now: datetime | None = None,
) -> Alert:
    """Someone has seen the alert; acknowledging twice keeps the first acknowledgement."""
    alert = get_alert(session, alert_id, workspace_id=workspace_id)
    if alert.status == "acknowledged":
        return alert
    if alert.status in CLOSED_STATUSES:
        raise InvalidTransitionError(
            f"alert #{alert.id} is already {alert.status}; there is nothing left to acknowledge"
        )
    at = now or utcnow()
    alert.status = "acknowledged"
    alert.acknowledged_at = at
    alert.acknowledged_by = actor
    _touch(alert, at)
    session.flush()
    return alert


def resolve(
    session: Session,
    alert_id: int,
    actor: str,
    *,
    workspace_id: int | None = None,
    now: datetime | None = None,
) -> Alert:
    """The signal is over; the group's cool-down starts now."""
    return _close(session, alert_id, actor, "resolved", workspace_id=workspace_id, now=now)


def mark_noise(
    session: Session,
    alert_id: int,
    actor: str,
    *,
    workspace_id: int | None = None,
    now: datetime | None = None,
) -> Alert:
    """The alert should not have fired; detection reads these to raise its thresholds.

    A resolved alert may still be marked noise in hindsight, so the feedback is not lost.
    """
    return _close(session, alert_id, actor, "noise", workspace_id=workspace_id, now=now)


def _close(
    session: Session,
    alert_id: int,
    actor: str,
    status: str,
    *,
    workspace_id: int | None,
    now: datetime | None,
) -> Alert:
    alert = get_alert(session, alert_id, workspace_id=workspace_id)
    if alert.status == status:
        return alert
    if alert.status == "noise":
        raise InvalidTransitionError(
            f"alert #{alert.id} is marked noise; it cannot become {status}"
        )
    at = now or utcnow()
    if alert.acknowledged_at is None:
        # Closing implies it was seen; keeps "who handled it" answerable without a new column.
        alert.acknowledged_at = at
        alert.acknowledged_by = actor
    alert.status = status
    _touch(alert, at)
    session.flush()
    return alert
