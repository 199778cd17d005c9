"""Source health page: is every source working, current and as busy as usual?

Read-only and open to every member, like the dashboard: whoever reads the charts must be able to
see what they are missing. Adding, changing and pausing sources is in the settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from flarewatch.db.base import utcnow
from flarewatch.sources.health import SourceHealth, summarize, workspace_health
from flarewatch.web.deps import WorkspaceAccess, get_db, workspace_access
from flarewatch.web.pages import page

router = APIRouter(tags=["pages"], include_in_schema=False)


@dataclass(frozen=True, slots=True)
class SourceRow:
    health: SourceHealth
    quota_reset_at: datetime | None


def quota_reset_at(quota: dict[str, Any] | None) -> datetime | None:
    """The quota's reset time as stored (ISO 8601); None when absent or unreadable."""
    value = (quota or {}).get("reset_at")
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@router.get("/w/{slug}/sources")
def source_health(
    request: Request,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    healths = workspace_health(db, access.workspace.id, utcnow())
    return page(
        request,
        db,
        "sources.html",
        access=access,
        rows=[SourceRow(h, quota_reset_at(h.quota)) for h in healths],
        summary=summarize(healths),
    )
