"""Roll mentions up per topic per minute: the series that detection reads."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(slots=True)
class MentionFacts:
    """The few facts of a stored mention that rollups need."""

    topic_id: int
    created_at: datetime
    negative: bool
    engagement: float
    reach: float
    author_id: int | None
    platform: str


@dataclass(slots=True)
class RollupDelta:
    topic_id: int
    minute: datetime
    count: int = 0
    negative_count: int = 0
    engagement: float = 0.0
    reach: float = 0.0
    author_ids: set[int] = field(default_factory=set)
    platforms: dict[str, int] = field(default_factory=dict)


def minute_of(value: datetime) -> datetime:
    return value.replace(second=0, microsecond=0)


def rollup_batch(facts: Iterable[MentionFacts]) -> list[RollupDelta]:
    deltas: dict[tuple[int, datetime], RollupDelta] = {}
    for fact in facts:
        minute = minute_of(fact.created_at)
        delta = deltas.get((fact.topic_id, minute))
        if delta is None:
            delta = deltas[(fact.topic_id, minute)] = RollupDelta(fact.topic_id, minute)
        delta.count += 1
        delta.negative_count += int(fact.negative)
        delta.engagement += fact.engagement
        delta.reach += fact.reach
        if fact.author_id is not None:
            delta.author_ids.add(fact.author_id)
        delta.platforms[fact.platform] = delta.platforms.get(fact.platform, 0) + 1
    return sorted(deltas.values(), key=lambda d: (d.topic_id, d.minute))
