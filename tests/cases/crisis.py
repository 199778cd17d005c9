"""A worked crisis for the case-room tests: calm days, a story that spikes, its alert and case.

Rows are written through the models and services; the times the services stamp with "now"
are moved onto the crisis' own clock afterwards, so every figure is known in advance.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.alerts.models import Alert
from flarewatch.cases import service
from flarewatch.cases.models import Case, CaseEvent
from flarewatch.mentions.models import Author, Mention, RawPost
from flarewatch.sources.models import Source
from flarewatch.workspaces.models import Topic, Workspace

T0 = datetime(2024, 5, 7, 14, 0, tzinfo=UTC)  # the story's first post
STORY = "worm-burger"


@dataclass
class Crisis:
    workspace: Workspace
    topic: Topic
    source: Source
    authors: list[Author]
    alert: Alert
    case: Case
    story_authors: list[Author]
    next_post: int = 0


def add_post(
    session: Session,
    crisis: Crisis,
    at: datetime,
    *,
    mood: str = "neutral",
    story: str | None = None,
    platform: str = "twitter",
    reach: float = 100.0,
    text: str = "",
) -> Mention:
    crisis.next_post += 1
    n = crisis.next_post
    # The story's posts come from its own people; the calm chatter from the others.
    pool = crisis.story_authors if story else crisis.authors
    author = pool[n % len(pool)]
    body = text or f"post {n} about acme"
    raw = RawPost(
        workspace_id=crisis.workspace.id,
        source_id=crisis.source.id,
        external_id=f"x{n}",
        author_id=author.id,
        platform=platform,
        url=f"https://example.social/{n}",
        text=body,
        content_hash=hashlib.sha256(f"{n}{body}".encode()).hexdigest(),
        created_at=at,
    )
    session.add(raw)
    session.flush()
    mention = Mention(
        workspace_id=crisis.workspace.id,
        raw_post_id=raw.id,
        topic_id=crisis.topic.id,
        author_id=author.id,
        platform=platform,
        created_at=at,
        sentiment=mood,
        reach=reach,
        story_key=story,
    )
    session.add(mention)
    session.flush()
    return mention


def make_crisis(session: Session, *, settle: bool = True) -> Crisis:
    """Three calm days (one post an hour), then from T0 the story: 40 negative posts in its
    first hour, 20 in the second, on three platforms; then (with `settle`) one post an hour
    for ten hours. The alert fires at T0+20 min on the story's first five posts."""
    ws = Workspace(slug="acme", name="Acme Burgers", timezone="UTC", languages=["en", "he"])
    session.add(ws)
    session.flush()
    topic = Topic(workspace_id=ws.id, key="brand", name="Acme", query="acme")
    source = Source(workspace_id=ws.id, key="feed", kind="file", config={})
    session.add_all([topic, source])
    session.flush()
    authors = [
        Author(workspace_id=ws.id, platform="twitter", handle=f"user{i}", followers=100 * i)
        for i in range(3)
    ]
    story_authors = [
        Author(workspace_id=ws.id, platform="twitter", handle=f"angry{i}", followers=5000)
        for i in range(2)
    ]
    session.add_all([*authors, *story_authors])
    session.flush()
    alert = Alert(
        workspace_id=ws.id,
        topic_id=topic.id,
        group_key=f"topic:{topic.id}",
        severity="crisis",
        risk_score=91.0,
        status="open",
        title="Acme: story 'worm in burger' is growing",
        explanation="Story volume is 20× the usual",
        factors=[],
        post_ids=[],
        window_start=T0,
        window_end=T0 + timedelta(minutes=20),
        created_at=T0 + timedelta(minutes=20),
        updated_at=T0 + timedelta(minutes=20),
    )
    session.add(alert)
    session.flush()
    crisis = Crisis(ws, topic, source, authors, alert, None, story_authors)  # type: ignore[arg-type]
    for hour in range(72, 0, -1):
        add_post(session, crisis, T0 - timedelta(hours=hour) + timedelta(minutes=7))
    story_posts = []
    platforms = ("twitter", "facebook", "instagram")
    for i in range(40):
        story_posts.append(
            add_post(
                session,
                crisis,
                T0 + timedelta(seconds=90 * i),
                mood="negative",
                story=STORY,
                platform=platforms[i % 3],
                reach=1000.0,
            )
        )
    for i in range(20):
        add_post(
            session,
            crisis,
            T0 + timedelta(hours=1, seconds=180 * i),
            mood="negative" if i % 2 else "neutral",
            story=STORY,
            platform=platforms[i % 3],
        )
    if settle:
        for hour in range(2, 12):
            add_post(session, crisis, T0 + timedelta(hours=hour, minutes=30))
    alert.post_ids = [m.raw_post_id for m in story_posts[:5]]
    session.flush()
    crisis.case = service.open_case_from_alert(session, alert.id, "system")
    crisis.case.opened_at = T0 + timedelta(minutes=21)
    stamp_events(session, crisis.case, T0 + timedelta(minutes=21))
    return crisis


def stamp_events(session: Session, case: Case, at: datetime) -> None:
    """Moves the case's entries stamped after `at` (by the services' clock) onto `at`."""
    for event in session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)):
        if event.at > at:
            event.at = at
    session.flush()
