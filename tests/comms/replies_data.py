"""The worked crisis of tests/cases/crisis.py with what the reply queue needs: members,
the brand's own account, and posts in he/pl/en that ask, address the brand or come from a
large account."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from flarewatch.accounts import service as accounts
from flarewatch.comms.models import Draft, Publication
from flarewatch.mentions.models import Author, Mention, RawPost
from tests.cases.crisis import T0, Crisis, make_crisis

NOW = T0 + timedelta(hours=3)
REPLIES = {
    "brand_handles": ["@acmeburgers"],
    "brand_names": ["Acme", "אקמה"],
    "influential_followers": 20_000,
    "influential_reach": 1_000_000,
}


@dataclass
class Queue:
    crisis: Crisis
    posts: dict[str, int] = field(default_factory=dict)  # name → raw post id
    mentions: dict[str, int] = field(default_factory=dict)


def author(session: Session, crisis: Crisis, handle: str, followers: int) -> Author:
    row = Author(
        workspace_id=crisis.workspace.id, platform="twitter", handle=handle, followers=followers
    )
    session.add(row)
    session.flush()
    return row


def post(
    session: Session,
    crisis: Crisis,
    by: Author,
    text: str,
    at: datetime,
    *,
    language: str = "en",
    mood: str = "neutral",
    platform: str = "twitter",
) -> Mention:
    crisis.next_post += 1
    n = crisis.next_post
    raw = RawPost(
        workspace_id=crisis.workspace.id,
        source_id=crisis.source.id,
        external_id=f"q{n}",
        author_id=by.id,
        platform=platform,
        url=f"https://example.social/q{n}",
        text=text,
        content_hash=hashlib.sha256(f"q{n}{text}".encode()).hexdigest(),
        created_at=at,
    )
    session.add(raw)
    session.flush()
    mention = Mention(
        workspace_id=crisis.workspace.id,
        raw_post_id=raw.id,
        topic_id=crisis.topic.id,
        author_id=by.id,
        platform=platform,
        created_at=at,
        sentiment=mood,
        language=language,
    )
    session.add(mention)
    session.flush()
    return mention


def make_queue(session: Session) -> Queue:
    """The crisis (its story: 60 posts, the alert's 5 key posts on the case) and six posts
    of the case's topic from T0+2h: three questions (he, pl, en), one addressing the brand,
    one negative post by a large account, one by the brand itself."""
    crisis = make_crisis(session)
    ws = crisis.workspace
    ws.config = {"slug": ws.slug, "name": ws.name, "replies": REPLIES}
    for name, role in (("dana", "responder"), ("eli", "analyst"), ("vera", "viewer")):
        user = accounts.create_user(session, f"{name}@acme.test", name.title())
        accounts.add_member(session, ws, user, role)
    reader = author(session, crisis, "reader", 40)
    star = author(session, crisis, "foodcritic", 250_000)
    brand = author(session, crisis, "AcmeBurgers", 90_000)
    at = T0 + timedelta(hours=2)
    queue = Queue(crisis)
    rows = {
        "he_question": post(session, crisis, reader, "למה אין תשובה מהסניף?", at, language="he"),
        "pl_question": post(
            session, crisis, reader, "Czy burgery są już bezpieczne?", at, language="pl"
        ),
        "en_question": post(session, crisis, reader, "How do I get a refund?", at),
        "addressed": post(session, crisis, reader, "Acme, my kid ate one of those", at),
        "influential": post(
            session, crisis, star, "Acme is done for me. Disgusting.", at, mood="negative"
        ),
        "own": post(session, crisis, brand, "Why we are closing today? Read our update", at),
        "chatter": post(session, crisis, reader, "had lunch at acme, fine", at),
    }
    for name, mention in rows.items():
        queue.posts[name] = mention.raw_post_id
        queue.mentions[name] = mention.id
    session.flush()
    return queue


def publish(
    session: Session, queue: Queue, name: str, at: datetime, status: str = "published"
) -> Publication:
    """A reply to the post as comms/publishing will record it (its draft and publication)."""
    crisis = queue.crisis
    draft = Draft(
        workspace_id=crisis.workspace.id,
        case_id=crisis.case.id,
        kind="reply",
        platform="x",
        language="en",
        mention_id=queue.mentions[name],
        status="approved",
        current_version=1,
        approved_version=1,
        created_by="dana@acme.test",
        created_at=at,
        updated_at=at,
    )
    session.add(draft)
    session.flush()
    row = Publication(
        workspace_id=crisis.workspace.id,
        case_id=crisis.case.id,
        draft_id=draft.id,
        draft_version=1,
        channel="x-main",
        platform="x",
        mention_id=queue.mentions[name],
        status=status,
        scheduled_at=at,
        created_by="dana@acme.test",
        published_at=at if status == "published" else None,
    )
    session.add(row)
    session.flush()
    return row
