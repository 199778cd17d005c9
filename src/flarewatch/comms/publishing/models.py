"""Publishing's own state (migration 0022): the workspace's kill switch and its history, and
each attempt to send a publication (what reconciles a send interrupted by a crash)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from flarewatch.db.base import Base, UTCDateTime, utcnow


class KillSwitch(Base):
    """One row per workspace that ever used it; engaged: nothing is published."""

    __tablename__ = "publishing_kill_switch"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True
    )
    engaged: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    engaged_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    engaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class KillSwitchEvent(Base):
    """Each time the switch was engaged or lifted, by whom, why, and how many posts it held
    or let go."""

    __tablename__ = "publishing_kill_switch_event"
    __table_args__ = (Index("ix_kill_switch_event_workspace", "workspace_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(16))  # engaged, lifted
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    affected: Mapped[int] = mapped_column(Integer, default=0)


# sending → published | retry | failed; `unknown` when a send was interrupted on a platform
# without an idempotency key (a person checks the account).
ATTEMPT_OUTCOMES = ("sending", "published", "retry", "failed", "unknown")


class PublicationAttempt(Base):
    __tablename__ = "publication_attempt"
    __table_args__ = (Index("ix_publication_attempt_pub", "publication_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publication.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    outcome: Mapped[str] = mapped_column(String(16), default="sending")
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
