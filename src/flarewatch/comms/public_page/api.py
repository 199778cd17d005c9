"""API: a case's public update page under /api/v1/workspaces/{slug}/cases/{case_id}/public-page
(read it, publish or change it, take it offline, give it a new link, add and remove entries)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from flarewatch.comms.public_page import manage, service
from flarewatch.comms.public_page.models import FIGURES, PublicPage
from flarewatch.web.api.schemas import CHANGE, JSON_SAFE_INT, READ, Text
from flarewatch.web.deps import WorkspaceAccess, get_db, workspace_access
from flarewatch.web.params import MAX_DB_INT, CaseId

router = APIRouter(tags=["communication"])
DraftId = Annotated[int, Path(ge=1, le=MAX_DB_INT, description="The draft's id.")]
BASE = "/workspaces/{slug}/cases/{case_id}/public-page"
# models.FIGURES, spelled out for the OpenAPI document (a test keeps the two equal).
Figure = Literal["status", "posts_handled", "replies_sent", "first_response"]


class PublicEntryOut(BaseModel):
    draft_id: int
    kind: str = Field(description="statement or update")
    draft_version: int = Field(description="The approved version when it was added.")
    shown: bool = Field(description="False while a revision waits for approval.")
    added_by: str
    added_at: datetime


class PublicPageOut(BaseModel):
    enabled: bool
    url: str = Field(description="The page's address; anyone with it can read the page.")
    token: str
    language: str
    title: str
    figures: list[str]
    noindex: bool
    created_by: str
    created_at: datetime
    updated_at: datetime
    entries: list[PublicEntryOut]


class PublicPageIn(BaseModel):
    """Only the fields sent change; a new page starts online with the fields sent."""

    language: Literal["en", "he", "pl"] | None = Field(None, description="The page's language.")
    title: Text | None = Field(None, max_length=200, description="Empty: 'Updates from <brand>'.")
    figures: list[Figure] | None = Field(
        None, max_length=len(FIGURES), description="The figures to share, any of them."
    )
    noindex: bool | None = Field(None, description="Ask search engines not to list the page.")


class PublicEntryIn(BaseModel):
    # Looked up after the case (a foreign case is 404 whatever the body says; no draft #0).
    draft_id: int = Field(0, ge=0, le=JSON_SAFE_INT, description="An approved statement or update.")


def _out(request: Request, db: Session, page: PublicPage) -> PublicPageOut:
    base = str(request.base_url).rstrip("/")
    return PublicPageOut(
        enabled=page.enabled,
        url=f"{base}{manage.public_path(page)}",
        token=page.token,
        language=page.language,
        title=page.title,
        figures=list(page.figures or []),
        noindex=page.noindex,
        created_by=page.created_by,
        created_at=page.created_at,
        updated_at=page.updated_at,
        entries=[
            PublicEntryOut(
                draft_id=draft.id,
                kind=draft.kind,
                draft_version=entry.draft_version,
                shown=shown,
                added_by=entry.added_by,
                added_at=entry.added_at,
            )
            for entry, draft, shown in service.entry_rows(db, page)
        ],
    )


@router.get(BASE, response_model=PublicPageOut, responses=READ)
def get_public_page(
    request: Request,
    case_id: CaseId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> PublicPageOut:
    """The case's public page, its link and its entries; 404 when it has none."""
    return _out(request, db, service.require_page(db, case_id, workspace_id=access.workspace.id))


@router.put(BASE, response_model=PublicPageOut, responses=CHANGE)
def put_public_page(
    request: Request,
    case_id: CaseId,
    body: PublicPageIn,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> PublicPageOut:
    """Publishes the page (created with a new link, or put back online) with the settings sent."""
    page = manage.publish(db, access, case_id, **body.model_dump())
    return _out(request, db, page)


@router.post(f"{BASE}/disable", response_model=PublicPageOut, responses=CHANGE)
def disable_public_page(
    request: Request,
    case_id: CaseId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> PublicPageOut:
    """Takes the page offline: its link answers 404, like an unknown one."""
    return _out(request, db, manage.disable(db, access, case_id))


@router.post(f"{BASE}/new-link", response_model=PublicPageOut, responses=CHANGE)
def renew_public_link(
    request: Request,
    case_id: CaseId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> PublicPageOut:
    """A new token; the old link stops working."""
    return _out(request, db, manage.new_link(db, access, case_id))


@router.post(f"{BASE}/entries", response_model=PublicPageOut, responses=CHANGE, status_code=201)
def add_public_entry(
    request: Request,
    case_id: CaseId,
    body: PublicEntryIn,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> PublicPageOut:
    """Shows an approved statement or update on the page; 409 when its text is not approved."""
    manage.add(db, access, case_id, body.draft_id)
    return _out(request, db, service.require_page(db, case_id, workspace_id=access.workspace.id))


@router.delete(f"{BASE}/entries/{{draft_id}}", status_code=204, responses=CHANGE)
def remove_public_entry(
    case_id: CaseId,
    draft_id: DraftId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    """Takes a draft off the page."""
    manage.remove(db, access, case_id, draft_id)
    return Response(status_code=204)
