"""Who started it and why: a case's story, its first post and author, the cascade of replies,
shares and copies, the most influential participants and the grievance in one line.

The story is the case's alert's key posts and the posts put on the case, joined by everything
linked to them among the alert's topics' mentions around the incident: replies and shares
(`reply_to` / `repost_of`, which hold the external id of the post answered or shared),
near-duplicate copies (`near_dup_of`, the external id of the first copy) and the posts of the
alert's story (`story_key`). The analysis is pure (`story_of`, `cascade_edges`, `influencers`,
`representative`, `cascade_layout`) over `StoryPost` rows; `originator_view` reads them.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flarewatch.alerts.models import Alert
from flarewatch.cases.models import Case, CaseEvent
from flarewatch.db.base import utcnow
from flarewatch.mentions.models import Author, Mention, RawPost

POOL_DAYS_BEFORE = 3  # how far before the alert's window replies and shares are looked for
POOL_LIMIT = 5000  # posts read around the incident, at most
MEDOID_SAMPLE = 300  # posts compared for the grievance, at most (O(n²) overlaps)
OTHER_POSTS = 10
TOP_PARTICIPANTS = 5
_WORD = re.compile(r"\w{2,}", re.UNICODE)


@dataclass(frozen=True, slots=True)
class StoryPost:
    id: int
    external_id: str
    platform: str
    created_at: datetime
    text: str
    url: str | None = None
    author_id: int | None = None
    handle: str | None = None
    author_name: str | None = None
    followers: int | None = None
    reply_to: str | None = None
    repost_of: str | None = None
    near_dup_of: str | None = None
    story_key: str | None = None
    sentiment: str | None = None


@dataclass(frozen=True, slots=True)
class Edge:
    parent: int  # post id
    child: int
    kind: str  # reply, share, copy


@dataclass(frozen=True, slots=True)
class Participant:
    author_id: int | None
    handle: str
    name: str | None
    platform: str
    followers: int | None
    posts: int
    drew: int  # replies, shares and copies their posts drew, directly or further down


@dataclass(slots=True)
class Layout:
    """Where the cascade chart draws each post and link (SVG user units)."""

    width: int
    height: int
    lanes: list[dict[str, Any]] = field(default_factory=list)  # platform, y
    nodes: list[dict[str, Any]] = field(default_factory=list)  # id, x, y, r, post
    links: list[dict[str, Any]] = field(default_factory=list)  # x1, y1, x2, y2, kind
    start: datetime | None = None
    end: datetime | None = None


def story_of(
    pool: Sequence[StoryPost], seeds: set[int], story_key: str | None = None
) -> list[StoryPost]:
    """The posts connected to the seeds (or to the story) by replies, shares or copies, oldest
    first. Links are followed both ways: the post answered and the answers to it."""
    by_ext = {p.external_id: p for p in pool}
    parent = {p.id: p.id for p in pool}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: int, b: int) -> None:
        parent[find(a)] = find(b)

    for post in pool:
        for ref in (post.reply_to, post.repost_of, post.near_dup_of):
            target = by_ext.get(ref) if ref else None
            if target is not None:
                union(post.id, target.id)
    story_roots = {find(p.id) for p in pool if story_key and p.story_key == story_key}
    wanted = {find(s) for s in seeds if s in parent} | story_roots
    found = [p for p in pool if find(p.id) in wanted]
    return sorted(found, key=lambda p: (p.created_at, p.id))


def cascade_edges(posts: Sequence[StoryPost]) -> list[Edge]:
    """Who answered, shared or copied whom within the story (one link per post, the most
    specific: a reply over a share over a copy)."""
    by_ext = {p.external_id: p for p in posts}
    edges = []
    for post in posts:
        for ref, kind in (
            (post.reply_to, "reply"),
            (post.repost_of, "share"),
            (post.near_dup_of, "copy"),
        ):
            target = by_ext.get(ref) if ref else None
            if target is not None and target.id != post.id:
                edges.append(Edge(target.id, post.id, kind))
                break
    return edges


def influencers(
    posts: Sequence[StoryPost], edges: Sequence[Edge], limit: int = TOP_PARTICIPANTS
) -> list[Participant]:
    """The authors whose posts drew the most replies, shares and copies (further ones too),
    then the widest audience."""
    children: dict[int, list[int]] = defaultdict(list)
    for edge in edges:
        children[edge.parent].append(edge.child)
    memo: dict[int, int] = {}

    def drawn(post_id: int) -> int:
        if post_id in memo:
            return memo[post_id]
        memo[post_id] = 0  # guards a cycle in bad data
        total, stack, seen = 0, list(children.get(post_id, [])), {post_id}
        while stack:
            child = stack.pop()
            if child in seen:
                continue
            seen.add(child)
            total += 1
            stack.extend(children.get(child, []))
        memo[post_id] = total
        return total

    people: dict[tuple[str, str], dict[str, Any]] = {}
    for post in posts:
        handle = post.handle or "?"
        person = people.setdefault(
            (post.platform, handle),
            {"post": post, "posts": 0, "drew": 0, "followers": post.followers},
        )
        person["posts"] += 1
        person["drew"] += drawn(post.id)
        if (post.followers or 0) > (person["followers"] or 0):
            person["followers"] = post.followers
    ranked = sorted(
        people.items(),
        key=lambda kv: (-kv[1]["drew"], -(kv[1]["followers"] or 0), kv[0]),
    )
    return [
        Participant(
            author_id=info["post"].author_id,
            handle=handle,
            name=info["post"].author_name,
            platform=platform,
            followers=info["followers"],
            posts=info["posts"],
            drew=info["drew"],
        )
        for (platform, handle), info in ranked[:limit]
    ]


def tokens(text: str) -> frozenset[str]:
    return frozenset(word.lower() for word in _WORD.findall(text))


def representative(posts: Sequence[StoryPost]) -> StoryPost | None:
    """The post that shares the most words with the others (the medoid by word overlap),
    among the negative posts when there are at least three, else among all: what bothers
    people, in one of their own posts. Exact copies count once."""
    unique: dict[frozenset[str], StoryPost] = {}
    for post in posts:
        unique.setdefault(tokens(post.text), post)  # copies of one text count once
    distinct = list(unique.values())
    negative = [p for p in distinct if p.sentiment == "negative"]
    candidates = negative if len(negative) >= 3 else distinct
    if not candidates:
        return None
    if len(candidates) > MEDOID_SAMPLE:
        step = len(candidates) / MEDOID_SAMPLE
        candidates = [candidates[int(i * step)] for i in range(MEDOID_SAMPLE)]
    sets = [tokens(p.text) for p in candidates]
    best, best_score = candidates[0], -1.0
    for i, words in enumerate(sets):
        if not words:
            continue
        score = 0.0
        for j, other in enumerate(sets):
            if i != j and other:
                score += len(words & other) / len(words | other)
        if score > best_score:
            best, best_score = candidates[i], score
    return best


def cascade_layout(
    posts: Sequence[StoryPost], edges: Sequence[Edge], width: int = 640, lane: int = 48
) -> Layout:
    """Posts on a time axis (x), one lane per platform (y, in order of first appearance),
    circles sized by the author's audience, links from the post answered or shared."""
    if not posts:
        return Layout(width=width, height=lane)
    platforms = list(dict.fromkeys(p.platform for p in posts))
    left, right = 96, 16
    start, end = posts[0].created_at, max(p.created_at for p in posts)
    span = max((end - start).total_seconds(), 60.0)
    layout = Layout(width=width, height=lane * len(platforms) + 28, start=start, end=end)
    lane_y = {name: lane * i + lane // 2 for i, name in enumerate(platforms)}
    layout.lanes = [{"platform": name, "y": y} for name, y in lane_y.items()]
    where: dict[int, tuple[float, float]] = {}
    for post in posts:
        x = left + (width - left - right) * (post.created_at - start).total_seconds() / span
        y = lane_y[post.platform]
        r = 3 + min(9.0, math.log10(max(1, post.followers or 1)) * 1.5)
        where[post.id] = (round(x, 1), float(y))
        layout.nodes.append(
            {"id": post.id, "x": round(x, 1), "y": y, "r": round(r, 1), "post": post}
        )
    for edge in edges:
        if edge.parent in where and edge.child in where:
            (x1, y1), (x2, y2) = where[edge.parent], where[edge.child]
            layout.links.append({"x1": x1, "y1": y1, "x2": x2, "y2": y2, "kind": edge.kind})
    return layout


@dataclass(slots=True)
class OriginatorView:
    posts: list[StoryPost]
    first: StoryPost | None
    author: Author | None
    account_age_days: int | None
    other_posts: list[RawPost]
    elsewhere: list[Author]
    edges: list[Edge]
    participants: list[Participant]
    grievance: StoryPost | None
    platforms: list[tuple[str, int, datetime]]  # platform, posts, first seen
    layout: Layout

    @property
    def authors(self) -> int:
        return len({(p.platform, p.handle) for p in self.posts})

    def as_dict(self) -> dict[str, Any]:
        """What the API returns."""
        author = self.author
        return {
            "posts": len(self.posts),
            "authors": self.authors,
            "first_post": _post_dict(self.first) if self.first else None,
            "author": {
                "platform": author.platform,
                "handle": author.handle,
                "name": author.name,
                "followers": author.followers,
                "verified": author.verified,
                "account_created_at": author.account_created_at,
                "account_age_days": self.account_age_days,
                "first_seen_at": author.first_seen_at,
            }
            if author is not None
            else None,
            "other_posts": [
                {
                    "id": p.id,
                    "platform": p.platform,
                    "created_at": p.created_at,
                    "text": p.text,
                    "url": p.url,
                }
                for p in self.other_posts
            ],
            "elsewhere": [
                {"platform": a.platform, "handle": a.handle, "followers": a.followers}
                for a in self.elsewhere
            ],
            "platforms": [
                {"platform": name, "posts": count, "first_seen_at": seen}
                for name, count, seen in self.platforms
            ],
            "cascade": [{"from": e.parent, "to": e.child, "kind": e.kind} for e in self.edges],
            "participants": [
                {
                    "platform": p.platform,
                    "handle": p.handle,
                    "name": p.name,
                    "followers": p.followers,
                    "posts": p.posts,
                    "drew": p.drew,
                }
                for p in self.participants
            ],
            "grievance": _post_dict(self.grievance) if self.grievance else None,
        }


def _post_dict(post: StoryPost) -> dict[str, Any]:
    return {
        "id": post.id,
        "platform": post.platform,
        "created_at": post.created_at,
        "handle": post.handle,
        "text": post.text,
        "url": post.url,
        "followers": post.followers,
    }


def originator_view(session: Session, case: Case, *, now: datetime | None = None) -> OriginatorView:
    alert = session.get(Alert, case.alert_id) if case.alert_id is not None else None
    seeds = set(alert.post_ids or []) if alert is not None else set()
    seeds |= {
        int(pid)
        for pid in (
            (event.data or {}).get("raw_post_id")
            for event in session.scalars(
                select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "post")
            )
        )
        if isinstance(pid, int)
    }
    story_key = _story_key(alert.group_key) if alert is not None else None
    pool = _pool(session, case, alert, seeds, now or utcnow())
    posts = _with_details(session, story_of(pool, seeds, story_key))
    edges = cascade_edges(posts)
    first = posts[0] if posts else None
    author = session.get(Author, first.author_id) if first and first.author_id else None
    age = None
    if author is not None and author.account_created_at is not None and first is not None:
        age = max(0, (first.created_at - author.account_created_at).days)
    counts: dict[str, list[Any]] = {}
    for post in posts:
        entry = counts.setdefault(post.platform, [0, post.created_at])
        entry[0] += 1
    return OriginatorView(
        posts=posts,
        first=first,
        author=author,
        account_age_days=age,
        other_posts=_other_posts(session, case.workspace_id, author, first),
        elsewhere=_elsewhere(session, case.workspace_id, author),
        edges=edges,
        participants=influencers(posts, edges),
        grievance=representative(posts),
        platforms=[(name, int(c), seen) for name, (c, seen) in counts.items()],
        layout=cascade_layout(posts, edges),
    )


def _story_key(group_key: str) -> str | None:
    return group_key.rsplit(":", 1)[1] if group_key.startswith("story:") else None


def _pool(
    session: Session, case: Case, alert: Alert | None, seeds: set[int], now: datetime
) -> list[StoryPost]:
    """The posts around the incident, as links only (no text): the alert's topics' mentions
    from a few days before its window to the case's close (or now), and the seed posts.

    Plain columns, the links read from the payload by the database: building thousands of
    ORM rows with their whole payloads made this the case page's slowest part.
    """
    query = (
        select(
            RawPost.id,
            RawPost.external_id,
            RawPost.platform,
            RawPost.created_at,
            RawPost.author_id,
            RawPost.payload["reply_to"].as_string(),
            RawPost.payload["repost_of"].as_string(),
            func.min(Mention.sentiment),
            func.max(Mention.story_key),
            func.max(Mention.near_dup_of),
        )
        .outerjoin(Mention, Mention.raw_post_id == RawPost.id)
        .where(RawPost.workspace_id == case.workspace_id)
        .group_by(RawPost.id)
    )
    if alert is not None and alert.topic_ids:
        since = alert.window_start - timedelta(days=POOL_DAYS_BEFORE)
        until = case.closed_at or now
        around = (
            select(Mention.raw_post_id)
            .where(
                Mention.topic_id.in_(list(alert.topic_ids)),
                Mention.created_at >= since,
                Mention.created_at <= until,
            )
            .order_by(Mention.created_at.desc())
            .limit(POOL_LIMIT)
        )
        query = query.where(RawPost.id.in_(around) | RawPost.id.in_(list(seeds) or [-1]))
    else:
        query = query.where(RawPost.id.in_(list(seeds) or [-1]))
    rows = session.execute(query.order_by(RawPost.created_at, RawPost.id)).all()
    return [
        StoryPost(
            id=post_id,
            external_id=external_id,
            platform=platform,
            created_at=created_at,
            text="",
            author_id=author_id,
            reply_to=_ref(reply_to),
            repost_of=_ref(repost_of),
            near_dup_of=near_dup if near_dup != external_id else None,
            story_key=story_key,
            sentiment=feeling,
        )
        for (
            post_id,
            external_id,
            platform,
            created_at,
            author_id,
            reply_to,
            repost_of,
            feeling,
            story_key,
            near_dup,
        ) in rows
    ]


def _with_details(session: Session, posts: list[StoryPost]) -> list[StoryPost]:
    """The story's posts with their text, link and author (the pool holds only links)."""
    if not posts:
        return []
    rows = session.execute(
        select(
            RawPost.id,
            RawPost.text,
            RawPost.url,
            Author.handle,
            Author.name,
            Author.followers,
            RawPost.payload["author"].as_string(),
            RawPost.payload["author_name"].as_string(),
            RawPost.payload["author_followers"].as_string(),
        )
        .outerjoin(Author, Author.id == RawPost.author_id)
        .where(RawPost.id.in_([p.id for p in posts]))
    )
    found = {row[0]: row[1:] for row in rows}
    detailed = []
    for post in posts:
        text, url, handle, name, followers, raw_handle, raw_name, raw_followers = found[post.id]
        if followers is None and raw_followers not in (None, ""):
            followers = int(float(raw_followers)) if str(raw_followers).isdigit() else None
        detailed.append(
            replace(
                post,
                text=text,
                url=url,
                handle=handle or raw_handle,
                author_name=name or raw_name,
                followers=followers,
            )
        )
    return detailed


def _ref(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _other_posts(
    session: Session, workspace_id: int, author: Author | None, first: StoryPost | None
) -> list[RawPost]:
    """The author's other posts about the brand (posts that matched a topic), newest first."""
    if author is None or first is None:
        return []
    matched = select(Mention.raw_post_id).where(Mention.workspace_id == workspace_id)
    return list(
        session.scalars(
            select(RawPost)
            .where(
                RawPost.workspace_id == workspace_id,
                RawPost.author_id == author.id,
                RawPost.id != first.id,
                RawPost.id.in_(matched),
            )
            .order_by(RawPost.created_at.desc())
            .limit(OTHER_POSTS)
        )
    )


def _elsewhere(session: Session, workspace_id: int, author: Author | None) -> list[Author]:
    """The same person on other platforms: the same handle, or the same display name."""
    if author is None:
        return []
    same = func.lower(Author.handle) == author.handle.lower()
    if author.name:
        same = same | (Author.name == author.name)
    return list(
        session.scalars(
            select(Author)
            .where(Author.workspace_id == workspace_id, Author.id != author.id, same)
            .order_by(Author.platform, Author.handle)
            .limit(10)
        )
    )
