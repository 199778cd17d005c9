"""One scheduled digest and how each of its recipients fared, so a restart neither skips nor
repeats it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from flarewatch.db.base import Base, UTCDateTime


class DigestRun(Base):
    """The digest of `period` due at `due_at` for a workspace. `results` maps each recipient
    (`person:dana#0`: the person's first contact method; `route:NAME`; `url#N`, the Nth URL of
    the table) to its status, attempts, error and next try; never the URL itself."""

    __tablename__ = "digest_run"
    __table_args__ = (UniqueConstraint("workspace_id", "period", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, sent, failed
    results: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
