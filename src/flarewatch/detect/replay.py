"""Replay a workspace's stored history with fresh detectors, for `flarewatch backtest -w`.

Nothing is written: the live detector state and story keys stay as they are. Each alert is
reported with its lead time, i.e. how long before the topic's busiest hour it fired.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.detect.detector import TopicDetector
from flarewatch.detect.runner import MINUTE, MinuteTotals, TopicRunner
from flarewatch.detect.service import _handle, _mentions_by_minute, detector_config, floor_minute
from flarewatch.detect.stories import StoryTracker
from flarewatch.detect.types import AlertCandidate
from flarewatch.mentions.models import Rollup
from flarewatch.workspaces.models import Topic, Workspace

PEAK_HORIZON = timedelta(hours=12)


@dataclass(slots=True)
class ReplayedAlert:
    candidate: AlertCandidate
    topic: str
    peak_at: datetime  # end of the busiest 60 minutes after the alert's episode began
    peak_count: float
    lead: timedelta  # peak_at - the episode's first alert


def lead_times(
    counts: dict[datetime, float], alerts: list[AlertCandidate], until: datetime
) -> list[tuple[datetime, float, timedelta]]:
    """For each alert: the busiest hour's end within PEAK_HORIZON of its episode's first alert.

    Pure, over per-minute counts, so it is testable without a database.
    """
    first_of_group: dict[str, datetime] = {}
    out = []
    for alert in alerts:
        start = first_of_group.setdefault(alert.group_key, alert.window_end)
        end = min(until, start + PEAK_HORIZON)
        window: deque[float] = deque()
        total, best, best_at = 0.0, -1.0, start
        minute = start - timedelta(minutes=60)
        while minute < end:
            value = counts.get(minute, 0.0)
            window.append(value)
            total += value
            if len(window) > 60:
                total -= window.popleft()
            if minute + MINUTE >= start and total > best:
                best, best_at = total, minute + MINUTE
            minute += MINUTE
        out.append((best_at, max(best, 0.0), best_at - alert.window_end))
    return out


def replay_workspace(
    session: Session, workspace: Workspace, since: datetime, until: datetime
) -> list[ReplayedAlert]:
    since, until = floor_minute(since), floor_minute(until)
    cfg = workspace.config or {}
    results: list[ReplayedAlert] = []
    topics = session.scalars(
        select(Topic).where(Topic.workspace_id == workspace.id).order_by(Topic.id)
    ).all()
    for topic in topics:
        runner = TopicRunner(
            TopicDetector(detector_config(workspace)),
            StoryTracker(),
            extra_terms=tuple(cfg.get("crisis_terms") or ()),
            watched=frozenset(_handle(a) for a in cfg.get("watch_authors") or []),
        )
        rollups = {
            floor_minute(r.minute): r
            for r in session.scalars(
                select(Rollup).where(
                    Rollup.topic_id == topic.id, Rollup.minute >= since, Rollup.minute < until
                )
            )
        }
        posts = _mentions_by_minute(session, topic.id, since, until)
        alerts: list[AlertCandidate] = []
        minute = since
        while minute < until:
            roll = rollups.get(minute)
            totals = (
                MinuteTotals(
                    float(roll.count),
                    float(roll.negative_count),
                    float(roll.reach),
                    float(roll.engagement),
                    list(roll.author_ids or []),
                    dict(roll.platforms or {}),
                )
                if roll
                else MinuteTotals()
            )
            result, iv, _ = runner.run_minute(minute, posts.get(minute, []), totals)
            if result.emit and result.assessment.severity is not None:
                alerts.append(runner.candidate(result, iv, workspace.id, topic.id, topic.name))
            minute += MINUTE
        counts = {m: float(r.count) for m, r in rollups.items()}
        for alert, (peak_at, peak, lead) in zip(
            alerts, lead_times(counts, alerts, until), strict=True
        ):
            results.append(ReplayedAlert(alert, topic.name, peak_at, peak, lead))
    results.sort(key=lambda r: r.candidate.window_end)
    return results
