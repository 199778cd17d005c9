"""API: publications (schedule, list, cancel, send now), the kill switch, the workspace's
channels, and moderation through the guard. Under /api/v1/workspaces/{slug}/…"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from flarewatch.comms.publishing import actions, service
from flarewatch.web.api.schemas import CHANGE, JSON_SAFE_INT, READ, Text
from flarewatch.web.deps import WorkspaceAccess, get_db, workspace_access
from flarewatch.web.params import MAX_DB_INT

router = APIRouter(tags=["publishing"])

Status = Literal["scheduled", "sending", "published", "failed", "suspended", "cancelled"]

PublicationId = Path(ge=1, le=MAX_DB_INT, description="The publication's id.")


class PublicationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    case_id: int
    draft_id: int
    draft_version: int = Field(description="The approved version it publishes.")
    channel: str
    platform: str
    in_reply_to: str | None = Field(description="The platform id of the post a reply answers.")
    status: Status
    scheduled_at: datetime
    attempts: int
    remote_id: str | None
    url: str | None = Field(description="The public address, once published.")
    error: str | None
    reason: str | None = Field(description="Why it is suspended (kill switch) or cancelled.")
    created_by: str
    created_at: datetime
    published_at: datetime | None


class ScheduleIn(BaseModel):
    draft: int = Field(ge=1, le=JSON_SAFE_INT, description="The approved draft's id.")
    channel: Text = Field(min_length=1, description="The channel's key ([[channels]]).")
    at: datetime | None = Field(None, description="When to publish; default: now.")
    send_now: bool = Field(
        False, description="Send in this request instead of at the runner's next cycle."
    )


class CancelIn(BaseModel):
    reason: Text | None = Field(None, max_length=2000)


class KillSwitchIn(BaseModel):
    reason: Text = Field(min_length=1, max_length=2000, description="Why publishing stops.")


class KillSwitchEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    action: Literal["engaged", "lifted"]
    reason: str | None
    actor: str
    at: datetime
    affected: int = Field(description="Posts held (engaged) or scheduled again (lifted).")


class KillSwitchOut(BaseModel):
    engaged: bool
    reason: str | None
    engaged_by: str | None
    engaged_at: datetime | None
    affected: list[int] = Field(description="Publications this call held or released.")
    history: list[KillSwitchEventOut]


class ChannelOut(BaseModel):
    key: str
    platform: str
    name: str
    secrets: list[str] = Field(description="The names of its secrets (never their values).")
    missing: list[str] = Field(description="Secrets neither the environment nor the store has.")
    ready: bool


class ModerationIn(BaseModel):
    channel: Text = Field(min_length=1, description="A facebook or instagram channel's key.")
    post: Text = Field(min_length=1, max_length=300, description="The comment's platform id.")
    action: Literal["hide", "delete"]
    reason: Text | None = Field(None, max_length=2000)
    confirm: bool = Field(
        False, description="Go ahead on unanswered criticism (needs a reason); else 409."
    )


class ModerationOut(BaseModel):
    post: str
    action: str
    critical: bool
    answered: bool
    cases: list[int]


def _switch(db: Session, workspace_id: int, affected: list[int]) -> KillSwitchOut:
    switch, history = actions.switch_state(db, workspace_id)
    return KillSwitchOut(
        engaged=bool(switch and switch.engaged),
        reason=switch.reason if switch and switch.engaged else None,
        engaged_by=switch.engaged_by if switch and switch.engaged else None,
        engaged_at=switch.engaged_at if switch and switch.engaged else None,
        affected=affected,
        history=[KillSwitchEventOut.model_validate(e) for e in history],
    )


@router.get("/workspaces/{slug}/publications", response_model=list[PublicationOut], responses=READ)
def list_publications(
    case: int | None = Query(None, ge=1, le=MAX_DB_INT, description="Only this case's."),
    draft: int | None = Query(None, ge=1, le=MAX_DB_INT, description="Only this draft's."),
    status: Status | None = Query(None, description="Only publications in this state."),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> list[PublicationOut]:
    """The workspace's publications, newest scheduled first."""
    rows = service.publications(
        db, access.workspace.id, case_id=case, draft_id=draft, status=status
    )
    return [PublicationOut.model_validate(r) for r in rows]


@router.post(
    "/workspaces/{slug}/publications",
    response_model=PublicationOut,
    status_code=201,
    responses=CHANGE,
)
def schedule_publication(
    body: ScheduleIn,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> PublicationOut:
    """Schedules an approved draft on a channel (409 when its current text is not approved;
    held while the kill switch is on)."""
    row = actions.schedule(db, access, body.draft, body.channel, body.at, send_now=body.send_now)
    return PublicationOut.model_validate(row)


@router.get(
    "/workspaces/{slug}/publications/{publication_id}",
    response_model=PublicationOut,
    responses=READ,
)
def get_publication(
    publication_id: int = PublicationId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> PublicationOut:
    row = service.get_publication(db, publication_id, access.workspace.id)
    return PublicationOut.model_validate(row)


@router.post(
    "/workspaces/{slug}/publications/{publication_id}/cancel",
    response_model=PublicationOut,
    responses=CHANGE,
)
def cancel_publication(
    body: CancelIn,
    publication_id: int = PublicationId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> PublicationOut:
    """Cancels a scheduled, held or failed publication."""
    return PublicationOut.model_validate(actions.cancel(db, access, publication_id, body.reason))


@router.get("/workspaces/{slug}/kill-switch", response_model=KillSwitchOut, responses=READ)
def kill_switch_state(
    access: WorkspaceAccess = Depends(workspace_access), db: Session = Depends(get_db)
) -> KillSwitchOut:
    return _switch(db, access.workspace.id, [])


@router.post("/workspaces/{slug}/kill-switch", response_model=KillSwitchOut, responses=CHANGE)
def engage_kill_switch(
    body: KillSwitchIn,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> KillSwitchOut:
    """Stops all publishing of the workspace: every scheduled post is held with the reason."""
    held = actions.engage(db, access, body.reason)
    return _switch(db, access.workspace.id, [p.id for p in held])


@router.post(
    "/workspaces/{slug}/kill-switch/resume", response_model=KillSwitchOut, responses=CHANGE
)
@router.post("/workspaces/{slug}/resume", response_model=KillSwitchOut, responses=CHANGE)
def resume_publishing(
    access: WorkspaceAccess = Depends(workspace_access), db: Session = Depends(get_db)
) -> KillSwitchOut:
    """Lifts the kill switch: held posts are scheduled again (past-due ones go next cycle)."""
    released = actions.resume(db, access)
    return _switch(db, access.workspace.id, [p.id for p in released])


@router.get("/workspaces/{slug}/channels", response_model=list[ChannelOut], responses=READ)
def channels(
    access: WorkspaceAccess = Depends(workspace_access), db: Session = Depends(get_db)
) -> list[ChannelOut]:
    """The workspace's channels and whether their secrets are present."""
    return [
        ChannelOut(
            key=s.channel.key,
            platform=s.channel.platform,
            name=s.channel.label,
            secrets=list(s.channel.secret_names),
            missing=s.missing,
            ready=s.ready,
        )
        for s in actions.channels_of(db, access)
    ]


@router.post("/workspaces/{slug}/moderation", response_model=ModerationOut, responses=CHANGE)
def moderate(
    body: ModerationIn,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> ModerationOut:
    """Hides or deletes a comment on a Facebook page or Instagram account. Unanswered
    criticism is refused (409) with why answering beats deleting, unless `confirm` with a
    `reason`."""
    judged = actions.moderate(
        db, access, body.channel, body.post, body.action, body.reason, body.confirm
    )
    return ModerationOut(
        post=body.post,
        action=body.action,
        critical=judged.critical,
        answered=judged.answered,
        cases=list(judged.case_ids),
    )
