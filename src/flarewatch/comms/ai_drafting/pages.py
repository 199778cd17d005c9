"""The new-draft page's "Draft with AI" form (templates/comms/_draft_ai.html) posts here; the
new draft opens on its own page, ready to edit and send for approval."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form
from fastapi.responses import Response
from sqlalchemy.orm import Session

from flarewatch.comms.ai_drafting import manage
from flarewatch.web.deps import WorkspaceAccess, get_db, workspace_access
from flarewatch.web.pages import back_to
from flarewatch.web.params import MAX_DB_INT, CaseId
from flarewatch.web.security import check_csrf

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.post("/w/{slug}/cases/{case_id}/ai-draft", dependencies=[Depends(check_csrf)])
def draft_with_ai(
    case_id: CaseId,
    platform: str = Form(""),
    kind: str = Form(""),
    stage: str = Form(""),
    audience: str = Form(""),
    language: str = Form(""),
    mention_id: int | None = Form(None, ge=1, le=MAX_DB_INT),
    template_text: str = Form("", max_length=64 * 1024),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    suggested = manage.suggest(
        db,
        access,
        case_id,
        platform=platform,
        kind=kind or None,
        mention_id=mention_id,
        stage=stage or None,
        audience=audience or None,
        language=language or None,
        template_text=template_text or None,
    )
    slug = access.workspace.slug
    return back_to(f"/w/{slug}/cases/{case_id}/drafts/{suggested.draft.id}")
