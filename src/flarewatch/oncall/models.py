"""An alert's escalation steps, kept in the database so they outlive a restart or a crash."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from flarewatch.db.base import Base, UTCDateTime

# pending: waiting for due_at; sent: its deliveries are queued (alert_delivery shows each
# attempt); cancelled: the alert was acknowledged, resolved, merged or escalated before it.
STEP_STATUSES = ("pending", "sent", "cancelled")


class EscalationStep(Base):
    """One notification round of an alert's escalation policy, due at `due_at`."""

    __tablename__ = "escalation_step"
    __table_args__ = (
        UniqueConstraint("alert_id", "severity", "cycle", "kind", "step", "round"),
        Index("ix_escalation_step_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id", ondelete="CASCADE"))
    # The severity whose policy planned it: an escalated alert gets a new plan.
    severity: Mapped[str] = mapped_column(String(16))
    step: Mapped[int] = mapped_column(Integer)  # 1-based, as the policy lists it
    round: Mapped[int] = mapped_column(Integer)  # 1..repeat (reminders: 1, 2, … as sent)
    # 1, then 2, 3, … each time the alert is unacknowledged for want of activity and the
    # policy starts again from its first step.
    cycle: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # "page": a round of the policy; "reminder": sent while acknowledged but untouched (step 0).
    kind: Mapped[str] = mapped_column(String(16), default="page", server_default="page")
    target: Mapped[str] = mapped_column(String(200))  # rota:KEY, person:KEY or route:NAME
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    # Who was notified, as (person key or route:NAME, channel) pairs: no URL, no token.
    recipients: Mapped[list[Any]] = mapped_column(JSON, default=list)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
