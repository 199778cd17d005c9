"""Cases: list, the case page with its timeline and tasks, and the changes made there."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from flarewatch.accounts import service as accounts
from flarewatch.alerts.models import Alert
from flarewatch.cases import service as cases
from flarewatch.cases.models import CASE_STATUSES, Task
from flarewatch.cases.timeline import only_kinds
from flarewatch.comms.contact.pages import contact_context
from flarewatch.comms.drafts_pages import case_drafts_context
from flarewatch.comms.public_page.manage import section_context as public_page_section
from flarewatch.comms.stakeholders.web import section_context as stakeholder_sections
from flarewatch.errors import InputError, NotFoundError
from flarewatch.i18n.formatting import zone
from flarewatch.web import actions
from flarewatch.web.case_response import response_context
from flarewatch.web.case_room import room_context
from flarewatch.web.deps import WorkspaceAccess, get_db, workspace_access
from flarewatch.web.pages import back_to, page
from flarewatch.web.params import CaseId, TaskId
from flarewatch.web.security import check_csrf

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/w/{slug}/cases")
def case_list(
    request: Request,
    status: str | None = None,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    status = status if status in CASE_STATUSES else None
    rows = cases.list_cases(db, access.workspace.id, status=status)
    return page(
        request,
        db,
        "cases.html",
        access=access,
        cases=rows,
        status=status,
        statuses=CASE_STATUSES,
    )


@router.get("/w/{slug}/cases/{case_id}")
def case_page(
    request: Request,
    case_id: CaseId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    case = cases.get_case(db, case_id, workspace_id=access.workspace.id)
    # The alert as it is now, not as it was when the case was opened: a case follows its alert.
    alert = db.get(Alert, case.alert_id) if case.alert_id is not None else None
    kinds = [k for k in request.query_params.getlist("kind") if k]
    task_rows = cases.tasks(db, case.id, workspace_id=access.workspace.id)
    return page(
        request,
        db,
        "case.html",
        access=access,
        case=case,
        alert=alert,
        topics=cases.topic_names(db, alert.topic_ids) if alert is not None else [],
        events=only_kinds(cases.timeline(db, case.id, workspace_id=access.workspace.id), kinds),
        tasks=task_rows,
        statuses=CASE_STATUSES,
        members=[user for user, _ in accounts.members_of(db, access.workspace.id)],
        room=response_context(db, case),
        stakeholders=stakeholder_sections(db, case),
        contact=contact_context(db, access, case, request),
        case_drafts=case_drafts_context(db, case),
        public=public_page_section(db, case.id, access.workspace.id),
        **room_context(db, access, case, task_rows, kinds),
    )


def _case_url(access: WorkspaceAccess, case_id: int) -> str:
    return f"/w/{access.workspace.slug}/cases/{case_id}"


@router.post("/w/{slug}/cases/{case_id}/status", dependencies=[Depends(check_csrf)])
def case_status(
    case_id: CaseId,
    status: str = Form(...),
    note: str = Form(""),
    resolve_alert: bool = Form(False),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    """A move of the case; closing it may also resolve its alert (the form offers it)."""
    actions.change_case_status(db, access, case_id, status, note, resolve_alert=resolve_alert)
    return back_to(_case_url(access, case_id))


@router.post("/w/{slug}/cases/{case_id}/owner", dependencies=[Depends(check_csrf)])
def case_owner(
    case_id: CaseId,
    owner: str = Form(""),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    actions.set_case_owner(db, access, case_id, owner)
    return back_to(_case_url(access, case_id))


@router.post("/w/{slug}/cases/{case_id}/notes", dependencies=[Depends(check_csrf)])
def case_note(
    case_id: CaseId,
    text: str = Form(""),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    actions.add_case_note(db, access, case_id, text)
    return back_to(_case_url(access, case_id) + "#timeline")


@router.post("/w/{slug}/cases/{case_id}/tasks", dependencies=[Depends(check_csrf)])
def case_task(
    case_id: CaseId,
    title: str = Form(""),
    assignee: str = Form(""),
    due: str = Form(""),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    due_at = None
    if due.strip():
        try:
            # A datetime-local field is in the reader's zone; store UTC like everything else.
            local = datetime.fromisoformat(due.strip())
        except ValueError:
            raise InputError("The due date is not a date; pick one in the date field.") from None
        due_at = local.replace(tzinfo=zone(access.user.timezone or access.workspace.timezone))
    actions.add_case_task(db, access, case_id, title, assignee=assignee, due_at=due_at)
    return back_to(_case_url(access, case_id) + "#tasks")


@router.post("/w/{slug}/cases/{case_id}/tasks/{task_id}/done", dependencies=[Depends(check_csrf)])
def case_task_done(
    case_id: CaseId,
    task_id: TaskId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    task = db.get(Task, task_id)
    if task is None or task.case_id != case_id:
        raise NotFoundError(f"Task {task_id} is not part of case {case_id}.")
    actions.complete_case_task(db, access, task_id)
    return back_to(_case_url(access, case_id) + "#tasks")
