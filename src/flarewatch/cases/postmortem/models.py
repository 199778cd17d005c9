"""The lessons-learned fields of a case, filled in by the team (migration 0018)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from flarewatch.db.base import Base, UTCDateTime, utcnow

# The fields in the order the page, the API and the report show them.
REVIEW_FIELDS = ("went_well", "to_improve", "lessons", "compensation")


class CaseReview(Base):
    """One row per case that has a review; a case without one reads as all fields empty."""

    __tablename__ = "case_review"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("crisis_case.id", ondelete="CASCADE"), primary_key=True
    )
    went_well: Mapped[str] = mapped_column(Text, default="")
    to_improve: Mapped[str] = mapped_column(Text, default="")
    lessons: Mapped[str] = mapped_column(Text, default="")
    # What the brand offered the people affected (refunds, vouchers, a visit): words, not sums.
    compensation: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(String(200), default="system")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
