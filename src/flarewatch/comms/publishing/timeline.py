"""Publishing's entries on a case's timeline, as catalogue messages rendered in the reader's
language (alerts/wording.py): scheduled, published with its link, failed, cancelled, held and
released by the kill switch, and moderation the guard let through."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from flarewatch.alerts.wording import spoken, wording
from flarewatch.cases.models import Case, CaseEvent
from flarewatch.comms.models import Publication
from flarewatch.detect.explain import N_

SCHEDULED = N_("Draft #%(draft)s scheduled on %(channel)s for %(scheduled_at)s")
SCHEDULED_HELD = N_(
    "Draft #%(draft)s scheduled on %(channel)s for %(scheduled_at)s, held: the kill switch is on"
)
PUBLISHED = N_("Draft #%(draft)s published on %(channel)s")
FAILED = N_("Draft #%(draft)s was not published on %(channel)s: %(error)s")
CANCELLED = N_("Publication of draft #%(draft)s on %(channel)s cancelled: %(reason)s")
SUSPENDED = N_("Kill switch on: %(count)s scheduled posts held (%(reason)s)")
RESUMED = N_("Kill switch off: %(count)s held posts scheduled again")
MODERATED_HIDE = N_("Comment %(post)s hidden on %(channel)s: %(reason)s")
MODERATED_DELETE = N_("Comment %(post)s deleted on %(channel)s: %(reason)s")
MODERATED_OVER_WARNING = N_(
    "Comment %(post)s %(action)s on %(channel)s despite the warning (unanswered criticism): "
    "%(reason)s"
)
NO_REASON = N_("no reason given")

KIND = "publication"


def add_event(
    session: Session,
    case: Case,
    actor: str,
    said: dict[str, Any],
    at: datetime,
    *,
    kind: str = KIND,
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    event = CaseEvent(
        case_id=case.id,
        at=at,
        kind=kind,
        actor=actor,
        text=spoken(said),
        data={**(data or {}), **said},
    )
    session.add(event)
    case.updated_at = at
    return event


def publication_event(
    session: Session,
    publication: Publication,
    actor: str,
    message: str,
    at: datetime,
    **params: Any,
) -> CaseEvent:
    case = session.get_one(Case, publication.case_id)
    said = wording(message, draft=publication.draft_id, channel=publication.channel, **params)
    data: dict[str, Any] = {"publication_id": publication.id, "draft_id": publication.draft_id}
    if publication.url:
        data["url"] = publication.url
    return add_event(session, case, actor, said, at, data=data)
