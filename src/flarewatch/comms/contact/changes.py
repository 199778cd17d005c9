"""The changes made to private contacts from the web (pages and JSON API alike): the
permission, the service call, the audit record and the commit, in one place."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Path
from sqlalchemy.orm import Session

from flarewatch.accounts import service as accounts
from flarewatch.accounts.permissions import Permission
from flarewatch.comms.contact import service
from flarewatch.comms.contact.models import PrivateContact
from flarewatch.errors import NotFoundError
from flarewatch.web.deps import WorkspaceAccess
from flarewatch.web.params import MAX_DB_INT

# A contact's id in a page or API path.
ContactId = Annotated[int, Path(ge=1, le=MAX_DB_INT, description="The private contact's id.")]


def contact_on_case(
    db: Session, access: WorkspaceAccess, case_id: int, contact_id: int
) -> PrivateContact:
    """The contact, when it belongs to this case of this workspace (404 otherwise)."""
    contact = service.get_contact(db, contact_id, workspace_id=access.workspace.id)
    if contact.case_id != case_id:
        raise NotFoundError(f"private contact #{contact_id} is not part of case #{case_id}")
    return contact


def open_contact(
    db: Session,
    access: WorkspaceAccess,
    case_id: int,
    post_id: int,
    *,
    assignee: str | None = None,
    due_at: datetime | None = None,
    follows: str = "unknown",
    dm_setting: str = "unknown",
) -> PrivateContact:
    access.require(Permission.CASE_EDIT)
    contact = service.open_contact(
        db,
        case_id,
        post_id,
        access.user.email,
        workspace_id=access.workspace.id,
        assignee=assignee or None,
        due_at=due_at,
        follows=follows,
        dm_setting=dm_setting,
    )
    _audit(db, access, contact, "contact.open", {"post_id": post_id, "assignee": assignee})
    return contact


def record_sent(
    db: Session,
    access: WorkspaceAccess,
    case_id: int,
    contact_id: int,
    *,
    channel: str | None = None,
    draft_id: int | None = None,
    note: str | None = None,
    at: datetime | None = None,
) -> PrivateContact:
    access.require(Permission.CASE_EDIT)
    contact_on_case(db, access, case_id, contact_id)
    contact = service.record_sent(
        db,
        contact_id,
        access.user.email,
        workspace_id=access.workspace.id,
        channel=channel or None,
        draft_id=draft_id,
        note=note,
        at=at,
    )
    _audit(db, access, contact, "contact.sent", {"attempt": contact.attempts[-1]})
    return contact


def record_answer(
    db: Session,
    access: WorkspaceAccess,
    case_id: int,
    contact_id: int,
    *,
    at: datetime,
    channel: str | None = None,
    note: str | None = None,
) -> PrivateContact:
    access.require(Permission.CASE_EDIT)
    contact_on_case(db, access, case_id, contact_id)
    contact = service.record_answer(
        db,
        contact_id,
        access.user.email,
        workspace_id=access.workspace.id,
        at=at,
        channel=channel or None,
        note=note,
    )
    _audit(db, access, contact, "contact.answered", {"at": at.isoformat()})
    return contact


def close_contact(
    db: Session,
    access: WorkspaceAccess,
    case_id: int,
    contact_id: int,
    *,
    outcome: str,
    note: str | None = None,
) -> PrivateContact:
    access.require(Permission.CASE_EDIT)
    contact_on_case(db, access, case_id, contact_id)
    contact = service.close_contact(
        db,
        contact_id,
        access.user.email,
        workspace_id=access.workspace.id,
        outcome=outcome,
        note=note,
    )
    _audit(db, access, contact, "contact.close", {"outcome": outcome})
    return contact


def set_facts(
    db: Session,
    access: WorkspaceAccess,
    case_id: int,
    contact_id: int,
    *,
    follows: str | None = None,
    dm_setting: str | None = None,
) -> PrivateContact:
    access.require(Permission.CASE_EDIT)
    contact_on_case(db, access, case_id, contact_id)
    contact = service.set_facts(
        db, contact_id, workspace_id=access.workspace.id, follows=follows, dm_setting=dm_setting
    )
    _audit(db, access, contact, "contact.update", {"follows": follows, "dm_setting": dm_setting})
    return contact


def _audit(
    db: Session,
    access: WorkspaceAccess,
    contact: PrivateContact,
    action: str,
    details: dict[str, Any],
) -> None:
    accounts.record_audit(
        db,
        access.user,
        action,
        workspace_id=access.workspace.id,
        target_type="case",
        target_id=contact.case_id,
        details={"contact_id": contact.id, **details},
    )
    db.commit()
