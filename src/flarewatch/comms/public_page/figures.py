"""The figures a public page may share, worked out from the case record when the page is read.

Each is a plain value (a count, a duration in seconds, a status code); the page's template puts
them into words in the page's language. Only what a brand chose (`PublicPage.figures`) is
computed, and none of them names a person, a post or an internal id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flarewatch.alerts.models import Alert
from flarewatch.cases.models import Case, CaseEvent
from flarewatch.comms.models import Draft, Publication


@dataclass(frozen=True)
class Figure:
    key: str
    value: int | float | str | None  # None: nothing to show yet (no answer so far)


def first_answer_at(session: Session, case: Case) -> datetime | None:
    """The first public answer: a `response` timeline entry or a published publication."""
    recorded = session.scalar(
        select(func.min(CaseEvent.at)).where(
            CaseEvent.case_id == case.id, CaseEvent.kind == "response"
        )
    )
    published = session.scalar(
        select(func.min(Publication.published_at)).where(
            Publication.case_id == case.id, Publication.status == "published"
        )
    )
    times = [t for t in (recorded, published) if t is not None]
    return min(times) if times else None


def posts_handled(session: Session, case: Case) -> int:
    """The distinct posts the team dealt with: those put on the case and those behind its alert."""
    ids: set[int] = set()
    for data in session.scalars(
        select(CaseEvent.data).where(CaseEvent.case_id == case.id, CaseEvent.kind == "post")
    ):
        raw_id = (data or {}).get("raw_post_id")
        if isinstance(raw_id, int):
            ids.add(raw_id)
    if case.alert_id is not None:
        alert = session.get(Alert, case.alert_id)
        if alert is not None:
            ids.update(i for i in alert.post_ids or [] if isinstance(i, int))
    return len(ids)


def replies_sent(session: Session, case: Case) -> int:
    """Replies to posts the brand published through its channels for this case."""
    return int(
        session.scalar(
            select(func.count(Publication.id))
            .join(Draft, Draft.id == Publication.draft_id)
            .where(
                Publication.case_id == case.id,
                Publication.status == "published",
                Draft.kind == "reply",
            )
        )
        or 0
    )


def compute(session: Session, case: Case, chosen: Sequence[str]) -> list[Figure]:
    """The chosen figures, in the order given."""
    figures: list[Figure] = []
    for key in chosen:
        if key == "status":
            figures.append(Figure(key, case.status))
        elif key == "posts_handled":
            figures.append(Figure(key, posts_handled(session, case)))
        elif key == "replies_sent":
            figures.append(Figure(key, replies_sent(session, case)))
        elif key == "first_response":
            answered = first_answer_at(session, case)
            seconds = (answered - case.opened_at).total_seconds() if answered else None
            figures.append(Figure(key, max(seconds, 0.0) if seconds is not None else None))
    return figures
