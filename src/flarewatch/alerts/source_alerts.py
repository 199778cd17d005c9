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
from datetime import UTC, datetime
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
from flarewatch.detect.explain import N_, render
from flarewatch.detect.types import AlertCandidate, Factor
from flarewatch.sources.health import SourceHealth, workspace_health
from flarewatch.workspaces.models import Workspace

SOURCE_ALERT = "source"
RESOLVER = "flarewatch"
SEVERITY = {"failing": "warning", "stale": "warning", "silent": "watch"}


def group_key(source_id: int, condition: str) -> str:
    return f"source:{source_id}:{condition}"


def condition_of(alert: Alert) -> str:
    return alert.group_key.rsplit(":", 1)[-1]


# Why a source alert fired, as messages (extracted with the other alert texts, docs/web.md) and
# their figures, stored as the alert's factors so each reader gets them in their language.
FAILING_WHY = N_(
    "Source %(source)s (%(kind)s) has failed %(errors)s polls in a row since %(since_at)s; the "
    "last said: %(error)s. Its mentions are missing until it recovers, so a quiet chart does "
    "not mean no crisis. Fix what the message names (credential, address, file) or pause the "
    "source; this alert resolves itself after the next successful poll."
)
FAILING_WHY_NO_MESSAGE = N_(
    "Source %(source)s (%(kind)s) has failed %(errors)s polls in a row since %(since_at)s "
    "without an error message. Its mentions are missing until it recovers, so a quiet chart "
    "does not mean no crisis. Check its credential, address or file, or pause the source; this "
    "alert resolves itself after the next successful poll."
)
STALE_WHY = N_(
    "Source %(source)s (%(kind)s) should be polled every %(every_seconds)s but its last "
    "successful poll was %(last_at)s; stale since %(since_at)s. Check that the pipeline "
    "('flarewatch run') is running and whether the platform asked it to wait (next poll due "
    "%(next_at)s). This alert resolves itself after the next successful poll."
)
STALE_WHY_NEVER = N_(
    "Source %(source)s (%(kind)s) should be polled every %(every_seconds)s but has had no "
    "successful poll since it was added; stale since %(since_at)s. Check that the pipeline "
    "('flarewatch run') is running and whether the platform asked it to wait (next poll due "
    "%(next_at)s). This alert resolves itself after the next successful poll."
)
SILENT_WHY = N_(
    "Source %(source)s (%(kind)s) stored %(seen)s posts in the hour from %(hour_at)s, against "
    "a usual %(usual)s for that hour of the week (the median of the same hour in the previous "
    "weeks). Polls succeed, so check whether the query still matches, whether the account lost "
    "access to what it followed, and the platform's status page. This alert resolves itself "
    "when the source's hourly count is back to usual."
)
# How the source stands when its alert resolves itself, by its state then.
RECOVERED = {
    None: N_("Resolved %(resolved_at)s: the source was removed."),
    "paused": N_("Resolved %(resolved_at)s: the source was paused."),
    "ok": N_("Resolved %(resolved_at)s: the source works again."),
    "learning": N_("Resolved %(resolved_at)s: the source works again."),
    "failing": N_("Resolved %(resolved_at)s: the source is failing now."),
    "stale": N_("Resolved %(resolved_at)s: the source is stale now."),
    "silent": N_("Resolved %(resolved_at)s: the source is silent now."),
}


def _iso(moment: datetime) -> str:
    """A timestamp for a stored parameter (`_at`, detect/explain.py); naive ones are UTC."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def _factor(name: str, message: str, **params: Any) -> Factor:
    return Factor(name=name, text=render(message, params), message=message, params=params)


def explain(health: SourceHealth, now: datetime) -> Factor:
    """Why the source alerts, in plain words: which source, since when, what was said, what
    to do (a factor with its message, so it reads in each reader's language)."""
    name = {"source": health.key, "kind": health.kind}
    since = _iso(health.since or now)
    if health.state == "failing":
        if health.last_error:
            return _factor(
                "source_failing",
                FAILING_WHY,
                **name,
                errors=health.consecutive_errors,
                since_at=since,
                error=health.last_error,
            )
        return _factor(
            "source_failing",
            FAILING_WHY_NO_MESSAGE,
            **name,
            errors=health.consecutive_errors,
            since_at=since,
        )
    if health.state == "stale":
        timing = {
            "every_seconds": float(health.interval_seconds or 0),
            "since_at": since,
            "next_at": _iso(health.next_poll_at or now),
        }
        if health.last_ok_at is None:
            return _factor("source_stale", STALE_WHY_NEVER, **name, **timing)
        return _factor("source_stale", STALE_WHY, **name, **timing, last_at=_iso(health.last_ok_at))
    rate = health.rate
    return _factor(
        "source_silent",
        SILENT_WHY,
        **name,
        seen=rate.seen,
        hour_at=_iso(rate.hour),
        usual=float(rate.usual or 0),
    )


def describe(health: SourceHealth, now: datetime) -> tuple[dict[str, Any], Factor]:
    """Title (a message, `wording`) and the reason the alert fired (`explain`)."""
    title = {"failing": SOURCE_FAILING, "stale": SOURCE_STALE}.get(health.state, SOURCE_SILENT)
    return wording(title, source=health.key), explain(health, now)


def source_candidates(
    workspace_id: int, healths: Sequence[SourceHealth], now: datetime
) -> list[AlertCandidate]:
    candidates = []
    for health in healths:
        if not health.alerting:
            continue
        title, why = describe(health, now)
        candidates.append(
            AlertCandidate(
                workspace_id=workspace_id,
                topic_id=None,
                group_key=group_key(health.source_id, health.state),
                severity=SEVERITY[health.state],
                risk_score=0.0,  # coverage, not risk: the brand's risk figure stays the topics'
                title=english(title["message"], **title["params"]),
                title_message=title,
                explanation=why.text,
                factors=[why],
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
        recovered = _factor(
            "source_recovered", RECOVERED.get(current, RECOVERED["ok"]), resolved_at=_iso(now)
        )
        alert.explanation = f"{alert.explanation}\n\n{recovered.text}"
        alert.factors = [*(alert.factors or []), recovered.as_dict()]
        resolved.append(resolve(session, alert.id, RESOLVER, workspace_id=workspace_id, now=now))
    return resolved
