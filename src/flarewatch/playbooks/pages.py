"""Pages: the workspace's playbooks, one playbook by stage, and saving a new version of it
(the TOML document edited in the page; admins)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from flarewatch.errors import InputError
from flarewatch.playbooks import service
from flarewatch.playbooks.library import STAGES, parse_toml, to_toml
from flarewatch.web import case_room
from flarewatch.web.deps import WorkspaceAccess, get_db, workspace_access
from flarewatch.web.pages import back_to, page
from flarewatch.web.security import check_csrf

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/w/{slug}/playbooks")
def playbook_list(
    request: Request,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    rows = service.available(db, access.workspace.id)
    return page(request, db, "playbooks.html", access=access, playbooks=rows)


@router.get("/w/{slug}/playbooks/{key}")
def playbook_page(
    request: Request,
    key: str,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    playbook = service.resolve(db, access.workspace.id, key)
    return page(
        request,
        db,
        "playbook.html",
        access=access,
        playbook=playbook,
        stage_names=STAGES,
        versions=service.versions(db, access.workspace.id, key),
        document=to_toml(playbook.doc),
    )


@router.post("/w/{slug}/playbooks/{key}", dependencies=[Depends(check_csrf)])
def playbook_save(
    key: str,
    document: str = Form(""),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    service.resolve(db, access.workspace.id, key)
    doc = parse_toml(document, f"playbook {key}")
    if doc.key != key:
        raise InputError(
            f'The document\'s key is {doc.key!r}, not {key!r}; keep key = "{key}" to save a '
            "new version of this playbook."
        )
    case_room.save_playbook(db, access, doc.model_dump(exclude_none=True))
    return back_to(f"/w/{access.workspace.slug}/playbooks/{key}")
