"""Helpers shared by the page routers."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from flarewatch.accounts import notifications
from flarewatch.accounts import service as accounts
from flarewatch.accounts.models import User
from flarewatch.db.base import utcnow
from flarewatch.sources.health import SourceHealth, workspace_health
from flarewatch.web.deps import WorkspaceAccess
from flarewatch.web.templating import render


def failing_sources(db: Session, workspace_id: int) -> list[SourceHealth]:
    """The workspace's failing or stale sources (the rules of sources/health.py)."""
    return [h for h in workspace_health(db, workspace_id, utcnow()) if h.broken]


def page(
    request: Request,
    db: Session,
    template: str,
    *,
    access: WorkspaceAccess | None = None,
    user: User | None = None,
    status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    """A full page with the navigation (workspace switcher) for the signed-in user."""
    user = user or (access.user if access is not None else None)
    nav = accounts.workspaces_of(db, user.id) if user is not None else []
    # Every page of a workspace says when a source is failing: missing mentions must never be
    # mistaken for a quiet day.
    failing = failing_sources(db, access.workspace.id) if access is not None else []
    return render(
        request,
        template,
        status_code,
        access=access,
        user=user,
        workspace=access.workspace if access is not None else None,
        nav_workspaces=nav,
        failing_sources=failing,
        unread_notifications=notifications.unread_count(db, user.id) if user is not None else 0,
        **extra,
    )


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def back_to(url: str) -> Response:
    """After a plain (non-HTMX) form post: show the page again, so reload does not repost."""
    return RedirectResponse(url, status_code=303)
