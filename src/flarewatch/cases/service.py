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
from flarewatch.alerts.models import Alert
from flarewatch.alerts.service import alert_posts, get_alert
from flarewatch.cases.lifecycle import allowed_next, can_move, describe_move
from flarewatch.cases.models import CASE_STATUSES, Case, CaseEvent, Task
from flarewatch.db.base import utcnow
from flarewatch.errors import InputError, InvalidTransitionError, NotFoundError
from flarewatch.workspaces.models import Workspace

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
        status="new",
        severity=alert.severity,
        summary=alert.explanation,
        opened_by=actor,
        opened_at=now,
        updated_at=now,
    )
    session.add(case)
    session.flush()
    _event(session, case, "status", actor, f"Case opened from alert #{alert.id}", {"to": "new"})
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

    When the alert's group already has an open case, the case gets a timeline event instead of a
    sibling. Returns the cases that were opened.
    """
    threshold = _auto_threshold(workspace)
    opened: list[Case] = []
    for alert in alerts:
        if alert.workspace_id != workspace.id:
            continue
        current = _open_case_for_group(session, workspace.id, alert)
        if current is not None:
            if not _has_alert_event(session, current, alert):
                _alert_event(session, current, alert, opening=False)
                if severity_rank(alert.severity) > severity_rank(current.severity):
                    current.severity = alert.severity
            continue
        if threshold is None or severity_rank(alert.severity) < threshold:
            continue
        closed_own = case_for_alert(session, alert.id)
        if closed_own is not None:
            # Reopening is a person's call; the closed case still records the escalation.
            if not _has_alert_event(session, closed_own, alert):
                _alert_event(session, closed_own, alert, opening=False)
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
    return session.scalars(
        select(Case)
        .join(Alert, Case.alert_id == Alert.id)
        .where(
            Case.workspace_id == workspace_id,
            Case.status.in_(OPEN_CASE_STATUSES),
            Alert.group_key == alert.group_key,
        )
        .order_by(Case.id.desc())
        .limit(1)
    ).first()


def _has_alert_event(session: Session, case: Case, alert: Alert) -> bool:
    """Whether the timeline already shows this alert at its current severity (idempotence)."""
    events = session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "alert")
    )
    return any(
        (e.data or {}).get("alert_id") == alert.id
        and (e.data or {}).get("severity") == alert.severity
        for e in events
    )


def _alert_event(session: Session, case: Case, alert: Alert, *, opening: bool) -> CaseEvent:
    state = f"{alert.severity}" if opening else f"is now {alert.severity}"
    text = f"Alert #{alert.id} {state} (risk {alert.risk_score:.0f}): {alert.explanation}"
    return _event(
        session,
        case,
        "alert",
        "system",
        text,
        {
            "alert_id": alert.id,
            "severity": alert.severity,
            "risk_score": alert.risk_score,
            "factors": list(alert.factors or []),
        },
    )


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
    clean_note = (note or "").strip() or None
    if clean_note:
        text += f": {clean_note}"
    _event(
        session,
        case,
        "status",
        actor,
        text,
        {"from": current, "to": new_status, "note": clean_note},
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
    _event(session, case, "task", actor, f"Task #{task.id} added{who}: {clean}", _task_data(task))
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
    _event(session, case, "task", actor, f"Task #{task.id} done: {task.title}", _task_data(task))
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
