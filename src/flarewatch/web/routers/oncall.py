"""The rota page: who is on call over the next 14 days (in the viewer's time zone), the app's
overrides and shift swaps (request, accept, decline, cancel), and the "simulate" view of the
paging timeline an alert at a chosen moment would cause (docs/oncall.md)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from flarewatch.accounts.permissions import Permission
from flarewatch.config.workspace import SEVERITIES
from flarewatch.db.base import utcnow
from flarewatch.errors import InputError
from flarewatch.oncall import changes
from flarewatch.oncall.calendar import calendar_days
from flarewatch.oncall.escalation import EscalationPlan, plan_escalation
from flarewatch.oncall.service import people_config
from flarewatch.web.deps import WorkspaceAccess, get_db, workspace_access
from flarewatch.web.pages import back_to, page
from flarewatch.web.params import RotaChangeId
from flarewatch.web.security import check_csrf

router = APIRouter(tags=["pages"], include_in_schema=False)
CALENDAR_DAYS = 14
ACK_AFTER_MAX = 24 * 60


def viewer_zone(access: WorkspaceAccess) -> str:
    """The viewer's own zone (account settings), else the workspace's."""
    return access.user.timezone or access.workspace.timezone or "UTC"


def _simulate(
    db: Session,
    access: WorkspaceAccess,
    at: str,
    severity: str,
    ack_after: int | None,
    zone: str,
) -> EscalationPlan:
    if severity not in SEVERITIES:
        raise InputError(f"unknown severity {severity!r}; use one of {', '.join(SEVERITIES)}")
    if ack_after is not None and not 0 <= ack_after <= ACK_AFTER_MAX:
        raise InputError(f"acknowledged after {ack_after} minutes: give 0 to {ACK_AFTER_MAX}")
    moment = changes.local(at, zone)
    after = timedelta(minutes=ack_after) if ack_after is not None else None
    # The overrides and swaps in force at that moment, however long ago or far ahead it is.
    config = changes.with_accepted(db, access.workspace, people_config(access.workspace), moment)
    return plan_escalation(config, moment, severity, after)


@router.get("/w/{slug}/oncall")
def rota_page(
    request: Request,
    at: str | None = None,
    severity: str = "crisis",
    ack_after: int | None = None,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    now = utcnow()
    zone = viewer_zone(access)
    config = changes.with_accepted(db, access.workspace, people_config(access.workspace), now)
    today = now.astimezone(ZoneInfo(zone)).date()
    calendars = {rota.key: calendar_days(rota, today, CALENDAR_DAYS, zone) for rota in config.rotas}
    plan, plan_error = None, None
    if at:
        try:
            plan = _simulate(db, access, at, severity, ack_after, zone)
        except (InputError, ValueError) as err:
            plan_error = str(err)
    return page(
        request,
        db,
        "oncall.html",
        access=access,
        config=config,
        calendars=calendars,
        changes=changes.changes_of(db, access.workspace.id, now),
        people=[person.key for person in config.people],
        viewer_zone=zone,
        severities=SEVERITIES,
        sim={"at": at or "", "severity": severity, "ack_after": ack_after},
        plan=plan,
        plan_error=plan_error,
        now=now,
    )


@router.post("/w/{slug}/oncall/overrides", dependencies=[Depends(check_csrf)])
def add_override(
    rota: str = Form(...),
    person: str = Form(...),
    start: str = Form(...),
    end: str = Form(...),
    note: str = Form(""),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    access.require(Permission.SETTINGS_EDIT)
    zone = viewer_zone(access)
    changes.add_override(
        db,
        access.workspace,
        rota,
        person,
        changes.local(start, zone),
        changes.local(end, zone),
        access.user.email,
        now=utcnow(),
        note=note.strip() or None,
    )
    db.commit()
    return back_to(f"/w/{access.workspace.slug}/oncall")


@router.post("/w/{slug}/oncall/swaps", dependencies=[Depends(check_csrf)])
def request_swap(
    rota: str = Form(...),
    replaces: str = Form(...),
    person: str = Form(...),
    start: str = Form(...),
    end: str = Form(...),
    note: str = Form(""),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    access.require(Permission.ALERT_TRIAGE)
    zone = viewer_zone(access)
    changes.request_swap(
        db,
        access.workspace,
        rota,
        replaces,
        person,
        changes.local(start, zone),
        changes.local(end, zone),
        access.user.email,
        now=utcnow(),
        note=note.strip() or None,
    )
    db.commit()
    return back_to(f"/w/{access.workspace.slug}/oncall")


@router.post("/w/{slug}/oncall/changes/{change_id}/{action}", dependencies=[Depends(check_csrf)])
def decide_change(
    change_id: RotaChangeId,
    action: str,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    access.require(Permission.ALERT_TRIAGE)
    now, by = utcnow(), access.user.email
    changes.get_change(db, access.workspace, change_id)  # another workspace's: not found
    if action in ("accept", "decline"):
        changes.decide(db, access.workspace, change_id, action == "accept", by, now=now)
    elif action == "cancel":
        change = changes.get_change(db, access.workspace, change_id)
        if change.requested_by != by:
            access.require(Permission.SETTINGS_EDIT)
        changes.cancel(db, access.workspace, change_id, by, now=now)
    else:
        raise InputError(f"unknown action {action!r}; use accept, decline or cancel")
    db.commit()
    return back_to(f"/w/{access.workspace.slug}/oncall")
