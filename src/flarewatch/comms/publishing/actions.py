"""Publishing from the web and the API: each action checks the person's role, calls the
service, and commits; routers stay thin and pages and API behave alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from flarewatch.accounts.permissions import Permission
from flarewatch.comms.models import Publication
from flarewatch.comms.publishing import guard, killswitch, service
from flarewatch.comms.publishing.channels import (
    ChannelConfig,
    missing_secrets,
    session_secrets,
    workspace_channels,
)
from flarewatch.comms.publishing.models import KillSwitch, KillSwitchEvent
from flarewatch.comms.publishing.sender import publish_now
from flarewatch.db.base import utcnow
from flarewatch.errors import PermissionDeniedError
from flarewatch.web.deps import WorkspaceAccess


@dataclass(frozen=True, slots=True)
class ChannelState:
    channel: ChannelConfig
    missing: list[str]

    @property
    def ready(self) -> bool:
        return not self.missing


def channel_states(
    db: Session, workspace_id: int, channels: list[ChannelConfig]
) -> list[ChannelState]:
    secrets = session_secrets(db, workspace_id)
    return [ChannelState(c, missing_secrets(c, secrets)) for c in channels]


def channels_of(db: Session, access: WorkspaceAccess) -> list[ChannelState]:
    return channel_states(db, access.workspace.id, workspace_channels(access.workspace))


def schedule(
    db: Session,
    access: WorkspaceAccess,
    draft_id: int,
    channel: str,
    at: datetime | None,
    *,
    send_now: bool = False,
) -> Publication:
    access.require(Permission.CASE_EDIT)
    now = utcnow()
    publication = service.schedule(
        db, draft_id, channel, at, access.user, access.workspace.id, now=now
    )
    db.commit()
    if send_now and publication.status == "scheduled" and publication.scheduled_at <= now:
        publish_now(db, publication.id, now)
        db.refresh(publication)
    return publication


def cancel(
    db: Session, access: WorkspaceAccess, publication_id: int, reason: str | None
) -> Publication:
    access.require(Permission.CASE_EDIT)
    publication = service.cancel(
        db, publication_id, access.user, access.workspace.id, reason=reason
    )
    db.commit()
    return publication


def require_switch_rights(access: WorkspaceAccess) -> None:
    """Responders and approvers (legal) alike may stop publishing, and resume it."""
    if not (access.can(Permission.CASE_EDIT) or access.can(Permission.CASE_APPROVE)):
        raise PermissionDeniedError(
            "your role cannot stop or resume publishing; ask a responder, an approver or an admin"
        )


def engage(db: Session, access: WorkspaceAccess, reason: str) -> list[Publication]:
    require_switch_rights(access)
    held = killswitch.engage(db, access.workspace.id, reason, access.user)
    db.commit()
    return held


def resume(db: Session, access: WorkspaceAccess) -> list[Publication]:
    require_switch_rights(access)
    released = killswitch.lift(db, access.workspace.id, access.user)
    db.commit()
    return released


def switch_state(db: Session, workspace_id: int) -> tuple[KillSwitch | None, list[KillSwitchEvent]]:
    return killswitch.switch_of(db, workspace_id), killswitch.history(db, workspace_id)


def moderate(
    db: Session,
    access: WorkspaceAccess,
    channel: str,
    post: str,
    action: str,
    reason: str | None,
    confirm: bool,
) -> guard.Judgement:
    access.require(Permission.CASE_EDIT)
    judgement = guard.moderate(
        db, access.workspace.id, channel, post, action, access.user, reason=reason, confirm=confirm
    )
    db.commit()
    return judgement
