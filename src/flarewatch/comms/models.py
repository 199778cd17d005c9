"""A draft of something the brand will say during a case, and each version of its text.

A draft is one message for one platform and audience: a statement, a reply to a post, an
update, or a private message. Every edit is a new `DraftVersion` (text, author, tone flags);
the approved version is locked: editing an approved draft writes a new version that needs
approval again (comms/drafts.py). Migration 0019.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from flarewatch.db.base import Base, UTCDateTime, utcnow

DRAFT_KINDS = ("statement", "reply", "update", "private_message")
# Where a draft can go; the tone check's platforms (tone/limits.py).
DRAFT_PLATFORMS = ("x", "bluesky", "mastodon", "facebook", "instagram", "email", "sms")
AUDIENCES = ("customers", "employees", "press", "regulators", "partners")
# draft → in_review → approved, or → changes_requested → (edit) draft …; withdrawn ends it.
DRAFT_STATUSES = ("draft", "in_review", "changes_requested", "approved", "withdrawn")
# How the first text came to be.
DRAFT_ORIGINS = ("person", "template", "ai")


class Draft(Base):
    __tablename__ = "draft"
    __table_args__ = (Index("ix_draft_case", "case_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("crisis_case.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    platform: Mapped[str] = mapped_column(String(16))
    audience: Mapped[str | None] = mapped_column(String(16), nullable=True)
    language: Mapped[str] = mapped_column(String(8))
    # The playbook stage it answers (tone/check.py STAGE_REQUIREMENTS); None: nothing required.
    stage: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # The post a reply answers (mention id); None for a statement.
    mention_id: Mapped[int | None] = mapped_column(
        ForeignKey("mention.id", ondelete="SET NULL"), nullable=True
    )
    origin: Mapped[str] = mapped_column(String(16), default="person")
    # The template it was filled from, and the template's version then (comms/templates).
    template_key: Mapped[str | None] = mapped_column(String(100), nullable=True)
    template_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[str] = mapped_column(String(24), default="draft")
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    # The version that was approved; publishable only while it is the current one.
    approved_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DraftVersion(Base):
    __tablename__ = "draft_version"
    __table_args__ = (UniqueConstraint("draft_id", "number", name="uq_draft_version_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The tone check's flags on this text (tone/check.py Flag.as_dict), in the draft's language.
    flags: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


# scheduled → sending → published | failed; suspended by the kill switch (and back to
# scheduled when it is lifted); cancelled by a person.
PUBLICATION_STATUSES = ("scheduled", "sending", "published", "failed", "suspended", "cancelled")


class Publication(Base):
    """An approved draft going out through one of the workspace's own channels, now or at a
    set time (comms/publishing). A reply names the post it answers."""

    __tablename__ = "publication"
    __table_args__ = (
        Index("ix_publication_due", "status", "scheduled_at"),
        Index("ix_publication_case", "case_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("crisis_case.id", ondelete="CASCADE"))
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft.id", ondelete="CASCADE"))
    # The approved version it publishes: text changed after scheduling does not go out.
    draft_version: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(100))  # the workspace's channel key
    platform: Mapped[str] = mapped_column(String(16))
    mention_id: Mapped[int | None] = mapped_column(
        ForeignKey("mention.id", ondelete="SET NULL"), nullable=True
    )
    # The platform's id of the post a reply answers.
    in_reply_to: Mapped[str | None] = mapped_column(String(300), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    remote_id: Mapped[str | None] = mapped_column(String(300), nullable=True)
    url: Mapped[str | None] = mapped_column(Text, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Why it is suspended or cancelled (the kill switch's reason, or the person's).
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
