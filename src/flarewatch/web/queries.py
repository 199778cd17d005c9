"""Read-side queries for pages and the API: mention stream, filters, overview figures."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, and_, case, cast, distinct, func, or_, select
from sqlalchemy.orm import Session

from flarewatch.alerts.models import Alert
from flarewatch.db.base import utcnow
from flarewatch.mentions.models import Author, Mention, RawPost
from flarewatch.mentions.relevance import FILTERED_BELOW, is_filtered, relevance_of
from flarewatch.sources.health import HealthSummary, summarize, workspace_health
from flarewatch.workspaces.models import Topic, Workspace

SENTIMENTS = ("negative", "neutral", "positive")
SINCE_CHOICES: dict[str, timedelta] = {
    "1h": timedelta(hours=1),
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
}
SEVERITY_RANK = {"watch": 1, "warning": 2, "crisis": 3}


@dataclass
class MentionFilters:
    topic: str | None = None  # topic key
    platform: str | None = None
    language: str | None = None
    sentiment: str | None = None
    since: str | None = None  # a key of SINCE_CHOICES
    author: str | None = None  # handle, with or without @
    q: str | None = None  # words that must all appear in the text
    hidden: str | None = None  # "show": include mentions filtered or marked not relevant

    def cleaned(self) -> MentionFilters:
        values = {f.name: (getattr(self, f.name) or "").strip() or None for f in fields(self)}
        return MentionFilters(**values)

    def as_query(self) -> dict[str, str]:
        return {f.name: v for f in fields(self) if (v := getattr(self, f.name))}


@dataclass
class MentionRow:
    mention: Mention
    post: RawPost
    topic: Topic
    author: Author | None
    copies: int = 0  # other posts that are near-duplicates of this one
    copy_authors: list[str] = field(default_factory=list)

    @property
    def relevance(self) -> float:
        return relevance_of(self.mention.enrichment)

    @property
    def filtered(self) -> bool:
        """Hidden by default: marked not relevant, or scored so by the workspace's filter."""
        return is_filtered(self.mention.relevant, self.mention.enrichment)

    @property
    def copy_by(self) -> str:
        shown = ", ".join(f"@{h}" for h in self.copy_authors[:3])
        return shown + (", …" if len(self.copy_authors) > 3 else "")

    @property
    def top_spam_signal(self) -> str | None:
        signals = (self.mention.enrichment or {}).get("spam_signals") or {}
        return max(signals, key=lambda k: signals[k]) if signals else None


def _filtered() -> ColumnElement[bool]:
    """SQL twin of `is_filtered`, the same on SQLite and PostgreSQL."""
    score = func.coalesce(cast(Mention.enrichment["relevance"].as_float(), Float), 1.0)
    return or_(
        Mention.relevant.is_(False),
        and_(Mention.relevant.is_(None), score < FILTERED_BELOW),
    )


def _like_escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _mention_query(
    workspace_id: int, filters: MentionFilters, now: datetime, columns: tuple[Any, ...] = ()
) -> Select[Any]:
    query = (
        select(*(columns or (Mention, RawPost, Topic, Author)))
        .join(RawPost, RawPost.id == Mention.raw_post_id)
        .join(Topic, Topic.id == Mention.topic_id)
        .outerjoin(Author, Author.id == Mention.author_id)
        .where(Mention.workspace_id == workspace_id)
    )
    if filters.topic:
        query = query.where(Topic.key == filters.topic)
    if filters.platform:
        query = query.where(Mention.platform == filters.platform)
    if filters.language:
        query = query.where(Mention.language == filters.language)
    if filters.sentiment:
        query = query.where(Mention.sentiment == filters.sentiment)
    if filters.since in SINCE_CHOICES:
        query = query.where(Mention.created_at >= now - SINCE_CHOICES[filters.since])
    if filters.author:
        query = query.where(func.lower(Author.handle) == filters.author.lstrip("@").lower())
    for word in (filters.q or "").split()[:8]:
        # LIKE on both backends keeps results identical on SQLite and PostgreSQL; the stream is
        # always bounded by workspace and usually by time, which keeps the scan small.
        query = query.where(RawPost.text.ilike(f"%{_like_escape(word)}%", escape="\\"))
    if filters.hidden != "show":
        query = query.where(~_filtered())
    return query


def hidden_count(
    session: Session,
    workspace_id: int,
    filters: MentionFilters | None = None,
    now: datetime | None = None,
) -> int:
    """How many mentions the stream hides as not relevant under these filters."""
    shown = (filters or MentionFilters()).cleaned()
    shown.hidden = "show"
    query = _mention_query(workspace_id, shown, now or utcnow(), (func.count(Mention.id),))
    return int(session.scalar(query.where(_filtered())) or 0)


def annotate_copies(session: Session, workspace_id: int, rows: list[MentionRow]) -> None:
    """Near-duplicate copies of each row's post, with one grouped query for the whole page."""
    originals = sorted({row.post.external_id for row in rows})
    if not originals:
        return
    found: dict[str, tuple[int, list[str]]] = {}
    for ext, handle, count in session.execute(
        select(Mention.near_dup_of, Author.handle, func.count(distinct(Mention.raw_post_id)))
        .outerjoin(Author, Author.id == Mention.author_id)
        .where(Mention.workspace_id == workspace_id, Mention.near_dup_of.in_(originals))
        .group_by(Mention.near_dup_of, Author.handle)
        .order_by(Mention.near_dup_of, func.count(distinct(Mention.raw_post_id)).desc())
    ):
        total, handles = found.get(ext, (0, []))
        found[ext] = (total + int(count), handles + ([handle] if handle else []))
    for row in rows:
        if row.post.external_id in found:
            row.copies, row.copy_authors = found[row.post.external_id]


def mention_stream(
    session: Session,
    workspace_id: int,
    filters: MentionFilters | None = None,
    *,
    limit: int = 50,
    before_id: int | None = None,
    after_id: int | None = None,
    now: datetime | None = None,
) -> list[MentionRow]:
    """Newest first; `before_id` pages back, `after_id` gives only newer ones (live updates)."""
    query = _mention_query(workspace_id, (filters or MentionFilters()).cleaned(), now or utcnow())
    if before_id is not None:
        query = query.where(Mention.id < before_id)
    if after_id is not None:
        query = query.where(Mention.id > after_id)
    query = query.order_by(Mention.id.desc()).limit(max(1, min(limit, 500)))
    rows = [MentionRow(m, p, t, a) for m, p, t, a in session.execute(query)]
    annotate_copies(session, workspace_id, rows)
    return rows


def mention_row(session: Session, workspace_id: int, mention_id: int) -> MentionRow | None:
    """One mention as the stream shows it (whether hidden or not)."""
    query = _mention_query(workspace_id, MentionFilters(hidden="show"), utcnow())
    found = session.execute(query.where(Mention.id == mention_id)).first()
    if found is None:
        return None
    rows = [MentionRow(*found)]
    annotate_copies(session, workspace_id, rows)
    return rows[0]


def filter_choices(session: Session, workspace_id: int) -> dict[str, list[str]]:
    def distinct(column: Any) -> list[str]:
        rows = session.scalars(
            select(column).where(Mention.workspace_id == workspace_id).distinct().order_by(column)
        )
        return [r for r in rows if r]

    return {"platform": distinct(Mention.platform), "language": distinct(Mention.language)}


def topics_of(session: Session, workspace_id: int) -> list[Topic]:
    return list(
        session.scalars(
            select(Topic).where(Topic.workspace_id == workspace_id).order_by(Topic.name)
        )
    )


def latest_ids(session: Session, workspace_id: int) -> tuple[int, int]:
    """The newest mention and alert ids: where a live stream starts."""
    mention = session.scalar(
        select(func.max(Mention.id)).where(Mention.workspace_id == workspace_id)
    )
    alert = session.scalar(select(func.max(Alert.id)).where(Alert.workspace_id == workspace_id))
    return int(mention or 0), int(alert or 0)


@dataclass
class WorkspaceRisk:
    workspace: Workspace
    role: str
    open_alerts: int
    top_severity: str | None
    top_risk: float
    mentions_24h: int
    negative_24h: int
    sources: HealthSummary = field(default_factory=lambda: HealthSummary(0, 0, 0))

    @property
    def level(self) -> str:
        """crisis, warning or watch (the worst topic alert); else "sources" while any source is
        failing or stale; else calm. Never calm with a broken source: missing mentions are not
        a quiet day."""
        if self.top_severity:
            return self.top_severity
        return "calm" if self.sources.coverage_ok else "sources"

    @property
    def negative_share(self) -> float:
        return self.negative_24h / self.mentions_24h if self.mentions_24h else 0.0


def workspace_risk(
    session: Session, workspace: Workspace, role: str, now: datetime | None = None
) -> WorkspaceRisk:
    now = now or utcnow()
    live = session.execute(
        select(Alert.severity, Alert.risk_score, Alert.kind).where(
            Alert.workspace_id == workspace.id, Alert.status.in_(("open", "acknowledged"))
        )
    ).all()
    # The brand's risk is its topics'; source alerts speak through `sources` instead.
    topical = [row for row in live if row[2] != "source"]
    top = max(topical, key=lambda row: (SEVERITY_RANK.get(row[0], 0), row[1]), default=None)
    since = now - timedelta(hours=24)
    total, negative = session.execute(
        select(
            func.count(Mention.id),
            func.coalesce(func.sum(case((Mention.sentiment == "negative", 1), else_=0)), 0),
        ).where(Mention.workspace_id == workspace.id, Mention.created_at >= since)
    ).one()
    return WorkspaceRisk(
        workspace=workspace,
        role=role,
        open_alerts=len(live),
        top_severity=top[0] if top else None,
        top_risk=float(top[1]) if top else 0.0,
        mentions_24h=int(total or 0),
        negative_24h=int(negative or 0),
        sources=summarize(workspace_health(session, workspace.id, now)),
    )
