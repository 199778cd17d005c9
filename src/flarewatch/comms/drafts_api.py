"""API: a case's drafts and their approval, under /api/v1/workspaces/{slug}/cases/{case_id}/drafts
(docs/communication.md, "API").

The approval gate cannot be bypassed here: no body has a status or approved-version field (an
unknown field is refused, 422), and a draft is approved only by its approvers' decisions
(comms/approvals.py). Reading needs membership; the changes are checked in comms/
draft_actions.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from flarewatch.comms import draft_actions, drafts
from flarewatch.comms.draft_actions import DraftView, NewDraft
from flarewatch.comms.models import Draft
from flarewatch.web.api.schemas import CHANGE, JSON_SAFE_INT, READ, Text
from flarewatch.web.case_guard import case_in_path
from flarewatch.web.deps import WorkspaceAccess, get_db, workspace_access
from flarewatch.web.params import MAX_DB_INT, CaseId

router = APIRouter(tags=["drafts"])
DraftId = Annotated[int, Path(ge=1, le=MAX_DB_INT, description="The draft's id.")]
BASE = "/workspaces/{slug}/cases/{case_id}/drafts"

Platform = Literal["x", "bluesky", "mastodon", "facebook", "instagram", "email", "sms"]
Kind = Literal["statement", "reply", "update", "private_message"]
Audience = Literal["customers", "employees", "press", "regulators", "partners"]
Stage = Literal["containment", "responsibility", "actions", "compensation", "follow_up"]
DraftText = Annotated[Text, Field(min_length=1, max_length=drafts.MAX_DRAFT_CHARS)]
Comment = Annotated[Text, Field(max_length=5_000)]


class _In(BaseModel):
    # An unknown field (status, approved_version, …) is refused (422), never silently ignored.
    model_config = ConfigDict(extra="forbid")


class DraftIn(_In):
    text: DraftText = Field(description="What the brand will say.")
    platform: Platform
    kind: Kind = "statement"
    audience: Audience | None = None
    stage: Stage | None = Field(None, description="The playbook stage; the tone check asks for it.")
    language: Literal["en", "he", "pl"] | None = Field(
        None, description="Default: detected from the text."
    )


class ReviseIn(_In):
    text: DraftText = Field(description="The new text: a new version of the draft.")


class DecisionIn(_In):
    version: int = Field(
        ge=1, le=JSON_SAFE_INT, description="The version decided on: the draft's current one."
    )
    comment: Comment | None = Field(None, description="Why; required to request changes.")


class RequestChangesIn(_In):
    version: int = Field(ge=1, le=JSON_SAFE_INT, description="The draft's current version.")
    comment: Annotated[Comment, Field(min_length=1)] = Field(description="What should change.")


class CommentIn(_In):
    text: Annotated[Comment, Field(min_length=1)]


class FlagOut(BaseModel):
    kind: str
    label: str
    start: int | None
    end: int | None
    phrase: str
    reason: str
    suggestion: str


class VersionOut(BaseModel):
    number: int
    text: str
    author: str
    created_at: datetime
    flags: list[FlagOut]


class ApproverOut(BaseModel):
    person: str
    via: str = Field(description="What named them: role:KEY or member:EMAIL.")
    status: str = Field(
        description="waiting, pending, approved, changes_requested, not_needed or cancelled."
    )
    requested_at: datetime | None
    answer_by: datetime | None
    escalated_at: datetime | None
    decided_at: datetime | None
    comment: str | None


class StepOut(BaseModel):
    step: int
    name: str
    require: str = Field(description="any or all.")
    status: str = Field(description="waiting, pending, approved, changes_requested or cancelled.")
    approvers: list[ApproverOut]


class ApprovalOut(BaseModel):
    round: int = Field(description="The submission: 1 for the first, +1 for each resubmission.")
    version: int | None = Field(description="The version submitted.")
    deciders: list[str] = Field(description="Who is asked to decide now.")
    steps: list[StepOut]


class CommentOut(BaseModel):
    id: int
    version: int
    author: str
    text: str
    created_at: datetime


class DraftOut(BaseModel):
    id: int
    case_id: int
    kind: str
    platform: str
    audience: str | None
    language: str
    stage: str | None
    status: str = Field(
        description="draft, in_review, changes_requested, approved or withdrawn; set by the "
        "approval workflow only."
    )
    current_version: int
    approved_version: int | None = Field(description="The locked, approved version.")
    publishable: bool = Field(description="True when the current version is the approved one.")
    text: str = Field(description="The current version's text.")
    flags: list[FlagOut] = Field(description="The tone check of the current version.")
    created_by: str
    created_at: datetime
    updated_at: datetime


class DraftDetailOut(DraftOut):
    versions: list[VersionOut]
    approval: ApprovalOut | None = Field(description="The latest submission; null before one.")
    comments: list[CommentOut]


def _summary(draft: Draft, text: str, flags: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": draft.id,
        "case_id": draft.case_id,
        "kind": draft.kind,
        "platform": draft.platform,
        "audience": draft.audience,
        "language": draft.language,
        "stage": draft.stage,
        "status": draft.status,
        "current_version": draft.current_version,
        "approved_version": draft.approved_version,
        "publishable": drafts.is_publishable(draft),
        "text": text,
        "flags": flags,
        "created_by": draft.created_by,
        "created_at": draft.created_at,
        "updated_at": draft.updated_at,
    }


def detail(shown: DraftView) -> DraftDetailOut:
    state = shown.state
    approval = None
    if state is not None:
        approval = ApprovalOut(
            round=state.round,
            version=state.version,
            deciders=state.deciders(),
            steps=[
                StepOut(
                    step=step.index,
                    name=step.name,
                    require=step.require,
                    status=step.status,
                    approvers=[
                        ApproverOut(
                            person=r.approver,
                            via=r.via,
                            status=r.status,
                            requested_at=r.requested_at,
                            answer_by=r.answer_by,
                            escalated_at=r.escalated_at,
                            decided_at=r.decided_at,
                            comment=r.comment,
                        )
                        for r in step.rows
                    ],
                )
                for step in state.steps
            ],
        )
    return DraftDetailOut(
        **_summary(shown.draft, shown.current.text, shown.current.flags),
        versions=[
            VersionOut(
                number=v.number,
                text=v.text,
                author=v.author,
                created_at=v.created_at,
                flags=v.flags,
            )
            for v in shown.versions
        ],
        approval=approval,
        comments=[
            CommentOut(
                id=c.id, version=c.version, author=c.author, text=c.text, created_at=c.created_at
            )
            for c in shown.comments
        ],
    )


def draft_in_path(
    case_id: CaseId,
    draft_id: DraftId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> None:
    """Likewise for a draft: not this case's, not found, whatever the body."""
    draft_actions.draft_of_case(db, access, case_id, draft_id)


def _detail_of(db: Session, draft: Draft) -> DraftDetailOut:
    db.refresh(draft)
    return detail(draft_actions.view(db, draft))


@router.get(BASE, response_model=list[DraftOut], responses=READ)
def list_drafts(
    case_id: CaseId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> list[DraftOut]:
    """The case's drafts, newest first, each with its current text and tone flags."""
    rows = drafts.case_drafts(db, case_id, workspace_id=access.workspace.id)
    current = drafts.latest_versions(db, rows)
    return [
        DraftOut(**_summary(d, current[d.id].text, current[d.id].flags))
        for d in rows
        if d.id in current
    ]


@router.post(
    BASE,
    response_model=DraftDetailOut,
    status_code=201,
    responses=CHANGE,
    dependencies=[Depends(case_in_path)],
)
def create_draft(
    case_id: CaseId,
    body: DraftIn,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> DraftDetailOut:
    """A new draft on the case (version 1, tone-checked). It starts as `draft`; send it for
    approval with …/submit."""
    new = NewDraft(
        text=body.text,
        platform=body.platform,
        kind=body.kind,
        audience=body.audience,
        stage=body.stage,
        language=body.language,
    )
    return _detail_of(db, draft_actions.create(db, access, case_id, new))


@router.get(BASE + "/{draft_id}", response_model=DraftDetailOut, responses=READ)
def get_draft(
    case_id: CaseId,
    draft_id: DraftId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> DraftDetailOut:
    """The draft with every version and its tone flags, the approval state and the comments."""
    return detail(
        draft_actions.view(db, draft_actions.draft_of_case(db, access, case_id, draft_id))
    )


@router.post(
    BASE + "/{draft_id}/versions",
    response_model=DraftDetailOut,
    responses=CHANGE,
    dependencies=[Depends(draft_in_path)],
)
def revise_draft(
    case_id: CaseId,
    draft_id: DraftId,
    body: ReviseIn,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> DraftDetailOut:
    """A new version of the text. Refused while in review (recall first); an approved draft goes
    back to `draft` and needs approval again."""
    return _detail_of(db, draft_actions.revise(db, access, case_id, draft_id, body.text))


@router.post(BASE + "/{draft_id}/submit", response_model=DraftDetailOut, responses=CHANGE)
def submit_draft(
    case_id: CaseId,
    draft_id: DraftId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> DraftDetailOut:
    """Sends the current version to the workspace's approval steps (or approves it by policy
    when its kind needs no approval)."""
    return _detail_of(db, draft_actions.submit(db, access, case_id, draft_id))


@router.post(
    BASE + "/{draft_id}/approve",
    response_model=DraftDetailOut,
    responses=CHANGE,
    dependencies=[Depends(draft_in_path)],
)
def approve_draft(
    case_id: CaseId,
    draft_id: DraftId,
    body: DecisionIn,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> DraftDetailOut:
    """The signed-in approver's approval of `version` for the current step: 403 for someone
    the step does not ask or the draft's author, 409 for a version that is not current."""
    draft = draft_actions.decide(
        db, access, case_id, draft_id, "approve", body.version, body.comment
    )
    return _detail_of(db, draft)


@router.post(
    BASE + "/{draft_id}/request-changes",
    response_model=DraftDetailOut,
    responses=CHANGE,
    dependencies=[Depends(draft_in_path)],
)
def request_changes(
    case_id: CaseId,
    draft_id: DraftId,
    body: RequestChangesIn,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> DraftDetailOut:
    """Asks for changes (the comment says which): the draft goes to `changes_requested`."""
    draft = draft_actions.decide(
        db, access, case_id, draft_id, "request_changes", body.version, body.comment
    )
    return _detail_of(db, draft)


@router.post(
    BASE + "/{draft_id}/comments",
    response_model=CommentOut,
    status_code=201,
    responses=CHANGE,
    dependencies=[Depends(draft_in_path)],
)
def comment_draft(
    case_id: CaseId,
    draft_id: DraftId,
    body: CommentIn,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> CommentOut:
    """A comment on the draft's current version (on the case timeline too)."""
    row = draft_actions.add_comment(db, access, case_id, draft_id, body.text)
    return CommentOut(
        id=row.id, version=row.version, author=row.author, text=row.text, created_at=row.created_at
    )


@router.post(BASE + "/{draft_id}/recall", response_model=DraftDetailOut, responses=CHANGE)
def recall_draft(
    case_id: CaseId,
    draft_id: DraftId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> DraftDetailOut:
    """The author takes the draft back from approval to change it (an admin may too)."""
    return _detail_of(db, draft_actions.recall(db, access, case_id, draft_id))


@router.post(BASE + "/{draft_id}/withdraw", response_model=DraftDetailOut, responses=CHANGE)
def withdraw_draft(
    case_id: CaseId,
    draft_id: DraftId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> DraftDetailOut:
    """Ends the draft; its versions stay on record."""
    return _detail_of(db, draft_actions.withdraw(db, access, case_id, draft_id))
