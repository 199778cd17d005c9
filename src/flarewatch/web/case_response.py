"""The case room's additions to the case page and the changes made there (post-mortem review,
follow-up watch), shared by the pages and the JSON API: permission, service call, audit, commit.

The case page gets everything these sections show as one `room` value (`response_context`), and
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
from flarewatch.cases.roles import (
    ROLE_NAMES,
    CaseRole,
    apply_rules,
    assign_role,
    holders,
    role_defs,
)
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


def response_context(db: Session, case: Case) -> dict[str, Any]:
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
        # (key, name, whether the name is a catalogue text, holder or None, open role tasks)
        "roles": role_rows(db, case),
        "review": review_of(db, case.id),
        "review_fields": [(name, FIELD_NAMES[name]) for name in REVIEW_FIELDS],
        "watch": current_watch(db, case.id),
        "phases": phases(db, case),
    }


def role_rows(db: Session, case: Case) -> list[tuple[str, str, bool, CaseRole | None, int]]:
    held = holders(db, case.id)
    open_tasks: dict[str, int] = {}
    for task in cases.tasks(db, case.id):
        if task.role and task.status == "open":
            open_tasks[task.role] = open_tasks.get(task.role, 0) + 1
    return [
        (
            r.key,
            r.name or ROLE_NAMES.get(r.key, r.key),
            not r.name and r.key in ROLE_NAMES,
            held.get(r.key),
            open_tasks.get(r.key, 0),
        )
        for r in role_defs(access_workspace(db, case))
    ]


def set_role(
    db: Session, access: WorkspaceAccess, case_id: int, role: str, person: str | None
) -> CaseRole | None:
    access.require(Permission.CASE_EDIT)
    row = assign_role(
        db, case_id, role, person or None, access.user.email, workspace_id=access.workspace.id
    )
    accounts.record_audit(
        db,
        access.user,
        "case.role",
        workspace_id=access.workspace.id,
        target_type="case",
        target_id=case_id,
        details={"role": role, "person": row.person if row else None},
    )
    db.commit()
    return row


def roles_by_rule(db: Session, access: WorkspaceAccess, case_id: int) -> list[CaseRole]:
    access.require(Permission.CASE_EDIT)
    case = cases.get_case(db, case_id, workspace_id=access.workspace.id)
    assigned = apply_rules(db, case, access.user.email)
    db.commit()
    return assigned


def access_workspace(db: Session, case: Case) -> Workspace:
    return db.get_one(Workspace, case.workspace_id)


def route(
    db: Session, access: WorkspaceAccess, case_id: int, case_type: str, note: str | None
) -> CaseRouting:
    access.require(Permission.CASE_EDIT)
    routing = route_case(
        db, case_id, case_type, access.user.email, workspace_id=access.workspace.id, note=note
    )
    # The case now has a type: roles whose rules name it are filled.
    apply_rules(db, cases.get_case(db, case_id), access.user.email)
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
