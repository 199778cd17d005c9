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


# requested: a swap waiting for the other side; accepted: in force (an override is accepted
# when it is made); declined; cancelled (withdrawn by whoever asked, or an admin).
CHANGE_STATUSES = ("requested", "accepted", "declined", "cancelled")


class RotaChange(Base):
    """An override or shift swap made in the app: `person` is on call in rota `rota_key` from
    `start` to `end`, in place of whoever the workspace file says. A swap is `requested` by one
    member and `accepted` by another; an override is in force when it is made."""

    __tablename__ = "rota_change"
    __table_args__ = (Index("ix_rota_change_workspace", "workspace_id", "status", "end"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    rota_key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # override | swap
    person: Mapped[str] = mapped_column(String(64))  # who is on call instead
    replaces: Mapped[str | None] = mapped_column(String(64), nullable=True)  # whose shift (swap)
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
