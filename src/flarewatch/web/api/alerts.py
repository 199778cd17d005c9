"""API: the alert inbox and triage."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from flarewatch.alerts import service as alerts
from flarewatch.alerts.paging import paging_view
from flarewatch.web import actions
from flarewatch.web.api.schemas import (
    CHANGE,
    READ,
    AlertOut,
    CaseOut,
    DeliveryOut,
    PagingOut,
)
from flarewatch.web.deps import WorkspaceAccess, get_db, workspace_access
from flarewatch.web.params import AlertId, AlertStatus

router = APIRouter(tags=["alerts"])


@router.get("/workspaces/{slug}/alerts", response_model=list[AlertOut], responses=READ)
def list_alerts(
    status: AlertStatus | None = None,
    limit: int = Query(50, ge=1, le=500),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> list[Any]:
    return alerts.list_alerts(db, access.workspace.id, status=status, limit=limit)


@router.get("/workspaces/{slug}/alerts/{alert_id}", response_model=AlertOut, responses=READ)
def get_alert(
    alert_id: AlertId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Any:
    return alerts.get_alert(db, alert_id, workspace_id=access.workspace.id)


@router.get("/workspaces/{slug}/alerts/{alert_id}/paging", response_model=PagingOut, responses=READ)
def alert_paging(
    alert_id: AlertId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Any:
    """The alert's escalation: its rounds and reminders, the next one due, each delivery's
    state (attempts, last error, next try) and the alert's timeline (docs/oncall.md)."""
    view = paging_view(db, alerts.get_alert(db, alert_id, workspace_id=access.workspace.id))
    return PagingOut(
        next=view.next_round,
        rounds=view.rounds,
        deliveries=[DeliveryOut.model_validate(asdict(row)) for row in view.deliveries],
        timeline=view.events,
    )


@router.post(
    "/workspaces/{slug}/alerts/{alert_id}/case",
    response_model=CaseOut,
    status_code=201,
    responses=CHANGE,
)
def open_case(
    alert_id: AlertId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Any:
    """Opens a case from the alert (or returns the case already opened from it)."""
    return actions.open_case(db, access, alert_id)


@router.post(
    "/workspaces/{slug}/alerts/{alert_id}/{action}", response_model=AlertOut, responses=CHANGE
)
def triage_alert(
    alert_id: AlertId,
    action: Literal["acknowledge", "noise", "resolve"],
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Any:
    """Acknowledge, mark as noise or resolve (roles: admin, analyst, responder)."""
    return actions.triage_alert(db, access, alert_id, action)
