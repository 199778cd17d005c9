"""The case page's "Stakeholder updates" and "Advocates" sections and the changes made there,
shared by the page routes (here) and the JSON API (comms/stakeholders/api.py): permission,
service call, audit, commit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form
from fastapi.responses import Response
from sqlalchemy.orm import Session

from flarewatch.accounts import service as accounts
from flarewatch.accounts.permissions import Permission
from flarewatch.alerts.message import excerpt
from flarewatch.cases.models import Case
from flarewatch.cases.service import get_case
from flarewatch.comms.advocates import service as advocates
from flarewatch.comms.advocates.models import AdvocateBriefing
from flarewatch.comms.drafts import case_drafts, is_publishable, latest_versions
from flarewatch.comms.stakeholders import service
from flarewatch.comms.stakeholders.models import StakeholderUpdate
from flarewatch.db.base import utcnow
from flarewatch.web.deps import WorkspaceAccess, get_db, workspace_access
from flarewatch.web.pages import back_to
from flarewatch.web.params import CaseId
from flarewatch.web.security import check_csrf
from flarewatch.workspaces.models import Workspace

router = APIRouter(tags=["pages"], include_in_schema=False)


@dataclass(frozen=True, slots=True)
class AdvocateRow:
    key: str
    name: str
    contact: str  # "by_hand", or the kind of route ("mailto", "route", "person"); never a URL
    languages: list[str]
    topics: list[str]
    matches: bool  # a default pick for this case


def section_context(db: Session, case: Case) -> dict[str, Any]:
    """What the two sections of the case page show."""
    workspace = db.get_one(Workspace, case.workspace_id)
    matching = {a.key for a in advocates.matching_advocates(db, case)}
    drafts = [d for d in case_drafts(db, case.id) if is_publishable(d)]
    texts = latest_versions(db, drafts)
    return {
        "schedule": service.schedule(db, case),
        "advocates": [
            AdvocateRow(
                a.key,
                a.name,
                contact_kind(a.contact),
                list(a.languages),
                list(a.topics),
                a.key in matching,
            )
            for a in advocates.advocates_of(workspace)
        ],
        "briefings": advocates.briefings(db, case.id),
        "names": {a.key: a.name for a in advocates.advocates_of(workspace)},
        # (draft id, its approved text shortened): the facts a briefing may carry.
        "facts": [(d.id, excerpt(texts[d.id].text, 120)) for d in drafts if d.id in texts],
    }


def contact_kind(contact: str) -> str:
    """How an advocate is reached, without the URL (it may hold a password)."""
    if "://" in contact:
        return contact.split("://", 1)[0].lower()
    return contact.split(":", 1)[0] if ":" in contact else contact


def send_updates(
    db: Session, access: WorkspaceAccess, case_id: int, audience: str | None
) -> list[StakeholderUpdate]:
    access.require(Permission.CASE_EDIT)
    rows = service.send_now(
        db,
        case_id,
        access.user.email,
        audience=audience or None,
        workspace_id=access.workspace.id,
        now=utcnow(),
    )
    accounts.record_audit(
        db,
        access.user,
        "case.stakeholder_update",
        workspace_id=access.workspace.id,
        target_type="case",
        target_id=case_id,
        details={"audiences": [r.audience for r in rows], "ids": [r.id for r in rows]},
    )
    db.commit()
    return rows


def brief(
    db: Session,
    access: WorkspaceAccess,
    case_id: int,
    draft_ids: list[int],
    advocate_keys: list[str] | None,
) -> list[AdvocateBriefing]:
    access.require(Permission.CASE_EDIT)
    rows = advocates.brief_advocates(
        db,
        case_id,
        draft_ids,
        access.user.email,
        advocate_keys=advocate_keys or None,
        workspace_id=access.workspace.id,
        now=utcnow(),
    )
    accounts.record_audit(
        db,
        access.user,
        "case.advocate_briefing",
        workspace_id=access.workspace.id,
        target_type="case",
        target_id=case_id,
        details={"advocates": [r.advocate for r in rows], "drafts": draft_ids},
    )
    db.commit()
    return rows


def case_of(db: Session, access: WorkspaceAccess, case_id: int) -> Case:
    return get_case(db, case_id, workspace_id=access.workspace.id)


@router.post("/w/{slug}/cases/{case_id}/stakeholders/send", dependencies=[Depends(check_csrf)])
def send_page(
    case_id: CaseId,
    audience: str = Form(""),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    send_updates(db, access, case_id, audience.strip() or None)
    return back_to(f"/w/{access.workspace.slug}/cases/{case_id}#stakeholders")


@router.post("/w/{slug}/cases/{case_id}/advocates/brief", dependencies=[Depends(check_csrf)])
def brief_page(
    case_id: CaseId,
    draft: Annotated[list[int] | None, Form()] = None,
    advocate: Annotated[list[str] | None, Form()] = None,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    brief(db, access, case_id, list(draft or []), [a for a in advocate or [] if a])
    return back_to(f"/w/{access.workspace.slug}/cases/{case_id}#advocates")
