"""A workspace's own versions of message templates (migration 0021).

One row is one text of one version of a template: its language and variant (`short` for X
and Bluesky, `sms`, `long` for Facebook, Instagram, Mastodon and email; comms/templates/
library.py), with the email's subject on the `long` row. A version is every row with the same
(workspace, key, version); the template's playbook, kind, audience and stage are repeated on
each row so a version reads back without another table. The shipped starter set is version 1
of its keys and lives in the package, not here; a workspace's first edit of a shipped key is
version 2.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from flarewatch.db.base import Base, UTCDateTime, utcnow


class MessageTemplate(Base):
    __tablename__ = "message_template"
    __table_args__ = (
        UniqueConstraint(
            "workspace_id", "key", "version", "language", "variant", name="uq_message_template"
        ),
        Index("ix_message_template_key", "workspace_id", "key", "version"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)
    playbook: Mapped[str | None] = mapped_column(String(64), nullable=True)
    kind: Mapped[str] = mapped_column(String(16))
    audience: Mapped[str] = mapped_column(String(16))
    stage: Mapped[str | None] = mapped_column(String(32), nullable=True)
    language: Mapped[str] = mapped_column(String(8))
    variant: Mapped[str] = mapped_column(String(8))  # short, sms, long
    text: Mapped[str] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(Text, nullable=True)  # the email's, on `long`
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
