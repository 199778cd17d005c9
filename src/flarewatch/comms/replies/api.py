"""API: a case's reply queue under /api/v1/workspaces/{slug}/cases/{case_id}/replies — the
posts that need an answer with their reasons, the figures, assignment, "no answer needed",
answered elsewhere, and a reply draft for a post."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from flarewatch.comms.drafts import MAX_DRAFT_CHARS
from flarewatch.comms.replies import actions, service
from flarewatch.comms.replies.queue import STATES, only, row_record
from flarewatch.comms.replies.selection import REASONS
from flarewatch.web.api.schemas import CHANGE, READ, Text
from flarewatch.web.case_guard import case_in_path
from flarewatch.web.deps import WorkspaceAccess, get_db, workspace_access
from flarewatch.web.params import MAX_DB_INT, CaseId

# Every path names a case: another workspace\'s is not found before the body is read.
router = APIRouter(tags=["replies"], dependencies=[Depends(case_in_path)])
BASE = "/workspaces/{slug}/cases/{case_id}/replies"
PostId = Path(ge=1, le=MAX_DB_INT, description="The post's id (raw post), as the queue lists it.")


StateName = Literal["open", "answered", "no_answer", "all"]
ReasonName = Literal[
    "case_post", "case_story", "influential_negative", "addresses_brand", "question"
]
assert set(get_args(StateName)) == set(STATES) and set(get_args(ReasonName)) == set(REASONS)


class DraftRef(BaseModel):
    id: int
    status: str


class QueuePostOut(BaseModel):
    post_id: int
    mention_id: int
    created_at: datetime
    platform: str
    language: str
    author: str | None
    followers: int | None
    sentiment: str
    text: str
    url: str | None
    reasons: list[str] = Field(description=f"Why it needs an answer: {', '.join(REASONS)}.")
    priority: float = Field(description="influence × negativity × recency; higher first.")
    state: str = Field(description="open, answered or no_answer.")
    assignee: str | None
    reason: str | None = Field(description="Why it needs no answer, or where it was answered.")
    first_reply_at: datetime | None
    drafts: list[DraftRef]


class FiguresOut(BaseModel):
    needing_answer: int
    answered: int
    waiting: int
    no_answer_needed: int
    coverage: float | None = Field(description="answered ÷ needing an answer; null: none.")
    first_reply_seconds: float | None = Field(description="From the case's opening.")
    median_reply_seconds: float | None = Field(description="Per post, from its creation.")
    p90_reply_seconds: float | None
    open_by_assignee: dict[str, int] = Field(description="Waiting posts; '' for nobody.")


class AssignIn(BaseModel):
    post_ids: list[int] = Field(min_length=1, max_length=service.MAX_BULK)
    to: Text | None = Field(None, description="A member's e-mail; null or '' unassigns.")


class AssignedOut(BaseModel):
    changed: list[int] = Field(description="The posts whose assignee changed.")


class SkipIn(BaseModel):
    reason: Text = Field(
        min_length=1, max_length=service.MAX_REASON_CHARS, description="Why it needs no answer."
    )


class AnsweredIn(BaseModel):
    where: Text = Field(
        min_length=1,
        max_length=service.MAX_REASON_CHARS,
        description="Where it was answered: the reply's link, 'by phone'.",
    )
    at: datetime | None = Field(None, description="When it was answered; default: now.")


class ItemOut(BaseModel):
    post_id: int
    state: str
    assignee: str | None
    reason: str | None


class ReplyIn(BaseModel):
    text: Text | None = Field(
        None,
        max_length=MAX_DRAFT_CHARS,
        description="The reply; empty: the draft starts with the post quoted.",
    )


class DraftOut(BaseModel):
    draft_id: int
    status: str
    url: str = Field(description="The draft's page.")


def _item(post_id: int, item: Any) -> ItemOut:
    return ItemOut(post_id=post_id, state=item.state, assignee=item.assignee, reason=item.reason)


@router.get(BASE, response_model=list[QueuePostOut], responses=READ)
def reply_queue(
    case_id: CaseId,
    state: StateName = Query("open"),
    assignee: str | None = Query(None, max_length=200, description="A member's e-mail; '-'."),
    reason: ReasonName | None = Query(None),
    language: str | None = Query(None, max_length=8),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> list[QueuePostOut]:
    """The case's posts that need an answer, highest priority first, with their reasons."""
    rows = service.queue(db, case_id, workspace_id=access.workspace.id)
    kept = only(rows, state=state, assignee=assignee, reason=reason, language=language)
    return [QueuePostOut(**row_record(row)) for row in kept]


@router.get(f"{BASE}/stats", response_model=FiguresOut, responses=READ)
def reply_stats(
    case_id: CaseId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> FiguresOut:
    """Time to first reply, median and 90th-percentile time to reply, coverage, waiting."""
    return FiguresOut(**service.figures(db, case_id, workspace_id=access.workspace.id).as_dict())


@router.post(f"{BASE}/assign", response_model=AssignedOut, responses=CHANGE)
def assign(
    case_id: CaseId,
    body: AssignIn,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> AssignedOut:
    """Gives posts to a member to answer (they are notified), or unassigns them."""
    changed = actions.assign(db, access, case_id, body.post_ids, body.to)
    return AssignedOut(changed=[item.raw_post_id for item in changed])


@router.post(f"{BASE}/{{post_id}}/claim", response_model=AssignedOut, responses=CHANGE)
def claim(
    case_id: CaseId,
    post_id: int = PostId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> AssignedOut:
    """Takes the post yourself."""
    changed = actions.assign(db, access, case_id, [post_id], access.user.email)
    return AssignedOut(changed=[item.raw_post_id for item in changed])


@router.post(f"{BASE}/{{post_id}}/skip", response_model=ItemOut, responses=CHANGE)
def skip(
    case_id: CaseId,
    body: SkipIn,
    post_id: int = PostId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> ItemOut:
    """Marks the post "no answer needed" with the reason; it stays listed (state no_answer)."""
    return _item(post_id, actions.skip(db, access, case_id, post_id, body.reason))


@router.post(f"{BASE}/{{post_id}}/reopen", response_model=ItemOut, responses=CHANGE)
def reopen(
    case_id: CaseId,
    post_id: int = PostId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> ItemOut:
    """Puts the post back in the queue."""
    return _item(post_id, actions.reopen(db, access, case_id, post_id))


@router.post(f"{BASE}/{{post_id}}/answered", response_model=ItemOut, responses=CHANGE)
def answered(
    case_id: CaseId,
    body: AnsweredIn,
    post_id: int = PostId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> ItemOut:
    """Records that the post was answered outside Flarewatch."""
    item = actions.answered_elsewhere(db, access, case_id, post_id, body.where, body.at)
    return _item(post_id, item)


@router.post(
    f"{BASE}/{{post_id}}/draft", response_model=DraftOut, status_code=201, responses=CHANGE
)
def reply_draft(
    case_id: CaseId,
    body: ReplyIn,
    post_id: int = PostId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> DraftOut:
    """A reply draft for the post (kind reply); it is sent once approved, as the workspace
    requires (`[replies] require_approval`)."""
    draft = actions.answer(db, access, case_id, post_id, body.text)
    return DraftOut(
        draft_id=draft.id, status=draft.status, url=actions.draft_url(access, case_id, draft.id)
    )
