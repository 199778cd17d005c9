"""The guard against hiding criticism: hiding or deleting a comment on the brand's Facebook
page or Instagram account goes through here.

A critical post (negative, or on a case's timeline) that has no published answer is not
hidden or deleted on a first try: the guard refuses with why answering beats deleting (people
see the silence, screenshots outlive the comment, and a deleted complaint becomes the story).
A person who still needs to (abuse, personal data, spam) confirms with a reason. Every use is
audited and written on the timeline of each case the post is on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.accounts.models import User
from flarewatch.accounts.service import record_audit
from flarewatch.alerts.wording import wording
from flarewatch.cases.models import Case, CaseEvent
from flarewatch.comms.models import Publication
from flarewatch.comms.publishing import timeline
from flarewatch.comms.publishing.base import PublishError
from flarewatch.comms.publishing.channels import get_channel, session_secrets
from flarewatch.comms.publishing.graph import GraphPublisher
from flarewatch.comms.publishing.registry import build_publisher
from flarewatch.comms.publishing.service import actor_name
from flarewatch.db.base import utcnow
from flarewatch.errors import InputError, InvalidTransitionError
from flarewatch.mentions.models import Mention, RawPost
from flarewatch.workspaces.models import Workspace

ACTIONS = ("hide", "delete")
MODERATED_PLATFORMS = ("facebook", "instagram")

WHY_ANSWER = (
    "answering beats deleting: people have already seen it, screenshots outlive a deleted "
    "comment, and hiding criticism becomes the story; answer it publicly first (schedule a "
    "reply), or confirm with a reason (abuse, personal data, spam) to go ahead"
)


class CriticismGuardError(InvalidTransitionError):
    """Hiding or deleting unanswered criticism without a confirmed reason."""


@dataclass(frozen=True, slots=True)
class Judgement:
    """What the guard knows about a post: stored, negative, on which cases, answered."""

    known: bool
    negative: bool
    case_ids: tuple[int, ...]
    answered: bool

    @property
    def critical(self) -> bool:
        return not self.known or self.negative or bool(self.case_ids)

    def warning(self) -> str | None:
        if self.answered or not self.critical:
            return None
        if not self.known:
            why = "Flarewatch has not stored this post, so it cannot tell whether it is criticism"
        elif self.case_ids:
            cases = ", ".join(f"#{c}" for c in self.case_ids)
            why = f"this post is on case {cases} and has no published answer"
        else:
            why = "this post is negative and has no published answer"
        return f"{why}; {WHY_ANSWER}"


def judge(session: Session, workspace_id: int, platform: str, external_id: str) -> Judgement:
    post = session.scalar(
        select(RawPost).where(
            RawPost.workspace_id == workspace_id,
            RawPost.platform == platform,
            RawPost.external_id == external_id,
        )
    )
    answered = (
        session.scalar(
            select(Publication.id).where(
                Publication.workspace_id == workspace_id,
                Publication.in_reply_to == external_id,
                Publication.status == "published",
            )
        )
        is not None
    )
    if post is None:
        return Judgement(False, False, (), answered)
    negative = (
        session.scalar(
            select(Mention.id).where(
                Mention.raw_post_id == post.id, Mention.sentiment == "negative"
            )
        )
        is not None
    )
    return Judgement(True, negative, _cases_with(session, workspace_id, post.id), answered)


def moderate(
    session: Session,
    workspace_id: int,
    channel_key: str,
    external_id: str,
    action: str,
    actor: User | str,
    *,
    reason: str | None = None,
    confirm: bool = False,
    now: datetime | None = None,
) -> Judgement:
    """Hides or deletes the comment through the channel, unless the guard refuses."""
    if action not in ACTIONS:
        raise InputError(f"unknown moderation action {action!r}; use hide or delete")
    clean_id = external_id.strip()
    if not clean_id:
        raise InputError("name the comment to moderate (its platform id, as in the stream)")
    workspace = session.get_one(Workspace, workspace_id)
    channel = get_channel(workspace, channel_key)
    if channel.platform not in MODERATED_PLATFORMS:
        raise InputError(
            f"channel {channel.key!r} is a {channel.platform} account; hiding and deleting "
            "comments works on Facebook pages and Instagram accounts"
        )
    now = now or utcnow()
    clean_reason = (reason or "").strip() or None
    judgement = judge(session, workspace_id, channel.platform, clean_id)
    warning = judgement.warning()
    if warning and not (confirm and clean_reason):
        record_audit(
            session,
            actor,
            f"moderation.{action}.refused",
            workspace_id=workspace_id,
            target_type="post",
            target_id=clean_id,
            details={"channel": channel.key, "warning": warning},
        )
        session.commit()  # the refusal stays on record although the request fails
        raise CriticismGuardError(f"not {action}d: {warning}")
    publisher = build_publisher(channel, session_secrets(session, workspace_id), clock=lambda: now)
    assert isinstance(publisher, GraphPublisher)
    try:
        publisher.moderate(clean_id, action)
    except PublishError as err:
        raise InvalidTransitionError(f"not {action}d: {err}") from None
    record_audit(
        session,
        actor,
        f"moderation.{action}",
        workspace_id=workspace_id,
        target_type="post",
        target_id=clean_id,
        details={
            "channel": channel.key,
            "reason": clean_reason,
            "over_warning": warning,
            "cases": list(judgement.case_ids),
        },
    )
    name = actor_name(actor)
    message = timeline.moderation_message(action, clean_reason, warning is not None)
    reason_param = {"reason": clean_reason} if clean_reason else {}
    said = wording(message, post=clean_id, channel=channel.key, **reason_param)
    for case_id in judgement.case_ids:
        case = session.get_one(Case, case_id)
        timeline.add_event(
            session,
            case,
            name,
            said,
            now,
            kind="moderation",
            data={"post": clean_id, "action": action},
        )
    session.flush()
    return judgement


def _cases_with(session: Session, workspace_id: int, raw_post_id: int) -> tuple[int, ...]:
    """The workspace's cases that have the post on their timeline."""
    rows = session.execute(
        select(CaseEvent.case_id, CaseEvent.data)
        .join(Case, Case.id == CaseEvent.case_id)
        .where(Case.workspace_id == workspace_id, CaseEvent.kind == "post")
    )
    return tuple(
        sorted(
            {case_id for case_id, data in rows if (data or {}).get("raw_post_id") == raw_post_id}
        )
    )
