"""The reply queue's changes on the web (pages and API alike): the permission, the service
call, the audit entry and the commit, in one place."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from flarewatch.accounts import service as accounts
from flarewatch.accounts.permissions import Permission
from flarewatch.comms.models import Draft
from flarewatch.comms.replies import service
from flarewatch.comms.replies.models import ReplyItem
from flarewatch.web.deps import WorkspaceAccess


def _audit(
    db: Session, access: WorkspaceAccess, action: str, case_id: int, details: dict[str, object]
) -> None:
    accounts.record_audit(
        db,
        access.user,
        action,
        workspace_id=access.workspace.id,
        target_type="case",
        target_id=case_id,
        details=details,
    )


def assign(
    db: Session,
    access: WorkspaceAccess,
    case_id: int,
    post_ids: Sequence[int],
    person: str | None,
) -> list[ReplyItem]:
    access.require(Permission.CASE_EDIT)
    changed = service.assign(
        db, case_id, post_ids, person, access.user.email, workspace_id=access.workspace.id
    )
    _audit(db, access, "reply.assign", case_id, {"posts": list(post_ids), "to": person or None})
    db.commit()
    return changed


def skip(
    db: Session, access: WorkspaceAccess, case_id: int, post_id: int, reason: str
) -> ReplyItem:
    access.require(Permission.CASE_EDIT)
    item = service.skip(
        db, case_id, post_id, reason, access.user.email, workspace_id=access.workspace.id
    )
    _audit(db, access, "reply.skip", case_id, {"post": post_id, "reason": item.reason})
    db.commit()
    return item


def reopen(db: Session, access: WorkspaceAccess, case_id: int, post_id: int) -> ReplyItem:
    access.require(Permission.CASE_EDIT)
    item = service.reopen(db, case_id, post_id, access.user.email, workspace_id=access.workspace.id)
    _audit(db, access, "reply.reopen", case_id, {"post": post_id})
    db.commit()
    return item


def answered_elsewhere(
    db: Session,
    access: WorkspaceAccess,
    case_id: int,
    post_id: int,
    where: str,
    at: datetime | None,
) -> ReplyItem:
    access.require(Permission.CASE_EDIT)
    item = service.answered_elsewhere(
        db, case_id, post_id, where, access.user.email, workspace_id=access.workspace.id, at=at
    )
    _audit(db, access, "reply.answered_elsewhere", case_id, {"post": post_id, "where": where})
    db.commit()
    return item


def answer(
    db: Session, access: WorkspaceAccess, case_id: int, post_id: int, text: str | None
) -> Draft:
    access.require(Permission.CASE_EDIT)
    draft = service.answer(
        db, case_id, post_id, access.user.email, workspace_id=access.workspace.id, text=text
    )
    _audit(db, access, "reply.draft", case_id, {"post": post_id, "draft": draft.id})
    db.commit()
    return draft


def draft_url(access: WorkspaceAccess, case_id: int, draft_id: int) -> str:
    """The draft's page (comms drafts pages)."""
    return f"/w/{access.workspace.slug}/cases/{case_id}/drafts/{draft_id}"
