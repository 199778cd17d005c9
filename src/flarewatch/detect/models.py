"""Durable detector state: one row per topic, so a restart resumes exactly where it stopped."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from flarewatch.db.base import Base, UTCDateTime, utcnow


class DetectorState(Base):
    __tablename__ = "detector_state"
    __table_args__ = (UniqueConstraint("topic_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id", ondelete="CASCADE"))
    # The start of the newest minute evaluated; the next run begins one minute later.
    last_minute: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    detector: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    stories: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Checkpoints of detector and stories a late post can be replayed from, oldest first, at
    # most LATE_MINUTES / CHECKPOINT_MINUTES + 2 of them (detect/late.py).
    rewind: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
