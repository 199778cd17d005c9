"""Sending what is due: `publish_due`, called by the embedded runner every cycle.

1. **Reconcile.** A publication still `sending` long after its claim was interrupted (a crash
   between the send and the commit). On Mastodon and Bluesky it is sent again with the same
   idempotency key / record key, which the platform turns into the post already made; on X,
   Facebook and Instagram, which have no such key, sending again could post twice, so it is
   marked failed with a note to check the account.
2. **Claim.** Per workspace, in one transaction that re-reads (and on PostgreSQL locks) the
   kill switch: the due `scheduled` rows become `sending`, with an attempt row; committed
   before anything is sent.
3. **Send.** Each claimed row passes the approval gate again (the approved version must still
   be the one scheduled) and the kill switch again, then goes out once; its remote id and link,
   or its error, are committed with the timeline entry. A rate limit or a platform failure is
   tried again later (Retry-After, else backoff), `failed` after MAX_ATTEMPTS.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.comms.drafts import ApprovalRequiredError, approved_text, get_draft
from flarewatch.comms.models import Publication
from flarewatch.comms.publishing import killswitch, timeline
from flarewatch.comms.publishing.base import PublishError, backoff
from flarewatch.comms.publishing.channels import get_channel, session_secrets
from flarewatch.comms.publishing.models import PublicationAttempt
from flarewatch.comms.publishing.registry import build_publisher
from flarewatch.comms.publishing.service import target_of
from flarewatch.errors import NotFoundError
from flarewatch.sources.base import CredentialError
from flarewatch.workspaces.models import Workspace

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# A send is one request with a 20-second timeout; a claim older than this was interrupted.
SENDING_LEASE = timedelta(minutes=5)
# Platforms whose own key makes a second send of the same publication harmless.
IDEMPOTENT_PLATFORMS = frozenset({"mastodon", "bluesky"})
SYSTEM = "system"


@dataclass
class PublishReport:
    published: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    held: list[int] = field(default_factory=list)
    reconciled: list[int] = field(default_factory=list)


def idempotency_key(publication: Publication) -> str:
    return f"flarewatch-publication-{publication.workspace_id}-{publication.id}"


def publish_due(
    session: Session,
    now: datetime,
    *,
    workspace_id: int | None = None,
    only: list[int] | None = None,
) -> PublishReport:
    """Sends every publication due at `now` (of one workspace, or of `only` these ids)."""
    report = PublishReport()
    _reconcile(session, now, report)
    session.commit()
    for ws_id in _workspaces_due(session, now, workspace_id, only):
        claimed = _claim(session, ws_id, now, only, report)
        session.commit()
        for publication_id in claimed:
            _send(session, publication_id, now, report)
            session.commit()
    return report


def _workspaces_due(
    session: Session, now: datetime, workspace_id: int | None, only: list[int] | None
) -> list[int]:
    query = select(Publication.workspace_id).where(
        Publication.status == "scheduled", Publication.scheduled_at <= now
    )
    if workspace_id is not None:
        query = query.where(Publication.workspace_id == workspace_id)
    if only is not None:
        query = query.where(Publication.id.in_(only))
    return sorted(set(session.scalars(query)))


def _claim(
    session: Session,
    workspace_id: int,
    now: datetime,
    only: list[int] | None,
    report: PublishReport,
) -> list[int]:
    if killswitch.is_engaged(session, workspace_id, lock=True):
        return []
    query = (
        select(Publication)
        .where(
            Publication.workspace_id == workspace_id,
            Publication.status == "scheduled",
            Publication.scheduled_at <= now,
        )
        .order_by(Publication.scheduled_at, Publication.id)
        .with_for_update(skip_locked=True)
    )
    if only is not None:
        query = query.where(Publication.id.in_(only))
    rows = list(session.scalars(query))
    for row in rows:
        row.status = "sending"
        row.attempts += 1
        session.add(
            PublicationAttempt(
                publication_id=row.id, number=row.attempts, claimed_at=now, outcome="sending"
            )
        )
    session.flush()
    return [row.id for row in rows]


def _send(session: Session, publication_id: int, now: datetime, report: PublishReport) -> None:
    publication = session.get_one(Publication, publication_id)
    attempt = _open_attempt(session, publication)
    # Read without a lock: no row lock is held across the request to the platform.
    if killswitch.is_engaged(session, publication.workspace_id):
        switch = killswitch.switch_of(session, publication.workspace_id)
        publication.status, publication.reason = "suspended", switch.reason if switch else None
        _finish(attempt, now, "retry", "held by the kill switch")
        report.held.append(publication.id)
        return
    try:
        text = _gated_text(session, publication)
        workspace = session.get_one(Workspace, publication.workspace_id)
        channel = get_channel(workspace, publication.channel)
        publisher = build_publisher(
            channel, session_secrets(session, workspace.id), clock=lambda: now
        )
        target = target_of(session, publication)
        key = idempotency_key(publication)
        if target is None:
            result = publisher.post(text, key=key, at=publication.created_at)
        else:
            result = publisher.reply(text, target, key=key, at=publication.created_at)
    except PublishError as err:
        _failure(session, publication, attempt, now, err, report)
        return
    except CredentialError as err:  # a stored secret that cannot be read
        _failure(session, publication, attempt, now, PublishError("auth", str(err)), report)
        return
    except (ApprovalRequiredError, NotFoundError) as err:
        _failure(session, publication, attempt, now, PublishError("rejected", str(err)), report)
        return
    except Exception as err:  # a fault of ours: recorded on the row, the runner goes on
        log.exception("publication %s failed", publication.id)
        _failure(session, publication, attempt, now, PublishError("server", str(err)), report)
        return
    publication.status = "published"
    publication.remote_id = result.remote_id
    publication.url = result.url
    publication.published_at = now
    publication.error = None
    _finish(attempt, now, "published", None)
    timeline.publication_event(session, publication, SYSTEM, timeline.PUBLISHED, now)
    report.published.append(publication.id)


def _gated_text(session: Session, publication: Publication) -> str:
    """The approval gate at send time: the scheduled version must still be the approved one."""
    draft = get_draft(session, publication.draft_id, workspace_id=publication.workspace_id)
    version = approved_text(session, draft)
    if version.number != publication.draft_version:
        raise ApprovalRequiredError(
            f"draft #{draft.id} was changed after this post was scheduled (version "
            f"{publication.draft_version} was scheduled, version {version.number} is approved "
            "now); schedule the approved version again"
        )
    return version.text


def _failure(
    session: Session,
    publication: Publication,
    attempt: PublicationAttempt | None,
    now: datetime,
    err: PublishError,
    report: PublishReport,
) -> None:
    publication.error = str(err)
    if err.retried and publication.attempts < MAX_ATTEMPTS:
        publication.status = "scheduled"
        later = (
            err.retry_at
            if err.retry_at and err.retry_at > now
            else now + backoff(publication.attempts)
        )
        publication.scheduled_at = later
        _finish(attempt, now, "retry", str(err))
        report.retried.append(publication.id)
        return
    publication.status = "failed"
    _finish(attempt, now, "failed", str(err))
    timeline.publication_event(session, publication, SYSTEM, timeline.FAILED, now, error=str(err))
    report.failed.append(publication.id)


def _reconcile(session: Session, now: datetime, report: PublishReport) -> None:
    stale = session.scalars(
        select(Publication).where(Publication.status == "sending").with_for_update(skip_locked=True)
    )
    for publication in stale:
        attempt = _open_attempt(session, publication)
        if attempt is not None and attempt.claimed_at > now - SENDING_LEASE:
            continue  # still being sent by a runner
        report.reconciled.append(publication.id)
        if publication.platform in IDEMPOTENT_PLATFORMS:
            publication.status = "scheduled"
            _finish(attempt, now, "retry", "interrupted; sent again with the same key")
            continue
        note = (
            f"sending was interrupted and {publication.platform} has no idempotency key, so it "
            "may or may not have been posted; check the account, then cancel this publication "
            "or schedule the draft again"
        )
        publication.status, publication.error = "failed", note
        _finish(attempt, now, "unknown", note)
        timeline.publication_event(session, publication, SYSTEM, timeline.FAILED, now, error=note)


def _open_attempt(session: Session, publication: Publication) -> PublicationAttempt | None:
    return session.scalar(
        select(PublicationAttempt)
        .where(PublicationAttempt.publication_id == publication.id)
        .order_by(PublicationAttempt.id.desc())
        .limit(1)
    )


def _finish(
    attempt: PublicationAttempt | None, now: datetime, outcome: str, error: str | None
) -> None:
    if attempt is not None:
        attempt.outcome, attempt.finished_at, attempt.error = outcome, now, error


def publish_now(session: Session, publication_id: int, now: datetime) -> PublishReport:
    """Sends one publication right away (`publish now`, the page's Publish now button)."""
    publication = session.get_one(Publication, publication_id)
    return publish_due(session, now, workspace_id=publication.workspace_id, only=[publication_id])
