"""The case room on the case page: the post-mortem (download, lessons learned), routing to the
internal owner (request, findings) and the roles (by hand or by the workspace's rules)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from flarewatch.web import case_response
from flarewatch.web.deps import WorkspaceAccess, get_db, workspace_access
from flarewatch.web.pages import back_to
from flarewatch.web.params import MAX_DB_INT, CaseId
from flarewatch.web.security import check_csrf
from flarewatch.web.templating import language_of

router = APIRouter(tags=["pages"], include_in_schema=False)
RoutingId = Annotated[int, Path(ge=1, le=MAX_DB_INT, description="The routing request's id.")]


@router.get("/w/{slug}/cases/{case_id}/postmortem.{format}")
def postmortem_download(
    request: Request,
    case_id: CaseId,
    format: str,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    return case_response.postmortem_file(db, access, case_id, format, language_of(request))


@router.post("/w/{slug}/cases/{case_id}/review", dependencies=[Depends(check_csrf)])
def review_save(
    case_id: CaseId,
    went_well: str = Form(""),
    to_improve: str = Form(""),
    lessons: str = Form(""),
    compensation: str = Form(""),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    case_response.update_review(
        db,
        access,
        case_id,
        {
            "went_well": went_well,
            "to_improve": to_improve,
            "lessons": lessons,
            "compensation": compensation,
        },
    )
    return back_to(f"/w/{access.workspace.slug}/cases/{case_id}#postmortem")


@router.post("/w/{slug}/cases/{case_id}/routing", dependencies=[Depends(check_csrf)])
def routing_request(
    case_id: CaseId,
    case_type: str = Form(""),
    note: str = Form(""),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    case_response.route(db, access, case_id, case_type, note)
    return back_to(f"/w/{access.workspace.slug}/cases/{case_id}#routing")


@router.post(
    "/w/{slug}/cases/{case_id}/routing/{routing_id}/findings", dependencies=[Depends(check_csrf)]
)
def routing_findings(
    case_id: CaseId,
    routing_id: RoutingId,
    findings: str = Form(""),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    case_response.findings(db, access, case_id, routing_id, findings)
    return back_to(f"/w/{access.workspace.slug}/cases/{case_id}#routing")


@router.post("/w/{slug}/cases/{case_id}/roles", dependencies=[Depends(check_csrf)])
def role_assign(
    case_id: CaseId,
    role: str = Form(""),
    person: str = Form(""),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    case_response.set_role(db, access, case_id, role, person)
    return back_to(f"/w/{access.workspace.slug}/cases/{case_id}#roles")


@router.post("/w/{slug}/cases/{case_id}/roles/apply", dependencies=[Depends(check_csrf)])
def role_rules(
    case_id: CaseId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    case_response.roles_by_rule(db, access, case_id)
    return back_to(f"/w/{access.workspace.slug}/cases/{case_id}#roles")
