"""Alert route settings: add and remove a workspace's routes, and send a test alert to one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from flarewatch.accounts import service as accounts
from flarewatch.accounts.permissions import Permission
from flarewatch.alerts.notify import DeliveryError
from flarewatch.alerts.route_settings import (
    MAX_ROUTES,
    add_route,
    remove_route,
    send_test_alert,
)
from flarewatch.alerts.routing import describe_route
from flarewatch.web.deps import WorkspaceAccess, get_db, requires
from flarewatch.web.pages import back_to, is_htmx
from flarewatch.web.routers.settings import render_settings
from flarewatch.web.security import check_csrf
from flarewatch.web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)
RouteIndex = Annotated[
    int, Path(ge=0, lt=MAX_ROUTES, description="The route's place in the workspace's list.")
]


@router.post("/w/{slug}/settings/routes", dependencies=[Depends(check_csrf)])
def route_add(
    url: str = Form(""),
    min_severity: str = Form("watch"),
    language: str = Form(""),
    name: str = Form(""),
    access: WorkspaceAccess = Depends(requires(Permission.SETTINGS_EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    entry = add_route(access.workspace, url, min_severity, language, name)
    accounts.record_audit(
        db,
        access.user,
        "alert_route.add",
        workspace_id=access.workspace.id,
        target_type="workspace",
        target_id=access.workspace.id,
        details={
            "route": describe_route(entry["url"]),
            "min_severity": entry["min_severity"],
            "language": entry.get("language"),
        },
    )
    db.commit()
    return back_to(f"/w/{access.workspace.slug}/settings#routes")


@router.post("/w/{slug}/settings/routes/{route_index}/remove", dependencies=[Depends(check_csrf)])
def route_remove(
    route_index: RouteIndex,
    access: WorkspaceAccess = Depends(requires(Permission.SETTINGS_EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    removed = remove_route(access.workspace, route_index)
    accounts.record_audit(
        db,
        access.user,
        "alert_route.remove",
        workspace_id=access.workspace.id,
        target_type="workspace",
        target_id=access.workspace.id,
        details={"route": describe_route(str(removed.get("url", "")))},
    )
    db.commit()
    return back_to(f"/w/{access.workspace.slug}/settings#routes")


@router.post("/w/{slug}/settings/routes/{route_index}/test", dependencies=[Depends(check_csrf)])
def route_test(
    request: Request,
    route_index: RouteIndex,
    access: WorkspaceAccess = Depends(requires(Permission.SETTINGS_EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    """Send the test message now, through the same notifier as real alerts; the answer says
    whether the service took it, or its reason for refusing."""
    error: str | None = None
    try:
        shown = send_test_alert(access.workspace, route_index)
    except DeliveryError as err:
        shown, error = "", str(err) or "the service did not accept the message"
    accounts.record_audit(
        db,
        access.user,
        "alert_route.test",
        workspace_id=access.workspace.id,
        target_type="workspace",
        target_id=access.workspace.id,
        details={"route": route_index + 1, "sent": error is None, "error": error},
    )
    db.commit()
    context = {"access": access, "route_index": route_index, "error": error, "shown": shown}
    if is_htmx(request):
        return render(request, "partials/route_test.html", **context)
    return render_settings(request, access, db, route_test=context)
