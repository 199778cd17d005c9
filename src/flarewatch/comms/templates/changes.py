"""A template change made on the web or through the API: permission, service, audit entry,
commit. The API (api.py) and the pages (pages.py) both call these, so they cannot drift.

Templates are the pre-approved wording of a workspace: editing or importing them is a
settings change (admins); starting a draft from one is case work (responders and up).
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from flarewatch.accounts import service as accounts
from flarewatch.accounts.permissions import Permission
from flarewatch.comms.models import Draft
from flarewatch.comms.templates import service
from flarewatch.comms.templates.library import TemplateBody, TemplateDoc
from flarewatch.web.deps import WorkspaceAccess


def save(
    db: Session, access: WorkspaceAccess, key: str, body: TemplateBody
) -> tuple[service.Template, bool]:
    """The workspace's next version of the template (unchanged text: none)."""
    access.require(Permission.SETTINGS_EDIT)
    template, written = service.save_version(db, access.workspace.id, key, body, access.user.email)
    if written:
        accounts.record_audit(
            db,
            access.user,
            "template.save",
            workspace_id=access.workspace.id,
            target_type="template",
            target_id=key,
            details={"version": template.version},
        )
    db.commit()
    return template, written


def import_set(
    db: Session, access: WorkspaceAccess, docs: list[TemplateDoc]
) -> list[tuple[service.Template, bool]]:
    """Every template of an imported set as its next version; one audit entry for the set."""
    access.require(Permission.SETTINGS_EDIT)
    results = service.import_templates(db, access.workspace.id, docs, access.user.email)
    accounts.record_audit(
        db,
        access.user,
        "template.import",
        workspace_id=access.workspace.id,
        target_type="template",
        details={
            "read": len(results),
            "saved": {t.key: t.version for t, written in results if written},
        },
    )
    db.commit()
    return results


def start_draft(
    db: Session,
    access: WorkspaceAccess,
    key: str,
    case_id: int,
    platform: str,
    *,
    language: str | None,
    values: Mapping[str, str],
    mention_id: int | None = None,
) -> tuple[Draft, service.Filled]:
    """A draft on the case from the template (the draft's timeline entry says who)."""
    access.require(Permission.CASE_EDIT)
    draft, filled = service.draft_from_template(
        db,
        access.workspace,
        key,
        case_id,
        platform,
        access.user.email,
        language=language,
        values=values,
        mention_id=mention_id,
    )
    db.commit()
    return draft, filled


def draft_url(slug: str, draft: Draft) -> str:
    """Where a draft is worked on: its page in the case room."""
    return f"/w/{slug}/cases/{draft.case_id}/drafts/{draft.id}"
