"""Changes made from the web (pages and API alike): permission check, service call, audit, commit.

Pages and the JSON API both go through these, so a rule or an audit entry cannot be present in
one front end and missing from the other.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from flarewatch.accounts import service as accounts
from flarewatch.accounts.permissions import Permission
from flarewatch.alerts.models import Alert
from flarewatch.cases import service as cases
from flarewatch.cases import triage
from flarewatch.cases.followup import ensure_watch
from flarewatch.cases.models import Case, CaseEvent, Task
from flarewatch.cases.people import set_owner, tell_assignee
from flarewatch.cases.triage import ALERT_ACTIONS
from flarewatch.errors import InputError
from flarewatch.mentions import inbox
from flarewatch.web.deps import WorkspaceAccess

# Alert statuses that closing a case can still resolve.
LIVE = ("open", "acknowledged")
# What the inbox's bulk bar (and POST /api/v1/workspaces/{slug}/mentions/bulk) can do.
BULK_ACTIONS = ("relevant", "not_relevant", "tag", "untag", "assign", "case")


def triage_alert(db: Session, access: WorkspaceAccess, alert_id: int, action: str) -> Alert:
    access.require(Permission.ALERT_TRIAGE)
    if action not in ALERT_ACTIONS:
        raise InputError(f"Unknown alert action '{action}'; use one of {', '.join(ALERT_ACTIONS)}.")
    alert = triage.triage_alert(
        db, alert_id, action, access.user.email, workspace_id=access.workspace.id
    )
    accounts.record_audit(
        db,
        access.user,
        f"alert.{action}",
        workspace_id=access.workspace.id,
        target_type="alert",
        target_id=alert.id,
        details={"status": alert.status},
    )
    db.commit()
    return alert


def open_case(db: Session, access: WorkspaceAccess, alert_id: int) -> Case:
    access.require(Permission.CASE_EDIT)
    case = cases.open_case_from_alert(
        db, alert_id, access.user.email, workspace_id=access.workspace.id
    )
    accounts.record_audit(
        db,
        access.user,
        "case.open",
        workspace_id=access.workspace.id,
        target_type="case",
        target_id=case.id,
        details={"alert_id": alert_id},
    )
    db.commit()
    return case


def change_case_status(
    db: Session,
    access: WorkspaceAccess,
    case_id: int,
    status: str,
    note: str | None = None,
    *,
    resolve_alert: bool = False,
) -> Case:
    """`resolve_alert` with a move to closed also resolves the case's alert, if still live."""
    access.require(Permission.CASE_EDIT)
    if resolve_alert and status == "closed":
        access.require(Permission.ALERT_TRIAGE)
    case = cases.change_status(
        db,
        case_id,
        status,
        access.user.email,
        workspace_id=access.workspace.id,
        note=(note or "").strip() or None,
    )
    ensure_watch(db, case)  # moving to monitoring starts the follow-up watch
    accounts.record_audit(
        db,
        access.user,
        "case.status",
        workspace_id=access.workspace.id,
        target_type="case",
        target_id=case_id,
        details={"status": status},
    )
    alert = db.get(Alert, case.alert_id) if case.alert_id is not None else None
    if resolve_alert and status == "closed" and alert is not None and alert.status in LIVE:
        triage.triage_alert(
            db, alert.id, "resolve", access.user.email, workspace_id=access.workspace.id
        )
        accounts.record_audit(
            db,
            access.user,
            "alert.resolve",
            workspace_id=access.workspace.id,
            target_type="alert",
            target_id=alert.id,
            details={"status": alert.status, "with_case": case.id},
        )
    db.commit()
    return case


def set_case_owner(db: Session, access: WorkspaceAccess, case_id: int, owner: str) -> Case:
    """The case's owner: a member of the workspace (by e-mail), or nobody (empty)."""
    access.require(Permission.CASE_EDIT)
    case = set_owner(
        db, case_id, owner.strip() or None, access.user.email, workspace_id=access.workspace.id
    )
    accounts.record_audit(
        db,
        access.user,
        "case.owner",
        workspace_id=access.workspace.id,
        target_type="case",
        target_id=case_id,
        details={"owner": case.owner},
    )
    db.commit()
    return case


def add_case_note(db: Session, access: WorkspaceAccess, case_id: int, text: str) -> CaseEvent:
    access.require(Permission.CASE_NOTE)
    if not text.strip():
        raise InputError("The note is empty; write what happened or what was decided.")
    event = cases.add_note(
        db, case_id, text.strip(), access.user.email, workspace_id=access.workspace.id
    )
    accounts.record_audit(
        db,
        access.user,
        "case.note",
        workspace_id=access.workspace.id,
        target_type="case",
        target_id=case_id,
        details={"length": len(text.strip())},
    )
    db.commit()
    return event


def add_case_task(
    db: Session,
    access: WorkspaceAccess,
    case_id: int,
    title: str,
    *,
    assignee: str | None = None,
    due_at: datetime | None = None,
) -> Task:
    access.require(Permission.CASE_EDIT)
    if due_at is not None and due_at.tzinfo is None:
        raise InputError("The due date needs a timezone offset, e.g. 2030-01-02T09:00+02:00.")
    if not title.strip():
        raise InputError("The task needs a title, e.g. 'Draft a holding statement'.")
    # Someone who can see the case and be told about it: a member, named by e-mail.
    who = (assignee or "").strip()
    member = accounts.member_by_email(db, access.workspace.id, who) if who else None
    task = cases.add_task(
        db,
        case_id,
        title.strip(),
        access.user.email,
        assignee=member.email if member is not None else None,
        due_at=due_at,
        workspace_id=access.workspace.id,
    )
    accounts.record_audit(
        db,
        access.user,
        "case.task",
        workspace_id=access.workspace.id,
        target_type="case",
        target_id=case_id,
        details={"task_id": task.id, "title": task.title},
    )
    if member is not None:
        link = f"/w/{access.workspace.slug}/cases/{case_id}#tasks"
        tell_assignee(db, task, member, access.user.email, link)
    db.commit()
    return task


def complete_case_task(db: Session, access: WorkspaceAccess, task_id: int) -> Task:
    access.require(Permission.CASE_EDIT)
    task = cases.complete_task(db, task_id, access.user.email, workspace_id=access.workspace.id)
    accounts.record_audit(
        db,
        access.user,
        "case.task_done",
        workspace_id=access.workspace.id,
        target_type="case",
        target_id=task.case_id,
        details={"task_id": task.id},
    )
    db.commit()
    return task


def bulk_posts(
    db: Session,
    access: WorkspaceAccess,
    action: str,
    ids: list[int],
    *,
    tag: str = "",
    assignee: str | None = None,
    case_id: int | None = None,
) -> inbox.BulkResult:
    """One action on the selected posts: relevance, tag, untag, assign or add to a case.

    Triage (analysts and up) may act on posts; a relevance mark trains the workspace's filter,
    so it needs the role that edits topics; adding to a case edits the case."""
    access.require(Permission.ALERT_TRIAGE)
    ws_id, actor = access.workspace.id, access.user.email
    if action in ("relevant", "not_relevant"):
        access.require(Permission.TOPIC_EDIT)
        result = inbox.mark_posts(db, ws_id, ids, action == "relevant", access.user)
    elif action == "tag":
        result = inbox.tag_posts(db, ws_id, ids, tag, actor)
    elif action == "untag":
        result = inbox.untag_posts(db, ws_id, ids, tag, actor)
    elif action == "assign":
        result = inbox.assign_posts(db, ws_id, ids, assignee or None, actor)
    elif action == "case":
        access.require(Permission.CASE_EDIT)
        if case_id is None:
            raise InputError("Choose the case to add the selected posts to (case_id).")
        result = inbox.add_to_case(db, ws_id, ids, case_id, actor)
    else:
        raise InputError(f"Unknown action {action!r}; use one of {', '.join(BULK_ACTIONS)}.")
    db.commit()
    return result
