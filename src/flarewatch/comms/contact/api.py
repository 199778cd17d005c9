"""API: a case's private contacts under /api/v1/workspaces/{slug}/cases/{case_id}/contacts —
list, open, read one with its window now, record what was sent and answered, update what their
profile shows, close with the outcome."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from flarewatch.comms.contact import changes, service
from flarewatch.comms.contact.changes import ContactId
from flarewatch.comms.contact.models import PrivateContact
from flarewatch.comms.contact.windows import ContactFacts, Window, render_said, window
from flarewatch.db.base import utcnow
from flarewatch.web.api.schemas import CHANGE, READ, Text
from flarewatch.web.case_guard import case_in_path
from flarewatch.web.deps import WorkspaceAccess, get_db, workspace_access
from flarewatch.web.params import MAX_DB_INT, CaseId

# Every path names a case: another workspace\'s is not found before the body is read.
router = APIRouter(tags=["cases"], dependencies=[Depends(case_in_path)])
Channel = Literal["facebook", "instagram", "x", "bluesky", "mastodon", "email", "phone", "other"]
Follows = Literal["yes", "no", "unknown"]
DmSetting = Literal["everyone", "following", "nobody", "unknown"]
Outcome = Literal["resolved", "compensated", "no_answer", "declined", "escalated", "moved_to_phone"]
BASE = "/workspaces/{slug}/cases/{case_id}/contacts"


class SaidOut(BaseModel):
    message: str = Field(description="The message (English, with %(name)s placeholders).")
    params: dict[str, Any]
    text: str = Field(description="The message in English, times in UTC.")


class WindowOut(BaseModel):
    channel: str
    state: Literal["open", "depends", "closed"] = Field(
        description="open: a message may go out now; depends: only if their settings allow "
        "it; closed: the platform would refuse it."
    )
    may_send: bool
    rule: str
    until: datetime | None = Field(description="Until when it may go out; null: no end.")
    reasons: list[SaidOut]
    caveats: list[SaidOut]


class ContactOut(BaseModel):
    id: int
    case_id: int
    post_id: int | None
    author_id: int | None
    handle: str
    platform: str
    channel: str
    post_url: str | None
    comment_at: datetime | None
    follows: str
    dm_setting: str
    status: Literal["to_contact", "sent", "answered", "closed"]
    deadline: datetime | None = Field(description="The end of the window open now, if any.")
    assignee: str | None
    task_id: int | None
    draft_id: int | None
    attempts: list[dict[str, Any]] = Field(
        description="Each message sent: at, channel, by, draft_id, draft_version, approved, note."
    )
    answers: list[dict[str, Any]] = Field(description="Each answer: at, channel, by, note.")
    last_answer_at: datetime | None
    outcome: str | None
    outcome_note: str | None
    opened_by: str
    opened_at: datetime
    closed_at: datetime | None
    window: WindowOut | None = Field(description="The channel's window now; null once closed.")
    other_channels: list[WindowOut] = Field(description="E-mail and phone, always possible.")


class OpenIn(BaseModel):
    post_id: int = Field(ge=1, le=MAX_DB_INT, description="The post of the case they wrote.")
    assignee: Text | None = Field(None, max_length=200, description="A member's e-mail.")
    due_at: datetime | None = Field(None, description="Due sooner than the window's end.")
    follows: Follows = "unknown"
    dm_setting: DmSetting = "unknown"


class SentIn(BaseModel):
    channel: Channel | None = Field(None, description="Default: the post's platform.")
    draft_id: int | None = Field(
        None, ge=1, le=MAX_DB_INT, description="The private_message draft it was sent from."
    )
    note: Text | None = Field(None, max_length=service.MAX_NOTE)
    at: datetime | None = Field(None, description="When it was sent; default now.")


class AnsweredIn(BaseModel):
    at: datetime = Field(description="When they answered, with a timezone.")
    channel: Channel | None = Field(None, description="Default: the post's platform.")
    note: Text | None = Field(None, max_length=service.MAX_NOTE)


class CloseIn(BaseModel):
    outcome: Outcome
    note: Text | None = Field(None, max_length=service.MAX_NOTE)


class FactsIn(BaseModel):
    follows: Follows | None = None
    dm_setting: DmSetting | None = None


def _said(stored: dict[str, Any]) -> SaidOut:
    return SaidOut(message=stored["message"], params=stored["params"], text=render_said(stored))


def _window(current: Window) -> WindowOut:
    return WindowOut(
        channel=current.channel,
        state=current.state,  # type: ignore[arg-type]
        may_send=current.may_send,
        rule=current.rule,
        until=current.until,
        reasons=[_said(r) for r in current.reasons],
        caveats=[_said(c) for c in current.caveats],
    )


def contact_out(db: Session, contact: PrivateContact) -> ContactOut:
    now = utcnow()
    working = service.working_time(service.workspace_of(db, contact))
    current = None if contact.status == "closed" else service.contact_window(contact, now, working)
    others = [window(ContactFacts(channel), now, working) for channel in ("email", "phone")]
    return ContactOut(
        id=contact.id,
        case_id=contact.case_id,
        post_id=contact.raw_post_id,
        author_id=contact.author_id,
        handle=contact.handle,
        platform=contact.platform,
        channel=contact.channel,
        post_url=contact.post_url,
        comment_at=contact.comment_at,
        follows=contact.follows,
        dm_setting=contact.dm_setting,
        status=contact.status,  # type: ignore[arg-type]
        deadline=contact.deadline,
        assignee=contact.assignee,
        task_id=contact.task_id,
        draft_id=contact.draft_id,
        attempts=list(contact.attempts or []),
        answers=list(contact.answers or []),
        last_answer_at=contact.last_answer_at,
        outcome=contact.outcome,
        outcome_note=contact.outcome_note,
        opened_by=contact.opened_by,
        opened_at=contact.opened_at,
        closed_at=contact.closed_at,
        window=_window(current) if current is not None else None,
        other_channels=[_window(w) for w in others],
    )


@router.get(BASE, response_model=list[ContactOut], responses=READ)
def list_contacts(
    case_id: CaseId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> list[ContactOut]:
    """The case's private contacts, oldest first, each with its window now."""
    rows = service.case_contacts(db, case_id, workspace_id=access.workspace.id)
    return [contact_out(db, row) for row in rows]


@router.post(BASE, response_model=ContactOut, status_code=201, responses=CHANGE)
def open_contact(
    case_id: CaseId,
    body: OpenIn,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> ContactOut:
    """Opens a private contact with the author of a post: a case task due when the window
    closes (or at `due_at`, when sooner) and a timeline entry."""
    contact = changes.open_contact(
        db,
        access,
        case_id,
        body.post_id,
        assignee=body.assignee,
        due_at=body.due_at,
        follows=body.follows,
        dm_setting=body.dm_setting,
    )
    return contact_out(db, contact)


@router.get(BASE + "/{contact_id}", response_model=ContactOut, responses=READ)
def get_contact(
    case_id: CaseId,
    contact_id: ContactId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> ContactOut:
    return contact_out(db, changes.contact_on_case(db, access, case_id, contact_id))


@router.patch(BASE + "/{contact_id}", response_model=ContactOut, responses=CHANGE)
def update_contact(
    case_id: CaseId,
    contact_id: ContactId,
    body: FactsIn,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> ContactOut:
    """Records what their profile shows: whether they follow the account, who may message
    them."""
    contact = changes.set_facts(
        db, access, case_id, contact_id, follows=body.follows, dm_setting=body.dm_setting
    )
    return contact_out(db, contact)


@router.post(BASE + "/{contact_id}/sent", response_model=ContactOut, responses=CHANGE)
def record_sent(
    case_id: CaseId,
    contact_id: ContactId,
    body: SentIn,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> ContactOut:
    """Records a message sent: 409 when the channel's window is shut, or when an approved
    draft's text changed since its approval."""
    contact = changes.record_sent(
        db,
        access,
        case_id,
        contact_id,
        channel=body.channel,
        draft_id=body.draft_id,
        note=body.note,
        at=body.at,
    )
    return contact_out(db, contact)


@router.post(BASE + "/{contact_id}/answered", response_model=ContactOut, responses=CHANGE)
def record_answer(
    case_id: CaseId,
    contact_id: ContactId,
    body: AnsweredIn,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> ContactOut:
    """Records their answer; on Facebook and Instagram it opens 24 hours to write back."""
    contact = changes.record_answer(
        db, access, case_id, contact_id, at=body.at, channel=body.channel, note=body.note
    )
    return contact_out(db, contact)


@router.post(BASE + "/{contact_id}/close", response_model=ContactOut, responses=CHANGE)
def close_contact(
    case_id: CaseId,
    contact_id: ContactId,
    body: CloseIn,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> ContactOut:
    """Closes the contact with its outcome; its task is done."""
    contact = changes.close_contact(
        db, access, case_id, contact_id, outcome=body.outcome, note=body.note
    )
    return contact_out(db, contact)
