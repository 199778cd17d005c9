"""Late posts: scored into the minutes they belong to, by replaying those minutes.

A post can arrive after its minute was evaluated: a backfill, a source that delivers in slow
batches, a feed that was down. The pipeline already adds it to its own minute's rollup; what
detection must do is evaluate that minute again, and every minute after it, because the detector
and the story tracker are online (each minute's verdict depends on all before it).

So the durable state keeps a few *checkpoints*: the detector and story tracker as they were
after some evaluated minute, one every CHECKPOINT_MINUTES, reaching at least LATE_MINUTES back.
When posts turn up that detection never saw (a mention without a story key) in minutes it has
already evaluated, it restores the newest checkpoint before the earliest of them and runs the
ordinary minute loop from there: the same code as live detection, with the late posts in their
minutes. Minutes before the oldest checkpoint are out of reach: such posts are stored and in the
rollups (charts, later baselines) but their minutes are not judged again.

Replayed minutes hand their candidates to alerting like any other; alerting joins a candidate
to its group's open alert (an update, or an escalation when the late posts made it worse), so
a replay never opens a second alert for the same episode.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Float, and_, cast, func, or_, select
from sqlalchemy.orm import Session

from flarewatch.mentions.models import Mention
from flarewatch.mentions.relevance import FILTERED_BELOW

LATE_MINUTES = 60  # posts at least this late are always re-scored
CHECKPOINT_MINUTES = 30
LATE_WINDOW = timedelta(minutes=LATE_MINUTES)
CHECKPOINT_EVERY = timedelta(minutes=CHECKPOINT_MINUTES)

# {"minute": the last evaluated minute (ISO), "detector": ..., "stories": ...}
Checkpoint = dict[str, Any]


def checkpoint_minute(checkpoint: Checkpoint) -> datetime:
    return datetime.fromisoformat(str(checkpoint["minute"]))


def checkpoint(minute: datetime, detector: dict[str, Any], stories: dict[str, Any]) -> Checkpoint:
    return {"minute": minute.isoformat(), "detector": detector, "stories": stories}


def wants_checkpoint(checkpoints: list[Checkpoint], minute: datetime, end: datetime) -> bool:
    """Take one after `minute`? Only near the end of a run (older ones would be pruned at once),
    and one per CHECKPOINT_MINUTES."""
    if minute < end - LATE_WINDOW - 2 * CHECKPOINT_EVERY:
        return False
    return not checkpoints or minute - checkpoint_minute(checkpoints[-1]) >= CHECKPOINT_EVERY


def prune(checkpoints: list[Checkpoint], last_minute: datetime) -> list[Checkpoint]:
    """Keep the checkpoints of the last LATE_MINUTES and the newest one before them, so a post
    up to LATE_MINUTES late always has a checkpoint before its minute."""
    horizon = last_minute - LATE_WINDOW
    older = [c for c in checkpoints if checkpoint_minute(c) <= horizon]
    newer = [c for c in checkpoints if checkpoint_minute(c) > horizon]
    return older[-1:] + newer


def restore_point(checkpoints: list[Checkpoint], late_minute: datetime) -> Checkpoint | None:
    """The newest checkpoint taken before `late_minute` was evaluated."""
    before = [c for c in checkpoints if checkpoint_minute(c) < late_minute]
    return before[-1] if before else None


def earliest_late_post(
    session: Session, topic_id: int, checkpoints: list[Checkpoint], last_minute: datetime
) -> datetime | None:
    """The creation time of the earliest post detection has not seen yet in a minute it has
    already evaluated and can still replay; None when there is none.

    Detection gives every post it processes a story key, so "not seen" is a counted mention
    (not spam, not ruled out as irrelevant: the posts detection reads) without one.
    """
    if not checkpoints:
        return None
    low = checkpoint_minute(checkpoints[0]) + timedelta(minutes=1)
    relevance = func.coalesce(cast(Mention.enrichment["relevance"].as_float(), Float), 1.0)
    return session.scalar(
        select(func.min(Mention.created_at)).where(
            Mention.topic_id == topic_id,
            Mention.story_key.is_(None),
            Mention.is_spam.is_(False),
            or_(
                Mention.relevant.is_(True),
                and_(Mention.relevant.is_(None), relevance >= FILTERED_BELOW),
            ),
            Mention.created_at >= low,
            Mention.created_at < last_minute + timedelta(minutes=1),
        )
    )
