"""Write a batch: raw posts (idempotent), authors, mentions and rollups.

Every function works on a whole batch with a few set-based queries, never one query per post,
so the same code is fast on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from flarewatch.mentions.models import Author, Mention, RawPost, Rollup
from flarewatch.mentions.post import Post
from flarewatch.pipeline.dedup import identity_key
from flarewatch.pipeline.rollup import RollupDelta

CHUNK = 500


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


def upsert_authors(session: Session, workspace_id: int, posts: Sequence[Post]) -> dict[tuple[str, str], int]:
    """Author rows for the batch's (platform, handle) pairs, created or refreshed."""
    latest: dict[tuple[str, str], Post] = {}
    for post in posts:
        if post.author:
            latest[(post.platform, post.author)] = post
    ids: dict[tuple[str, str], int] = {}
    keys = list(latest)
    for chunk in _chunks(keys):
        for author in session.scalars(
            select(Author).where(
                Author.workspace_id == workspace_id,
                tuple_(Author.platform, Author.handle).in_(chunk),
            )
        ):
            post = latest[(author.platform, author.handle)]
            if post.author_followers is not None:
                author.followers = post.author_followers
            if post.author_name:
                author.name = post.author_name
            author.verified = author.verified or post.author_verified
            ids[(author.platform, author.handle)] = author.id
    counts: dict[tuple[str, str], int] = {}
    for post in posts:
        if post.author:
            counts[(post.platform, post.author)] = counts.get((post.platform, post.author), 0) + 1
    new_authors = []
    for key, post in latest.items():
        if key in ids:
            continue
        new_authors.append(
            Author(
                workspace_id=workspace_id,
                platform=post.platform,
                handle=post.author or "",
                name=post.author_name,
                followers=post.author_followers,
                verified=post.author_verified,
                account_created_at=post.author_created_at,
                first_seen_at=post.created_at,
            )
        )
    session.add_all(new_authors)
    session.flush()
    for author in new_authors:
        ids[(author.platform, author.handle)] = author.id
    for key, count in counts.items():
        session.get(Author, ids[key]).posts_seen += count  # type: ignore[union-attr]
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
    }


def insert_raw_posts(
    session: Session,
    workspace_id: int,
    source_id: int,
    posts: Sequence[Post],
    author_ids: dict[tuple[str, str], int],
    duplicate_of: dict[str, int] | None = None,
    now: datetime | None = None,
) -> dict[str, RawPost]:
    rows: dict[str, RawPost] = {}
    for post in posts:
        row = RawPost(
            workspace_id=workspace_id,
            source_id=source_id,
            external_id=post.external_id,
            author_id=author_ids.get((post.platform, post.author or "")),
            platform=post.platform,
            url=post.url,
            title=post.title,
            text=post.text,
            content_hash=post.content_hash,
            duplicate_of_id=(duplicate_of or {}).get(post.external_id),
            payload=payload_of(post),
            created_at=post.created_at,
        )
        if now is not None:
            row.fetched_at = now
        rows[post.external_id] = row
    session.add_all(rows.values())
    session.flush()
    return rows


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


def add_mentions(session: Session, mentions: Sequence[Mention]) -> None:
    session.add_all(mentions)
    session.flush()
