"""Source health: is each source working, current and as busy as usual? (docs/sources.md)

The rules are pure functions (`judge`, `hour_rate`, `is_silent`) over what the runner records
on the source row and in `source_hour_count`; `workspace_health` loads those and applies them.
The CLI (`sources list`), the health page, the API, the overview and the source alerts all read
health from here, so they always agree.

- paused: the source is disabled, paused on the web or archived (deleted with history kept);
  nothing else is judged.
- failing: from the second failed poll in a row (one failure may be a blip the retry absorbs);
  since the first failure of the run.
- stale: no successful poll within 3× the source's interval (since the last success, or since
  the source was added when it never succeeded). Files and replays (`every = 0`) are read on
  every cycle of the runner and have no interval: they are never stale, a missing or unreadable
  file shows as failing instead.
- silent: in the last complete UTC hour the source stored far fewer posts than usual for that
  hour of the week. Usual is the median of the same hour in the previous 4 weeks; silent when at
  least 10 posts were expected, fewer than a quarter of them came, and the Poisson lower tail
  P(X <= seen) is below 1e-3. Only judged once a successful poll has read past that hour.
- learning: fewer than 2 weeks of history, so silence cannot be judged yet.
- ok: none of the above.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.config.workspace import SourceConfig
from flarewatch.sources.hour_counts import (
    HISTORY_WEEKS,
    HOUR,
    counts_at,
    first_counted_hours,
    hour_of,
)
from flarewatch.sources.models import Source

FAILING_AFTER_ERRORS = 2
STALE_AFTER_INTERVALS = 3
LEARNING_WEEKS = 2
SILENT_MIN_EXPECTED = 10.0
SILENT_MAX_SHARE = 0.25
SILENT_TAIL_PROBABILITY = 1e-3
WEEK = timedelta(weeks=1)

STATES = ("ok", "failing", "stale", "silent", "learning", "paused")
# The conditions that raise a source alert; failing and stale also keep the overview from "calm".
ALERTING_STATES = ("failing", "stale", "silent")
BROKEN_STATES = ("failing", "stale")


def poisson_lower_tail(seen: int, expected: float) -> float:
    """P(X <= seen) for X ~ Poisson(expected), summed in log space (no overflow for big rates)."""
    if seen < 0:
        return 0.0
    if expected <= 0:
        return 1.0
    log_expected = math.log(expected)
    terms = (i * log_expected - expected - math.lgamma(i + 1) for i in range(seen + 1))
    return min(1.0, sum(math.exp(term) for term in terms))


def is_silent(seen: int, usual: float | None) -> bool:
    """Far below the usual rate: enough expected, under a quarter seen, and very unlikely."""
    if usual is None or usual < SILENT_MIN_EXPECTED:
        return False
    if seen >= usual * SILENT_MAX_SHARE:
        return False
    return poisson_lower_tail(seen, usual) < SILENT_TAIL_PROBABILITY


@dataclass(frozen=True, slots=True)
class HourRate:
    """Posts in the last complete UTC hour against the same hour of the previous weeks."""

    hour: datetime  # start of the hour judged
    seen: int
    usual: float | None  # median of the earlier weeks; None without any history
    history_weeks: int  # how many earlier weeks the median is over


def judged_hour(now: datetime) -> datetime:
    return hour_of(now) - HOUR


def baseline_hours(hour: datetime) -> list[datetime]:
    return [hour - week * WEEK for week in range(1, HISTORY_WEEKS + 1)]


def hour_rate(
    counts: Mapping[datetime, int], history_start: datetime | None, now: datetime
) -> HourRate:
    """The judged hour's count and its usual; weeks before the history started are left out."""
    hour = judged_hour(now)
    start = hour_of(history_start) if history_start is not None else None
    earlier = [h for h in baseline_hours(hour) if start is not None and h >= start]
    usual = float(statistics.median(counts.get(h, 0) for h in earlier)) if earlier else None
    return HourRate(hour, counts.get(hour, 0), usual, len(earlier))


@dataclass(frozen=True, slots=True)
class Verdict:
    state: str
    since: datetime | None


def judge(
    *,
    enabled: bool,
    consecutive_errors: int,
    failing_since: datetime | None,
    last_ok_at: datetime | None,
    created_at: datetime,
    interval: float | None,
    rate: HourRate,
    now: datetime,
) -> Verdict:
    """The one state of a source, most urgent first: paused, failing, stale, silent, learning."""
    if not enabled:
        return Verdict("paused", None)
    if consecutive_errors >= FAILING_AFTER_ERRORS:
        return Verdict("failing", failing_since)
    if interval:  # None (unreadable config) or 0 (every cycle): never stale
        stale_at = (last_ok_at or created_at) + timedelta(seconds=STALE_AFTER_INTERVALS * interval)
        if now > stale_at:
            return Verdict("stale", stale_at)
    if rate.history_weeks < LEARNING_WEEKS:  # too little history to call anything silent
        return Verdict("learning", None)
    hour_read = last_ok_at is not None and last_ok_at >= rate.hour + HOUR
    if hour_read and is_silent(rate.seen, rate.usual):
        return Verdict("silent", rate.hour)
    return Verdict("ok", None)


@dataclass(frozen=True, slots=True)
class SourceHealth:
    """Everything the health page, the API and the CLI show of one source."""

    source_id: int
    workspace_id: int
    key: str
    kind: str
    state: str
    since: datetime | None  # when the state began (failing, stale, silent)
    interval_seconds: float | None  # None: the config cannot be read; 0: every cycle
    last_ok_at: datetime | None
    last_polled_at: datetime | None
    next_poll_at: datetime | None
    consecutive_errors: int
    last_error: str | None
    problems_total: int  # records skipped in all
    posts_total: int
    newest_post_at: datetime | None
    lag_seconds: float | None  # now - newest post seen: how far behind the platform
    quota: dict[str, Any] | None
    rate: HourRate

    @property
    def alerting(self) -> bool:
        return self.state in ALERTING_STATES

    @property
    def broken(self) -> bool:
        return self.state in BROKEN_STATES


def interval_of(config: Mapping[str, Any]) -> float | None:
    """Seconds between polls from the stored config; None when the config no longer validates
    (the source then fails on its own, with the config's error)."""
    try:
        return SourceConfig(**config).every_seconds()
    except Exception:  # noqa: BLE001 - any invalid config means "no interval known"
        return None


def assess(
    source: Source,
    counts: Mapping[datetime, int],
    first_counted: datetime | None,
    now: datetime,
) -> SourceHealth:
    """Apply the rules to one loaded source row and its hourly counts."""
    history_start = min((t for t in (source.created_at, first_counted) if t), default=None)
    rate = hour_rate(counts, history_start, now)
    interval = interval_of(source.config or {})
    verdict = judge(
        enabled=bool(source.enabled) and source.paused_at is None and source.archived_at is None,
        consecutive_errors=source.consecutive_errors or 0,
        failing_since=source.failing_since,
        last_ok_at=source.last_ok_at,
        created_at=source.created_at or now,
        interval=interval,
        rate=rate,
        now=now,
    )
    newest = source.newest_post_at
    return SourceHealth(
        source_id=source.id,
        workspace_id=source.workspace_id,
        key=source.key,
        kind=source.kind,
        state=verdict.state,
        since=verdict.since,
        interval_seconds=interval,
        last_ok_at=source.last_ok_at,
        last_polled_at=source.last_polled_at,
        next_poll_at=source.next_poll_at,
        consecutive_errors=source.consecutive_errors or 0,
        last_error=source.last_error,
        problems_total=source.problems_total or 0,
        posts_total=source.posts_total or 0,
        newest_post_at=newest,
        lag_seconds=max(0.0, (now - newest).total_seconds()) if newest else None,
        quota=source.quota,
        rate=rate,
    )


def health_of_sources(
    session: Session, sources: Sequence[Source], now: datetime
) -> list[SourceHealth]:
    """Health of the given rows, with their hourly counts loaded in two queries."""
    hour = judged_hour(now)
    ids = [s.id for s in sources]
    stored = counts_at(session, ids, [hour, *baseline_hours(hour)])
    firsts = first_counted_hours(session, ids)
    result = []
    for source in sources:
        counts = {h: n for (sid, h), n in stored.items() if sid == source.id}
        result.append(assess(source, counts, firsts.get(source.id), now))
    return result


def workspace_health(session: Session, workspace_id: int, now: datetime) -> list[SourceHealth]:
    """Every source of the workspace, by key; archived ones (deleted on the web, history kept)
    are no longer part of its coverage."""
    sources = session.scalars(
        select(Source)
        .where(Source.workspace_id == workspace_id, Source.archived_at.is_(None))
        .order_by(Source.key)
    ).all()
    return health_of_sources(session, sources, now)


@dataclass(frozen=True, slots=True)
class HealthSummary:
    """What the overview says about a workspace's coverage."""

    total: int
    broken: int  # failing or stale
    silent: int

    @property
    def coverage_ok(self) -> bool:
        return self.broken == 0


def summarize(healths: Sequence[SourceHealth]) -> HealthSummary:
    return HealthSummary(
        total=len(healths),
        broken=sum(1 for h in healths if h.broken),
        silent=sum(1 for h in healths if h.state == "silent"),
    )
