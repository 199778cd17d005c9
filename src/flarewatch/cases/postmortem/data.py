"""The facts of a case's post-mortem, gathered from the case, its alert, its timeline and the
stored mentions of its topics.

`gather` reads the database once; everything after it (milestones, response times, peak and
recovery, chart series) is pure functions of what it read, tested on their own.

Recovery is a stated rule: the first interval after the peak whose volume is at or below
`RECOVERY_FACTOR` times the topics' usual volume per interval (their mean over the
`BASELINE_DAYS` before the chart starts), or at or below `RECOVERY_PEAK_SHARE` of the peak
when the topics have no history.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flarewatch.alerts.models import Alert
from flarewatch.cases.goals import GoalState, goal_states
from flarewatch.cases.models import Case, CaseEvent, Task
from flarewatch.cases.postmortem.models import REVIEW_FIELDS
from flarewatch.cases.postmortem.review import review_of
from flarewatch.cases.service import get_case, tasks, timeline
from flarewatch.db.base import utcnow
from flarewatch.mentions.models import Mention
from flarewatch.mentions.volume import bucket_size, floor_time

BASELINE_DAYS = 7
RECOVERY_FACTOR = 2.0
RECOVERY_PEAK_SHARE = 0.1
LEAD_IN = timedelta(hours=6)  # the chart starts this long before the first mention
SENTIMENTS = ("negative", "neutral", "positive")
# Timeline kinds that are "what was done": people's entries and the system's on their behalf.
DONE_KINDS = ("status", "note", "task", "owner", "alert", "routing", "role", "followup")
MILESTONES = (
    "first_mention",
    "first_alert",
    "acknowledged",
    "first_response",
    "peak",
    "recovery",
    "closed",
)
# Each response time: its key and the two milestones it runs between.
DURATIONS = (
    ("lead_time", "first_mention", "first_alert"),
    ("to_acknowledge", "first_alert", "acknowledged"),
    ("to_first_response", "first_alert", "first_response"),
    ("mention_to_response", "first_mention", "first_response"),
    ("peak_to_recovery", "peak", "recovery"),
    ("to_close", "first_alert", "closed"),
)


@dataclass(frozen=True)
class PostRow:
    """One stored post of the case's topics (counted once whatever its number of topics)."""

    post_id: int
    at: datetime
    sentiment: str
    platform: str
    reach: float
    story_key: str | None
    author_id: int | None


@dataclass(frozen=True)
class Bucket:
    start: datetime
    posts: int
    sentiment: dict[str, int]


@dataclass
class PostMortem:
    case: Case
    alert: Alert | None
    milestones: dict[str, datetime | None]
    durations: list[tuple[str, timedelta | None]]
    buckets: list[Bucket]
    bucket: timedelta
    peak_posts: int
    baseline: float  # the topics' usual posts per interval before the chart starts
    platforms: list[tuple[str, int]]
    total_posts: int
    negative_share: float
    reach: float
    done: list[CaseEvent]
    done_tasks: list[Task]
    followup_tasks: list[Task]
    review: dict[str, str]
    goals: list[GoalState] = field(default_factory=list)
    # Volume, negative share and reach before, during and after the response (cases/followup.py).
    phases: list[Any] = field(default_factory=list)
    generated_at: datetime = field(default_factory=utcnow)


def load_posts(
    session: Session,
    workspace_id: int,
    topic_ids: Sequence[int],
    start: datetime,
    end: datetime,
) -> list[PostRow]:
    """The non-spam posts of these topics in [start, end), oldest first, each post once."""
    if not topic_ids:
        return []
    rows = session.execute(
        select(
            Mention.raw_post_id,
            Mention.created_at,
            Mention.sentiment,
            Mention.platform,
            Mention.reach,
            Mention.story_key,
            Mention.author_id,
        )
        .where(
            Mention.workspace_id == workspace_id,
            Mention.topic_id.in_(list(topic_ids)),
            Mention.created_at >= start,
            Mention.created_at < end,
            Mention.is_spam.is_(False),
        )
        .order_by(Mention.created_at, Mention.raw_post_id)
    )
    seen: set[int] = set()
    posts = []
    for post_id, at, mood, platform, reach, story, author in rows:
        if post_id in seen:
            continue
        seen.add(post_id)
        posts.append(PostRow(post_id, at, mood, platform, float(reach or 0.0), story, author))
    return posts


def story_of(session: Session, alert: Alert | None) -> tuple[list[str], list[int]]:
    """The story keys and authors of the alert's key posts: what the case is about."""
    if alert is None or not alert.post_ids:
        return [], []
    rows = session.execute(
        select(Mention.story_key, Mention.author_id).where(
            Mention.raw_post_id.in_(list(alert.post_ids))
        )
    ).all()
    stories = sorted({story for story, _ in rows if story})
    authors = sorted({author for _, author in rows if author is not None})
    return stories, authors


def first_mention(
    posts: Sequence[PostRow], story_keys: Sequence[str], key_posts: Sequence[int]
) -> datetime | None:
    """The story's first post: the oldest post of its story keys or among the alert's posts."""
    keys, ids = set(story_keys), set(key_posts)
    for post in posts:
        if (post.story_key is not None and post.story_key in keys) or post.post_id in ids:
            return post.at
    return None


def bucketise(
    posts: Sequence[PostRow], start: datetime, size: timedelta, slots: int
) -> list[Bucket]:
    counts = [0] * slots
    moods: list[Counter[str]] = [Counter() for _ in range(slots)]
    for post in posts:
        slot = int((post.at - start) / size)
        if 0 <= slot < slots:
            counts[slot] += 1
            moods[slot][post.sentiment] += 1
    return [
        Bucket(start + i * size, counts[i], {s: moods[i][s] for s in SENTIMENTS})
        for i in range(slots)
    ]


def peak_and_recovery(
    buckets: Sequence[Bucket], baseline: float
) -> tuple[Bucket | None, Bucket | None]:
    """The busiest interval, and the first one after it back to the usual level (the module's
    stated rule); recovery is None while the volume has not come down yet."""
    if not buckets or max(b.posts for b in buckets) == 0:
        return None, None
    peak = max(buckets, key=lambda b: (b.posts, -b.start.timestamp()))
    level = RECOVERY_FACTOR * baseline if baseline > 0 else RECOVERY_PEAK_SHARE * peak.posts
    after = [b for b in buckets if b.start > peak.start]
    recovery = next((b for b in after if b.posts <= level), None)
    return peak, recovery


def durations(milestones: dict[str, datetime | None]) -> list[tuple[str, timedelta | None]]:
    """Each response time, None where one of its two ends has not happened (or is out of order)."""
    out: list[tuple[str, timedelta | None]] = []
    for key, begin, end in DURATIONS:
        a, b = milestones.get(begin), milestones.get(end)
        out.append((key, b - a if a is not None and b is not None and b >= a else None))
    return out


def first_event_at(events: Sequence[CaseEvent], kind: str, **data: object) -> datetime | None:
    for event in events:
        if event.kind == kind and all((event.data or {}).get(k) == v for k, v in data.items()):
            return event.at
    return None


def platform_counts(posts: Sequence[PostRow], limit: int = 8) -> list[tuple[str, int]]:
    return Counter(post.platform for post in posts).most_common(limit)


def gather(
    session: Session,
    case_id: int,
    *,
    workspace_id: int | None = None,
    goals: Sequence[GoalState] | None = None,
    now: datetime | None = None,
) -> PostMortem:
    """Everything the post-mortem shows. `goals`: the case's goals as judged at `now`; None
    (the default) judges them here (`cases/goals.py`, `goal_states`)."""
    case = get_case(session, case_id, workspace_id=workspace_id)
    now = now or utcnow()
    alert = session.get(Alert, case.alert_id) if case.alert_id is not None else None
    events = timeline(session, case.id)
    topic_ids = list(alert.topic_ids) if alert is not None else []
    story_keys, _ = story_of(session, alert)
    seed = alert.window_start if alert is not None else case.opened_at
    # The story may have begun before the alert's window: look back a day for its first post.
    early = load_posts(session, case.workspace_id, topic_ids, seed - timedelta(days=1), seed)
    started = first_mention(early, story_keys, alert.post_ids if alert else []) or seed
    end = max(case.closed_at or now, started + timedelta(hours=1))
    start = started - LEAD_IN
    size = bucket_size(end - start)
    start = floor_time(start, size)
    slots = max(1, int((end - start) / size) + 1)
    posts = load_posts(session, case.workspace_id, topic_ids, start, start + slots * size)
    buckets = bucketise(posts, start, size, slots)
    baseline = _baseline(session, case.workspace_id, topic_ids, start, size)
    peak, recovery = peak_and_recovery(buckets, baseline)
    milestones: dict[str, datetime | None] = {
        "first_mention": first_mention(posts, story_keys, alert.post_ids if alert else [])
        or started,
        "first_alert": alert.created_at if alert is not None else case.opened_at,
        "acknowledged": (alert.acknowledged_at if alert is not None else None)
        or first_event_at(events, "alert", status="acknowledged"),
        "first_response": first_event_at(events, "status", to="responding"),
        "peak": peak.start if peak else None,
        "recovery": recovery.start if recovery else None,
        "closed": case.closed_at,
    }
    from flarewatch.cases.followup import phases  # it reads posts through this module

    all_tasks = tasks(session, case.id)
    negative = sum(1 for p in posts if p.sentiment == "negative")
    return PostMortem(
        case=case,
        alert=alert,
        milestones=milestones,
        durations=durations(milestones),
        buckets=buckets,
        bucket=size,
        peak_posts=peak.posts if peak else 0,
        baseline=baseline,
        platforms=platform_counts(posts),
        total_posts=len(posts),
        negative_share=negative / len(posts) if posts else 0.0,
        reach=sum(p.reach for p in posts),
        done=[e for e in events if e.kind in DONE_KINDS and _done_by_the_team(e)],
        done_tasks=[t for t in all_tasks if t.status == "done"],
        followup_tasks=[t for t in all_tasks if t.status != "done"],
        review=review_of(session, case.id),
        goals=list(goals) if goals is not None else goal_states(session, case, now=now),
        phases=phases(session, case, now),
        generated_at=now,
    )


def _done_by_the_team(event: CaseEvent) -> bool:
    """People's entries, and the system's that record an action (status changes, routing
    escalations, roles by rule, the follow-up watch), not its copies of the alert's figures."""
    return event.actor != "system" or event.kind in ("status", "routing", "role", "followup")


def _baseline(
    session: Session, workspace_id: int, topic_ids: Sequence[int], start: datetime, size: timedelta
) -> float:
    """The topics' mean posts per interval over the BASELINE_DAYS before `start`."""
    if not topic_ids:
        return 0.0
    since = start - timedelta(days=BASELINE_DAYS)
    count = session.scalar(
        select(func.count(func.distinct(Mention.raw_post_id))).where(
            Mention.workspace_id == workspace_id,
            Mention.topic_id.in_(list(topic_ids)),
            Mention.created_at >= since,
            Mention.created_at < start,
            Mention.is_spam.is_(False),
        )
    )
    return float(count or 0) / ((start - since) / size)


__all__ = ["REVIEW_FIELDS", "GoalState", "PostMortem", "gather"]
