"""A private contact with the person behind a post on a case (migration 0024).

One row per person contacted about one post: the channel the platform offers, where the
contact stands (`to_contact` → `sent` → `answered` … → `closed`), the current window's end
(`deadline`, what the task is due by and what the reminder watches), every message sent
(`attempts`) and every answer recorded (`answers`), and the outcome with its note.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from flarewatch.db.base import Base, UTCDateTime, utcnow

CONTACT_STATUSES = ("to_contact", "sent", "answered", "closed")
OUTCOMES = ("resolved", "compensated", "no_answer", "declined", "escalated", "moved_to_phone")


class PrivateContact(Base):
    __tablename__ = "private_contact"
    __table_args__ = (
        Index("ix_private_contact_case", "case_id", "id"),
        Index("ix_private_contact_deadline", "status", "deadline"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("crisis_case.id", ondelete="CASCADE"))
    # The post they wrote (its time starts Meta's 7 days) and its author; the handle and the
    # post's time are copied, so the window still reads when the post is gone.
    raw_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("raw_post.id", ondelete="SET NULL"), nullable=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("author.id", ondelete="SET NULL"), nullable=True
    )
    handle: Mapped[str] = mapped_column(String(200))
    platform: Mapped[str] = mapped_column(String(32))  # the post's platform, as stored
    channel: Mapped[str] = mapped_column(String(16))  # its private channel (windows.CHANNELS)
    post_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    comment_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # yes / no / unknown: whether they follow the brand's account; who may message them.
    follows: Mapped[str] = mapped_column(String(8), default="unknown")
    dm_setting: Mapped[str] = mapped_column(String(16), default="unknown")
    status: Mapped[str] = mapped_column(String(16), default="to_contact")
    # The end of the window now open on the channel; None when nothing closes (or it is shut).
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    assignee: Mapped[str | None] = mapped_column(String(200), nullable=True)
    task_id: Mapped[int | None] = mapped_column(
        ForeignKey("task.id", ondelete="SET NULL"), nullable=True
    )
    # The last `private_message` draft a message was sent from.
    draft_id: Mapped[int | None] = mapped_column(
        ForeignKey("draft.id", ondelete="SET NULL"), nullable=True
    )
    # Each message sent: at, channel, by, draft_id, draft_version, approved, note.
    attempts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Each answer recorded: at, channel, by, note.
    answers: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    last_answer_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(24), nullable=True)
    outcome_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    opened_by: Mapped[str] = mapped_column(String(200))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The window end the assignee was last reminded of: one reminder per closing window.
    reminded_for: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
