"""The reply queue's changes: assign (claim, unassign, in bulk), "no answer needed", reopen,
answered elsewhere, and "Reply" (a reply draft prefilled with the post quoted).

Every change is written on the case timeline (kind `reply`) as a stored message; an assignee
other than the actor is told in their notifications. Every function flushes but never
commits: the caller owns the transaction. Sending the reply is comms/publishing's, after the
approval the workspace requires (`[replies] require_approval`, read by comms/approvals.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from flarewatch.accounts.notifications import notify
from flarewatch.accounts.permissions import Permission, can
from flarewatch.accounts.service import member_by_email, role_in
from flarewatch.alerts.message import excerpt
from flarewatch.alerts.wording import spoken, wording
from flarewatch.cases.models import Case, CaseEvent
from flarewatch.cases.service import get_case
from flarewatch.cases.timeline import add_entry
from flarewatch.comms import drafts
from flarewatch.comms.models import Draft
from flarewatch.comms.replies.figures import PostTiming, ReplyFigures, reply_figures
from flarewatch.comms.replies.models import ReplyItem
from flarewatch.comms.replies.queue import QueueRow, build_queue, case_reply_times
from flarewatch.db.base import utcnow
from flarewatch.detect.explain import N_
from flarewatch.errors import InputError, NotFoundError
from flarewatch.workspaces.models import Workspace

MAX_REASON_CHARS = 1_000
MAX_BULK = 500
QUOTE_CHARS = 500
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)  # an answer's time before this is a typo

REPLY_ASSIGNED = N_("Assigned to %(person)s for an answer: %(posts)s")
REPLY_UNASSIGNED = N_("No longer assigned for an answer (was %(person)s): %(posts)s")
REPLY_SKIPPED = N_("Post %(post)s needs no answer: %(reason)s")
REPLY_REOPENED = N_("Post %(post)s is back in the reply queue")
REPLY_ELSEWHERE = N_("Post %(post)s was answered outside Flarewatch: %(where)s")
REPLY_DRAFTED = N_("Reply draft #%(draft)s started for post %(post)s")
REPLY_YOURS = N_("Case #%(case)s: posts for you to answer: %(posts)s")

# The platforms a reply draft can be written for (comms/models.py DRAFT_PLATFORMS), by the
# platform names the sources store on posts.
DRAFT_PLATFORM_OF = {
    "x": "x",
    "twitter": "x",
    "bluesky": "bluesky",
    "mastodon": "mastodon",
    "facebook": "facebook",
    "instagram": "instagram",
}


def queue(
    session: Session, case_id: int, *, workspace_id: int, now: datetime | None = None
) -> list[QueueRow]:
    """The case's reply queue, every state (filter with queue.only)."""
    case = get_case(session, case_id, workspace_id=workspace_id)
    return build_queue(session, case, now or utcnow())


def figures(
    session: Session,
    case_id: int,
    *,
    workspace_id: int,
    rows: Sequence[QueueRow] | None = None,
    now: datetime | None = None,
) -> ReplyFigures:
    """The case's time-to-reply and coverage figures (figures.py) from its queue."""
    case = get_case(session, case_id, workspace_id=workspace_id)
    rows = rows if rows is not None else build_queue(session, case, now or utcnow())
    timings = [
        PostTiming(
            post_id=row.post_id,
            created_at=row.post.created_at,
            first_reply_at=row.first_reply_at,
            needs_answer=row.state != "no_answer",
            assignee=row.assignee,
        )
        for row in rows
    ]
    return reply_figures(case.opened_at, timings, case_reply_times(session, case))


def _row(rows: Sequence[QueueRow], post_id: int, case_id: int) -> QueueRow:
    for row in rows:
        if row.post_id == post_id:
            return row
    raise NotFoundError(
        f"post #{post_id} is not in the reply queue of case #{case_id}; "
        f"list the queue with 'flarewatch replies list {case_id}'"
    )


def _item(session: Session, case: Case, post_id: int, now: datetime) -> ReplyItem:
    item = session.query(ReplyItem).filter_by(case_id=case.id, raw_post_id=post_id).one_or_none()
    if item is None:
        item = ReplyItem(
            workspace_id=case.workspace_id,
            case_id=case.id,
            raw_post_id=post_id,
            state="open",
            created_at=now,
        )
        session.add(item)
    return item


def _event(
    session: Session,
    case: Case,
    actor: str,
    said: dict[str, Any],
    data: dict[str, Any],
    at: datetime,
) -> CaseEvent:
    return add_entry(session, case, "reply", actor, said, at, data)


def _responder(session: Session, workspace_id: int, email: str) -> str:
    """The member's e-mail when they may answer posts (their role can edit cases)."""
    user = member_by_email(session, workspace_id, email)
    role = role_in(session, user.id, workspace_id)
    if not can(role, Permission.CASE_EDIT):
        raise InputError(
            f"{user.email} is a {role} in this workspace and cannot answer posts; choose a "
            "responder, analyst or admin, or give them one of those roles"
        )
    return user.email


def assign(
    session: Session,
    case_id: int,
    post_ids: Sequence[int],
    person: str | None,
    actor: str,
    *,
    workspace_id: int,
    now: datetime | None = None,
) -> list[ReplyItem]:
    """Gives the posts to `person` (a member's e-mail) to answer, or unassigns them (`person`
    empty). Posts already theirs are left as they are; one timeline entry per change."""
    case = get_case(session, case_id, workspace_id=workspace_id)
    wanted = list(dict.fromkeys(post_ids))
    if not wanted:
        raise InputError("choose at least one post of the reply queue to assign")
    if len(wanted) > MAX_BULK:
        raise InputError(f"{len(wanted)} posts at once; assign at most {MAX_BULK} at a time")
    now = now or utcnow()
    email = _responder(session, case.workspace_id, person) if person and person.strip() else None
    rows = build_queue(session, case, now)
    for post_id in wanted:
        _row(rows, post_id, case.id)
    changed: list[ReplyItem] = []
    dropped: dict[str, list[int]] = {}
    for post_id in wanted:
        item = _item(session, case, post_id, now)
        if item.assignee == email:
            continue
        if item.assignee is not None and email is None:
            dropped.setdefault(item.assignee, []).append(post_id)
        item.assignee, item.assigned_by, item.assigned_at = email, actor, now
        changed.append(item)
    session.flush()
    if email is not None and changed:
        posts = [f"#{item.raw_post_id}" for item in changed]
        said = wording(REPLY_ASSIGNED, person=email, posts=posts)
        _event(session, case, actor, said, {"post_ids": _ids(changed), "person": email}, now)
        if email != actor:
            _tell(session, case, email, posts)
    for was, ids in dropped.items():
        said = wording(REPLY_UNASSIGNED, person=was, posts=[f"#{i}" for i in ids])
        _event(session, case, actor, said, {"post_ids": ids, "person": None}, now)
    session.flush()
    return changed


def _ids(items: Sequence[ReplyItem]) -> list[int]:
    return [item.raw_post_id for item in items]


def _tell(session: Session, case: Case, email: str, posts: list[str]) -> None:
    from flarewatch.accounts.service import get_user_by_email

    user = get_user_by_email(session, email)
    if user is None:
        return
    workspace = session.get_one(Workspace, case.workspace_id)
    stored = wording(REPLY_YOURS, case=case.id, posts=posts)
    link = f"/w/{workspace.slug}/cases/{case.id}/replies?{urlencode({'assignee': email})}"
    notify(session, user, workspace.id, "reply", stored, spoken(stored), link)


def skip(
    session: Session,
    case_id: int,
    post_id: int,
    reason: str,
    actor: str,
    *,
    workspace_id: int,
    now: datetime | None = None,
) -> ReplyItem:
    """Marks the post "no answer needed", with the reason; it stays listed (filter
    `no_answer`) and can be reopened."""
    case = get_case(session, case_id, workspace_id=workspace_id)
    now = now or utcnow()
    _row(build_queue(session, case, now), post_id, case.id)
    clean = _clean(reason, "why this post needs no answer, e.g. 'a bot' or 'already resolved'")
    item = _item(session, case, post_id, now)
    item.state, item.reason, item.marked_by, item.marked_at = "no_answer", clean, actor, now
    item.answered_at = None
    said = wording(REPLY_SKIPPED, post=f"#{post_id}", reason=clean)
    _event(session, case, actor, said, {"post_id": post_id, "state": "no_answer"}, now)
    session.flush()
    return item


def reopen(
    session: Session,
    case_id: int,
    post_id: int,
    actor: str,
    *,
    workspace_id: int,
    now: datetime | None = None,
) -> ReplyItem:
    """Takes back "no answer needed" or "answered elsewhere": the post waits again."""
    case = get_case(session, case_id, workspace_id=workspace_id)
    now = now or utcnow()
    _row(build_queue(session, case, now), post_id, case.id)
    item = _item(session, case, post_id, now)
    if item.state == "open":
        return item
    item.state, item.reason, item.marked_by, item.marked_at = "open", None, actor, now
    item.answered_at = None
    said = wording(REPLY_REOPENED, post=f"#{post_id}")
    _event(session, case, actor, said, {"post_id": post_id, "state": "open"}, now)
    session.flush()
    return item


def answered_elsewhere(
    session: Session,
    case_id: int,
    post_id: int,
    where: str,
    actor: str,
    *,
    workspace_id: int,
    at: datetime | None = None,
    now: datetime | None = None,
) -> ReplyItem:
    """Records that the post was answered outside Flarewatch (`where`: a link or a few words),
    at `at` (default now): it leaves the queue and counts as answered in the figures."""
    case = get_case(session, case_id, workspace_id=workspace_id)
    now = now or utcnow()
    _row(build_queue(session, case, now), post_id, case.id)
    clean = _clean(where, "where it was answered, e.g. the reply's link or 'by phone'")
    if at is not None:
        _check_moment(at, now)
    item = _item(session, case, post_id, now)
    item.state, item.reason, item.marked_by, item.marked_at = (
        "answered_elsewhere",
        clean,
        actor,
        now,
    )
    item.answered_at = at or now
    said = wording(REPLY_ELSEWHERE, post=f"#{post_id}", where=clean)
    data = {"post_id": post_id, "state": "answered_elsewhere", "url": clean}
    if not clean.startswith(("https://", "http://")):
        data.pop("url")
    _event(session, case, actor, said, data, now)
    session.flush()
    return item


def quoted(row: QueueRow) -> str:
    """The post quoted for context at the top of its reply draft."""
    post = row.post
    who = f"@{post.author_handle.lstrip('@')}" if post.author_handle else (post.author_name or "")
    body = excerpt(post.text, QUOTE_CHARS).replace("\n", "\n> ")
    head = f"> {who}: " if who else "> "
    return f"{head}{body}\n\n"


def answer(
    session: Session,
    case_id: int,
    post_id: int,
    actor: str,
    *,
    workspace_id: int,
    text: str | None = None,
    now: datetime | None = None,
) -> Draft:
    """A reply draft for the post (comms/drafts.create_draft, kind "reply"): `text` when
    given, else the post quoted for context for the writer to answer under. The draft goes
    through the approval the workspace requires before it can be sent."""
    case = get_case(session, case_id, workspace_id=workspace_id)
    now = now or utcnow()
    row = _row(build_queue(session, case, now), post_id, case.id)
    platform = DRAFT_PLATFORM_OF.get(row.post.platform.lower())
    if platform is None:
        raise InputError(
            f"posts on {row.post.platform} cannot be answered from Flarewatch; answer on the "
            f"platform and record it with 'flarewatch replies answered {case.id} {post_id} "
            "--where LINK'"
        )
    body = text if text is not None and text.strip() else quoted(row)
    language = row.selected.language if row.selected.language in ("en", "he", "pl") else None
    draft = drafts.create_draft(
        session,
        case.id,
        body,
        actor,
        workspace_id=case.workspace_id,
        platform=platform,
        kind="reply",
        language=language,
        mention_id=row.post.mention_id,
        now=now,
    )
    said = wording(REPLY_DRAFTED, draft=draft.id, post=f"#{post_id}")
    _event(session, case, actor, said, {"post_id": post_id, "draft_id": draft.id}, now)
    session.flush()
    return draft


def _check_moment(at: datetime, now: datetime) -> None:
    if at.tzinfo is None:
        raise InputError("the time of the answer needs a timezone, e.g. 2024-05-07T18:00+02:00")
    if not EARLIEST <= at <= now + timedelta(hours=1):
        raise InputError(
            f"the time of the answer, {at.isoformat()}, is in the future or long past; give "
            "when it was answered, or leave it out for now"
        )


def _clean(text: str, what: str) -> str:
    clean = (text or "").strip()
    if not clean:
        raise InputError(f"say {what}")
    if len(clean) > MAX_REASON_CHARS:
        raise InputError(f"{len(clean):,} characters; keep it under {MAX_REASON_CHARS:,}")
    return clean
