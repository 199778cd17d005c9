"""Raising, grouping and acknowledging alerts.

Every function flushes but never commits: the caller owns the transaction, so the pipeline can
store an alert and its delivery rows atomically with the figures that produced it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, select, update
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
from flarewatch.alerts.incidents import Evidence, evidence_posts, same_incident
from flarewatch.alerts.models import (
    ALERT_STATUSES,
    Alert,
    AlertDelivery,
    AlertGroup,
    AlertMerge,
)
from flarewatch.alerts.routing import CONSOLE_ROUTE, routes_for
from flarewatch.db.base import utcnow
from flarewatch.detect.types import AlertCandidate
from flarewatch.errors import InputError, InvalidTransitionError, NotFoundError
from flarewatch.mentions.models import Mention, RawPost
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
    """Turn detector candidates into alerts; returns the alerts that are new, escalated or merged.

    Candidates of one group join the group's open (or acknowledged) alert. A topic candidate
    that rests on the same posts as another topic's live alert joins that alert instead (one
    incident, one alert; see alerts/incidents.py), and two live alerts it shows to be one
    incident are folded into the older. A higher severity escalates the alert and notifies
    again; the same or a lower one only refreshes its figures. After a group's alert is resolved
    or marked noise, the group stays quiet for the cool-down unless the severity rises above the
    closed alert's.
    """
    cooldown = cooldown if cooldown is not None else cooldown_from_config(workspace.config)
    changed: dict[int, Alert] = {}
    # In time order, so a batch (a replay, a catch-up) merges as the same signals would live.
    for candidate in sorted(candidates, key=lambda c: c.window_end):
        _check_candidate(workspace, candidate)
        live = _incident_alert(session, workspace.id, candidate, changed, now)
        closed = None if live else _last_closed(session, workspace.id, candidate.group_key)
        action = decide(candidate.severity, live.severity if live else None, closed, now, cooldown)
        if action is Action.OPEN:
            alert = _open(session, workspace, candidate, now)
            changed[alert.id] = alert
            continue
        if live is None:
            continue
        joined = _answer_for(live, candidate)
        if action is Action.ESCALATE:
            _refresh(live, candidate, now)
            _escalate(session, workspace, live, candidate.severity)
        elif action is Action.UPDATE:
            _refresh(live, candidate, now, figures=_takes_figures(live, candidate))
        if joined or action is Action.ESCALATE:
            changed[live.id] = live
    session.flush()
    return list(changed.values())


def _incident_alert(
    session: Session,
    workspace_id: int,
    candidate: AlertCandidate,
    changed: dict[int, Alert],
    now: datetime,
) -> Alert | None:
    """The live alert this candidate belongs to, folding alerts it shows to be one incident.

    Source alerts only ever follow their own group: coverage is not a story.
    """
    own = _live_alert(session, workspace_id, candidate.group_key)
    if candidate.kind != "topic":
        return own
    others = [
        alert
        for alert in _live_topic_alerts(session, workspace_id)
        if own is None or alert.id != own.id
    ]
    if not others:
        return own
    mine = Evidence(
        frozenset([candidate.topic_id] if candidate.topic_id is not None else []),
        evidence_posts(candidate.post_ids),
        candidate.window_start,
        candidate.window_end,
    )
    topics_of = _topics_of_posts(
        session, [*mine.post_ids, *(p for a in others for p in evidence_posts(a.post_ids or []))]
    )
    same = [a for a in others if same_incident(mine, _evidence(a), topics_of)]
    incident = sorted([*([own] if own else []), *same], key=lambda a: a.id)
    if not incident:
        return None
    survivor, folded = incident[0], incident[1:]
    for alert in folded:
        _fold(session, alert, into=survivor, at=now)
        changed.pop(alert.id, None)
    if folded:
        changed[survivor.id] = survivor
    return survivor


def _evidence(alert: Alert) -> Evidence:
    return Evidence(
        frozenset(alert.topic_ids),
        evidence_posts(alert.post_ids or []),
        alert.window_start,
        alert.window_end,
    )


def _topics_of_posts(session: Session, post_ids: Sequence[int]) -> dict[int, set[int]]:
    topics: dict[int, set[int]] = {}
    if not post_ids:
        return topics
    rows = session.execute(
        select(Mention.raw_post_id, Mention.topic_id).where(Mention.raw_post_id.in_(set(post_ids)))
    )
    for post_id, topic_id in rows:
        topics.setdefault(post_id, set()).add(topic_id)
    return topics


def _live_topic_alerts(session: Session, workspace_id: int) -> list[Alert]:
    return list(
        session.scalars(
            select(Alert)
            .where(
                Alert.workspace_id == workspace_id,
                Alert.kind == "topic",
                Alert.status.in_(LIVE_STATUSES),
            )
            .order_by(Alert.id)
        )
    )


def _answer_for(alert: Alert, candidate: AlertCandidate) -> bool:
    """List the candidate's group (and topic) on the alert; True when it was not listed yet."""
    if any(group.group_key == candidate.group_key for group in alert.groups):
        return False
    alert.groups.append(AlertGroup(group_key=candidate.group_key, topic_id=candidate.topic_id))
    return True


def _fold(session: Session, alert: Alert, *, into: Alert, at: datetime) -> None:
    """Merge a live alert into the older live alert of the same incident."""
    listed = {group.group_key for group in into.groups}
    for group in alert.groups:
        if group.group_key not in listed:
            into.groups.append(AlertGroup(group_key=group.group_key, topic_id=group.topic_id))
    into.post_ids = merge_post_ids(list(into.post_ids or []), list(alert.post_ids or []))
    into.window_start = min(into.window_start, alert.window_start)
    into.window_end = max(into.window_end, alert.window_end)
    if severity_rank(alert.severity) > severity_rank(into.severity):
        # People were already notified at this severity through the folded alert.
        into.severity = alert.severity
        into.risk_score = max(into.risk_score, alert.risk_score)
        into.title, into.explanation = alert.title, alert.explanation
        into.title_message = alert.title_message
        into.sentiment_backend, into.rescore = alert.sentiment_backend, alert.rescore
        into.factors = list(alert.factors or [])
        if into.status == "acknowledged" and alert.status != "acknowledged":
            # Whoever acknowledged the smaller signal has not seen this one (as on escalation).
            into.status, into.acknowledged_at, into.acknowledged_by = "open", None, None
    alert.status = "merged"
    alert.merge = AlertMerge(into_alert_id=into.id, merged_at=at)
    session.execute(
        update(AlertDelivery)
        .where(AlertDelivery.alert_id == alert.id, AlertDelivery.status == "pending")
        .values(status="skipped", last_error=f"superseded: merged into alert #{into.id}")
    )


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


def _answering_for(group_key: str) -> ColumnElement[bool]:
    return Alert.id.in_(select(AlertGroup.alert_id).where(AlertGroup.group_key == group_key))


def _live_alert(session: Session, workspace_id: int, group_key: str) -> Alert | None:
    return session.scalars(
        select(Alert)
        .where(
            Alert.workspace_id == workspace_id,
            _answering_for(group_key),
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
            _answering_for(group_key),
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
        title_message=candidate.title_message,
        explanation=candidate.explanation,
        sentiment_backend=candidate.sentiment_backend,
        rescore=candidate.rescore,
        factors=[f.as_dict() for f in candidate.factors],
        post_ids=list(candidate.post_ids),
        window_start=candidate.window_start,
        window_end=candidate.window_end,
        created_at=now,
        updated_at=now,
        groups=[AlertGroup(group_key=candidate.group_key, topic_id=candidate.topic_id)],
    )
    session.add(alert)
    session.flush()
    _queue_deliveries(session, workspace, alert, now)
    return alert


def _takes_figures(alert: Alert, candidate: AlertCandidate) -> bool:
    """Whether a quiet update replaces the alert's figures and explanation.

    The alert's own topic always does (that is how an episode is seen calming down); a merged
    topic only when it is at least as risky, so a calm side topic does not hide the hot one.
    """
    return candidate.group_key == alert.group_key or candidate.risk_score >= alert.risk_score


def _refresh(
    alert: Alert, candidate: AlertCandidate, now: datetime, *, figures: bool = True
) -> None:
    if figures:
        alert.risk_score = candidate.risk_score
        alert.title = candidate.title
        alert.title_message = candidate.title_message
        alert.explanation = candidate.explanation
        alert.factors = [f.as_dict() for f in candidate.factors]
        if candidate.sentiment_backend is not None:
            alert.sentiment_backend = candidate.sentiment_backend
            alert.rescore = candidate.rescore
    alert.post_ids = merge_post_ids(list(candidate.post_ids), list(alert.post_ids or []))
    alert.window_start = min(alert.window_start, candidate.window_start)
    alert.window_end = max(alert.window_end, candidate.window_end)
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
    from flarewatch.oncall.service import schedule_escalation

    # A workspace's escalation policy for this severity (docs/oncall.md) decides whom to notify
    # and when, routes included (`route:NAME` steps); without one, every route hears once. The
    # console (the operator's terminal) hears of every alert either way.
    routes = routes_for(workspace.config, alert.severity)
    if schedule_escalation(session, workspace, alert, now):
        routes = [route for route in routes if route == CONSOLE_ROUTE]
    for route in routes:
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


def _check_not_merged(alert: Alert) -> None:
    if alert.status == "merged":
        raise InvalidTransitionError(
            f"alert #{alert.id} was merged into alert #{alert.merged_into_id} (the same "
            f"incident); acknowledge, resolve or mark noise alert #{alert.merged_into_id}"
        )


def list_alerts(
    session: Session, workspace_id: int | None, *, status: str | None = None, limit: int = 50
) -> list[Alert]:
    """Newest first; `workspace_id=None` lists every workspace (operators, CLI).

    Alerts merged into another one are left out unless asked for by status: the alert they
    were merged into stands for them.
    """
    query = select(Alert)
    if workspace_id is not None:
        query = query.where(Alert.workspace_id == workspace_id)
    if status is None:
        query = query.where(Alert.status != "merged")
    else:
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
    _check_not_merged(alert)
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
    _check_not_merged(alert)
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
