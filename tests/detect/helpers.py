"""Store a synthetic scenario as the pipeline would: authors, raw posts, mentions, rollups."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.detect.runner import PostRow
from flarewatch.mentions.models import Author, Mention, RawPost, Rollup
from flarewatch.sources.models import Source
from flarewatch.workspaces.models import Topic, Workspace


def make_workspace(session: Session, **config: object) -> tuple[Workspace, Topic, Source]:
    workspace = Workspace(
        slug="acme",
        name="Acme Burgers",
        timezone="Asia/Jerusalem",
        languages=["en", "he"],
        sensitivity="balanced",
        config={"weekend": ["fri", "sat"], **config},
    )
    session.add(workspace)
    session.flush()
    topic = Topic(workspace_id=workspace.id, key="brand", name="BurgerBar", query="burgerbar")
    source = Source(workspace_id=workspace.id, key="demo", kind="scenario", config={})
    session.add_all([topic, source])
    session.flush()
    return workspace, topic, source


def store_posts(
    session: Session, workspace: Workspace, topic: Topic, source: Source, posts: list[PostRow]
) -> dict[int, int]:
    """Insert posts (again later for a backfill: authors and rollup rows are reused, as the
    pipeline does); returns synthetic post id -> raw_post id."""
    authors: dict[str, Author] = {
        a.handle: a
        for a in session.scalars(select(Author).where(Author.workspace_id == workspace.id))
    }
    for p in posts:
        if p.author and p.author not in authors:
            authors[p.author] = Author(
                workspace_id=workspace.id, platform="any", handle=p.author, followers=p.followers
            )
    session.add_all(a for a in authors.values() if a.id is None)
    session.flush()
    raws = [
        RawPost(
            workspace_id=workspace.id,
            source_id=source.id,
            external_id=str(p.post_id),
            author_id=authors[p.author].id if p.author else None,
            platform=p.platform,
            text=p.text,
            content_hash=str(p.post_id),
            payload={},
            created_at=p.created_at,
        )
        for p in posts
    ]
    session.add_all(raws)
    session.flush()
    rollups: dict = defaultdict(
        lambda: {
            "count": 0,
            "neg": 0,
            "reach": 0.0,
            "eng": 0.0,
            "authors": set(),
            "platforms": defaultdict(int),
        }
    )
    mentions = []
    for p, raw in zip(posts, raws, strict=True):
        author_id = authors[p.author].id if p.author else None
        mentions.append(
            Mention(
                workspace_id=workspace.id,
                raw_post_id=raw.id,
                topic_id=topic.id,
                author_id=author_id,
                platform=p.platform,
                created_at=p.created_at,
                sentiment="negative" if p.negative else ("positive" if p.positive else "neutral"),
                sentiment_score=p.sentiment_score,
                # A post's cluster is its original's external id; an original has none.
                near_dup_of=p.cluster if p.cluster not in (None, str(p.post_id)) else None,
                reach=p.reach,
                engagement=p.engagement,
            )
        )
        r = rollups[p.created_at.replace(second=0, microsecond=0)]
        r["count"] += 1
        r["neg"] += int(p.negative)
        r["reach"] += p.reach
        r["eng"] += p.engagement
        if author_id is not None:
            r["authors"].add(author_id)
        r["platforms"][p.platform] += 1
    session.add_all(mentions)
    existing = {
        row.minute: row
        for row in session.scalars(
            select(Rollup).where(Rollup.topic_id == topic.id, Rollup.minute.in_(list(rollups)))
        )
    }
    for minute, r in rollups.items():
        row = existing.get(minute)
        if row is None:
            row = Rollup(
                workspace_id=workspace.id,
                topic_id=topic.id,
                minute=minute,
                count=0,
                negative_count=0,
                engagement=0.0,
                reach=0.0,
                author_ids=[],
                platforms={},
            )
            session.add(row)
        authors_ids = sorted(set(row.author_ids or []) | r["authors"])
        platforms = dict(row.platforms or {})
        for name, n in r["platforms"].items():
            platforms[name] = platforms.get(name, 0) + n
        row.count += r["count"]
        row.negative_count += r["neg"]
        row.engagement += r["eng"]
        row.reach += r["reach"]
        row.author_ids = authors_ids
        row.unique_authors = len(authors_ids)
        row.platforms = platforms
    session.flush()
    return {p.post_id: raw.id for p, raw in zip(posts, raws, strict=True)}
