"""Helpers shared by the page routers."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.accounts import service as accounts
from flarewatch.accounts.models import User
from flarewatch.sources.models import Source
from flarewatch.web.deps import WorkspaceAccess
from flarewatch.web.templating import render


def failing_sources(db: Session, workspace_id: int) -> list[Source]:
    return list(
        db.scalars(
            select(Source)
            .where(
                Source.workspace_id == workspace_id,
                Source.enabled.is_(True),
                Source.paused_at.is_(None),  # a paused source is not polled, so not failing
                Source.archived_at.is_(None),
                Source.consecutive_errors > 0,
            )
            .order_by(Source.key)
        )
    )


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
        **extra,
    )


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def back_to(url: str) -> Response:
    """After a plain (non-HTMX) form post: show the page again, so reload does not repost."""
    return RedirectResponse(url, status_code=303)
