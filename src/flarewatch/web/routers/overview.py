"""Overview across the user's workspaces (risk per brand at a glance) and the dashboard."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.accounts import service as accounts
from flarewatch.accounts.models import User
from flarewatch.alerts import service as alerts
from flarewatch.cases.service import cases_for_alerts
from flarewatch.i18n.formatting import Formatter
from flarewatch.mentions.stream import post_stream
from flarewatch.web.charts import build_dashboard
from flarewatch.web.deps import WorkspaceAccess, current_user, get_db, workspace_access
from flarewatch.web.pages import page
from flarewatch.web.queries import (
    SEVERITY_RANK,
    latest_ids,
    topics_of,
    workspace_risk,
)
from flarewatch.web.templating import language_of
from flarewatch.workspaces.create import may_create_workspaces
from flarewatch.workspaces.models import Topic

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/")
def overview(
    request: Request, user: User = Depends(current_user), db: Session = Depends(get_db)
) -> Response:
    risks = [workspace_risk(db, ws, role) for ws, role in accounts.workspaces_of(db, user.id)]
    # The brand in the worst state comes first: that is the one to look at.
    risks.sort(key=lambda r: (-SEVERITY_RANK.get(r.top_severity or "", 0), -r.top_risk))
    return page(
        request,
        db,
        "overview.html",
        user=user,
        risks=risks,
        can_create=may_create_workspaces(db, user),
    )


@router.get("/w/{slug}")
def dashboard(
    request: Request,
    topic: str | None = None,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    ws = access.workspace
    chosen = (
        db.scalar(select(Topic).where(Topic.workspace_id == ws.id, Topic.key == topic))
        if topic
        else None
    )
    fmt = Formatter(language_of(request), access.user.timezone or ws.timezone)
    dash = build_dashboard(db, ws.id, fmt, topic=chosen)
    last_mention, last_alert = latest_ids(db, ws.id)
    latest_alerts = alerts.list_alerts(db, ws.id, limit=10)
    return page(
        request,
        db,
        "dashboard.html",
        access=access,
        dash=dash,
        topics=topics_of(db, ws.id),
        topic=chosen,
        mentions=post_stream(db, ws.id, limit=15),
        alerts=latest_alerts,
        case_of=cases_for_alerts(db, [a.id for a in latest_alerts]),
        last_mention=last_mention,
        last_alert=last_alert,
    )
