"""Who must sign off a draft, what they decided, and the comments on it (migration 0020).

A submission ("round") writes one `DraftApproval` row per approver of every step, for the
version submitted: the first step's rows wait for an answer (`pending`), the later ones
(`waiting`) until the step before is complete. A decision on a row is bound to its version;
a recall, a request for changes or a withdrawal cancels the round's open rows. Comments are
kept apart (`DraftComment`): anyone on the case may comment, at any time.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from flarewatch.db.base import Base, UTCDateTime, utcnow

# waiting (a later step) → pending (asked) → approved | changes_requested; `not_needed` when
# another approver of an "any" step answered first; `cancelled` by a recall, a request for
# changes elsewhere in the round, or a withdrawal.
APPROVAL_STATUSES = (
    "waiting",
    "pending",
    "approved",
    "changes_requested",
    "not_needed",
    "cancelled",
)
OPEN_STATUSES = ("waiting", "pending")


class DraftApproval(Base):
    __tablename__ = "draft_approval"
    __table_args__ = (
        Index("ix_draft_approval_draft", "draft_id", "round", "step"),
        Index("ix_draft_approval_due", "status", "answer_by"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft.id", ondelete="CASCADE"))
    # The draft's submission this row belongs to: 1 for the first, +1 for each resubmission.
    round: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)  # the draft version submitted
    step: Mapped[int] = mapped_column(Integer)  # 0-based place in [[approvals.steps]]
    step_name: Mapped[str] = mapped_column(String(100))
    require: Mapped[str] = mapped_column(String(8))  # any | all
    approver: Mapped[str] = mapped_column(String(200))  # the member's e-mail
    via: Mapped[str] = mapped_column(String(300))  # what named them: role:legal, member:…
    status: Mapped[str] = mapped_column(String(24))
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answer_by: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    escalate_to: Mapped[str | None] = mapped_column(String(200), nullable=True)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)


class DraftComment(Base):
    __tablename__ = "draft_comment"
    __table_args__ = (Index("ix_draft_comment_draft", "draft_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)  # the version it was written on
    author: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
