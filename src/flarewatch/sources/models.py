"""A configured source, its checkpoint (committed in the same transaction as its posts), its
health, its hourly counts (what "usual" means for silence), the webhook inbox and stored
credentials."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from flarewatch.db.base import Base, UTCDateTime, utcnow

ORIGIN_FILE = "file"
ORIGIN_WEB = "web"


class Source(Base):
    __tablename__ = "source"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    checkpoint: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    last_polled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_ok_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    consecutive_errors: Mapped[int] = mapped_column(Integer, default=0)
    posts_total: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Health: since when every poll failed (None while it works), records skipped in all,
    # the newest post time seen (lag behind the platform = now - newest_post_at), the quota
    # the platform says is left ({"remaining": 9400, "limit": 10000, "unit": "units",
    # "reset_at": "..."}), and when the next poll is due (interval, backoff or Retry-After).
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    problems_total: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    newest_post_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    quota: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    next_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Where the source is defined: "file" (the workspace file; `workspace add` syncs it) or
    # "web" (the web settings; a file sync leaves it alone unless the file defines its key).
    origin: Mapped[str] = mapped_column(String(8), default=ORIGIN_FILE, server_default="file")
    # A pause is a person's decision on any source, so a file sync never overrides it.
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    paused_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # Deleted on the web while it had posts: kept (with its mentions) but never polled again.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def is_polled(self) -> bool:
        """Whether the runner polls it: enabled, not paused, not archived."""
        return self.enabled and self.paused_at is None and self.archived_at is None


class SourceHourCount(Base):
    """Posts stored per source per UTC hour: the usual rate a silent source is compared with."""

    __tablename__ = "source_hour_count"

    source_id: Mapped[int] = mapped_column(
        ForeignKey("source.id", ondelete="CASCADE"), primary_key=True
    )
    hour: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    posts: Mapped[int] = mapped_column(Integer, default=0)


class WebhookDelivery(Base):
    """A webhook request body, stored before the 2xx answer and read by the pipeline later.

    The body's SHA-256 is unique per source, so a sender's retry of the same body is stored once.
    """

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        UniqueConstraint("source_id", "body_sha256"),
        Index("ix_webhook_delivery_pending", "source_id", "processed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"))
    body_sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(100))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class SourceCredential(Base):
    """A secret stored from the web settings, encrypted with FLAREWATCH_SECRET_KEY (Fernet).

    Only `hint` (the last characters) is ever shown again; a source names it like a `*_env`
    variable, and the stored credential is used when the environment does not have it.
    """

    __tablename__ = "source_credential"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    hint: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
