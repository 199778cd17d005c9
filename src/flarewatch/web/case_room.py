"""The case room's additions to the case page and the changes made there (post-mortem review,
follow-up watch), shared by the pages and the JSON API: permission, service call, audit, commit.

The case page gets everything these sections show as one `room` value (`room_context`), and
each section is a partial template (`templates/partials/case_*.html`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from fastapi.responses import Response
from sqlalchemy.orm import Session

from flarewatch.accounts import service as accounts
from flarewatch.accounts.permissions import Permission
from flarewatch.cases import service as cases
from flarewatch.cases.followup import current_watch, phases
from flarewatch.cases.models import Case
from flarewatch.cases.postmortem.data import gather
from flarewatch.cases.postmortem.models import REVIEW_FIELDS
from flarewatch.cases.postmortem.render import FORMATS, render
from flarewatch.cases.postmortem.review import FIELD_NAMES, review_of, save_review
from flarewatch.cases.routing import (
    CASE_TYPE_NAMES,
    CaseRouting,
    record_findings,
    room_setup,
    route_case,
    routings,
)
from flarewatch.db.base import utcnow
from flarewatch.errors import InputError, NotFoundError
from flarewatch.web.deps import WorkspaceAccess
from flarewatch.workspaces.models import Workspace

MEDIA_TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


def room_context(db: Session, case: Case) -> dict[str, Any]:
    """What the case room's sections of the case page show."""
    setup = room_setup(access_workspace(db, case))
    return {
        # (key, name, whether the name is a catalogue text): built-in types read translated.
        "case_types": [
            (
                t.key,
                t.name or CASE_TYPE_NAMES.get(t.key, t.key),
                not t.name and t.key in CASE_TYPE_NAMES,
            )
            for t in setup.case_types
        ],
        "owners": {
            t.key: setup.owners[t.owner].name for t in setup.case_types if t.owner in setup.owners
        },
        "routings": routings(db, case.id),
        "review": review_of(db, case.id),
        "review_fields": [(name, FIELD_NAMES[name]) for name in REVIEW_FIELDS],
        "watch": current_watch(db, case.id),
        "phases": phases(db, case),
    }


def access_workspace(db: Session, case: Case) -> Workspace:
    return db.get_one(Workspace, case.workspace_id)


def route(
    db: Session, access: WorkspaceAccess, case_id: int, case_type: str, note: str | None
) -> CaseRouting:
    access.require(Permission.CASE_EDIT)
    routing = route_case(
        db, case_id, case_type, access.user.email, workspace_id=access.workspace.id, note=note
    )
    accounts.record_audit(
        db,
        access.user,
        "case.route",
        workspace_id=access.workspace.id,
        target_type="case",
        target_id=case_id,
        details={"case_type": case_type, "owner": routing.owner_key, "routing_id": routing.id},
    )
    db.commit()
    return routing


def findings(
    db: Session, access: WorkspaceAccess, case_id: int, routing_id: int, text: str
) -> CaseRouting:
    access.require(Permission.CASE_NOTE)
    cases.get_case(db, case_id, workspace_id=access.workspace.id)
    routing = db.get(CaseRouting, routing_id)
    if routing is None or routing.case_id != case_id:
        raise NotFoundError(f"Routing request {routing_id} is not part of case {case_id}.")
    record_findings(db, routing_id, text, access.user.email, workspace_id=access.workspace.id)
    accounts.record_audit(
        db,
        access.user,
        "case.findings",
        workspace_id=access.workspace.id,
        target_type="case",
        target_id=case_id,
        details={"routing_id": routing_id},
    )
    db.commit()
    return routing


def update_review(
    db: Session, access: WorkspaceAccess, case_id: int, values: Mapping[str, object]
) -> dict[str, str]:
    access.require(Permission.CASE_NOTE)
    case = cases.get_case(db, case_id, workspace_id=access.workspace.id)
    changed = save_review(db, case, values, access.user.email)
    if changed:
        accounts.record_audit(
            db,
            access.user,
            "case.review",
            workspace_id=access.workspace.id,
            target_type="case",
            target_id=case.id,
            details={"fields": changed},
        )
    db.commit()
    return review_of(db, case.id)


def postmortem_file(
    db: Session,
    access: WorkspaceAccess,
    case_id: int,
    format: str,
    language: str,
    *,
    now: datetime | None = None,
) -> Response:
    """The post-mortem as a download, in the reader's language and time zone."""
    if format not in FORMATS:
        raise InputError(f"unknown post-mortem format {format!r}; use html or pdf")
    pm = gather(db, case_id, workspace_id=access.workspace.id, now=now or utcnow())
    timezone = access.user.timezone or access.workspace.timezone
    body = render(pm, format, language, timezone)
    name = f"case-{case_id}-postmortem.{format}"
    return Response(
        body,
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
