"""Alert inbox: list, detail, and triage (acknowledge, noise, resolve, open a case)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from flarewatch.accounts.permissions import Permission
from flarewatch.alerts import service as alerts
from flarewatch.alerts.key_posts import key_posts
from flarewatch.alerts.models import ALERT_STATUSES
from flarewatch.alerts.paging import paging_view
from flarewatch.alerts.summary import summarize_alert
from flarewatch.cases import service as cases
from flarewatch.detect.summary import settings_from_env
from flarewatch.errors import FlarewatchError, InputError, NotFoundError
from flarewatch.web import actions
from flarewatch.web.deps import WorkspaceAccess, get_db, workspace_access
from flarewatch.web.pages import back_to, is_htmx, page
from flarewatch.web.params import AlertId
from flarewatch.web.queries import latest_ids
from flarewatch.web.security import check_csrf
from flarewatch.web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/w/{slug}/alerts")
def alert_inbox(
    request: Request,
    status: str | None = None,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    status = status if status in ALERT_STATUSES else None
    rows = alerts.list_alerts(db, access.workspace.id, status=status, limit=200)
    case_of = cases.cases_for_alerts(db, [alert.id for alert in rows])
    _, last_alert = latest_ids(db, access.workspace.id)
    return page(
        request,
        db,
        "alerts.html",
        access=access,
        alerts=rows,
        case_of=case_of,
        status=status,
        statuses=ALERT_STATUSES,
        last_alert=last_alert,
    )


@router.get("/w/{slug}/alerts/{alert_id}")
def alert_detail(
    request: Request,
    alert_id: AlertId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    alert = alerts.get_alert(db, alert_id, workspace_id=access.workspace.id)
    return page(
        request,
        db,
        "alert.html",
        access=access,
        alert=alert,
        case_of=cases.cases_for_alerts(db, [alert.id]),
        topics=cases.topic_names(db, alert.topic_ids),
        posts=key_posts(db, alert, limit=10),
        ai_enabled=settings_from_env() is not None,
        paging=paging_view(db, alert),
    )


@router.post("/w/{slug}/alerts/{alert_id}/{action}", dependencies=[Depends(check_csrf)])
def triage(
    request: Request,
    alert_id: AlertId,
    action: str,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    if action == "summary":
        return _summary(request, access, db, alert_id)
    if action == "case":
        case = actions.open_case(db, access, alert_id)
        target = f"/w/{access.workspace.slug}/cases/{case.id}"
        if is_htmx(request):
            return Response(status_code=204, headers={"HX-Redirect": target})
        return back_to(target)
    alert = actions.triage_alert(db, access, alert_id, action)
    if is_htmx(request):
        return render(
            request,
            "partials/alert_row.html",
            access=access,
            alert=alert,
            case_of=cases.cases_for_alerts(db, [alert.id]),
        )
    return back_to(f"/w/{access.workspace.slug}/alerts")


def _summary(request: Request, access: WorkspaceAccess, db: Session, alert_id: int) -> Response:
    access.require(Permission.ALERT_TRIAGE)
    try:
        summary = summarize_alert(db, alert_id, workspace_id=access.workspace.id)
        return render(request, "partials/alert_summary.html", access=access, summary=summary)
    except (InputError, FlarewatchError) as err:
        if isinstance(err, NotFoundError):
            raise
        return render(request, "partials/alert_summary.html", access=access, error=str(err))
