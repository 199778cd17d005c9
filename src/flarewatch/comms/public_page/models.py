"""A case's public update page and the approved drafts it shows (migration 0026).

The page is reached only through its token (`secrets.token_urlsafe`, 32 bytes): no case id,
no workspace slug in its address. An entry names a draft, not a text: the page shows the
draft's approved version at the time it is read, through the approval gate
(`comms.drafts.approved_text`), so text changed after approval disappears from the page until it
is approved again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from flarewatch.db.base import Base, UTCDateTime, utcnow

# What a page may show beside its entries, in the order the page shows them (figures.py).
FIGURES = ("status", "posts_handled", "replies_sent", "first_response")
# The drafts a page may show: what the brand says to everyone. Replies answer one person and
# private messages are private; neither belongs on a public page.
ENTRY_KINDS = ("statement", "update")


class PublicPage(Base):
    __tablename__ = "public_page"
    __table_args__ = (UniqueConstraint("case_id", name="uq_public_page_case"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("crisis_case.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str] = mapped_column(String(8))
    # Empty: "Updates from <brand>" in the page's language. Never the case's own title, which
    # is written for the team ("story 'worm in burger' is growing").
    title: Mapped[str] = mapped_column(Text, default="")
    figures: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Asks search engines not to index the page (X-Robots-Tag and a robots meta tag).
    noindex: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PublicEntry(Base):
    """One approved draft shown on the page; `removed_at` set when it was taken off."""

    __tablename__ = "public_entry"
    __table_args__ = (Index("ix_public_entry_page", "page_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("public_page.id", ondelete="CASCADE"))
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft.id", ondelete="CASCADE"))
    # The approved version when it was added (for the record; the page shows the approved
    # version of the moment it is read).
    draft_version: Mapped[int] = mapped_column(Integer)
    added_by: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
