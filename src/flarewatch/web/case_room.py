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
from flarewatch.db.base import utcnow
from flarewatch.errors import InputError
from flarewatch.web.deps import WorkspaceAccess

MEDIA_TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


def room_context(db: Session, case: Case) -> dict[str, Any]:
    """What the case room's sections of the case page show."""
    return {
        "review": review_of(db, case.id),
        "review_fields": [(name, FIELD_NAMES[name]) for name in REVIEW_FIELDS],
        "watch": current_watch(db, case.id),
        "phases": phases(db, case),
    }


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
