"""API: the inbox's actions on posts (relevance, tags, assignment, add to case), the tags in
use and each person's saved views; the same service functions and role checks as the page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response
from sqlalchemy.orm import Session

from flarewatch.mentions import inbox
from flarewatch.mentions.stream import PostFilters
from flarewatch.web import actions
from flarewatch.web.api.schemas import (
    CHANGE,
    READ,
    BulkIn,
    BulkOut,
    SavedViewIn,
    SavedViewOut,
    TagOut,
)
from flarewatch.web.deps import WorkspaceAccess, get_db, workspace_access
from flarewatch.web.params import ViewId

router = APIRouter(tags=["inbox"])


@router.post("/workspaces/{slug}/mentions/bulk", response_model=BulkOut, responses=CHANGE)
def bulk(
    body: BulkIn,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> BulkOut:
    """One action on up to 500 posts at once; each post is acted on once, whatever the number
    of topics it matched. Analysts and up; relevance marks need the role that edits topics,
    adding to a case the role that edits cases. Each action is in the audit log."""
    result = actions.bulk_posts(
        db,
        access,
        body.action,
        body.ids,
        tag=getattr(body, "tag", ""),
        assignee=getattr(body, "assignee", None) or None,
        case_id=getattr(body, "case_id", None),
    )
    return BulkOut(posts=result.posts, changed=result.changed)


@router.get("/workspaces/{slug}/tags", response_model=list[TagOut], responses=READ)
def list_tags(
    access: WorkspaceAccess = Depends(workspace_access), db: Session = Depends(get_db)
) -> list[TagOut]:
    """The tags on the workspace's posts, by name; filter the stream with `?tag=`."""
    return [TagOut(tag=tag, posts=n) for tag, n in inbox.tag_counts(db, access.workspace.id)]


@router.get("/workspaces/{slug}/views", response_model=list[SavedViewOut], responses=READ)
def list_views(
    access: WorkspaceAccess = Depends(workspace_access), db: Session = Depends(get_db)
) -> list[Any]:
    """The caller's saved views in this workspace (each person has their own)."""
    return inbox.saved_views(db, access.workspace.id, access.user.id)


@router.post(
    "/workspaces/{slug}/views", response_model=SavedViewOut, status_code=201, responses=CHANGE
)
def save_view(
    body: SavedViewIn,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Any:
    """Saves the filters under a name for the caller (a name they already use is replaced)."""
    filters = PostFilters(**body.filters.model_dump())
    view = inbox.save_view(db, access.workspace.id, access.user.id, body.name, filters)
    db.commit()
    return view


@router.delete(
    "/workspaces/{slug}/views/{view_id}",
    status_code=204,
    response_class=Response,
    responses=CHANGE,
)
def delete_view(
    view_id: ViewId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    inbox.delete_view(db, access.workspace.id, access.user.id, view_id)
    db.commit()
    return Response(status_code=204)
