"""API: a case's stakeholder-update schedule and "send now"; the workspace's advocates and
briefing them on a case with approved facts."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from flarewatch.comms.advocates import service as advocates
from flarewatch.comms.stakeholders import service
from flarewatch.comms.stakeholders import web as actions
from flarewatch.web.api.schemas import CHANGE, READ, Text
from flarewatch.web.deps import WorkspaceAccess, get_db, workspace_access
from flarewatch.web.params import CaseId

router = APIRouter(tags=["cases"])


class UpdateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    case_id: int
    audience: str
    due_at: datetime
    sent_at: datetime
    trigger: Literal["schedule", "manual"]
    actor: str
    severity: str
    status: Literal["sent", "failed"] = Field(description="sent: at least one route took it.")
    results: dict[str, Any] = Field(
        description="Per route label (route:NAME, person:KEY#N, url#N): status, error, language."
    )
    figures: dict[str, Any] = Field(description="posts, negative and reach since the last one.")


class ScheduleOut(BaseModel):
    audience: str
    every_minutes: int | None = Field(description="At the case's severity; null: no updates.")
    due_at: datetime | None = Field(description="The next due moment; null: none scheduled.")
    last: UpdateOut | None


class SendIn(BaseModel):
    audience: Text | None = Field(
        None, max_length=64, description="One audience; null sends every audience's update."
    )


class AdvocateOut(BaseModel):
    key: str
    name: str
    handles: list[str]
    contact: str = Field(description="by_hand, or how they are reached (mailto, route…).")
    languages: list[str]
    topics: list[str]


class CaseAdvocatesOut(BaseModel):
    matching: list[str] = Field(description="Keys of the advocates a briefing picks by default.")
    briefings: list[BriefingOut]


class BriefingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    case_id: int
    advocate: str
    facts: list[dict[str, int]] = Field(description="The drafts and locked versions sent.")
    language: str
    status: Literal["sent", "by_hand", "failed"]
    error: str | None
    task_id: int | None
    actor: str
    at: datetime


CaseAdvocatesOut.model_rebuild()


class BriefIn(BaseModel):
    # Checked by the service after the case (a foreign case is 404 whatever the body says):
    # an empty list is refused there, saying what to send.
    drafts: list[int] = Field(
        default_factory=list,
        max_length=50,
        description="Approved drafts of the case, their text the facts.",
    )
    advocates: list[Text] | None = Field(
        None, max_length=200, description="Advocate keys; null: those matching the case."
    )


@router.get(
    "/workspaces/{slug}/cases/{case_id}/stakeholder-updates",
    response_model=list[ScheduleOut],
    responses=READ,
)
def get_schedule(
    case_id: CaseId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> list[ScheduleOut]:
    """Each audience's last update and next due moment for the case."""
    case = actions.case_of(db, access, case_id)
    return [
        ScheduleOut(
            audience=s.audience,
            every_minutes=s.every_minutes,
            due_at=s.due_at,
            last=UpdateOut.model_validate(s.last) if s.last else None,
        )
        for s in service.schedule(db, case)
    ]


@router.post(
    "/workspaces/{slug}/cases/{case_id}/stakeholder-updates",
    response_model=list[UpdateOut],
    responses=CHANGE,
)
def post_send_now(
    case_id: CaseId,
    body: SendIn,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> list[UpdateOut]:
    """Sends the case's update now, out of cadence (409 on a closed case)."""
    rows = actions.send_updates(db, access, case_id, body.audience)
    return [UpdateOut.model_validate(r) for r in rows]


@router.get("/workspaces/{slug}/advocates", response_model=list[AdvocateOut], responses=READ)
def list_advocates(access: WorkspaceAccess = Depends(workspace_access)) -> list[AdvocateOut]:
    """The workspace's advocates (from its workspace file)."""
    return [
        AdvocateOut(
            key=a.key,
            name=a.name,
            handles=list(a.handles),
            contact=actions.contact_kind(a.contact),
            languages=list(a.languages),
            topics=list(a.topics),
        )
        for a in advocates.advocates_of(access.workspace)
    ]


@router.get(
    "/workspaces/{slug}/cases/{case_id}/advocates", response_model=CaseAdvocatesOut, responses=READ
)
def get_case_advocates(
    case_id: CaseId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> CaseAdvocatesOut:
    """Who a briefing on this case picks by default, and the briefings so far (newest first)."""
    case = actions.case_of(db, access, case_id)
    return CaseAdvocatesOut(
        matching=[a.key for a in advocates.matching_advocates(db, case)],
        briefings=[BriefingOut.model_validate(b) for b in advocates.briefings(db, case.id)],
    )


@router.post(
    "/workspaces/{slug}/cases/{case_id}/advocate-briefings",
    response_model=list[BriefingOut],
    responses=CHANGE,
)
def post_briefing(
    case_id: CaseId,
    body: BriefIn,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> list[BriefingOut]:
    """Briefs advocates with the approved text of the drafts named; a draft whose current text
    is not approved is refused with 409 and nothing is sent."""
    rows = actions.brief(db, access, case_id, list(body.drafts), list(body.advocates or []))
    return [BriefingOut.model_validate(r) for r in rows]
