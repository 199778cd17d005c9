"""The editors' changes to a public page from the web and the API: permission, service,
audit log, commit (the CLI calls the service and audits as its actor)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from flarewatch.accounts import service as accounts
from flarewatch.accounts.permissions import Permission
from flarewatch.comms.drafts import case_drafts, is_publishable
from flarewatch.comms.models import Draft
from flarewatch.comms.public_page import service
from flarewatch.comms.public_page.models import ENTRY_KINDS, FIGURES, PublicEntry, PublicPage
from flarewatch.i18n.languages import LANGUAGES
from flarewatch.web.deps import WorkspaceAccess

PUBLIC_PREFIX = "/public/"


def public_path(page: PublicPage) -> str:
    return f"{PUBLIC_PREFIX}{page.token}"


def _audit(
    db: Session, access: WorkspaceAccess, action: str, case_id: int, details: dict[str, Any]
) -> None:
    accounts.record_audit(
        db,
        access.user,
        f"public_page.{action}",
        workspace_id=access.workspace.id,
        target_type="case",
        target_id=case_id,
        details=details,
    )


def publish(
    db: Session,
    access: WorkspaceAccess,
    case_id: int,
    *,
    language: str | None = None,
    title: str | None = None,
    figures: Sequence[str] | None = None,
    noindex: bool | None = None,
) -> PublicPage:
    access.require(Permission.CASE_EDIT)
    page = service.publish_page(
        db,
        case_id,
        access.user.email,
        workspace_id=access.workspace.id,
        language=language,
        title=title,
        figures=figures,
        noindex=noindex,
    )
    _audit(
        db,
        access,
        "publish",
        case_id,
        {"language": page.language, "figures": list(page.figures), "noindex": page.noindex},
    )
    db.commit()
    return page


def disable(db: Session, access: WorkspaceAccess, case_id: int) -> PublicPage:
    access.require(Permission.CASE_EDIT)
    page = service.disable_page(db, case_id, access.user.email, workspace_id=access.workspace.id)
    _audit(db, access, "disable", case_id, {})
    db.commit()
    return page


def new_link(db: Session, access: WorkspaceAccess, case_id: int) -> PublicPage:
    access.require(Permission.CASE_EDIT)
    page = service.renew_link(db, case_id, access.user.email, workspace_id=access.workspace.id)
    _audit(db, access, "new_link", case_id, {})
    db.commit()
    return page


def add(db: Session, access: WorkspaceAccess, case_id: int, draft_id: int) -> PublicEntry:
    access.require(Permission.CASE_EDIT)
    entry = service.add_entry(
        db, case_id, draft_id, access.user.email, workspace_id=access.workspace.id
    )
    _audit(db, access, "add", case_id, {"draft_id": draft_id, "version": entry.draft_version})
    db.commit()
    return entry


def remove(db: Session, access: WorkspaceAccess, case_id: int, draft_id: int) -> PublicEntry:
    access.require(Permission.CASE_EDIT)
    entry = service.remove_entry(
        db, case_id, draft_id, access.user.email, workspace_id=access.workspace.id
    )
    _audit(db, access, "remove", case_id, {"draft_id": draft_id})
    db.commit()
    return entry


def section_context(db: Session, case_id: int, workspace_id: int) -> dict[str, Any]:
    """What the case page's "Public update page" section shows (partials/case_public_page.html)."""
    page = service.page_of(db, case_id, workspace_id=workspace_id)
    rows = service.entry_rows(db, page) if page is not None else []
    shown = {draft.id for _, draft, _ in rows}
    candidates: list[Draft] = [
        d
        for d in case_drafts(db, case_id, workspace_id=workspace_id)
        if d.kind in ENTRY_KINDS and is_publishable(d) and d.id not in shown
    ]
    return {
        "page": page,
        "path": public_path(page) if page is not None else None,
        "rows": rows,
        "candidates": candidates,
        "figures": FIGURES,
        "languages": LANGUAGES,
    }
