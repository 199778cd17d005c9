"""API: the workspace's playbooks (the shipped library and its own versions), and saving a
new version of one."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from flarewatch.playbooks import service
from flarewatch.playbooks.library import KEY_PATTERN, PlaybookBody
from flarewatch.web import case_room
from flarewatch.web.api.schemas import CHANGE, READ
from flarewatch.web.deps import WorkspaceAccess, get_db, workspace_access

router = APIRouter(tags=["playbooks"])


class PlaybookOut(BaseModel):
    key: str
    version: int
    origin: str = Field(description="shipped, or workspace (a version saved in the workspace).")
    kind: str = Field(description="plan, or note (an anti-pattern to keep in mind).")
    title: dict[str, str]
    document: dict[str, Any] = Field(
        description="The whole playbook: summary, goals, steps (stage, due_minutes, en/he/pl)."
    )


class VersionOut(BaseModel):
    key: str
    version: int
    saved_by: str
    saved_at: datetime


def _out(playbook: service.Playbook) -> PlaybookOut:
    doc = playbook.doc
    return PlaybookOut(
        key=doc.key,
        version=playbook.version,
        origin=playbook.origin,
        kind=doc.kind,
        title=doc.title.model_dump(),
        document=doc.model_dump(exclude_none=True),
    )


@router.get("/workspaces/{slug}/playbooks", response_model=list[PlaybookOut], responses=READ)
def list_playbooks(
    access: WorkspaceAccess = Depends(workspace_access), db: Session = Depends(get_db)
) -> list[PlaybookOut]:
    """Every playbook the workspace can apply, each in its newest version."""
    return [_out(p) for p in service.available(db, access.workspace.id)]


@router.get("/workspaces/{slug}/playbooks/{key}", response_model=PlaybookOut, responses=READ)
def get_playbook(
    key: str, access: WorkspaceAccess = Depends(workspace_access), db: Session = Depends(get_db)
) -> PlaybookOut:
    return _out(service.resolve(db, access.workspace.id, key))


@router.get(
    "/workspaces/{slug}/playbooks/{key}/versions",
    response_model=list[VersionOut],
    responses=READ,
)
def playbook_versions(
    key: str, access: WorkspaceAccess = Depends(workspace_access), db: Session = Depends(get_db)
) -> list[VersionOut]:
    """The workspace's saved versions of the playbook, oldest first (none: the shipped one)."""
    service.resolve(db, access.workspace.id, key)
    return [
        VersionOut(key=r.key, version=r.version, saved_by=r.saved_by, saved_at=r.saved_at)
        for r in service.versions(db, access.workspace.id, key)
    ]


@router.put("/workspaces/{slug}/playbooks/{key}", response_model=PlaybookOut, responses=CHANGE)
def save_playbook(
    key: Annotated[
        str, Path(pattern=KEY_PATTERN, description="The playbook's key (a new key adds one).")
    ],
    document: PlaybookBody,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> PlaybookOut:
    """Saves the document as the workspace's next version of the playbook (admins). The body
    is the playbook as GET returns it under `document` (its key and version are left out: the
    key is the path's, the version is assigned)."""
    case_room.save_playbook(db, access, {**document.model_dump(exclude_none=True), "key": key})
    return _out(service.resolve(db, access.workspace.id, key))
