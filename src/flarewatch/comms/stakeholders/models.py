"""Each stakeholder update sent (or tried) for a case and audience, with how every route fared,
so the schedule knows the last one and the case page shows it (migration 0025)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from flarewatch.db.base import Base, UTCDateTime

# sent: at least one route took it; failed: none did (the schedule tries again sooner).
UPDATE_STATUSES = ("sent", "failed")


class StakeholderUpdate(Base):
    """One update of `audience` on a case. `due_at` is the moment the schedule called for it
    (unique per case and audience, so two runners never send one twice); a person's "send
    now" stores its own moment. `results` maps each route label (`route:NAME`,
    `person:dana#0`, `url#N`; never the URL, which may hold a password) to its status and
    error; `figures` are the case's figures it reported, which the next one compares with."""

    __tablename__ = "stakeholder_update"
    __table_args__ = (
        UniqueConstraint("case_id", "audience", "due_at", name="uq_stakeholder_update_due"),
        Index("ix_stakeholder_update_case", "case_id", "audience", "sent_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("crisis_case.id", ondelete="CASCADE"))
    audience: Mapped[str] = mapped_column(String(64))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    trigger: Mapped[str] = mapped_column(String(16))  # schedule, manual
    actor: Mapped[str] = mapped_column(String(200))
    severity: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    results: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
