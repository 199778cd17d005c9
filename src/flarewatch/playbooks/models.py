"""A workspace's own versions of playbooks, and the playbooks applied to cases."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from flarewatch.db.base import Base, UTCDateTime, utcnow


class WorkspacePlaybook(Base):
    """One saved version of a playbook in a workspace; the newest version is the one applied.

    `data` is the playbook document as the shipped files hold it (playbooks/library.py checks
    it before it is stored). Versions count on from the shipped file's version.
    """

    __tablename__ = "workspace_playbook"
    __table_args__ = (UniqueConstraint("workspace_id", "key", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    saved_by: Mapped[str] = mapped_column(String(200))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CasePlaybook(Base):
    """A playbook applied to a case: which version, when, by whom, and the tasks it created.

    `steps` lists each step with its stage, its titles in every language and its task's id, so
    the case page shows the plan in the reader's language whatever language the task was
    written in.
    """

    __tablename__ = "case_playbook"
    __table_args__ = (UniqueConstraint("case_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("crisis_case.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    origin: Mapped[str] = mapped_column(String(16))  # shipped, workspace
    title: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    applied_by: Mapped[str] = mapped_column(String(200))
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
