"""Publishing's entries on a case's timeline, as catalogue messages rendered in the reader's
language (alerts/wording.py): scheduled, published with its link, failed, cancelled, held and
released by the kill switch, and moderation the guard let through."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from flarewatch.alerts.wording import wording
from flarewatch.cases.models import Case, CaseEvent
from flarewatch.cases.timeline import add_entry
from flarewatch.comms.models import Publication
from flarewatch.detect.explain import N_

SCHEDULED = N_("Draft #%(draft)s scheduled on %(channel)s for %(scheduled_at)s")
SCHEDULED_HELD = N_(
    "Draft #%(draft)s scheduled on %(channel)s for %(scheduled_at)s, held: the kill switch is on"
)
PUBLISHED = N_("Draft #%(draft)s published on %(channel)s")
FAILED = N_("Draft #%(draft)s was not published on %(channel)s: %(error)s")
CANCELLED = N_("Publication of draft #%(draft)s on %(channel)s cancelled")
CANCELLED_BECAUSE = N_("Publication of draft #%(draft)s on %(channel)s cancelled: %(reason)s")
# Counts stand alone after a colon, so no sentence needs a plural form.
SUSPENDED = N_("Kill switch on (%(reason)s); scheduled posts held: %(count)s")
RESUMED = N_("Kill switch off; held posts scheduled again: %(count)s")
HIDDEN = N_("Comment %(post)s hidden on %(channel)s")
HIDDEN_BECAUSE = N_("Comment %(post)s hidden on %(channel)s: %(reason)s")
DELETED = N_("Comment %(post)s deleted on %(channel)s")
DELETED_BECAUSE = N_("Comment %(post)s deleted on %(channel)s: %(reason)s")
HIDDEN_OVER_WARNING = N_(
    "Comment %(post)s hidden on %(channel)s despite the warning (unanswered criticism): %(reason)s"
)
DELETED_OVER_WARNING = N_(
    "Comment %(post)s deleted on %(channel)s despite the warning (unanswered criticism): %(reason)s"
)


def moderation_message(action: str, reason: str | None, over_warning: bool) -> str:
    if over_warning:
        return HIDDEN_OVER_WARNING if action == "hide" else DELETED_OVER_WARNING
    if action == "hide":
        return HIDDEN_BECAUSE if reason else HIDDEN
    return DELETED_BECAUSE if reason else DELETED


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
    return add_entry(session, case, kind, actor, said, at, data)


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
