"""Write a batch: raw posts (idempotent), authors, mentions and rollups.

Every function works on a whole batch with a few set-based queries, never one query per post,
so the same code is fast on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, insert, select, tuple_, update
from sqlalchemy.orm import Session

from flarewatch.mentions.models import Author, Mention, RawPost, Rollup
from flarewatch.mentions.post import Post
from flarewatch.pipeline.dedup import identity_key
from flarewatch.pipeline.rollup import RollupDelta

CHUNK = 500


class StoredPost(NamedTuple):
    id: int
    author_id: int | None


def _chunks(items: Sequence[Any], size: int = CHUNK) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def existing_external_ids(session: Session, source_id: int, posts: Sequence[Post]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks([p.external_id for p in posts]):
        rows = session.scalars(
            select(RawPost.external_id).where(
                RawPost.source_id == source_id, RawPost.external_id.in_(chunk)
            )
        )
        found.update(rows)
    return found


def known_identities(
    session: Session, workspace_id: int, posts: Sequence[Post]
) -> dict[tuple[str, str], int]:
    """Stored posts of the workspace with the same identity (content + author/url) as `posts`."""
    wanted = {identity_key(p) for p in posts}
    known: dict[tuple[str, str], int] = {}
    for chunk in _chunks(sorted({h for h, _ in wanted})):
        rows = session.execute(
            select(RawPost.id, RawPost.content_hash, RawPost.payload, RawPost.url).where(
                RawPost.workspace_id == workspace_id,
                RawPost.content_hash.in_(chunk),
                RawPost.duplicate_of_id.is_(None),
            )
        )
        for row_id, digest, payload, url in rows:
            who = str(payload.get("author") or "").casefold() or (url or "")
            if (digest, who) in wanted:
                known.setdefault((digest, who), row_id)
    return known


def upsert_authors(
    session: Session, workspace_id: int, posts: Sequence[Post]
) -> dict[tuple[str, str], int]:
    """Author rows for the batch's (platform, handle) pairs, created or refreshed."""
    latest: dict[tuple[str, str], Post] = {}
    counts: dict[tuple[str, str], int] = {}
    for post in posts:
        if post.author:
            key = (post.platform, post.author)
            latest[key] = post
            counts[key] = counts.get(key, 0) + 1
    ids: dict[tuple[str, str], int] = {}
    # Plain rows and one Core executemany: ORM objects would each be flushed as their own
    # UPDATE and kept in the session (a third of a batch's time when most authors are known).
    refreshed: list[dict[str, Any]] = []
    for chunk in _chunks(list(latest)):
        for row in session.execute(
            select(
                Author.id,
                Author.platform,
                Author.handle,
                Author.name,
                Author.followers,
                Author.verified,
                Author.posts_seen,
            ).where(
                Author.workspace_id == workspace_id,
                tuple_(Author.platform, Author.handle).in_(chunk),
            )
        ):
            key = (row.platform, row.handle)
            post = latest[key]
            ids[key] = row.id
            refreshed.append(
                {
                    "author_pk": row.id,
                    "new_followers": (
                        post.author_followers
                        if post.author_followers is not None
                        else row.followers
                    ),
                    "new_name": post.author_name or row.name,
                    "new_verified": bool(row.verified or post.author_verified),
                    "new_posts_seen": (row.posts_seen or 0) + counts[key],
                }
            )
    if refreshed:
        table = Author.__table__
        session.execute(
            update(table)
            .where(table.c.id == bindparam("author_pk"))
            .values(
                followers=bindparam("new_followers"),
                name=bindparam("new_name"),
                verified=bindparam("new_verified"),
                posts_seen=bindparam("new_posts_seen"),
            ),
            refreshed,
        )
    new_rows = [
        {
            "workspace_id": workspace_id,
            "platform": post.platform,
            "handle": post.author or "",
            "name": post.author_name,
            "followers": post.author_followers,
            "verified": post.author_verified,
            "account_created_at": post.author_created_at,
            "first_seen_at": post.created_at,
            "posts_seen": counts[key],
        }
        for key, post in latest.items()
        if key not in ids
    ]
    if new_rows:
        # Core executemany then one indexed select: far cheaper than RETURNING row by row.
        session.execute(insert(Author.__table__), new_rows)
        for chunk in _chunks([(r["platform"], r["handle"]) for r in new_rows]):
            for author_id, platform, handle in session.execute(
                select(Author.id, Author.platform, Author.handle).where(
                    Author.workspace_id == workspace_id,
                    tuple_(Author.platform, Author.handle).in_(chunk),
                )
            ):
                ids[(platform, handle)] = author_id
    return ids


def payload_of(post: Post) -> dict[str, Any]:
    """The ingest-format fields of a post, kept so a stored post can be re-processed later."""
    return {
        "id": post.external_id,
        "text": post.text,
        "title": post.title,
        "author": post.author,
        "author_name": post.author_name,
        "author_followers": post.author_followers,
        "platform": post.platform,
        "url": post.url,
        "language": post.language,
        "country": post.country,
        "created_at": post.created_at.isoformat(),
        "likes": post.likes,
        "shares": post.shares,
        "replies": post.replies,
        "views": post.views,
        "reply_to": post.reply_to,
        "repost_of": post.repost_of,
        "links": post.links,
        "raw": post.raw,
        # Present only when text was cut to MAX_TEXT_CHARS: field → its original length.
        **({"truncated": post.truncated} if post.truncated else {}),
    }


def insert_raw_posts(
    session: Session,
    workspace_id: int,
    source_id: int,
    posts: Sequence[Post],
    author_ids: dict[tuple[str, str], int],
    duplicate_of: dict[str, int] | None = None,
    now: datetime | None = None,
) -> dict[str, StoredPost]:
    """Insert the posts with one multi-row statement; returns each post's id and author id."""
    if not posts:
        return {}
    fetched_at = now or datetime.now(UTC)
    rows = [
        {
            "workspace_id": workspace_id,
            "source_id": source_id,
            "external_id": post.external_id,
            "author_id": author_ids.get((post.platform, post.author or "")),
            "platform": post.platform,
            "url": post.url,
            "title": post.title,
            "text": post.text,
            "content_hash": post.content_hash,
            "duplicate_of_id": (duplicate_of or {}).get(post.external_id),
            "payload": payload_of(post),
            "created_at": post.created_at,
            "fetched_at": fetched_at,
        }
        for post in posts
    ]
    session.execute(insert(RawPost.__table__), rows)
    author_of = {row["external_id"]: row["author_id"] for row in rows}
    stored: dict[str, StoredPost] = {}
    for chunk in _chunks(list(author_of)):
        for raw_id, external_id in session.execute(
            select(RawPost.id, RawPost.external_id).where(
                RawPost.source_id == source_id, RawPost.external_id.in_(chunk)
            )
        ):
            stored[external_id] = StoredPost(raw_id, author_of[external_id])
    return stored


def apply_rollups(session: Session, workspace_id: int, deltas: Sequence[RollupDelta]) -> None:
    """Add a batch's deltas to the stored per-minute rollups (merging author sets exactly)."""
    if not deltas:
        return
    keys = [(d.topic_id, d.minute) for d in deltas]
    existing: dict[tuple[int, datetime], Rollup] = {}
    topic_ids = sorted({d.topic_id for d in deltas})
    low = min(d.minute for d in deltas)
    high = max(d.minute for d in deltas)
    for row in session.scalars(
        select(Rollup).where(
            Rollup.topic_id.in_(topic_ids), Rollup.minute >= low, Rollup.minute <= high
        )
    ):
        existing[(row.topic_id, row.minute)] = row
    for key, delta in zip(keys, deltas, strict=True):
        row = existing.get(key)
        if row is None:
            row = Rollup(
                workspace_id=workspace_id,
                topic_id=delta.topic_id,
                minute=delta.minute,
                count=0,
                negative_count=0,
                engagement=0.0,
                reach=0.0,
                author_ids=[],
                platforms={},
            )
            session.add(row)
        row.count += delta.count
        row.negative_count += delta.negative_count
        row.engagement += delta.engagement
        row.reach += delta.reach
        authors = set(row.author_ids or []) | delta.author_ids
        row.author_ids = sorted(authors)
        row.unique_authors = len(authors)
        platforms = dict(row.platforms or {})
        for name, count in delta.platforms.items():
            platforms[name] = platforms.get(name, 0) + count
        row.platforms = platforms
    session.flush()


def add_mentions(session: Session, mentions: Sequence[dict[str, Any]]) -> None:
    """Insert mention rows (dicts of Mention columns) with one executemany."""
    if mentions:
        session.execute(insert(Mention.__table__), list(mentions))
