"""In-app notifications: what a person is told (a task assigned to them), until they read it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from flarewatch.accounts.models import Notification, User
from flarewatch.db.base import utcnow

SHOWN = 50  # the newest this many; older ones stay stored but are not listed


def notify(
    session: Session,
    user: User,
    workspace_id: int,
    kind: str,
    stored: dict[str, Any],
    text: str,
    link: str,
) -> Notification:
    """`stored` is a wording (message and values); `text` its English rendering."""
    note = Notification(
        user_id=user.id,
        workspace_id=workspace_id,
        kind=kind,
        text=text,
        message=stored,
        link=link,
        created_at=utcnow(),
    )
    session.add(note)
    session.flush()
    return note


def unread_count(session: Session, user_id: int) -> int:
    counted = session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)
        )
    )
    return int(counted or 0)


def recent(session: Session, user_id: int) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.id.desc())
            .limit(SHOWN)
        )
    )


def mark_all_read(session: Session, user_id: int) -> int:
    done = session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return int(getattr(done, "rowcount", 0) or 0)
