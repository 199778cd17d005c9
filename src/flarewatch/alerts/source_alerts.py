"""Source alerts: a source failing, stale or silent raises one alert, resolved on recovery.

An alert of kind "source" is grouped per (source, condition), so it is raised once and only
refreshed on later polls (the normal grouping of `raise_alerts`: routes, deliveries and the
cool-down after a resolution apply as to any alert). When the source no longer is in that
condition (it recovered, was paused or removed), the alert is resolved by "flarewatch" with the
recovery added to its explanation; a notification still unsent is then skipped, as for any
resolved alert. Like the rest of the alerts module this flushes and never commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.alerts.models import Alert
from flarewatch.alerts.service import LIVE_STATUSES, raise_alerts, resolve
from flarewatch.alerts.wording import (
    SOURCE_FAILING,
    SOURCE_SILENT,
    SOURCE_STALE,
    english,
    wording,
)
from flarewatch.detect.types import AlertCandidate
from flarewatch.sources.health import SourceHealth, workspace_health
from flarewatch.workspaces.models import Workspace

SOURCE_ALERT = "source"
RESOLVER = "flarewatch"
SEVERITY = {"failing": "warning", "stale": "warning", "silent": "watch"}


def group_key(source_id: int, condition: str) -> str:
    return f"source:{source_id}:{condition}"


def condition_of(alert: Alert) -> str:
    return alert.group_key.rsplit(":", 1)[-1]


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else "unknown"


def _duration(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:g} {unit}"
    return f"{seconds:g} s"


def describe(health: SourceHealth) -> tuple[dict[str, Any], str]:
    """Title (a message, `wording`) and plain-language explanation: which source, since
    when, what was said, what to do."""
    name = f"{health.key} ({health.kind})"
    if health.state == "failing":
        return (
            wording(SOURCE_FAILING, source=health.key),
            f"Source {name} has failed {health.consecutive_errors} polls in a row since "
            f"{_when(health.since)}; the last said: {health.last_error or 'no message'}. "
            "Its mentions are missing until it recovers, so a quiet chart does not mean no "
            "crisis. Fix what the message names (credential, address, file) or pause the "
            "source; this alert resolves itself after the next successful poll.",
        )
    if health.state == "stale":
        every = _duration(health.interval_seconds or 0)
        last = _when(health.last_ok_at) if health.last_ok_at else "never (since it was added)"
        return (
            wording(SOURCE_STALE, source=health.key),
            f"Source {name} should be polled every {every} but its last successful poll was "
            f"{last}; stale since {_when(health.since)}. Check that the pipeline "
            "('flarewatch run') is running and whether the platform asked it to wait (next "
            f"poll due {_when(health.next_poll_at)}). This alert resolves itself after the next "
            "successful poll.",
        )
    rate = health.rate
    return (
        wording(SOURCE_SILENT, source=health.key),
        f"Source {name} stored {rate.seen} posts in the hour from {_when(rate.hour)}, against "
        f"a usual {rate.usual or 0:g} for that hour of the week (the median of the same hour in "
        "the previous weeks). Polls succeed, so check whether the query still matches, whether "
        "the account lost access to what it followed, and the platform's status page. This "
        "alert resolves itself when the source's hourly count is back to usual.",
    )


def source_candidates(
    workspace_id: int, healths: Sequence[SourceHealth], now: datetime
) -> list[AlertCandidate]:
    candidates = []
    for health in healths:
        if not health.alerting:
            continue
        title, explanation = describe(health)
        candidates.append(
            AlertCandidate(
                workspace_id=workspace_id,
                topic_id=None,
                group_key=group_key(health.source_id, health.state),
                severity=SEVERITY[health.state],
                risk_score=0.0,  # coverage, not risk: the brand's risk figure stays the topics'
                title=english(title["message"], **title["params"]),
                title_message=title,
                explanation=explanation,
                window_start=min(health.since or now, now),
                window_end=now,
                kind=SOURCE_ALERT,
                source_id=health.source_id,
            )
        )
    return candidates


def watch_sources(session: Session, workspace: Workspace, now: datetime) -> list[Alert]:
    """Raise alerts for the workspace's troubled sources and resolve the recovered ones.

    Returns the alerts that are new (or escalated), as `raise_alerts` does.
    """
    healths = workspace_health(session, workspace.id, now)
    raised = raise_alerts(session, workspace, source_candidates(workspace.id, healths, now), now)
    resolve_recovered(session, workspace.id, healths, now)
    return raised


def resolve_recovered(
    session: Session, workspace_id: int, healths: Sequence[SourceHealth], now: datetime
) -> list[Alert]:
    """Resolve each live source alert whose source is no longer in the alert's condition."""
    state = {h.source_id: h.state for h in healths}
    live = session.scalars(
        select(Alert).where(
            Alert.workspace_id == workspace_id,
            Alert.kind == SOURCE_ALERT,
            Alert.status.in_(LIVE_STATUSES),
        )
    ).all()
    resolved = []
    for alert in live:
        current = state.get(alert.source_id) if alert.source_id is not None else None
        if current == condition_of(alert):
            continue
        if current is None:
            what = "was removed"
        elif current == "paused":
            what = "was paused"
        elif current in ("ok", "learning"):
            what = "works again"
        else:
            what = f"is {current} now"
        alert.explanation = f"{alert.explanation}\n\nResolved {_when(now)}: the source {what}."
        resolved.append(resolve(session, alert.id, RESOLVER, workspace_id=workspace_id, now=now))
    return resolved
