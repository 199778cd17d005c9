"""Reading a case's reply queue from the database: the case's candidate posts, the rules of
the workspace's `[replies]`, the replies published so far and what people marked.

The candidates are the posts of the case's topics from `lookback_hours` before its alert's
window (up to its closing), plus every post on the case's timeline, newest first, at most
`MAX_CANDIDATES`; spam is left out. `selection.select` decides which need an answer.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from flarewatch.alerts.models import Alert
from flarewatch.cases.models import Case, CaseEvent
from flarewatch.cases.postmortem.data import story_of
from flarewatch.comms.models import Draft, Publication
from flarewatch.comms.replies.config import RepliesConfig
from flarewatch.comms.replies.models import ReplyItem
from flarewatch.comms.replies.selection import Candidate, Rules, Selected, priority, ranked
from flarewatch.comms.replies.selection import select as select_posts
from flarewatch.config.workspace_models import file_fields
from flarewatch.detect.explain import N_
from flarewatch.mentions.models import Author, Mention, RawPost
from flarewatch.workspaces.models import Workspace

log = logging.getLogger(__name__)

MAX_CANDIDATES = 5_000
# The queue's filters by state: open (waiting), answered (a published reply or answered
# elsewhere), no_answer (a person said it needs none), all.
STATES = ("open", "answered", "no_answer", "all")
STATE_NAMES = {
    "open": N_("waiting"),
    "answered": N_("answered"),
    "no_answer": N_("no answer needed"),
    "all": N_("all"),
}


def replies_config(workspace: Workspace) -> RepliesConfig:
    """The workspace's `[replies]`, or the defaults when it has none (or it is unreadable:
    the file check reports that; the queue still works on the defaults)."""
    stored = file_fields(workspace.config).get("replies")
    if not isinstance(stored, dict):
        return RepliesConfig()
    try:
        return RepliesConfig.model_validate(stored)
    except ValidationError as err:
        log.error("workspace %s: [replies] unreadable: %s", workspace.slug, err)
        return RepliesConfig()


def requires_approval(workspace: Workspace) -> bool:
    """`[replies] require_approval`: whether a reply must be approved before it is sent (the
    approval chain, comms/approvals.py, reads it here)."""
    return replies_config(workspace).require_approval


def rules_for(workspace: Workspace) -> Rules:
    config = replies_config(workspace)
    return Rules(
        brand_handles=tuple(config.brand_handles),
        brand_names=tuple(config.brand_names or [workspace.name]),
        influential_followers=config.influential_followers,
        influential_reach=config.influential_reach,
    )


@dataclass
class QueueRow:
    """One post that needs an answer, with what happened to it so far."""

    selected: Selected
    item: ReplyItem | None
    # The first published reply to it, or when it was answered elsewhere.
    first_reply_at: datetime | None
    # The case's reply drafts for the post: (draft id, status), oldest first.
    drafts: list[tuple[int, str]] = field(default_factory=list)

    @property
    def post(self) -> Candidate:
        return self.selected.candidate

    @property
    def post_id(self) -> int:
        return self.selected.candidate.post_id

    @property
    def state(self) -> str:
        if self.first_reply_at is not None:
            return "answered"
        if self.item is not None and self.item.state == "no_answer":
            return "no_answer"
        return "open"

    @property
    def assignee(self) -> str | None:
        return self.item.assignee if self.item is not None else None


def case_alert(session: Session, case: Case) -> Alert | None:
    return session.get(Alert, case.alert_id) if case.alert_id is not None else None


def case_post_ids(session: Session, case_id: int) -> set[int]:
    """Posts on the case's timeline (its alert's key posts and posts people added)."""
    rows = session.scalars(
        select(CaseEvent.data).where(CaseEvent.case_id == case_id, CaseEvent.kind == "post")
    )
    return {
        int(data["raw_post_id"])
        for data in rows
        if isinstance(data, dict) and isinstance(data.get("raw_post_id"), int)
    }


def candidates(session: Session, case: Case, config: RepliesConfig) -> list[Candidate]:
    """The case's posts the queue may take, each post once (its first mention)."""
    alert = case_alert(session, case)
    topic_ids = alert.topic_ids if alert is not None else []
    story_keys, _ = story_of(session, alert)
    on_case = case_post_ids(session, case.id)
    if alert is not None:
        on_case |= set(alert.post_ids or [])
    start = (alert.window_start if alert is not None else case.opened_at) - timedelta(
        hours=config.lookback_hours
    )
    in_topics = and_(Mention.topic_id.in_(topic_ids), Mention.created_at >= start)
    if case.closed_at is not None:
        in_topics = and_(in_topics, Mention.created_at <= case.closed_at)
    wanted = or_(in_topics, Mention.raw_post_id.in_(on_case)) if on_case else in_topics
    rows = session.execute(
        select(Mention, RawPost, Author)
        .join(RawPost, RawPost.id == Mention.raw_post_id)
        .outerjoin(Author, Author.id == Mention.author_id)
        .where(Mention.workspace_id == case.workspace_id, Mention.is_spam.is_(False), wanted)
        .order_by(Mention.created_at.desc(), Mention.id)
        .limit(MAX_CANDIDATES)
    ).all()
    keys = set(story_keys)
    by_post: dict[int, Candidate] = {}
    stories: dict[int, bool] = defaultdict(bool)
    for mention, raw, author in rows:
        stories[raw.id] |= mention.story_key is not None and mention.story_key in keys
        if raw.id in by_post:
            continue
        language = mention.language
        if not language or language == "und":
            language = str((raw.payload or {}).get("language") or "und")
        by_post[raw.id] = Candidate(
            post_id=raw.id,
            mention_id=mention.id,
            text=raw.text,
            created_at=mention.created_at,
            platform=mention.platform,
            language=language,
            sentiment=mention.sentiment,
            reach=float(mention.reach or 0.0),
            author_handle=author.handle if author is not None else None,
            author_name=author.name if author is not None else None,
            followers=author.followers if author is not None else None,
            on_case=raw.id in on_case,
            url=raw.url,
        )
    out = []
    for post_id, candidate in by_post.items():
        if stories[post_id]:
            candidate = replace(candidate, in_story=True)
        out.append(candidate)
    return out


def post_mentions(session: Session, post_ids: Iterable[int]) -> dict[int, int]:
    """Mention id → post id for every mention of these posts."""
    ids = list(set(post_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(Mention.id, Mention.raw_post_id).where(Mention.raw_post_id.in_(ids))
    )
    return {mention_id: post_id for mention_id, post_id in rows}


def first_replies(session: Session, case_id: int, mentions: dict[int, int]) -> dict[int, datetime]:
    """Each post's first published reply (comms/publishing writes `Publication` rows)."""
    if not mentions:
        return {}
    rows = session.execute(
        select(Publication.mention_id, Publication.published_at).where(
            Publication.case_id == case_id,
            Publication.status == "published",
            Publication.published_at.is_not(None),
            Publication.mention_id.in_(list(mentions)),
        )
    )
    first: dict[int, datetime] = {}
    for mention_id, at in rows:
        post_id = mentions[mention_id]
        if post_id not in first or at < first[post_id]:
            first[post_id] = at
    return first


def reply_drafts(
    session: Session, case_id: int, mentions: dict[int, int]
) -> dict[int, list[tuple[int, str]]]:
    if not mentions:
        return {}
    rows = session.execute(
        select(Draft.id, Draft.status, Draft.mention_id)
        .where(
            Draft.case_id == case_id, Draft.kind == "reply", Draft.mention_id.in_(list(mentions))
        )
        .order_by(Draft.id)
    )
    out: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for draft_id, status, mention_id in rows:
        if mention_id is not None:
            out[mentions[mention_id]].append((draft_id, status))
    return out


def items_of(session: Session, case_id: int) -> dict[int, ReplyItem]:
    rows = session.scalars(select(ReplyItem).where(ReplyItem.case_id == case_id))
    return {row.raw_post_id: row for row in rows}


def build_queue(session: Session, case: Case, now: datetime) -> list[QueueRow]:
    """Every post of the case that needs an answer, highest priority first, whatever its state."""
    workspace = session.get_one(Workspace, case.workspace_id)
    config = replies_config(workspace)
    posts = candidates(session, case, config)
    chosen = select_posts(posts, rules_for(workspace), now)
    items = items_of(session, case.id)
    # A post people assigned or marked stays listed even when the rules changed since and
    # no longer take it (no reasons then): what a person did is never hidden.
    taken = {s.candidate.post_id for s in chosen}
    chosen = ranked(
        [
            *chosen,
            *(
                Selected(post, (), priority(post, now), post.language or "und")
                for post in posts
                if post.post_id in items and post.post_id not in taken
            ),
        ]
    )
    mentions = post_mentions(session, [s.candidate.post_id for s in chosen])
    published = first_replies(session, case.id, mentions)
    drafts = reply_drafts(session, case.id, mentions)
    rows = []
    for selected in chosen:
        post_id = selected.candidate.post_id
        item = items.get(post_id)
        elsewhere = (
            item.answered_at if item is not None and item.state == "answered_elsewhere" else None
        )
        replies = [at for at in (published.get(post_id), elsewhere) if at is not None]
        rows.append(QueueRow(selected, item, min(replies) if replies else None, drafts[post_id]))
    return rows


def case_reply_times(session: Session, case: Case) -> list[datetime]:
    """When each reply of the case went out: its published replies (to any post) and the
    posts answered elsewhere."""
    published = session.scalars(
        select(Publication.published_at).where(
            Publication.case_id == case.id,
            Publication.status == "published",
            Publication.mention_id.is_not(None),
            Publication.published_at.is_not(None),
        )
    ).all()
    elsewhere = session.scalars(
        select(ReplyItem.answered_at).where(
            ReplyItem.case_id == case.id,
            ReplyItem.state == "answered_elsewhere",
            ReplyItem.answered_at.is_not(None),
        )
    ).all()
    return [at for at in (*published, *elsewhere) if at is not None]


def only(
    rows: Sequence[QueueRow],
    *,
    state: str = "open",
    assignee: str | None = None,
    reason: str | None = None,
    language: str | None = None,
) -> list[QueueRow]:
    """The rows a filter keeps: a state (`STATES`), an assignee ('-' for nobody), a reason
    code, a language."""
    kept = []
    for row in rows:
        if state != "all" and row.state != state:
            continue
        if assignee is not None and (row.assignee or "-") != assignee:
            continue
        if reason is not None and reason not in row.selected.reasons:
            continue
        if language is not None and row.selected.language != language:
            continue
        kept.append(row)
    return kept


def row_record(row: QueueRow) -> dict[str, Any]:
    """One queue row as stored (JSON output and the API)."""
    post = row.post
    item = row.item
    return {
        "post_id": row.post_id,
        "mention_id": post.mention_id,
        "created_at": post.created_at.isoformat(),
        "platform": post.platform,
        "language": row.selected.language,
        "author": post.author_handle,
        "followers": post.followers,
        "sentiment": post.sentiment,
        "text": post.text,
        "url": post.url,
        "reasons": list(row.selected.reasons),
        "priority": round(row.selected.priority, 4),
        "state": row.state,
        "assignee": row.assignee,
        "reason": item.reason if item is not None else None,
        "first_reply_at": row.first_reply_at.isoformat() if row.first_reply_at else None,
        "drafts": [{"id": d, "status": s} for d, s in row.drafts],
    }
