"""An AI draft asked for from the web or the API: permission, service, audit log, commit."""

from __future__ import annotations

from sqlalchemy.orm import Session

from flarewatch.accounts import service as accounts
from flarewatch.accounts.permissions import Permission
from flarewatch.comms.ai_drafting.service import Suggested, suggest_draft
from flarewatch.web.deps import WorkspaceAccess


def suggest(
    db: Session,
    access: WorkspaceAccess,
    case_id: int,
    *,
    platform: str,
    kind: str | None = None,
    mention_id: int | None = None,
    stage: str | None = None,
    audience: str | None = None,
    language: str | None = None,
    template_text: str | None = None,
) -> Suggested:
    access.require(Permission.CASE_EDIT)
    suggested = suggest_draft(
        db,
        case_id,
        access.user.email,
        workspace_id=access.workspace.id,
        platform=platform,
        kind=kind,
        mention_id=mention_id,
        stage=stage,
        audience=audience,
        language=language,
        template_text=template_text,
    )
    accounts.record_audit(
        db,
        access.user,
        "draft.ai_suggest",
        workspace_id=access.workspace.id,
        target_type="case",
        target_id=case_id,
        details={"draft_id": suggested.draft.id, "model": suggested.model},
    )
    db.commit()
    return suggested
