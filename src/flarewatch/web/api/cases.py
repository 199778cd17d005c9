"""API: cases, their timeline and tasks."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from flarewatch.alerts.models import Alert
from flarewatch.cases import service as cases
from flarewatch.cases.models import Task
from flarewatch.errors import NotFoundError
from flarewatch.web import actions
from flarewatch.web.api.schemas import (
    CHANGE,
    READ,
    AlertOut,
    CaseDetailOut,
    CaseEventOut,
    CaseOut,
    NoteIn,
    OwnerIn,
    StatusIn,
    TaskIn,
    TaskOut,
)
from flarewatch.web.deps import WorkspaceAccess, get_db, workspace_access
from flarewatch.web.params import CaseId, CaseStatus, TaskId

router = APIRouter(tags=["cases"])


@router.get("/workspaces/{slug}/cases", response_model=list[CaseOut], responses=READ)
def list_cases(
    status: CaseStatus | None = None,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> list[Any]:
    return cases.list_cases(db, access.workspace.id, status=status)


@router.get("/workspaces/{slug}/cases/{case_id}", response_model=CaseDetailOut, responses=READ)
def get_case(
    case_id: CaseId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> CaseDetailOut:
    case = cases.get_case(db, case_id, workspace_id=access.workspace.id)
    events = cases.timeline(db, case.id, workspace_id=access.workspace.id)
    tasks = cases.tasks(db, case.id, workspace_id=access.workspace.id)
    return CaseDetailOut.model_validate(
        {
            **CaseOut.model_validate(case).model_dump(),
            "alert": AlertOut.model_validate(db.get(Alert, case.alert_id))
            if case.alert_id is not None
            else None,
            "timeline": [CaseEventOut.model_validate(e) for e in events],
            "tasks": [TaskOut.model_validate(t) for t in tasks],
        }
    )


@router.post("/workspaces/{slug}/cases/{case_id}/status", response_model=CaseOut, responses=CHANGE)
def change_status(
    case_id: CaseId,
    body: StatusIn,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Any:
    return actions.change_case_status(
        db, access, case_id, body.status, body.note, resolve_alert=body.resolve_alert
    )


@router.post("/workspaces/{slug}/cases/{case_id}/owner", response_model=CaseOut, responses=CHANGE)
def set_owner(
    case_id: CaseId,
    body: OwnerIn,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Any:
    """Sets the case's owner to a member of the workspace, or clears it."""
    return actions.set_case_owner(db, access, case_id, body.owner or "")


@router.post(
    "/workspaces/{slug}/cases/{case_id}/notes",
    response_model=CaseEventOut,
    status_code=201,
    responses=CHANGE,
)
def add_note(
    case_id: CaseId,
    body: NoteIn,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Any:
    return actions.add_case_note(db, access, case_id, body.text)


@router.post(
    "/workspaces/{slug}/cases/{case_id}/tasks",
    response_model=TaskOut,
    status_code=201,
    responses=CHANGE,
)
def add_task(
    case_id: CaseId,
    body: TaskIn,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Any:
    return actions.add_case_task(
        db, access, case_id, body.title, assignee=body.assignee, due_at=body.due_at
    )


@router.post(
    "/workspaces/{slug}/cases/{case_id}/tasks/{task_id}/complete",
    response_model=TaskOut,
    responses=CHANGE,
)
def complete_task(
    case_id: CaseId,
    task_id: TaskId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Any:
    task = db.get(Task, task_id)
    if task is None or task.case_id != case_id:
        raise NotFoundError(f"Task {task_id} is not part of case {case_id}.")
    return actions.complete_case_task(db, access, task_id)
