"""Live detection: evaluate every complete minute since the last run, per topic, durably.

Called by the pipeline after each stored, rolled-up batch with `until` = the newest post's time
(event time, so a replayed week is judged exactly as if it had happened live). Minute m is
evaluated once it is complete (m + 1 min ≤ until), using only data up to the end of m. Posts
that arrive after their minute was evaluated are scored into it by a replay (detect/late.py).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Float, bindparam, cast, func, select, update
from sqlalchemy.orm import Session, defer

from flarewatch.alerts.models import Alert
from flarewatch.detect.detector import DetectorConfig, TopicDetector
from flarewatch.detect.late import (
    checkpoint,
    checkpoint_minute,
    earliest_late_post,
    prune,
    restore_point,
    wants_checkpoint,
)
from flarewatch.detect.models import DetectorState
from flarewatch.detect.runner import (
    RECENT_MINUTES,
    RECENT_POSTS_MAX,
    MinuteTotals,
    PostRow,
    TopicRunner,
)
from flarewatch.detect.state_cache import DetectorStateCache, HeldTopic
from flarewatch.detect.stories import StoryTracker
from flarewatch.detect.types import AlertCandidate
from flarewatch.mentions.models import Author, Mention, RawPost, Rollup
from flarewatch.mentions.relevance import counts_in_rollups
from flarewatch.workspaces.models import Topic, Workspace

MAX_BACKLOG = timedelta(days=28)
NOISE_LOOKBACK = timedelta(days=30)
MINUTE = timedelta(minutes=1)
RECENT_WINDOW = timedelta(minutes=RECENT_MINUTES)
DETECT_CHUNK = timedelta(hours=6)  # minutes of posts held in memory at once while catching up


def floor_minute(ts: datetime) -> datetime:
    ts = ts.astimezone(UTC) if ts.tzinfo else ts.replace(tzinfo=UTC)
    return ts.replace(second=0, microsecond=0)


def detector_config(workspace: Workspace, noise_marks: int = 0) -> DetectorConfig:
    cfg = workspace.config or {}
    return DetectorConfig(
        step_minutes=1,
        timezone=workspace.timezone or "UTC",
        weekend=cfg.get("weekend"),
        sensitivity=workspace.sensitivity or "balanced",
        noise_marks=noise_marks,
    )


def noise_marks_by_topic(session: Session, workspace_id: int, until: datetime) -> dict[int, int]:
    """Alerts people marked "this was noise" in the last 30 days (event time), per topic."""
    rows = session.execute(
        select(Alert.topic_id, func.count())
        .where(
            Alert.workspace_id == workspace_id,
            Alert.status == "noise",
            Alert.topic_id.is_not(None),
            Alert.window_end >= until - NOISE_LOOKBACK,
        )
        .group_by(Alert.topic_id)
    ).all()
    return {int(t): int(n) for t, n in rows if t is not None}


def _handle(value: str) -> str:
    return value.strip().lstrip("@").split(":")[-1].lower()


def run_detection(
    session: Session,
    workspace: Workspace,
    until: datetime,
    cache: DetectorStateCache | None = None,
) -> list[AlertCandidate]:
    """Evaluate all not-yet-evaluated complete minutes up to `until`; return new candidates.

    With a `cache` (a long-lived runner's), topics' detectors stay in memory between calls and
    their rows are written at the cache's cadence (detect/state_cache.py); without one, every
    call loads and saves them. The caller must clear the cache when it rolls the session back.
    """
    end = floor_minute(until)
    noise = noise_marks_by_topic(session, workspace.id, end)
    topics = session.scalars(
        select(Topic)
        .where(Topic.workspace_id == workspace.id, Topic.active.is_(True))
        .order_by(Topic.id)
    ).all()
    # A topic's history starts with the workspace's data, not with its own first mention: a
    # narrow topic ("worm OR maggot") that stayed silent for a week has learned that it is
    # quiet, which is exactly what makes its first burst stand out.
    first = session.scalar(
        select(func.min(Rollup.minute)).where(Rollup.workspace_id == workspace.id)
    )
    candidates: list[AlertCandidate] = []
    for topic in topics:
        candidates.extend(
            _run_topic(session, workspace, topic, first, end, noise.get(topic.id, 0), cache)
        )
    session.flush()
    return candidates


def _load_state(
    session: Session, workspace: Workspace, topic: Topic, lazy: bool = False
) -> DetectorState:
    query = select(DetectorState).where(DetectorState.topic_id == topic.id)
    if lazy:  # the JSON columns load only when read: a runner holding the topic never does
        query = query.options(
            defer(DetectorState.detector),
            defer(DetectorState.stories),
            defer(DetectorState.rewind),
        )
    state = session.scalar(query)
    if state is None:
        state = DetectorState(
            workspace_id=workspace.id, topic_id=topic.id, last_minute=None, detector={}, stories={}
        )
        session.add(state)
    return state


def _settings(
    workspace: Workspace, noise_marks: int
) -> tuple[DetectorConfig, tuple[str, ...], frozenset[str], str]:
    config = detector_config(workspace, noise_marks)
    cfg = workspace.config or {}
    extra_terms = tuple(cfg.get("crisis_terms") or ())
    watched = frozenset(_handle(a) for a in cfg.get("watch_authors") or [])
    return config, extra_terms, watched, repr((config, extra_terms, sorted(watched)))


def _run_topic(
    session: Session,
    workspace: Workspace,
    topic: Topic,
    first: datetime | None,
    end: datetime,
    noise_marks: int,
    cache: DetectorStateCache | None = None,
) -> list[AlertCandidate]:
    state = _load_state(session, workspace, topic, lazy=cache is not None)
    config, extra_terms, watched, settings = _settings(workspace, noise_marks)
    held = cache.get(topic.id, state.last_minute, settings) if cache is not None else None
    if held is not None:
        last_minute: datetime | None = held.last_minute
        stored_checkpoints = held.checkpoints
    else:
        last_minute = state.last_minute
        stored_checkpoints = list(state.rewind or [])
    checkpoints = list(stored_checkpoints)
    restored: tuple[dict[str, Any], dict[str, Any]] | None = None
    if last_minute is not None:
        start = last_minute + MINUTE
        # Posts that arrived after their minute was evaluated: replay from before them.
        late = earliest_late_post(session, topic.id, checkpoints, last_minute)
        point = restore_point(checkpoints, floor_minute(late)) if late is not None else None
        if point is not None:
            start = checkpoint_minute(point) + MINUTE
            restored = point["detector"], point["stories"]
            # Later checkpoints were taken without the late posts; the replay takes new ones.
            checkpoints = [c for c in checkpoints if checkpoint_minute(c) < start]
            end = max(end, last_minute + MINUTE)
    else:
        if first is None:
            return []
        start = floor_minute(first)
    start = max(start, end - MAX_BACKLOG)
    if start >= end:
        return []

    if held is not None and restored is None and start == held.last_minute + MINUTE:
        runner = held.runner  # its driving-post memory is already the window before `start`
    else:
        saved_detector, saved_stories = restored or (state.detector, state.stories)
        detector = (
            TopicDetector.from_dict(config, saved_detector)
            if saved_detector
            else TopicDetector(config)
        )
        tracker = StoryTracker.from_dict(saved_stories) if saved_stories else StoryTracker()
        runner = TopicRunner(detector, tracker, extra_terms=extra_terms, watched=watched)
        # Alerts cite the window's driving posts, including those an earlier call processed.
        earlier = _mentions_by_minute(
            session, topic.id, start - RECENT_WINDOW, start, newest=RECENT_POSTS_MAX
        )
        runner.remember([p for minute_posts in earlier.values() for p in minute_posts])
    detector, tracker = runner.detector, runner.tracker
    candidates: list[AlertCandidate] = []
    # A long backlog (a first import, a backfill) is read and written a few hours at a time,
    # so memory holds one chunk's posts, never the whole history's.
    chunk_start = start
    while chunk_start < end:
        chunk_end = min(end, chunk_start + DETECT_CHUNK)
        rollups = _totals_by_minute(session, topic.id, chunk_start, chunk_end)
        by_minute = _mentions_by_minute(session, topic.id, chunk_start, chunk_end)
        story_keys: list[dict[str, Any]] = []
        minute = chunk_start
        while minute < chunk_end:
            totals = rollups.get(minute) or MinuteTotals()
            result, iv, assigned = runner.run_minute(minute, by_minute.pop(minute, []), totals)
            story_keys.extend({"mention_id": p.mention_id, "key": key} for p, key in assigned)
            if result.emit and result.assessment.severity is not None:
                candidates.append(runner.candidate(result, iv, workspace.id, topic.id, topic.name))
            if wants_checkpoint(checkpoints, minute, end):
                checkpoints.append(checkpoint(minute, detector.to_dict(), tracker.to_dict()))
            minute += MINUTE
        _save_story_keys(session, story_keys)
        chunk_start = chunk_end

    last = end - MINUTE
    kept = prune(checkpoints, last)
    persisted = state.last_minute
    # Without a cache every call writes the row; with one, only when the checkpoints changed
    # (the row's rewind must match it) or too many minutes went unsaved.
    if cache is None or kept != stored_checkpoints or cache.due(state.last_minute, last):
        if kept != stored_checkpoints:
            state.rewind = kept  # rewritten only when a checkpoint comes or goes
        state.last_minute = last
        state.detector = detector.to_dict()
        state.stories = tracker.to_dict()
        persisted = last
    if cache is not None:
        cache.put(topic.id, HeldTopic(runner, settings, last, persisted, kept))
    return candidates


def _save_story_keys(session: Session, story_keys: list[dict[str, Any]]) -> None:
    if story_keys:
        # Core executemany: the ORM's bulk update by primary key costs ~4x more per row.
        session.execute(
            update(Mention.__table__)
            .where(Mention.__table__.c.id == bindparam("mention_id"))
            .values(story_key=bindparam("key")),
            story_keys,
        )


def _totals_by_minute(
    session: Session, topic_id: int, start: datetime, end: datetime
) -> dict[datetime, MinuteTotals]:
    """The topic's rollup rows in [start, end), as plain values (no ORM objects to keep)."""
    rows = session.execute(
        select(
            Rollup.minute,
            Rollup.count,
            Rollup.negative_count,
            Rollup.reach,
            Rollup.engagement,
            Rollup.author_ids,
            Rollup.platforms,
        ).where(Rollup.topic_id == topic_id, Rollup.minute >= start, Rollup.minute < end)
    )
    return {
        floor_minute(r.minute): MinuteTotals(
            count=float(r.count),
            negative=float(r.negative_count),
            reach=float(r.reach),
            engagement=float(r.engagement),
            author_ids=list(r.author_ids or []),
            platforms=dict(r.platforms or {}),
        )
        for r in rows
    }


def _mentions_by_minute(
    session: Session, topic_id: int, start: datetime, end: datetime, newest: int | None = None
) -> dict[datetime, list[PostRow]]:
    """The topic's mentions in [start, end) by minute, oldest first; only the `newest` last
    ones when given."""
    query = (
        select(
            Mention.id,
            Mention.raw_post_id,
            Mention.created_at,
            Mention.platform,
            Mention.sentiment,
            Mention.reach,
            Mention.engagement,
            Mention.is_spam,
            Mention.author_id,
            Mention.story_key,
            Mention.sentiment_score,
            Mention.relevant,
            Mention.near_dup_of,
            func.coalesce(cast(Mention.enrichment["relevance"].as_float(), Float), 1.0).label(
                "relevance"
            ),
            RawPost.external_id,
            RawPost.text,
            RawPost.title,
            Author.handle,
            Author.followers,
        )
        .join(RawPost, RawPost.id == Mention.raw_post_id)
        .outerjoin(Author, Author.id == Mention.author_id)
        .where(Mention.topic_id == topic_id, Mention.created_at >= start, Mention.created_at < end)
    )
    if newest is None:
        rows = session.execute(query.order_by(Mention.created_at, Mention.id)).all()
    else:
        ordered = query.order_by(Mention.created_at.desc(), Mention.id.desc()).limit(newest)
        rows = list(reversed(session.execute(ordered).all()))
    out: dict[datetime, list[PostRow]] = {}
    for r in rows:
        # Detection sees what the rollups count: no spam, nothing the relevance filter or a
        # person ruled out (mentions/relevance.py).
        if not counts_in_rollups(r.is_spam, r.relevant, r.relevance):
            continue
        text = f"{r.title}\n{r.text}" if r.title else r.text
        out.setdefault(floor_minute(r.created_at), []).append(
            PostRow(
                post_id=r.raw_post_id,
                created_at=r.created_at,
                text=text or "",
                platform=r.platform,
                author=r.handle,
                author_id=r.author_id,
                followers=r.followers,
                negative=r.sentiment == "negative",
                reach=r.reach or 0.0,
                engagement=r.engagement or 0.0,
                mention_id=r.id,
                story_key=r.story_key,
                positive=r.sentiment == "positive",
                sentiment_score=r.sentiment_score or 0.0,
                cluster=r.near_dup_of or r.external_id,
            )
        )
    return out
