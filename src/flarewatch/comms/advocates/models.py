"""Each advocate briefed on a case: which approved facts (draft and locked version), how it
went out, and the follow-up task it made (migration 0025)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from flarewatch.db.base import Base, UTCDateTime

# sent: delivered on the advocate's contact route; by_hand: a person passes it on (no route,
# or the advocate's contact is "by_hand"); failed: the route refused it (pass it on by hand).
BRIEFING_STATUSES = ("sent", "by_hand", "failed")


class AdvocateBriefing(Base):
    __tablename__ = "advocate_briefing"
    __table_args__ = (Index("ix_advocate_briefing_case", "case_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("crisis_case.id", ondelete="CASCADE"))
    advocate: Mapped[str] = mapped_column(String(64))  # the `[[advocates]]` key
    # [{"draft": 3, "version": 2}]: the locked versions whose text was sent.
    facts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    task_id: Mapped[int | None] = mapped_column(
        ForeignKey("task.id", ondelete="SET NULL"), nullable=True
    )
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
