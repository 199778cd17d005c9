"""API: the health of a workspace's sources (the same figures as the health page)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from flarewatch.db.base import utcnow
from flarewatch.sources.health import SourceHealth, workspace_health
from flarewatch.web.api.schemas import READ, HourRateOut, SourceHealthOut
from flarewatch.web.deps import WorkspaceAccess, get_db, workspace_access

router = APIRouter(tags=["sources"])


def source_health_out(health: SourceHealth) -> SourceHealthOut:
    rate = health.rate
    return SourceHealthOut(
        key=health.key,
        kind=health.kind,
        state=health.state,  # type: ignore[arg-type]  # one of STATES, checked by the schema
        since=health.since,
        interval_seconds=health.interval_seconds,
        last_ok_at=health.last_ok_at,
        last_polled_at=health.last_polled_at,
        next_poll_at=health.next_poll_at,
        consecutive_errors=health.consecutive_errors,
        last_error=health.last_error,
        skipped_records=health.problems_total,
        posts_total=health.posts_total,
        newest_post_at=health.newest_post_at,
        lag_seconds=health.lag_seconds,
        quota=health.quota,
        last_hour=HourRateOut(
            hour=rate.hour, posts=rate.seen, usual=rate.usual, history_weeks=rate.history_weeks
        ),
    )


@router.get("/workspaces/{slug}/sources", response_model=list[SourceHealthOut], responses=READ)
def list_source_health(
    access: WorkspaceAccess = Depends(workspace_access), db: Session = Depends(get_db)
) -> list[SourceHealthOut]:
    """Every source of the workspace with its health: state and since when, last success, lag
    behind the platform, last error, skipped records, quota left, last hour against usual."""
    return [source_health_out(h) for h in workspace_health(db, access.workspace.id, utcnow())]
