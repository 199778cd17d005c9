"""The case page's "Public update page" section: its forms post here (CSRF-checked, signed in)
and come back to the section."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path
from fastapi.responses import Response
from sqlalchemy.orm import Session

from flarewatch.comms.public_page import manage
from flarewatch.web.deps import WorkspaceAccess, get_db, workspace_access
from flarewatch.web.pages import back_to
from flarewatch.web.params import MAX_DB_INT, CaseId
from flarewatch.web.security import check_csrf

router = APIRouter(tags=["pages"], include_in_schema=False)
DraftId = Annotated[int, Path(ge=1, le=MAX_DB_INT, description="The draft's id.")]
BASE = "/w/{slug}/cases/{case_id}/public-page"


def _back(access: WorkspaceAccess, case_id: int) -> Response:
    return back_to(f"/w/{access.workspace.slug}/cases/{case_id}#public-page")


@router.post(BASE, dependencies=[Depends(check_csrf)])
def page_publish(
    case_id: CaseId,
    language: str = Form(""),
    title: str = Form(""),
    figures: list[str] = Form([]),
    noindex: bool = Form(False),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    """Publishes the page, or saves its settings (the form sends them all)."""
    manage.publish(
        db,
        access,
        case_id,
        language=language or None,
        title=title,
        figures=figures,
        noindex=noindex,
    )
    return _back(access, case_id)


@router.post(f"{BASE}/disable", dependencies=[Depends(check_csrf)])
def page_disable(
    case_id: CaseId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    manage.disable(db, access, case_id)
    return _back(access, case_id)


@router.post(f"{BASE}/new-link", dependencies=[Depends(check_csrf)])
def page_new_link(
    case_id: CaseId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    manage.new_link(db, access, case_id)
    return _back(access, case_id)


@router.post(f"{BASE}/entries", dependencies=[Depends(check_csrf)])
def entry_add(
    case_id: CaseId,
    draft_id: int = Form(0, ge=0, le=MAX_DB_INT),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    manage.add(db, access, case_id, draft_id)
    return _back(access, case_id)


@router.post(f"{BASE}/entries/{{draft_id}}/remove", dependencies=[Depends(check_csrf)])
def entry_remove(
    case_id: CaseId,
    draft_id: DraftId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    manage.remove(db, access, case_id, draft_id)
    return _back(access, case_id)
