"""API: the case room — a case's post-mortem (HTML or PDF), its lessons-learned fields and its
follow-up watch with the figures before, during and after the response."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from flarewatch.cases import service as cases
from flarewatch.cases.followup import current_watch, phases
from flarewatch.cases.postmortem.review import MAX_FIELD, review_of
from flarewatch.cases.routing import room_setup, routings, type_name
from flarewatch.web import case_response
from flarewatch.web.api.schemas import CHANGE, READ, Text
from flarewatch.web.deps import WorkspaceAccess, get_db, workspace_access
from flarewatch.web.params import MAX_DB_INT, CaseId

router = APIRouter(tags=["cases"])
RoutingId = Annotated[int, Path(ge=1, le=MAX_DB_INT, description="The routing request's id.")]


class ReviewOut(BaseModel):
    went_well: str = Field(description="What went well.")
    to_improve: str = Field(description="What to improve.")
    lessons: str = Field(description="Lessons learned.")
    compensation: str = Field(description="Compensation offered to the people affected.")


class WatchOut(BaseModel):
    status: Literal["watching", "relapsed", "ended"]
    started_at: datetime
    until: datetime
    ended_at: datetime | None
    checked_at: datetime | None
    topic_ids: list[int]
    story_keys: list[str]
    author_ids: list[int]
    settled: dict[str, Any] = Field(
        description="The level the story settled to: story_posts, posts, negative_share, hours."
    )
    relapse: dict[str, Any] | None = Field(description="What rose, with its figures.")
    relapse_alert_id: int | None


class PhaseOut(BaseModel):
    key: Literal["before", "during", "after"]
    start: datetime
    end: datetime
    posts: int
    per_hour: float
    negative_share: float
    reach: float


class FollowupOut(BaseModel):
    watch: WatchOut | None = Field(description="The latest follow-up watch; null before any.")
    phases: list[PhaseOut]


class RoutingIn(BaseModel):
    # Checked by the service after the case (a foreign case is 404 whatever the body says);
    # an empty or unknown type is refused there with the workspace's types listed.
    case_type: Text = Field("", max_length=64, description="A case type key of the workspace.")
    note: Text | None = Field(None, max_length=20_000, description="What to check, sent first.")


class FindingsIn(BaseModel):
    # Checked after the case, like RoutingIn.case_type: empty findings are refused there.
    findings: Text = Field("", max_length=20_000, description="What the owner found out.")


class RoutingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    case_id: int
    case_type: str
    owner_key: str
    owner_name: str
    facts: str
    post_ids: list[int]
    sent: list[dict[str, Any]] = Field(description="Each contact tried: channel, ok, error.")
    status: Literal["requested", "escalated", "answered"]
    requested_by: str
    requested_at: datetime
    answer_by: datetime
    escalated_at: datetime | None
    answered_by: str | None
    answered_at: datetime | None
    findings: str | None


class CaseTypeOut(BaseModel):
    key: str
    name: str
    owner: str | None
    answer_within_minutes: int


class RoleOut(BaseModel):
    role: str
    name: str
    person: str | None = Field(description="The member who holds the role now; null: nobody.")
    assigned_by: str | None
    assigned_at: datetime | None
    rule: str | None = Field(description="The rule that assigned it; null: by hand.")
    open_tasks: int = Field(description="Open tasks from the role's checklist.")


class RoleIn(BaseModel):
    person: Text | None = Field(None, max_length=200, description="A member's e-mail; null clears.")


class ReviewIn(BaseModel):
    """Only the fields sent change; an empty string clears a field."""

    went_well: Text | None = Field(None, max_length=MAX_FIELD)
    to_improve: Text | None = Field(None, max_length=MAX_FIELD)
    lessons: Text | None = Field(None, max_length=MAX_FIELD)
    compensation: Text | None = Field(None, max_length=MAX_FIELD)


@router.get(
    "/workspaces/{slug}/cases/{case_id}/postmortem",
    responses={
        **READ,
        200: {
            "content": {"text/html": {}, "application/pdf": {}},
            "description": "The post-mortem as a file.",
        },
    },
    response_class=Response,
)
def get_postmortem(
    case_id: CaseId,
    format: Literal["html", "pdf"] = Query("pdf", description="html or pdf."),
    language: Literal["en", "he", "pl"] = Query("en", description="The report's language."),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    """The case's post-mortem: first mention to recovery, response times, goals, charts,
    what was done, compensation, lessons learned and follow-up tasks."""
    return case_response.postmortem_file(db, access, case_id, format, language)


@router.get("/workspaces/{slug}/cases/{case_id}/review", response_model=ReviewOut, responses=READ)
def get_review(
    case_id: CaseId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> ReviewOut:
    case = cases.get_case(db, case_id, workspace_id=access.workspace.id)
    return ReviewOut.model_validate(review_of(db, case.id))


@router.put("/workspaces/{slug}/cases/{case_id}/review", response_model=ReviewOut, responses=CHANGE)
def put_review(
    case_id: CaseId,
    body: ReviewIn,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> ReviewOut:
    """Saves the lessons-learned fields sent; each change is a line on the case's timeline."""
    values = body.model_dump(exclude_none=True)
    return ReviewOut.model_validate(case_response.update_review(db, access, case_id, values))


@router.get(
    "/workspaces/{slug}/cases/{case_id}/followup", response_model=FollowupOut, responses=READ
)
def get_followup(
    case_id: CaseId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> FollowupOut:
    """The case's follow-up watch (started by moving it to monitoring) and its volume,
    negative share and reach before, during and after the response."""
    case = cases.get_case(db, case_id, workspace_id=access.workspace.id)
    watch = current_watch(db, case.id)
    return FollowupOut(
        watch=WatchOut.model_validate(watch, from_attributes=True) if watch else None,
        phases=[PhaseOut.model_validate(p, from_attributes=True) for p in phases(db, case)],
    )


@router.get("/workspaces/{slug}/case-types", response_model=list[CaseTypeOut], responses=READ)
def list_case_types(access: WorkspaceAccess = Depends(workspace_access)) -> list[CaseTypeOut]:
    """The workspace's case types and the owner each routes to (built-in ones without a file)."""
    setup = room_setup(access.workspace)
    return [
        CaseTypeOut(
            key=t.key,
            name=type_name(t),
            owner=t.owner,
            answer_within_minutes=t.answer_within_minutes,
        )
        for t in setup.case_types
    ]


@router.get(
    "/workspaces/{slug}/cases/{case_id}/routing", response_model=list[RoutingOut], responses=READ
)
def list_routing(
    case_id: CaseId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> list[Any]:
    case = cases.get_case(db, case_id, workspace_id=access.workspace.id)
    return routings(db, case.id)


@router.post(
    "/workspaces/{slug}/cases/{case_id}/routing",
    response_model=RoutingOut,
    status_code=201,
    responses=CHANGE,
)
def create_routing(
    case_id: CaseId,
    body: RoutingIn,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Any:
    """Sends the case's key facts and posts to the owner of the case type, on each contact."""
    return case_response.route(db, access, case_id, body.case_type, body.note)


@router.post(
    "/workspaces/{slug}/cases/{case_id}/routing/{routing_id}/findings",
    response_model=RoutingOut,
    responses=CHANGE,
)
def add_findings(
    case_id: CaseId,
    routing_id: RoutingId,
    body: FindingsIn,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Any:
    """Records what the owner found out; it goes on the case's timeline."""
    return case_response.findings(db, access, case_id, routing_id, body.findings)


def _roles(db: Session, case_id: int, workspace_id: int) -> list[RoleOut]:
    case = cases.get_case(db, case_id, workspace_id=workspace_id)
    return [
        RoleOut(
            role=key,
            name=name,
            person=holder.person if holder else None,
            assigned_by=holder.assigned_by if holder else None,
            assigned_at=holder.assigned_at if holder else None,
            rule=holder.rule if holder else None,
            open_tasks=open_tasks,
        )
        for key, name, _, holder, open_tasks in case_response.role_rows(db, case)
    ]


@router.get(
    "/workspaces/{slug}/cases/{case_id}/roles", response_model=list[RoleOut], responses=READ
)
def list_roles(
    case_id: CaseId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> list[RoleOut]:
    """Every role of the workspace with who holds it on this case now."""
    return _roles(db, case_id, access.workspace.id)


@router.put(
    "/workspaces/{slug}/cases/{case_id}/roles/{role}",
    response_model=list[RoleOut],
    responses=CHANGE,
)
def put_role(
    case_id: CaseId,
    role: Annotated[str, Path(max_length=64, description="The role's key.")],
    body: RoleIn,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> list[RoleOut]:
    """Gives the role to a member (its checklist becomes their tasks) or clears it."""
    case_response.set_role(db, access, case_id, role, body.person)
    return _roles(db, case_id, access.workspace.id)


@router.post(
    "/workspaces/{slug}/cases/{case_id}/roles/apply",
    response_model=list[RoleOut],
    responses=CHANGE,
)
def apply_role_rules(
    case_id: CaseId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> list[RoleOut]:
    """Fills the roles nobody holds from the workspace's [[role_rules]]."""
    case_response.roles_by_rule(db, access, case_id)
    return _roles(db, case_id, access.workspace.id)
