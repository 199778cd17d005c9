"""Scheduling an approved draft on one of the workspace's channels, cancelling it, and
reading the schedule. The approval gate (`comms.drafts.approved_text`) is checked here, when
the post is scheduled, and again by the sender just before it goes out."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.accounts.models import User
from flarewatch.accounts.service import record_audit
from flarewatch.comms.drafts import approved_text, get_draft
from flarewatch.comms.models import Draft, Publication
from flarewatch.comms.publishing import killswitch, timeline
from flarewatch.comms.publishing.base import Target
from flarewatch.comms.publishing.channels import ChannelConfig, get_channel, require_platform
from flarewatch.comms.publishing.graph import instagram_statement_problem
from flarewatch.db.base import utcnow
from flarewatch.errors import InputError, InvalidTransitionError, NotFoundError
from flarewatch.mentions.models import Mention, RawPost
from flarewatch.tone.limits import LIMITS, length
from flarewatch.workspaces.models import Workspace

CANCELLABLE = ("scheduled", "suspended", "failed")
MAX_AHEAD_DAYS = 366


def actor_name(actor: User | str) -> str:
    return actor.email if isinstance(actor, User) else actor


def schedule(
    session: Session,
    draft_id: int,
    channel_key: str,
    at: datetime | None,
    actor: User | str,
    workspace_id: int,
    *,
    now: datetime | None = None,
) -> Publication:
    """Schedules the draft's approved text on the channel at `at` (now when None). Refused
    when the text is not approved (409), the channel is for another platform, a reply has no
    post to answer, or the text is longer than the platform takes. While the kill switch is on
    the publication is made but held (`suspended`)."""
    now = now or utcnow()
    workspace = session.get_one(Workspace, workspace_id)
    draft = get_draft(session, draft_id, workspace_id=workspace_id)
    version = approved_text(session, draft)
    channel = get_channel(workspace, channel_key)
    require_platform(channel, draft.platform)
    target = reply_target(session, draft, channel)
    check_length(version.text, channel)
    when = _aware(at) if at is not None else now
    if (when - now).days > MAX_AHEAD_DAYS:
        raise InputError(f"{when:%Y-%m-%d} is more than a year ahead; pick a nearer time")
    held = killswitch.switch_of(session, workspace_id)
    publication = Publication(
        workspace_id=workspace_id,
        case_id=draft.case_id,
        draft_id=draft.id,
        draft_version=version.number,
        channel=channel.key,
        platform=channel.platform,
        mention_id=draft.mention_id if target else None,
        in_reply_to=target.external_id if target else None,
        status="suspended" if held and held.engaged else "scheduled",
        reason=held.reason if held and held.engaged else None,
        scheduled_at=when,
        attempts=0,
        created_by=actor_name(actor),
        created_at=now,
    )
    session.add(publication)
    session.flush()
    message = timeline.SCHEDULED_HELD if publication.status == "suspended" else timeline.SCHEDULED
    timeline.publication_event(
        session, publication, actor_name(actor), message, now, scheduled_at=when.isoformat()
    )
    record_audit(
        session,
        actor,
        "publication.schedule",
        workspace_id=workspace_id,
        target_type="publication",
        target_id=publication.id,
        details={
            "draft": draft.id,
            "version": version.number,
            "channel": channel.key,
            "at": when.isoformat(),
            "status": publication.status,
        },
    )
    session.flush()
    return publication


def cancel(
    session: Session,
    publication_id: int,
    actor: User | str,
    workspace_id: int,
    *,
    reason: str | None = None,
    now: datetime | None = None,
) -> Publication:
    """Cancels a publication that has not gone out (scheduled, held or failed)."""
    now = now or utcnow()
    publication = get_publication(session, publication_id, workspace_id)
    if publication.status not in CANCELLABLE:
        raise InvalidTransitionError(
            f"publication #{publication.id} is {publication.status}; only a scheduled, held "
            "or failed post can be cancelled (a published one is removed on the platform)"
        )
    clean = (reason or "").strip() or None
    publication.status = "cancelled"
    publication.reason = clean
    message = timeline.CANCELLED_BECAUSE if clean else timeline.CANCELLED
    reason_param = {"reason": clean} if clean else {}
    timeline.publication_event(
        session, publication, actor_name(actor), message, now, **reason_param
    )
    record_audit(
        session,
        actor,
        "publication.cancel",
        workspace_id=workspace_id,
        target_type="publication",
        target_id=publication.id,
        details={"reason": clean},
    )
    session.flush()
    return publication


def get_publication(session: Session, publication_id: int, workspace_id: int) -> Publication:
    row = session.get(Publication, publication_id)
    if row is None or row.workspace_id != workspace_id:
        raise NotFoundError(f"publication #{publication_id} not found in this workspace")
    return row


def publications(
    session: Session,
    workspace_id: int,
    *,
    case_id: int | None = None,
    draft_id: int | None = None,
    status: str | None = None,
    limit: int = 200,
) -> list[Publication]:
    """The workspace's publications, soonest scheduled last-first (newest on top)."""
    query = select(Publication).where(Publication.workspace_id == workspace_id)
    if case_id is not None:
        query = query.where(Publication.case_id == case_id)
    if draft_id is not None:
        query = query.where(Publication.draft_id == draft_id)
    if status is not None:
        query = query.where(Publication.status == status)
    query = query.order_by(Publication.scheduled_at.desc(), Publication.id.desc()).limit(limit)
    return list(session.scalars(query))


def reply_target(session: Session, draft: Draft, channel: ChannelConfig) -> Target | None:
    """The post a reply answers; None for a statement. Instagram takes replies only."""
    if draft.kind == "private_message":
        raise InputError(
            f"draft #{draft.id} is a private message; send it through private contact, not a "
            "public channel"
        )
    if draft.kind != "reply":
        if channel.platform == "instagram":
            raise InputError(instagram_statement_problem(channel.key))
        return None
    post = _reply_post(session, draft)
    if post is None:
        raise InputError(
            f"draft #{draft.id} is a reply but names no stored post to answer; write the reply "
            "from the post in the stream, so Flarewatch knows which post it answers"
        )
    if post.platform != channel.platform:
        raise InputError(
            f"the post draft #{draft.id} answers is on {post.platform}; reply through a "
            f"{post.platform} channel"
        )
    return Target(post.external_id, post.url)


def target_of(session: Session, publication: Publication) -> Target | None:
    if not publication.in_reply_to:
        return None
    url = None
    if publication.mention_id is not None:
        mention = session.get(Mention, publication.mention_id)
        post = session.get(RawPost, mention.raw_post_id) if mention else None
        url = post.url if post else None
    return Target(publication.in_reply_to, url)


def check_length(text: str, channel: ChannelConfig) -> None:
    limit = LIMITS[channel.platform].limit
    used = length(text, channel.platform)
    if limit is not None and used > limit:
        raise InputError(
            f"the text is {used:,} characters as {channel.platform} counts them; it takes at "
            f"most {limit:,}: shorten the draft and have it approved again"
        )


def _reply_post(session: Session, draft: Draft) -> RawPost | None:
    if draft.mention_id is None:
        return None
    mention = session.get(Mention, draft.mention_id)
    return session.get(RawPost, mention.raw_post_id) if mention else None


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
