"""What people did with a post of a case's reply queue: who answers it, and whether it needs
no answer (with the reason) or was answered outside Flarewatch. Migration 0023.

A post's row is created on the first such act; a post with no row is simply open and
unassigned. Nothing here hides or deletes a post: a post marked "no answer needed" stays
listed (the queue's filter shows it) and can be reopened.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from flarewatch.db.base import Base, UTCDateTime, utcnow

# open: waiting for an answer; no_answer: a person decided it needs none (reason);
# answered_elsewhere: answered outside Flarewatch (on the platform, by phone), `answered_at`.
REPLY_STATES = ("open", "no_answer", "answered_elsewhere")


class ReplyItem(Base):
    __tablename__ = "reply_item"
    __table_args__ = (
        UniqueConstraint("case_id", "raw_post_id", name="uq_reply_item_case_post"),
        Index("ix_reply_item_assignee", "workspace_id", "assignee"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("crisis_case.id", ondelete="CASCADE"))
    raw_post_id: Mapped[int] = mapped_column(ForeignKey("raw_post.id", ondelete="CASCADE"))
    # The member who answers it (e-mail), who assigned it and when.
    assignee: Mapped[str | None] = mapped_column(String(200), nullable=True)
    assigned_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    state: Mapped[str] = mapped_column(String(24), default="open")
    # Why it needs no answer, or where it was answered; who said so and when.
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    marked_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # When it was answered elsewhere (for the time to reply).
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
