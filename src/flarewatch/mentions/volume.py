"""Posts over time for charts: per-interval counts, the usual range, the partial last interval.

Counts are of posts, not post × topic pairs: a post of two topics is one post in the volume,
the sentiment, the platform and the author figures. Only the per-topic counts (share of voice,
which compares topics) count a post once for each of its topics.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.mentions.models import Mention

SENTIMENTS = ("negative", "neutral", "positive")
BUCKET_CHOICES = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
)
MAX_BUCKETS = 72
BASELINE_BUCKETS = 12  # usual intervals the band is computed from
MIN_HISTORY = 3  # intervals needed before a band is drawn at all


def bucket_size(span: timedelta) -> timedelta:
    for size in BUCKET_CHOICES:
        if span / size <= MAX_BUCKETS:
            return size
    return BUCKET_CHOICES[-1]


def floor_time(value: datetime, size: timedelta) -> datetime:
    epoch = datetime(1970, 1, 1, tzinfo=value.tzinfo)
    return value - (value - epoch) % size


def baseline_band(counts: list[int]) -> tuple[list[float | None], list[float | None]]:
    """The usual range of each interval, from the usual intervals before it.

    An interval above its own usual range is not usual: it is left out of the history the later
    intervals are compared with, so during a spike the band stays where it was before the spike
    instead of climbing with it. The spread has a Poisson floor (counts of 0 and 1 are not a
    surge). None until MIN_HISTORY usual intervals exist.
    """
    low: list[float | None] = []
    high: list[float | None] = []
    usual: list[int] = []
    for count in counts:
        history = usual[-BASELINE_BUCKETS:]
        if len(history) < MIN_HISTORY:
            low.append(None)
            high.append(None)
            above = False
        else:
            mean = statistics.fmean(history)
            spread = max(2 * statistics.pstdev(history), 2 * math.sqrt(mean), 1.0)
            low.append(round(max(0.0, mean - spread), 2))
            high.append(round(mean + spread, 2))
            above = count > mean + spread
        if not above:
            usual.append(count)
    return low, high


@dataclass
class PostSeries:
    """Posts per interval from `start`, `size` wide, `slots` of them, and their breakdowns."""

    volume: list[int]
    sentiment: dict[str, list[int]]
    posts: int = 0
    topic_posts: Counter[int] = field(default_factory=Counter)  # each post once per topic
    topic_negative: Counter[int] = field(default_factory=Counter)
    platforms: Counter[str] = field(default_factory=Counter)
    authors: Counter[int] = field(default_factory=Counter)


def post_series(
    session: Session,
    workspace_id: int,
    start: datetime,
    size: timedelta,
    slots: int,
    *,
    topic_id: int | None = None,
) -> PostSeries:
    """Non-spam posts of the workspace (or of one topic) from `start` on, per interval."""
    scope = [
        Mention.workspace_id == workspace_id,
        Mention.created_at >= start,
        Mention.is_spam.is_(False),
    ]
    if topic_id is not None:
        scope.append(Mention.topic_id == topic_id)
    series = PostSeries(volume=[0] * slots, sentiment={name: [0] * slots for name in SENTIMENTS})
    seen: set[int] = set()
    for post_id, created_at, mood, topic, platform, author_id in session.execute(
        select(
            Mention.raw_post_id,
            Mention.created_at,
            Mention.sentiment,
            Mention.topic_id,
            Mention.platform,
            Mention.author_id,
        ).where(*scope)
    ):
        series.topic_posts[topic] += 1
        series.topic_negative[topic] += mood == "negative"
        if post_id in seen:
            continue  # the same post through another topic: counted once below
        seen.add(post_id)
        slot = min(slots - 1, int((created_at - start) / size))
        series.volume[slot] += 1
        series.sentiment.setdefault(mood, [0] * slots)[slot] += 1
        series.platforms[platform] += 1
        if author_id is not None:
            series.authors[author_id] += 1
    series.posts = len(seen)
    return series
