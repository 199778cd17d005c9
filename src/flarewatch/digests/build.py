"""What a digest says, gathered from the database for one window: top topics and stories, the
sentiment shift, alerts and how fast they were handled, open cases, sources with problems.

The result is plain data (`Digest`), rendered per language by digests/render.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from statistics import median
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flarewatch.alerts.models import Alert
from flarewatch.cases.models import Case
from flarewatch.mentions.models import Mention, RawPost
from flarewatch.sources.health import ALERTING_STATES, workspace_health
from flarewatch.workspaces.models import Topic, Workspace

TOP = 5
LABEL_CHARS = 80
OPEN_CASE_STATUSES = ("new", "triage", "responding", "monitoring")


@dataclass(frozen=True, slots=True)
class TopicLine:
    name: str
    mentions: int
    previous: int  # in the window before


@dataclass(frozen=True, slots=True)
class StoryLine:
    topic: str
    label: str  # the opening of its first post
    mentions: int


@dataclass(frozen=True, slots=True)
class AlertLine:
    id: int
    severity: str
    status: str
    title: str
    title_message: dict[str, Any] | None
    ack_seconds: float | None  # from raised to acknowledged
    closed_seconds: float | None  # from raised to resolved or noise


@dataclass(frozen=True, slots=True)
class CaseLine:
    id: int
    title: str
    title_message: dict[str, Any] | None
    status: str


@dataclass(frozen=True, slots=True)
class SourceLine:
    key: str
    state: str
    error: str | None


@dataclass(slots=True)
class Digest:
    workspace: str
    timezone: str
    period: str  # daily | weekly
    start: datetime
    end: datetime
    mentions: int = 0
    previous_mentions: int = 0
    negative_share: float | None = None
    previous_negative_share: float | None = None
    topics: list[TopicLine] = field(default_factory=list)
    stories: list[StoryLine] = field(default_factory=list)
    alerts: list[AlertLine] = field(default_factory=list)
    cases: list[CaseLine] = field(default_factory=list)
    sources: list[SourceLine] = field(default_factory=list)

    @property
    def median_ack_seconds(self) -> float | None:
        times = [a.ack_seconds for a in self.alerts if a.ack_seconds is not None]
        return median(times) if times else None


def _counts(session: Session, workspace_id: int, start: datetime, end: datetime) -> tuple[int, int]:
    total, negative = session.execute(
        select(
            func.count(Mention.id),
            func.count(Mention.id).filter(Mention.sentiment == "negative"),
        ).where(
            Mention.workspace_id == workspace_id,
            Mention.created_at >= start,
            Mention.created_at < end,
        )
    ).one()
    return int(total or 0), int(negative or 0)


def _per_topic(
    session: Session, workspace_id: int, start: datetime, end: datetime
) -> dict[int, int]:
    rows = session.execute(
        select(Mention.topic_id, func.count(Mention.id))
        .where(
            Mention.workspace_id == workspace_id,
            Mention.created_at >= start,
            Mention.created_at < end,
        )
        .group_by(Mention.topic_id)
    )
    return {topic: int(count) for topic, count in rows}


def _stories(
    session: Session, workspace_id: int, start: datetime, end: datetime, names: dict[int, str]
) -> list[StoryLine]:
    rows = session.execute(
        select(Mention.story_key, Mention.topic_id, func.count(Mention.id), func.min(Mention.id))
        .where(
            Mention.workspace_id == workspace_id,
            Mention.created_at >= start,
            Mention.created_at < end,
            Mention.story_key.is_not(None),
        )
        .group_by(Mention.story_key, Mention.topic_id)
        .order_by(func.count(Mention.id).desc(), Mention.story_key)
        .limit(TOP)
    ).all()
    out = []
    for _, topic_id, count, first_id in rows:
        text = session.scalar(
            select(RawPost.text)
            .join(Mention, Mention.raw_post_id == RawPost.id)
            .where(Mention.id == first_id)
        )
        flat = " ".join((text or "").split())
        label = flat if len(flat) <= LABEL_CHARS else flat[: LABEL_CHARS - 1].rstrip() + "…"
        out.append(StoryLine(names.get(topic_id, f"#{topic_id}"), label, int(count)))
    return out


def _seconds(later: datetime | None, earlier: datetime) -> float | None:
    return (later - earlier).total_seconds() if later is not None else None


def build_digest(
    session: Session, workspace: Workspace, period: str, end: datetime, start: datetime
) -> Digest:
    """The digest of `workspace` for [start, end); the window before, of the same length, is
    what changes are measured against."""
    before = start - (end - start)
    digest = Digest(workspace.name, workspace.timezone or "UTC", period, start, end)
    digest.mentions, negative = _counts(session, workspace.id, start, end)
    digest.previous_mentions, previous_negative = _counts(session, workspace.id, before, start)
    if digest.mentions:
        digest.negative_share = negative / digest.mentions
    if digest.previous_mentions:
        digest.previous_negative_share = previous_negative / digest.previous_mentions
    names = {
        t.id: t.name or t.key
        for t in session.scalars(select(Topic).where(Topic.workspace_id == workspace.id))
    }
    now, then = (
        _per_topic(session, workspace.id, start, end),
        _per_topic(session, workspace.id, before, start),
    )
    ranked = sorted(now.items(), key=lambda item: (-item[1], names.get(item[0], "")))[:TOP]
    digest.topics = [
        TopicLine(names.get(topic, f"#{topic}"), count, then.get(topic, 0))
        for topic, count in ranked
    ]
    digest.stories = _stories(session, workspace.id, start, end, names)
    alerts = session.scalars(
        select(Alert)
        .where(
            Alert.workspace_id == workspace.id,
            Alert.created_at >= start,
            Alert.created_at < end,
            Alert.status != "merged",
        )
        .order_by(Alert.created_at, Alert.id)
    ).all()
    digest.alerts = [
        AlertLine(
            a.id,
            a.severity,
            a.status,
            a.title,
            a.title_message,
            _seconds(a.acknowledged_at, a.created_at),
            _seconds(a.updated_at, a.created_at) if a.status in ("resolved", "noise") else None,
        )
        for a in alerts
    ]
    cases = session.scalars(
        select(Case)
        .where(Case.workspace_id == workspace.id, Case.status.in_(OPEN_CASE_STATUSES))
        .order_by(Case.opened_at, Case.id)
    ).all()
    digest.cases = [CaseLine(c.id, c.title, c.title_message, c.status) for c in cases]
    digest.sources = [
        SourceLine(h.key, h.state, h.last_error)
        for h in workspace_health(session, workspace.id, end)
        if h.state in ALERTING_STATES
    ]
    return digest


def window(period: str, due: datetime, zone: str) -> tuple[datetime, datetime]:
    """[start, end) of the digest due at `due`: the local day or week before it, so a daily
    digest across a DST change covers 23 or 25 hours, as the wall clock does."""
    from zoneinfo import ZoneInfo

    local = due.astimezone(ZoneInfo(zone))
    days = 1 if period == "daily" else 7
    start = datetime.combine(
        local.date() - timedelta(days=days), local.time().replace(tzinfo=None), local.tzinfo
    )
    # In UTC: Python subtracts two datetimes of one zone by their clock readings.
    return start.astimezone(UTC), due.astimezone(UTC)
