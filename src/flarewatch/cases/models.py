"""Crisis cases, their timeline and their tasks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from flarewatch.db.base import Base, UTCDateTime, utcnow

CASE_STATUSES = ("new", "triage", "responding", "monitoring", "closed")


class Case(Base):
    __tablename__ = "crisis_case"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    alert_id: Mapped[int | None] = mapped_column(
        ForeignKey("alert.id", ondelete="SET NULL"), nullable=True
    )
    title: Mapped[str] = mapped_column(Text)
    # The alert's title as a message and its parameters (alerts/wording.py), rendered in the
    # reader's language; NULL for cases from before messages (they show `title`). Migration 0015.
    title_message: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="new")
    severity: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str | None] = mapped_column(Text, nullable=True)
    owner: Mapped[str | None] = mapped_column(String(200), nullable=True)
    opened_by: Mapped[str] = mapped_column(String(200), default="system")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class CaseEvent(Base):
    """One line of a case's timeline, written by the system or by a person."""

    __tablename__ = "case_event"
    __table_args__ = (Index("ix_case_event_case_at", "case_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("crisis_case.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(32))  # alert, post, status, note, task
    actor: Mapped[str] = mapped_column(String(200), default="system")
    text: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Task(Base):
    __tablename__ = "task"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("crisis_case.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(Text)
    assignee: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open, done
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The case role whose checklist the task came from, and when its assignee was reminded
    # (cases/roles.py; migration 0018).
    role: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
