"""Pages: the workspace's publishing schedule with the kill switch (`/w/{slug}/publishing`),
the kill switch's card for the case page (loaded into it), and the forms the draft page's
publish partial (`comms/_draft_publish.html`) posts to."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from flarewatch.comms.drafts import get_draft
from flarewatch.comms.publishing import actions, service
from flarewatch.comms.publishing.channels import workspace_channels
from flarewatch.errors import InputError
from flarewatch.web.deps import WorkspaceAccess, get_db, workspace_access
from flarewatch.web.pages import back_to, page
from flarewatch.web.params import MAX_DB_INT
from flarewatch.web.security import check_csrf
from flarewatch.web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)
CSRF = [Depends(check_csrf)]


def publishing_url(access: WorkspaceAccess) -> str:
    return f"/w/{access.workspace.slug}/publishing"


@router.get("/w/{slug}/publishing")
def publishing_page(
    request: Request,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    switch, history = actions.switch_state(db, access.workspace.id)
    rows = service.publications(db, access.workspace.id)
    return page(
        request,
        db,
        "comms/publishing.html",
        access=access,
        switch=switch,
        switch_history=history,
        publications=rows,
        channel_states=actions.channels_of(db, access),
    )


@router.get("/w/{slug}/publishing/kill-switch")
def kill_switch_card(
    request: Request,
    back: str | None = None,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    """The kill switch's card alone (the case page loads it with HTMX)."""
    switch, _ = actions.switch_state(db, access.workspace.id)
    return render(
        request,
        "comms/_kill_switch.html",
        access=access,
        workspace=access.workspace,
        switch=switch,
        back=_local(back),
    )


@router.post("/w/{slug}/publishing/kill-switch", dependencies=CSRF)
def kill_switch_engage(
    reason: str = Form(""),
    back: str | None = Form(None),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    actions.engage(db, access, reason)
    return back_to(_local(back) or publishing_url(access))


@router.post("/w/{slug}/publishing/resume", dependencies=CSRF)
def kill_switch_resume(
    back: str | None = Form(None),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    actions.resume(db, access)
    return back_to(_local(back) or publishing_url(access))


@router.post("/w/{slug}/drafts/{draft_id}/publish", dependencies=CSRF)
def draft_publish(
    draft_id: int,
    channel: str = Form(""),
    when: str = Form("now"),
    at: str = Form(""),
    back: str | None = Form(None),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    """The publish partial's form: now, or at a local date and time (the reader's zone)."""
    if not 1 <= draft_id <= MAX_DB_INT:
        raise InputError(f"draft #{draft_id} does not exist")
    draft = get_draft(db, draft_id, workspace_id=access.workspace.id)
    moment = None
    if when == "at":
        zone = access.user.timezone or access.workspace.timezone or "UTC"
        moment = parse_local(at, zone)
    actions.schedule(db, access, draft.id, channel, moment, send_now=when == "now")
    return back_to(_local(back) or f"/w/{access.workspace.slug}/cases/{draft.case_id}")


@router.post("/w/{slug}/publishing/{publication_id}/cancel", dependencies=CSRF)
def publication_cancel(
    publication_id: int,
    reason: str = Form(""),
    back: str | None = Form(None),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    if not 1 <= publication_id <= MAX_DB_INT:
        raise InputError(f"publication #{publication_id} does not exist")
    actions.cancel(db, access, publication_id, reason or None)
    return back_to(_local(back) or publishing_url(access))


def parse_local(value: str, zone: str) -> datetime:
    """A `datetime-local` field's value read in the reader's time zone, as UTC."""
    try:
        naive = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InputError(
            f"{value!r} is not a date and time; pick one, e.g. 2026-12-08T18:00"
        ) from None
    local = naive if naive.tzinfo else naive.replace(tzinfo=ZoneInfo(zone))
    return local.astimezone(UTC)


def _local(url: str | None) -> str | None:
    """Only our own pages are gone back to (never another site)."""
    if url and url.startswith("/") and not url.startswith("//"):
        return url
    return None


@router.get("/w/{slug}/drafts/{draft_id}/publishing")
def draft_publishing(
    request: Request,
    draft_id: int,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    """The publish partial's body: the draft's channels and publications."""
    if not 1 <= draft_id <= MAX_DB_INT:
        raise InputError(f"draft #{draft_id} does not exist")
    draft = get_draft(db, draft_id, workspace_id=access.workspace.id)
    switch, _ = actions.switch_state(db, access.workspace.id)
    channels = [c for c in workspace_channels(access.workspace) if c.platform == draft.platform]
    return render(
        request,
        "comms/_draft_publish_body.html",
        access=access,
        workspace=access.workspace,
        draft=draft,
        switch=switch,
        channels=channels,
        publications=service.publications(db, access.workspace.id, draft_id=draft.id),
        back=_local(urlsplit(request.headers.get("HX-Current-URL") or "").path)
        or f"/w/{access.workspace.slug}/cases/{draft.case_id}",
    )
