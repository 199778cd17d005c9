"""Crisis cases: opening from alerts, the life cycle, the timeline, notes and tasks.

Every function flushes but never commits: the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.alerts.hygiene import severity_rank
from flarewatch.alerts.message import excerpt
from flarewatch.alerts.models import Alert, AlertGroup, AlertMerge
from flarewatch.alerts.service import alert_posts, get_alert
from flarewatch.alerts.wording import (
    ALERT_AT,
    ALERT_COVERS,
    ALERT_ESCALATED,
    ALERT_MERGED_FOLLOW,
    ALERT_NOW,
    CASE_CLOSED_MERGED,
    CASE_MERGED_IN,
    CASE_OPENED,
    TASK_ADDED,
    TASK_ADDED_FOR,
    TASK_DONE,
    TRIAGED,
    move_wording,
    spoken,
    wording,
)
from flarewatch.cases.lifecycle import allowed_next, can_move, describe_move
from flarewatch.cases.models import CASE_STATUSES, Case, CaseEvent, Task
from flarewatch.db.base import utcnow
from flarewatch.detect.types import SEVERITY_ORDER
from flarewatch.errors import InputError, InvalidTransitionError, NotFoundError
from flarewatch.mentions.models import RawPost
from flarewatch.workspaces.models import Topic, Workspace

KEY_POSTS = 10
OPEN_CASE_STATUSES = tuple(s for s in CASE_STATUSES if s != "closed")


def get_case(session: Session, case_id: int, *, workspace_id: int | None = None) -> Case:
    case = session.get(Case, case_id)
    if case is None or (workspace_id is not None and case.workspace_id != workspace_id):
        raise NotFoundError(f"case #{case_id} not found; list cases with 'flarewatch cases list'")
    return case


def list_cases(
    session: Session, workspace_id: int | None, *, status: str | None = None
) -> list[Case]:
    """Newest first; `workspace_id=None` lists every workspace (operators, CLI)."""
    query = select(Case)
    if workspace_id is not None:
        query = query.where(Case.workspace_id == workspace_id)
    if status is not None:
        _check_status(status)
        query = query.where(Case.status == status)
    return list(session.scalars(query.order_by(Case.opened_at.desc(), Case.id.desc())))


def timeline(session: Session, case_id: int, *, workspace_id: int | None = None) -> list[CaseEvent]:
    case = get_case(session, case_id, workspace_id=workspace_id)
    return list(
        session.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_id == case.id)
            .order_by(CaseEvent.at, CaseEvent.id)
        )
    )


def tasks(session: Session, case_id: int, *, workspace_id: int | None = None) -> list[Task]:
    case = get_case(session, case_id, workspace_id=workspace_id)
    return list(session.scalars(select(Task).where(Task.case_id == case.id).order_by(Task.id)))


def case_for_alert(session: Session, alert_id: int) -> Case | None:
    return session.scalars(
        select(Case).where(Case.alert_id == alert_id).order_by(Case.id).limit(1)
    ).first()


def open_case_from_alert(
    session: Session, alert_id: int, actor: str, *, workspace_id: int | None = None
) -> Case:
    """One case per alert: opening it again returns the existing case."""
    alert = get_alert(session, alert_id, workspace_id=workspace_id)
    existing = case_for_alert(session, alert.id)
    if existing is not None:
        return existing
    now = utcnow()
    case = Case(
        workspace_id=alert.workspace_id,
        alert_id=alert.id,
        title=alert.title,
        title_message=alert.title_message,
        status="new",
        severity=alert.severity,
        summary=alert.explanation,
        opened_by=actor,
        opened_at=now,
        updated_at=now,
    )
    session.add(case)
    session.flush()
    opened = wording(CASE_OPENED, alert=alert.id)
    _event(session, case, "status", actor, spoken(opened), {"to": "new", **opened})
    _alert_event(session, case, alert, opening=True)
    for post in alert_posts(session, alert, KEY_POSTS):
        _event(
            session,
            case,
            "post",
            "system",
            excerpt(post.text, 280),
            {"raw_post_id": post.id, "url": post.url, "platform": post.platform},
        )
    session.flush()
    return case


def auto_open_cases(
    session: Session, workspace: Workspace, alerts: Sequence[Alert], actor: str = "system"
) -> list[Case]:
    """Open cases for new or escalated alerts at or above the workspace's auto-case severity.

    A case follows its alert: an escalation, a topic joining the alert or another alert folded
    into it is a timeline entry on the alert's case (or the open case of its group) instead of
    a sibling case. Returns the cases that were opened.
    """
    threshold = _auto_threshold(workspace)
    opened: list[Case] = []
    for alert in alerts:
        if alert.workspace_id != workspace.id:
            continue
        _absorb_merged_cases(session, alert)
        current = _open_case_for_group(session, workspace.id, alert)
        if current is not None:
            _follow(session, current, alert)
            continue
        if threshold is None or severity_rank(alert.severity) < threshold:
            continue
        closed_own = case_for_alert(session, alert.id)
        if closed_own is not None:
            # Reopening is a person's call; the closed case still records the escalation.
            _follow(session, closed_own, alert)
            continue
        opened.append(open_case_from_alert(session, alert.id, actor))
    session.flush()
    return opened


def _auto_threshold(workspace: Workspace) -> int | None:
    level = (workspace.config or {}).get("auto_case_severity") or workspace.auto_case_severity
    if level == "never":
        return None
    return severity_rank(str(level))


def _open_case_for_group(session: Session, workspace_id: int, alert: Alert) -> Case | None:
    """The open case of this alert, or of an earlier alert of one of its groups."""
    keys = [group.group_key for group in alert.groups] or [alert.group_key]
    return session.scalars(
        select(Case)
        .where(
            Case.workspace_id == workspace_id,
            Case.status.in_(OPEN_CASE_STATUSES),
            Case.alert_id.in_(select(AlertGroup.alert_id).where(AlertGroup.group_key.in_(keys))),
        )
        .order_by((Case.alert_id == alert.id).desc(), Case.id.desc())
        .limit(1)
    ).first()


def _absorb_merged_cases(session: Session, alert: Alert) -> None:
    """Cases of alerts folded into `alert` join its case: one incident, one case.

    With no case of its own, the alert takes over the first one (its notes and tasks stay
    where people wrote them); any other is closed with a pointer to the incident's case.
    """
    merged = session.scalars(
        select(Case)
        .join(AlertMerge, Case.alert_id == AlertMerge.alert_id)
        .where(AlertMerge.into_alert_id == alert.id)
        .order_by(Case.id)
    ).all()
    if not merged:
        return
    incident_case = case_for_alert(session, alert.id)
    for case in merged:
        folded_id = case.alert_id
        if incident_case is None:
            case.alert_id = alert.id
            incident_case = case
            follows = wording(ALERT_MERGED_FOLLOW, merged=folded_id, alert=alert.id)
            _event(
                session,
                case,
                "alert",
                "system",
                spoken(follows),
                {**_alert_data(alert), "merged_alert_id": folded_id, **follows},
            )
            continue
        merged_in = wording(CASE_MERGED_IN, case=case.id, merged=folded_id)
        _event(
            session,
            incident_case,
            "alert",
            "system",
            spoken(merged_in),
            {
                "alert_id": alert.id,
                "merged_alert_id": folded_id,
                "merged_case_id": case.id,
                **merged_in,
            },
        )
        if case.status != "closed":
            previous = case.status
            now = utcnow()
            case.status, case.closed_at, case.updated_at = "closed", now, now
            closed = wording(
                CASE_CLOSED_MERGED, case=incident_case.id, merged=folded_id, alert=alert.id
            )
            _event(
                session,
                case,
                "status",
                "system",
                spoken(closed),
                {
                    "from": previous,
                    "to": "closed",
                    "merged_into_case_id": incident_case.id,
                    **closed,
                },
            )
    session.flush()


def _follow(session: Session, case: Case, alert: Alert) -> None:
    """Write on the case what changed in its alert since the timeline last recorded it."""
    last = _last_alert_event(session, case, alert)
    if last is None:
        _alert_event(session, case, alert, opening=False)
    else:
        was = str(last.get("severity") or "")
        if was in SEVERITY_ORDER and severity_rank(alert.severity) > severity_rank(was):
            _alert_event(session, case, alert, opening=False, escalated_from=was)
        known = set(last.get("topic_ids") or [])
        joined = [t for t in alert.topic_ids if t not in known]
        if joined and known:
            _topics_event(session, case, alert, joined)
    if severity_rank(alert.severity) > severity_rank(case.severity):
        case.severity = alert.severity


def _last_alert_event(session: Session, case: Case, alert: Alert) -> dict[str, Any] | None:
    """The figures of this alert the timeline recorded last (idempotence, escalation's 'from')."""
    events = session.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.kind == "alert")
        .order_by(CaseEvent.id.desc())
    )
    for event in events:
        data = event.data or {}
        if data.get("alert_id") == alert.id and "severity" in data:
            return data
    return None


def _topics_event(session: Session, case: Case, alert: Alert, joined: list[int]) -> None:
    covers = wording(ALERT_COVERS, alert=alert.id, topics=topic_names(session, joined))
    _event(session, case, "alert", "system", spoken(covers), {**_alert_data(alert), **covers})


def topic_names(session: Session, topic_ids: Sequence[int]) -> list[str]:
    """Topic names in the given order (a deleted topic reads as its number)."""
    if not topic_ids:
        return []
    rows = session.scalars(select(Topic).where(Topic.id.in_(topic_ids))).all()
    by_id = {topic.id: topic.name for topic in rows}
    return [by_id.get(topic_id, f"topic #{topic_id}") for topic_id in topic_ids]


def _alert_data(alert: Alert) -> dict[str, Any]:
    return {
        "alert_id": alert.id,
        "severity": alert.severity,
        "risk_score": alert.risk_score,
        "topic_ids": alert.topic_ids,
        "factors": list(alert.factors or []),
    }


def _alert_event(
    session: Session,
    case: Case,
    alert: Alert,
    *,
    opening: bool,
    escalated_from: str | None = None,
) -> CaseEvent:
    figures = {
        "alert": alert.id,
        "severity": alert.severity,
        "risk": round(alert.risk_score),
        "explanation": alert.explanation,
    }
    if opening:
        said = wording(ALERT_AT, **figures)
    elif escalated_from:
        said = wording(ALERT_ESCALATED, was=escalated_from, **figures)
    else:
        said = wording(ALERT_NOW, **figures)
    return _event(session, case, "alert", "system", spoken(said), {**_alert_data(alert), **said})


def record_triage(session: Session, alert: Alert, actor: str) -> CaseEvent | None:
    """Write an alert's acknowledgement, resolution or noise verdict on its case, if it has one."""
    case = case_for_alert(session, alert.id)
    if case is None or alert.status not in TRIAGED:
        return None
    said = wording(TRIAGED[alert.status], alert=alert.id, actor=actor)
    event = _event(
        session,
        case,
        "alert",
        actor,
        spoken(said),
        {"alert_id": alert.id, "status": alert.status, **said},
    )
    case.updated_at = event.at
    session.flush()
    return event


def cases_for_alerts(session: Session, alert_ids: Sequence[int]) -> dict[int, Case]:
    """Each alert's case (the first one opened), for pages that link alerts to their cases."""
    if not alert_ids:
        return {}
    found: dict[int, Case] = {}
    rows = session.scalars(select(Case).where(Case.alert_id.in_(set(alert_ids))).order_by(Case.id))
    for case in rows:
        if case.alert_id is not None:
            found.setdefault(case.alert_id, case)
    return found


def change_status(
    session: Session,
    case_id: int,
    new_status: str,
    actor: str,
    *,
    workspace_id: int | None = None,
    note: str | None = None,
) -> Case:
    case = get_case(session, case_id, workspace_id=workspace_id)
    current = case.status
    clean_note = (note or "").strip() or None
    if current == "new" and new_status == "closed" and clean_note is None:
        # Nobody has looked into it yet: the timeline must say why it needs no response.
        raise InputError(
            f"closing case #{case.id} straight from new needs a note: say why it needs no "
            "response, e.g. 'false alarm: a competitor's campaign'"
        )
    if not can_move(current, new_status):
        options = ", ".join(allowed_next(current)) or "none"
        raise InvalidTransitionError(
            f"case #{case.id} cannot move from {current} to {new_status}; "
            f"allowed next states: {options}"
        )
    now = utcnow()
    case.status = new_status
    case.closed_at = now if new_status == "closed" else None
    case.updated_at = now
    text = describe_move(current, new_status).capitalize()
    if clean_note:
        text += f": {clean_note}"
    _event(
        session,
        case,
        "status",
        actor,
        text,
        {
            "from": current,
            "to": new_status,
            "note": clean_note,
            **move_wording(current, new_status, clean_note),
        },
    )
    session.flush()
    return case


def add_note(
    session: Session, case_id: int, text: str, actor: str, *, workspace_id: int | None = None
) -> CaseEvent:
    case = get_case(session, case_id, workspace_id=workspace_id)
    clean = text.strip()
    if not clean:
        raise InputError("a note needs some text; write what happened or what was decided")
    event = _event(session, case, "note", actor, clean, {})
    case.updated_at = event.at
    session.flush()
    return event


def add_posts(
    session: Session, case_id: int, post_ids: Sequence[int], actor: str, *, workspace_id: int
) -> int:
    """Puts stored posts on an open case's timeline (as its key posts are); a post already on
    the case is not added twice. Returns how many were added."""
    case = get_case(session, case_id, workspace_id=workspace_id)
    if case.status == "closed":
        raise InputError(f"case #{case.id} is closed; reopen it to add posts to it")
    present = {
        (event.data or {}).get("raw_post_id")
        for event in session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "post")
        )
    }
    added = 0
    posts = session.scalars(
        select(RawPost)
        .where(RawPost.workspace_id == workspace_id, RawPost.id.in_(list(post_ids)))
        .order_by(RawPost.created_at)
    )
    for post in posts:
        if post.id in present:
            continue
        data = {"raw_post_id": post.id, "url": post.url, "platform": post.platform}
        _event(session, case, "post", actor, excerpt(post.text, 280), data)
        added += 1
    if added:
        case.updated_at = utcnow()
    session.flush()
    return added


def add_task(
    session: Session,
    case_id: int,
    title: str,
    actor: str,
    *,
    assignee: str | None = None,
    due_at: datetime | None = None,
    workspace_id: int | None = None,
) -> Task:
    case = get_case(session, case_id, workspace_id=workspace_id)
    clean = title.strip()
    if not clean:
        raise InputError("a task needs a title, e.g. 'Draft holding statement'")
    if due_at is not None and due_at.tzinfo is None:
        raise InputError("the due time needs a timezone, e.g. 2024-05-07T18:00+02:00")
    task = Task(case_id=case.id, title=clean, assignee=assignee or None, due_at=due_at)
    session.add(task)
    session.flush()
    who = f" for {assignee}" if assignee else ""
    added = (
        wording(TASK_ADDED_FOR, task=task.id, assignee=assignee, title=clean)
        if assignee
        else wording(TASK_ADDED, task=task.id, title=clean)
    )
    _event(
        session,
        case,
        "task",
        actor,
        f"Task #{task.id} added{who}: {clean}",
        {**_task_data(task), **added},
    )
    session.flush()
    return task


def complete_task(
    session: Session, task_id: int, actor: str, *, workspace_id: int | None = None
) -> Task:
    """Marks a task done; completing it twice is harmless."""
    task = session.get(Task, task_id)
    case = session.get(Case, task.case_id) if task is not None else None
    if (
        task is None
        or case is None
        or (workspace_id is not None and case.workspace_id != workspace_id)
    ):
        raise NotFoundError(f"task #{task_id} not found; see a case's tasks with 'cases show ID'")
    if task.status == "done":
        return task
    task.status = "done"
    task.done_at = utcnow()
    done = wording(TASK_DONE, task=task.id, title=task.title)
    _event(
        session,
        case,
        "task",
        actor,
        f"Task #{task.id} done: {task.title}",
        {**_task_data(task), **done},
    )
    session.flush()
    return task


def _task_data(task: Task) -> dict[str, Any]:
    return {
        "task_id": task.id,
        "status": task.status,
        "assignee": task.assignee,
        "due_at": task.due_at.isoformat() if task.due_at else None,
    }


def _check_status(status: str) -> None:
    if status not in CASE_STATUSES:
        raise InputError(f"unknown case status {status!r}; use one of {', '.join(CASE_STATUSES)}")


def _event(
    session: Session, case: Case, kind: str, actor: str, text: str, data: dict[str, Any]
) -> CaseEvent:
    event = CaseEvent(case_id=case.id, at=utcnow(), kind=kind, actor=actor, text=text, data=data)
    session.add(event)
    return event
