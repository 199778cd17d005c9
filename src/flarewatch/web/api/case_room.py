"""API: the case room — who started it (originator), playbooks applied to a case, goals,
public answers, and the timeline filtered by kind as JSON or CSV."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from flarewatch.cases import goals as case_goals
from flarewatch.cases import timeline as case_timeline
from flarewatch.cases.originator import originator_view
from flarewatch.cases.service import get_case
from flarewatch.playbooks import service as playbooks
from flarewatch.web import case_room
from flarewatch.web.api.schemas import CHANGE, READ, CaseEventOut, Text
from flarewatch.web.deps import WorkspaceAccess, get_db, workspace_access
from flarewatch.web.params import CaseId

router = APIRouter(tags=["cases"])


class ApplyIn(BaseModel):
    playbook: Text = Field(min_length=1, description="The playbook's key (GET …/playbooks).")
    language: Literal["en", "he", "pl"] | None = Field(
        None, description="Language of the tasks' titles; default: the workspace's first."
    )


class AppliedOut(BaseModel):
    key: str
    version: int
    origin: str = Field(description="shipped, or workspace (the workspace's own version).")
    title: dict[str, str]
    steps: list[dict[str, Any]] = Field(
        description="Each step: stage, task_id, due_minutes (after the case opened), title by "
        "language."
    )
    applied_by: str
    applied_at: datetime


class GoalIn(BaseModel):
    kind: Literal["first_response", "negative_share", "volume_baseline"]
    within_minutes: int = Field(gt=0, le=60 * 24 * 90, description="From the case's start.")
    target: float | None = Field(
        None, gt=0, lt=1, description="negative_share only: the share to stay under, e.g. 0.2."
    )


class GoalOut(BaseModel):
    id: int
    kind: str
    target: float | None
    within_minutes: int
    playbook: str | None
    deadline: datetime
    state: str = Field(description="met, missed or pending.")
    at: datetime | None = Field(description="When it was met; the deadline when missed or pending.")
    value: float | None = Field(
        description="The latest measure: minutes to the answer, negative share, or mentions in "
        "the last hour."
    )


class AnswerIn(BaseModel):
    where: Text = Field(min_length=1, description="Where the public answer is, e.g. its link.")
    at: datetime | None = Field(None, description="When it was published; default: now.")


@router.get(
    "/workspaces/{slug}/cases/{case_id}/originator", response_model=dict[str, Any], responses=READ
)
def originator(
    case_id: CaseId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """The story's first post and author, their other posts and platforms, the cascade of
    replies, shares and copies, the most influential participants and the grievance."""
    case = get_case(db, case_id, workspace_id=access.workspace.id)
    return originator_view(db, case).as_dict()


@router.get(
    "/workspaces/{slug}/cases/{case_id}/playbooks",
    response_model=list[AppliedOut],
    responses=READ,
)
def applied_playbooks(
    case_id: CaseId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> list[AppliedOut]:
    case = get_case(db, case_id, workspace_id=access.workspace.id)
    return [
        AppliedOut.model_validate(row, from_attributes=True)
        for row in playbooks.case_playbooks(db, case.id)
    ]


@router.post(
    "/workspaces/{slug}/cases/{case_id}/playbooks",
    response_model=AppliedOut,
    status_code=201,
    responses=CHANGE,
)
def apply_playbook(
    case_id: CaseId,
    body: ApplyIn,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> AppliedOut:
    """Applies the workspace's newest version of a playbook: its steps become tasks due
    relative to the case's start, its goals the case's goals."""
    row = case_room.apply_playbook(db, access, case_id, body.playbook, body.language)
    return AppliedOut.model_validate(row, from_attributes=True)


@router.get(
    "/workspaces/{slug}/cases/{case_id}/goals", response_model=list[GoalOut], responses=READ
)
def goals(
    case_id: CaseId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> list[GoalOut]:
    """Each goal met, missed or pending, judged now from the stored mentions and timeline."""
    case = get_case(db, case_id, workspace_id=access.workspace.id)
    return [GoalOut(**state.as_dict()) for state in case_goals.goal_states(db, case)]


@router.post(
    "/workspaces/{slug}/cases/{case_id}/goals",
    response_model=GoalOut,
    status_code=201,
    responses=CHANGE,
)
def set_goal(
    case_id: CaseId,
    body: GoalIn,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> GoalOut:
    """Adds a goal or changes the case's goal of that kind."""
    goal = case_room.set_goal(db, access, case_id, body.kind, body.within_minutes, body.target)
    case = get_case(db, case_id, workspace_id=access.workspace.id)
    state = next(s for s in case_goals.goal_states(db, case) if s.id == goal.id)
    return GoalOut(**state.as_dict())


@router.post(
    "/workspaces/{slug}/cases/{case_id}/answers",
    response_model=CaseEventOut,
    status_code=201,
    responses=CHANGE,
)
def record_answer(
    case_id: CaseId,
    body: AnswerIn,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Any:
    """Records a public answer (a `response` timeline entry; the first-answer goal counts it)."""
    return case_room.record_answer(db, access, case_id, body.where, body.at)


@router.get(
    "/workspaces/{slug}/cases/{case_id}/timeline",
    response_model=list[CaseEventOut],
    responses={**READ, 200: {"content": {"text/csv": {}}}},
)
def timeline(
    case_id: CaseId,
    kind: list[str] = Query(default=[], description="Only these kinds (repeat the parameter)."),
    format: Literal["json", "csv"] = Query("json", description="json, or csv to export."),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Any:
    """The case's timeline oldest first, filtered by kind; `format=csv` downloads it as CSV."""
    events = case_timeline.case_timeline(db, case_id, kind, workspace_id=access.workspace.id)
    if format == "csv":
        return Response(
            case_timeline.to_csv(events),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="case-{case_id}-timeline.csv"'},
        )
    return [CaseEventOut.model_validate(e) for e in events]
