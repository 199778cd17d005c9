"""What people do with posts in the inbox: relevance marks, tags, assignment, saved views.

Every action takes the posts by their row keys (any mention id of the post) and acts on the
post, never on one post × topic pair; ids of another workspace are ignored, never acted on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from flarewatch.accounts import service as accounts
from flarewatch.accounts.models import User
from flarewatch.cases.service import add_posts
from flarewatch.db.base import utcnow
from flarewatch.errors import InputError, NotFoundError
from flarewatch.mentions.models import Mention, PostAssignment, PostTag, SavedView
from flarewatch.mentions.service import mark_relevance
from flarewatch.mentions.stream import PostFilters, post_ids_of

MAX_BULK = 500
MAX_TAG = 64
MAX_VIEWS = 50  # per person and workspace: the menu stays a menu
TAG_PATTERN = re.compile(r"^[\w\-.:]+$")


@dataclass(slots=True)
class BulkResult:
    posts: int  # posts acted on
    changed: int  # of those, posts whose state actually changed


def _posts(session: Session, workspace_id: int, mention_ids: Sequence[int]) -> list[int]:
    if not mention_ids:
        raise InputError("Select at least one post (the check box on its row, or x).")
    if len(mention_ids) > MAX_BULK:
        raise InputError(f"Act on at most {MAX_BULK} posts at once; narrow the filters first.")
    # Ids past a database integer cannot name a row; the driver would fail on them.
    return post_ids_of(session, workspace_id, [i for i in mention_ids if 0 < i < 2**63])


def _first_mention(session: Session, workspace_id: int, post_id: int) -> int:
    found = session.scalar(
        select(func.min(Mention.id)).where(
            Mention.workspace_id == workspace_id, Mention.raw_post_id == post_id
        )
    )
    return int(found or 0)


def mark_posts(
    session: Session,
    workspace_id: int,
    mention_ids: Sequence[int],
    relevant: bool,
    actor: User | str,
) -> BulkResult:
    """Relevant / not relevant on each selected post (all its topics at once)."""
    posts = _posts(session, workspace_id, mention_ids)
    changed = 0
    for post_id in posts:
        mark = mark_relevance(
            session,
            _first_mention(session, workspace_id, post_id),
            relevant,
            actor,
            workspace_id=workspace_id,
        )
        changed += mark.trained
    return BulkResult(len(posts), changed)


def clean_tag(text: str) -> str:
    tag = text.strip().lstrip("#").lower()
    if not tag:
        raise InputError("Write a tag, e.g. 'refund' or 'press'.")
    if len(tag) > MAX_TAG or not TAG_PATTERN.match(tag):
        raise InputError(
            f"A tag is one word of at most {MAX_TAG} letters, digits, '-', '_', '.' or ':'; "
            f"{text.strip()[:80]!r} is not."
        )
    return tag


def tag_posts(
    session: Session, workspace_id: int, mention_ids: Sequence[int], tag: str, actor: str
) -> BulkResult:
    clean = clean_tag(tag)
    posts = _posts(session, workspace_id, mention_ids)
    have = set(
        session.scalars(
            select(PostTag.raw_post_id).where(
                PostTag.workspace_id == workspace_id,
                PostTag.tag == clean,
                PostTag.raw_post_id.in_(posts),
            )
        )
    )
    for post_id in posts:
        if post_id not in have:
            session.add(
                PostTag(workspace_id=workspace_id, raw_post_id=post_id, tag=clean, added_by=actor)
            )
    _audit(session, actor, "post.tag", workspace_id, posts, {"tag": clean})
    session.flush()
    return BulkResult(len(posts), len(set(posts) - have))


def tag_counts(session: Session, workspace_id: int) -> list[tuple[str, int]]:
    """The tags people put on the workspace's posts, each with its number of posts, by name."""
    rows = session.execute(
        select(PostTag.tag, func.count(PostTag.raw_post_id))
        .where(PostTag.workspace_id == workspace_id)
        .group_by(PostTag.tag)
        .order_by(PostTag.tag)
    )
    return [(str(tag), int(count)) for tag, count in rows]


def untag_posts(
    session: Session, workspace_id: int, mention_ids: Sequence[int], tag: str, actor: str
) -> BulkResult:
    clean = clean_tag(tag)
    posts = _posts(session, workspace_id, mention_ids)
    removed = session.execute(
        delete(PostTag).where(
            PostTag.workspace_id == workspace_id,
            PostTag.tag == clean,
            PostTag.raw_post_id.in_(posts),
        )
    )
    _audit(session, actor, "post.untag", workspace_id, posts, {"tag": clean})
    return BulkResult(len(posts), int(getattr(removed, "rowcount", 0) or 0))


def assign_posts(
    session: Session,
    workspace_id: int,
    mention_ids: Sequence[int],
    assignee: str | None,
    actor: str,
) -> BulkResult:
    """Assign each selected post to one member, or unassign them (assignee empty)."""
    posts = _posts(session, workspace_id, mention_ids)
    user = accounts.member_by_email(session, workspace_id, assignee) if assignee else None
    current = dict(
        session.execute(
            select(PostAssignment.raw_post_id, PostAssignment.user_id).where(
                PostAssignment.workspace_id == workspace_id,
                PostAssignment.raw_post_id.in_(posts),
            )
        ).all()
    )
    changed = 0
    for post_id in posts:
        if current.get(post_id) == (user.id if user else None):
            continue
        changed += 1
        row = session.get(PostAssignment, post_id)
        if user is None:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(
                PostAssignment(
                    raw_post_id=post_id,
                    workspace_id=workspace_id,
                    user_id=user.id,
                    assigned_by=actor,
                    assigned_at=utcnow(),
                )
            )
        else:
            row.user_id, row.assigned_by, row.assigned_at = user.id, actor, utcnow()
    details = {"assignee": user.email if user else None}
    _audit(session, actor, "post.assign", workspace_id, posts, details)
    session.flush()
    return BulkResult(len(posts), changed)


def add_to_case(
    session: Session, workspace_id: int, mention_ids: Sequence[int], case_id: int, actor: str
) -> BulkResult:
    """The selected posts go on the case's timeline, like the key posts of its alert."""
    posts = _posts(session, workspace_id, mention_ids)
    added = add_posts(session, case_id, posts, actor, workspace_id=workspace_id)
    _audit(session, actor, "post.add_to_case", workspace_id, posts, {"case_id": case_id})
    return BulkResult(len(posts), added)


def _audit(
    session: Session,
    actor: User | str,
    action: str,
    workspace_id: int,
    posts: list[int],
    details: dict[str, Any],
) -> None:
    accounts.record_audit(
        session,
        actor,
        action,
        workspace_id=workspace_id,
        target_type="post",
        target_id=posts[0] if len(posts) == 1 else None,
        details={**details, "posts": posts[:MAX_BULK]},
    )


def saved_views(session: Session, workspace_id: int, user_id: int) -> list[SavedView]:
    return list(
        session.scalars(
            select(SavedView)
            .where(SavedView.workspace_id == workspace_id, SavedView.user_id == user_id)
            .order_by(SavedView.name)
        )
    )


def save_view(
    session: Session, workspace_id: int, user_id: int, name: str, filters: PostFilters
) -> SavedView:
    """Saves (or replaces) a named set of filters for this person."""
    clean = " ".join(name.split())
    if not clean or len(clean) > 100:
        raise InputError("Name the view (1 to 100 characters), e.g. 'Negative, Hebrew'.")
    stored = filters.cleaned().as_query()
    view = session.scalar(
        select(SavedView).where(
            SavedView.workspace_id == workspace_id,
            SavedView.user_id == user_id,
            SavedView.name == clean,
        )
    )
    if view is None:
        if len(saved_views(session, workspace_id, user_id)) >= MAX_VIEWS:
            raise InputError(f"You have {MAX_VIEWS} saved views; delete one to save another.")
        view = SavedView(workspace_id=workspace_id, user_id=user_id, name=clean, filters=stored)
        session.add(view)
    else:
        view.filters = stored
    session.flush()
    return view


def delete_view(session: Session, workspace_id: int, user_id: int, view_id: int) -> None:
    view = session.get(SavedView, view_id)
    if view is None or view.workspace_id != workspace_id or view.user_id != user_id:
        raise NotFoundError(f"No saved view {view_id} of yours in this workspace.")
    session.delete(view)
    session.flush()
