"""Alerts and their deliveries (one row per route, so delivery survives restarts)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from flarewatch.db.base import Base, UTCDateTime, utcnow

# "merged": folded into another alert of the same incident (alert_merge says which).
ALERT_STATUSES = ("open", "acknowledged", "resolved", "noise", "merged")


class Alert(Base):
    __tablename__ = "alert"
    __table_args__ = (Index("ix_alert_workspace_status", "workspace_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    topic_id: Mapped[int | None] = mapped_column(
        ForeignKey("topic.id", ondelete="SET NULL"), nullable=True
    )
    group_key: Mapped[str] = mapped_column(String(200))
    # "topic" (detection on mentions) or "source" (a source failing, stale or silent).
    kind: Mapped[str] = mapped_column(String(16), default="topic", server_default="topic")
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("source.id", ondelete="SET NULL"), nullable=True
    )
    severity: Mapped[str] = mapped_column(String(16))
    risk_score: Mapped[float] = mapped_column(Float, default=0.0)
    status: Mapped[str] = mapped_column(String(16), default="open")
    title: Mapped[str] = mapped_column(Text)
    # The title as a message and its parameters (alerts/wording.py), so each reader gets it in
    # their language; None on rows from before it existed, which show `title`.
    title_message: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    explanation: Mapped[str] = mapped_column(Text)
    # The sentiment model its negative share and explanation rest on ("e5" once re-scored with
    # the accurate model, else the pipeline's); None on rows from before it was recorded.
    sentiment_backend: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Re-scoring left for the follow-up step when the time budget ran out (alerts/rescoring.py).
    rescore: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    factors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    post_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    merge: Mapped[AlertMerge | None] = relationship(
        foreign_keys="AlertMerge.alert_id",
        cascade="all, delete-orphan",
        lazy="selectin",
        uselist=False,
    )
    # Every group key the alert answers for: its own and those of the topics merged into it.
    groups: Mapped[list[AlertGroup]] = relationship(
        back_populates="alert",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="AlertGroup.id",
    )

    @property
    def merged_into_id(self) -> int | None:
        """Status "merged": the alert of the same incident that stands for this one."""
        return self.merge.into_alert_id if self.merge is not None else None

    @property
    def topic_ids(self) -> list[int]:
        """The topics the alert is about, the one that opened it first."""
        seen = [g.topic_id for g in self.groups if g.topic_id is not None]
        if self.topic_id is not None and self.topic_id not in seen:
            seen.insert(0, self.topic_id)
        return list(dict.fromkeys(seen))


class AlertGroup(Base):
    """One group key (one topic's signal, or one source's condition) an alert stands for.

    Candidates from several topics that rest on the same posts are one incident: their group
    keys all point at one alert, so each topic's later candidates find it, update it and
    escalate it instead of opening a sibling.
    """

    __tablename__ = "alert_group"
    __table_args__ = (
        UniqueConstraint("alert_id", "group_key"),
        Index("ix_alert_group_key", "group_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id", ondelete="CASCADE"))
    group_key: Mapped[str] = mapped_column(String(200))
    topic_id: Mapped[int | None] = mapped_column(
        ForeignKey("topic.id", ondelete="SET NULL"), nullable=True
    )
    alert: Mapped[Alert] = relationship(back_populates="groups")


class AlertMerge(Base):
    """An alert folded into an older live alert once they proved to be one incident.

    Its own table rather than a column on alert, so adding it rewrites no alert rows (SQLite
    rebuilds a table to add a foreign key, and that would cascade into deliveries and cases).
    """

    __tablename__ = "alert_merge"

    alert_id: Mapped[int] = mapped_column(
        ForeignKey("alert.id", ondelete="CASCADE"), primary_key=True
    )
    into_alert_id: Mapped[int] = mapped_column(
        ForeignKey("alert.id", ondelete="CASCADE"), index=True
    )
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AlertDelivery(Base):
    __tablename__ = "alert_delivery"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id", ondelete="CASCADE"))
    route: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(16))
    # pending, sent, failed (gave up), skipped (superseded, or the alert closed before sending)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Whom an escalation round sent it to: a person's key or route:NAME (None: a plain route).
    # The signed acknowledgement link in the message names them.
    recipient: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # "alert" (None on older rows) or "reminder": acknowledged but untouched (oncall/service.py).
    purpose: Mapped[str | None] = mapped_column(String(16), nullable=True)


class AlertEvent(Base):
    """One entry of the alert's own timeline, written by the system: a notification sent, a
    delivery attempt that failed or went through, an acknowledgement, a reminder. `data` is
    the sentence as a message and its parameters (alerts/wording.py), so each reader gets it
    in their language; `text` is its English rendering."""

    __tablename__ = "alert_event"
    __table_args__ = (Index("ix_alert_event_alert", "alert_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
