"""A small workspace for the publishing tests: one case, a stored post per platform to answer,
channels pointing at a local server, and approved drafts."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from flarewatch.cases.models import Case
from flarewatch.comms import drafts
from flarewatch.comms.models import Draft
from flarewatch.mentions.models import Mention, RawPost
from flarewatch.sources.models import Source
from flarewatch.workspaces.models import Topic, Workspace

NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
SECRETS = {
    "MASTO_TOKEN": "masto-secret",
    "BSKY_APP_PASSWORD": "bsky-app-pass",
    "FB_PAGE_TOKEN": "fb-secret",
    "IG_TOKEN": "ig-secret",
    "X_TOKEN": "x-secret",
}
# The id each platform gives the post a reply answers, as its source stores it.
REPLY_TARGETS = {
    "mastodon": "109000000000000001",
    "bluesky": "at://did:plc:someone/app.bsky.feed.post/3kabc",
    "facebook": "104_555",
    "instagram": "17890000000000001",
    "x": "1800000000000000001",
}


def channels(url: str) -> list[dict[str, str]]:
    return [
        {"key": "masto", "platform": "mastodon", "instance": url, "token_env": "MASTO_TOKEN"},
        {
            "key": "sky",
            "platform": "bluesky",
            "handle": "acme.bsky.social",
            "pds": url,
            "password_env": "BSKY_APP_PASSWORD",
        },
        {
            "key": "page",
            "platform": "facebook",
            "page_id": "104",
            "token_env": "FB_PAGE_TOKEN",
            "api_url": url,
        },
        {
            "key": "insta",
            "platform": "instagram",
            "account_id": "1789",
            "token_env": "IG_TOKEN",
            "api_url": url,
        },
        {
            "key": "xacct",
            "platform": "x",
            "account": "acme",
            "token_env": "X_TOKEN",
            "api_url": url,
        },
    ]


@dataclass
class Shop:
    workspace: Workspace
    case: Case
    mentions: dict[str, Mention]


def make_shop(session: Session, url: str, *, slug: str = "acme") -> Shop:
    ws = Workspace(
        slug=slug,
        name="Acme",
        timezone="UTC",
        languages=["en"],
        config={"slug": slug, "name": "Acme", "channels": channels(url)},
    )
    session.add(ws)
    session.flush()
    topic = Topic(workspace_id=ws.id, key="brand", name="Acme", query="acme")
    source = Source(workspace_id=ws.id, key="feed", kind="file", config={})
    session.add_all([topic, source])
    session.flush()
    case = Case(workspace_id=ws.id, title="Worm in burger", severity="crisis", opened_at=NOW)
    session.add(case)
    session.flush()
    mentions = {}
    for platform, external_id in REPLY_TARGETS.items():
        raw = RawPost(
            workspace_id=ws.id,
            source_id=source.id,
            external_id=external_id,
            platform=platform,
            url=f"https://{platform}.example/{external_id}",
            text="There was a worm in my burger!",
            content_hash=hashlib.sha256(external_id.encode()).hexdigest(),
            created_at=NOW,
        )
        session.add(raw)
        session.flush()
        mention = Mention(
            workspace_id=ws.id,
            raw_post_id=raw.id,
            topic_id=topic.id,
            platform=platform,
            created_at=NOW,
            sentiment="negative",
        )
        session.add(mention)
        session.flush()
        mentions[platform] = mention
    session.commit()
    return Shop(ws, case, mentions)


def approved_draft(
    session: Session,
    shop: Shop,
    platform: str,
    text: str = "We are sorry. We are checking every burger and will update you by 18:00.",
    *,
    reply: bool = False,
) -> Draft:
    draft = drafts.create_draft(
        session,
        shop.case.id,
        text,
        "dana@acme.test",
        workspace_id=shop.workspace.id,
        platform=platform,
        kind="reply" if reply else "statement",
        mention_id=shop.mentions[platform].id if reply else None,
    )
    drafts.mark_approved(session, draft, "legal@acme.test")
    session.commit()
    return draft
