"""The case room's page actions: apply a playbook, record a public answer, and the
timeline's CSV and JSON downloads (the sections themselves are partials of the case page)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from flarewatch.cases import timeline as case_timeline
from flarewatch.cases.service import get_case
from flarewatch.errors import InputError
from flarewatch.i18n.formatting import zone
from flarewatch.web import case_room
from flarewatch.web.deps import WorkspaceAccess, get_db, workspace_access
from flarewatch.web.pages import back_to
from flarewatch.web.params import CaseId
from flarewatch.web.security import check_csrf
from flarewatch.web.templating import language_of

router = APIRouter(tags=["pages"], include_in_schema=False)
MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def _case_url(access: WorkspaceAccess, case_id: int) -> str:
    return f"/w/{access.workspace.slug}/cases/{case_id}"


@router.post("/w/{slug}/cases/{case_id}/playbooks", dependencies=[Depends(check_csrf)])
def apply_playbook(
    request: Request,
    case_id: CaseId,
    playbook: str = Form(""),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    get_case(db, case_id, workspace_id=access.workspace.id)  # another workspace's: not found
    if not playbook.strip():
        raise InputError("Choose a playbook to apply from the list.")
    case_room.apply_playbook(db, access, case_id, playbook.strip(), language_of(request))
    return back_to(_case_url(access, case_id) + "#playbooks")


@router.post("/w/{slug}/cases/{case_id}/answers", dependencies=[Depends(check_csrf)])
def record_answer(
    case_id: CaseId,
    where: str = Form(""),
    at: str = Form(""),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    get_case(db, case_id, workspace_id=access.workspace.id)  # another workspace's: not found
    moment = None
    if at.strip():
        try:
            local = datetime.fromisoformat(at.strip())
        except ValueError:
            raise InputError(
                "The time of the answer is not a date; pick one in the field."
            ) from None
        moment = local.replace(tzinfo=zone(access.user.timezone or access.workspace.timezone))
    case_room.record_answer(db, access, case_id, where, moment)
    return back_to(_case_url(access, case_id) + "#goals")


@router.get("/w/{slug}/cases/{case_id}/timeline.{fmt}")
def timeline_export(
    case_id: CaseId,
    fmt: str,
    kind: list[str] = Query(default=[]),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    if fmt not in MEDIA:
        raise InputError(f"Unknown export format '{fmt}'; use timeline.csv or timeline.json.")
    events = case_timeline.case_timeline(db, case_id, kind, workspace_id=access.workspace.id)
    name = f"case-{case_id}-timeline.{fmt}"
    return Response(
        case_timeline.export(events, fmt),
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
