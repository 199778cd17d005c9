"""The post-centric read side: one row per post, whatever number of topics it matched.

A mention is a post × topic pair; people read posts. The stream, its total count, the hidden
count and the export all group a workspace's mentions by post here, so the pages, the API and the
CLI show the same rows and the same numbers. A post that matched two topics is one row carrying
both topics as tags.

A row is keyed by its post's first mention id (the smallest): stable whatever the filters, so
paging cursors, live-update cursors and the page's element ids stay the mention ids they were.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    and_,
    cast,
    distinct,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased

from flarewatch.accounts.models import User
from flarewatch.db.base import utcnow
from flarewatch.mentions.models import Author, Mention, PostAssignment, PostTag, RawPost
from flarewatch.mentions.relevance import FILTERED_BELOW, is_filtered, relevance_of
from flarewatch.workspaces.models import Topic

SENTIMENTS = ("negative", "neutral", "positive")
SINCE_CHOICES: dict[str, timedelta] = {
    "1h": timedelta(hours=1),
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
}
MAX_PAGE = 500
EXPORT_CHUNK = 500


@dataclass
class PostFilters:
    """What narrows the stream; every field is also a query parameter of the page and the API."""

    topic: str | None = None  # topic key: posts that matched this topic (among others)
    platform: str | None = None
    language: str | None = None  # ISO 639-1 code; pages show the language's name
    sentiment: str | None = None
    since: str | None = None  # a key of SINCE_CHOICES
    author: str | None = None  # handle, with or without @
    q: str | None = None  # words that must all appear in the text
    tag: str | None = None  # a tag people put on the post
    assignee: str | None = None  # the e-mail of the person the post is assigned to
    hidden: str | None = None  # "show": include posts filtered or marked not relevant

    def cleaned(self) -> PostFilters:
        values = {f.name: (getattr(self, f.name) or "").strip() or None for f in fields(self)}
        return PostFilters(**values)

    def as_query(self) -> dict[str, str]:
        return {f.name: v for f in fields(self) if (v := getattr(self, f.name))}

    @classmethod
    def from_query(cls, values: dict[str, Any]) -> PostFilters:
        """From a saved view's stored filters: unknown keys are ignored, values become text."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: str(v) for k, v in values.items() if k in known and v}).cleaned()


@dataclass
class PostRow:
    """One post as the stream shows it, with every topic it matched."""

    mention: Mention  # the post's first mention: its key, and where enrichment is read
    post: RawPost
    author: Author | None
    topics: list[Topic] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    assignee: User | None = None
    copies: int = 0  # other posts that are near-duplicates of this one
    copy_authors: list[str] = field(default_factory=list)

    @property
    def key(self) -> int:
        return self.mention.id

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


def filtered_clause() -> ColumnElement[bool]:
    """SQL twin of `is_filtered`, the same on SQLite and PostgreSQL."""
    score = func.coalesce(cast(Mention.enrichment["relevance"].as_float(), Float), 1.0)
    return or_(
        Mention.relevant.is_(False),
        and_(Mention.relevant.is_(None), score < FILTERED_BELOW),
    )


def _like_escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _matching_posts(workspace_id: int, filters: PostFilters, now: datetime) -> Select[Any]:
    """The posts that pass the filters, as their first mentions (the row keys): one row each.

    Everything but the topic is a property of the post (its mentions share platform, language,
    sentiment, author, time and relevance mark), so the first mention speaks for the post. The
    topic is asked of the post as a whole, so a post of topics A and B found through A still
    lists B. "First" is "no mention of the same post with a smaller id", which the unique
    (post, topic) index answers without grouping the workspace's mentions.
    """
    earlier = aliased(Mention)
    query = (
        select(Mention.id, Mention.raw_post_id)
        .join(RawPost, RawPost.id == Mention.raw_post_id)
        .outerjoin(Author, Author.id == Mention.author_id)
        .where(
            Mention.workspace_id == workspace_id,
            ~exists().where(earlier.raw_post_id == Mention.raw_post_id, earlier.id < Mention.id),
        )
    )
    if filters.topic:
        sibling = aliased(Mention)
        of_topic = (
            select(sibling.id)
            .join(Topic, Topic.id == sibling.topic_id)
            .where(sibling.raw_post_id == Mention.raw_post_id, Topic.key == filters.topic)
        )
        query = query.where(of_topic.exists())
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
    if filters.tag:
        tagged = select(PostTag.raw_post_id).where(
            PostTag.workspace_id == workspace_id, PostTag.tag == filters.tag.lstrip("#").lower()
        )
        query = query.where(Mention.raw_post_id.in_(tagged))
    if filters.assignee:
        assigned = (
            select(PostAssignment.raw_post_id)
            .join(User, User.id == PostAssignment.user_id)
            .where(
                PostAssignment.workspace_id == workspace_id,
                func.lower(User.email) == filters.assignee.lower(),
            )
        )
        query = query.where(Mention.raw_post_id.in_(assigned))
    for word in (filters.q or "").split()[:8]:
        # LIKE on both backends keeps results identical on SQLite and PostgreSQL; the stream is
        # always bounded by workspace and usually by time, which keeps the scan small.
        query = query.where(RawPost.text.ilike(f"%{_like_escape(word)}%", escape="\\"))
    if filters.hidden != "show":
        query = query.where(~filtered_clause())
    return query


def count_posts(
    session: Session,
    workspace_id: int,
    filters: PostFilters | None = None,
    now: datetime | None = None,
) -> int:
    """How many posts the stream holds under these filters (not post × topic pairs)."""
    query = _matching_posts(workspace_id, (filters or PostFilters()).cleaned(), now or utcnow())
    return int(session.scalar(query.with_only_columns(func.count())) or 0)


def hidden_count(
    session: Session,
    workspace_id: int,
    filters: PostFilters | None = None,
    now: datetime | None = None,
) -> int:
    """How many posts the stream hides as not relevant under these filters."""
    shown = (filters or PostFilters()).cleaned()
    shown.hidden = "show"
    query = _matching_posts(workspace_id, shown, now or utcnow()).where(filtered_clause())
    return int(session.scalar(query.with_only_columns(func.count())) or 0)


def _page_keys(
    session: Session,
    workspace_id: int,
    filters: PostFilters,
    now: datetime,
    *,
    limit: int,
    before_id: int | None,
    after_id: int | None,
) -> list[tuple[int, int]]:
    """(post id, first mention id) of one page of posts, newest first."""
    query = _matching_posts(workspace_id, filters, now)
    if before_id is not None:
        query = query.where(Mention.id < before_id)
    if after_id is not None:
        query = query.where(Mention.id > after_id)
    query = query.order_by(Mention.id.desc()).limit(max(1, min(limit, MAX_PAGE)))
    return [(int(post_id), int(first)) for first, post_id in session.execute(query)]


def _load_rows(session: Session, workspace_id: int, keys: list[tuple[int, int]]) -> list[PostRow]:
    """The rows of these posts, in this order, with topics, tags, assignee and copies."""
    if not keys:
        return []
    post_ids = [post_id for post_id, _ in keys]
    first_of = dict(keys)
    topics: dict[int, list[Topic]] = defaultdict(list)
    rows: dict[int, PostRow] = {}
    found = session.execute(
        select(Mention, RawPost, Topic, Author)
        .join(RawPost, RawPost.id == Mention.raw_post_id)
        .join(Topic, Topic.id == Mention.topic_id)
        .outerjoin(Author, Author.id == Mention.author_id)
        .where(Mention.workspace_id == workspace_id, Mention.raw_post_id.in_(post_ids))
        .order_by(Mention.id)
    )
    for mention, post, topic, author in found:
        topics[post.id].append(topic)
        if mention.id == first_of[post.id]:
            rows[post.id] = PostRow(mention, post, author)
    for post_id, row in rows.items():
        row.topics = sorted(topics[post_id], key=lambda t: t.name.casefold())
    for post_id, tag in session.execute(
        select(PostTag.raw_post_id, PostTag.tag)
        .where(PostTag.workspace_id == workspace_id, PostTag.raw_post_id.in_(post_ids))
        .order_by(PostTag.tag)
    ):
        if post_id in rows:
            rows[post_id].tags.append(tag)
    for post_id, user in session.execute(
        select(PostAssignment.raw_post_id, User)
        .join(User, User.id == PostAssignment.user_id)
        .where(
            PostAssignment.workspace_id == workspace_id, PostAssignment.raw_post_id.in_(post_ids)
        )
    ):
        if post_id in rows:
            rows[post_id].assignee = user
    ordered = [rows[post_id] for post_id in post_ids if post_id in rows]
    annotate_copies(session, workspace_id, ordered)
    return ordered


def annotate_copies(session: Session, workspace_id: int, rows: list[PostRow]) -> None:
    """Near-duplicate copies of each row's post, with one grouped query for the whole page."""
    originals = sorted({row.post.external_id for row in rows})
    if not originals:
        return
    found: dict[str, tuple[int, list[str]]] = {}
    copies = func.count(distinct(Mention.raw_post_id))
    for ext, handle, count in session.execute(
        select(Mention.near_dup_of, Author.handle, copies)
        .outerjoin(Author, Author.id == Mention.author_id)
        .where(Mention.workspace_id == workspace_id, Mention.near_dup_of.in_(originals))
        .group_by(Mention.near_dup_of, Author.handle)
        .order_by(Mention.near_dup_of, copies.desc())
    ):
        total, handles = found.get(ext, (0, []))
        found[ext] = (total + int(count), handles + ([handle] if handle else []))
    for row in rows:
        if row.post.external_id in found:
            row.copies, row.copy_authors = found[row.post.external_id]


def post_stream(
    session: Session,
    workspace_id: int,
    filters: PostFilters | None = None,
    *,
    limit: int = 50,
    before_id: int | None = None,
    after_id: int | None = None,
    now: datetime | None = None,
) -> list[PostRow]:
    """Newest first, one row per post; `before_id` pages back, `after_id` gives only newer
    posts (live updates). Both cursors are row keys: a post's first mention id."""
    keys = _page_keys(
        session,
        workspace_id,
        (filters or PostFilters()).cleaned(),
        now or utcnow(),
        limit=limit,
        before_id=before_id,
        after_id=after_id,
    )
    return _load_rows(session, workspace_id, keys)


def post_row(session: Session, workspace_id: int, mention_id: int) -> PostRow | None:
    """The row of the post that this mention (any of its mentions) belongs to, hidden or not."""
    mention = session.get(Mention, mention_id)
    if mention is None or mention.workspace_id != workspace_id:
        return None
    first = session.scalar(
        select(func.min(Mention.id)).where(
            Mention.workspace_id == workspace_id, Mention.raw_post_id == mention.raw_post_id
        )
    )
    rows = _load_rows(session, workspace_id, [(mention.raw_post_id, int(first or mention_id))])
    return rows[0] if rows else None


def post_ids_of(session: Session, workspace_id: int, mention_ids: list[int]) -> list[int]:
    """The posts these mention ids (row keys) stand for; ids of other workspaces drop out."""
    if not mention_ids:
        return []
    found = session.scalars(
        select(Mention.raw_post_id)
        .where(Mention.workspace_id == workspace_id, Mention.id.in_(mention_ids))
        .distinct()
    )
    return sorted(int(post_id) for post_id in found)


def iter_posts(
    session: Session,
    workspace_id: int,
    filters: PostFilters | None = None,
    *,
    limit: int | None = None,
    now: datetime | None = None,
) -> Iterator[PostRow]:
    """Every post under the filters, newest first, read a page at a time (exports)."""
    cleaned = (filters or PostFilters()).cleaned()
    at = now or utcnow()
    before: int | None = None
    left = limit
    while left is None or left > 0:
        size = EXPORT_CHUNK if left is None else min(EXPORT_CHUNK, left)
        rows = post_stream(session, workspace_id, cleaned, limit=size, before_id=before, now=at)
        yield from rows
        if len(rows) < size:
            return
        before = rows[-1].key
        if left is not None:
            left -= len(rows)


def filter_choices(session: Session, workspace_id: int) -> dict[str, list[str]]:
    """The values present in the workspace for the stream's drop-down filters."""

    def present(column: Any, where: Any = Mention.workspace_id) -> list[str]:
        rows = session.scalars(
            select(column).where(where == workspace_id).distinct().order_by(column)
        )
        return [r for r in rows if r]

    return {
        "platform": present(Mention.platform),
        "language": [code for code in present(Mention.language) if code != "und"],
        "tag": present(PostTag.tag, PostTag.workspace_id),
    }


def latest_key(session: Session, workspace_id: int) -> int:
    """The newest row key (mention id): where a live stream starts."""
    newest = session.scalar(
        select(func.max(Mention.id)).where(Mention.workspace_id == workspace_id)
    )
    return int(newest or 0)
