"""Who owns a case: one member of the workspace, set or cleared by a person.

The timeline entry is stored as a message with its values (like `alerts/wording.py`), so each
reader sees it in their language; the messages live here, next to the one function that writes
them, and the catalogue's extract command reads this file (docs/web.md).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from flarewatch.accounts.service import member_by_email
from flarewatch.alerts.wording import spoken, wording
from flarewatch.cases.models import Case, CaseEvent
from flarewatch.cases.service import get_case
from flarewatch.db.base import utcnow
from flarewatch.detect.explain import N_

OWNER_SET = N_("Owner set to %(owner)s")
OWNER_CLEARED = N_("Owner removed (was %(previous)s)")


def set_owner(
    session: Session, case_id: int, owner: str | None, actor: str, *, workspace_id: int
) -> Case:
    """Makes the member with this e-mail the case's owner, or clears it (owner empty).

    Setting the owner it already has changes nothing and writes nothing.
    """
    case = get_case(session, case_id, workspace_id=workspace_id)
    email = member_by_email(session, workspace_id, owner).email if owner else None
    if email == case.owner:
        return case
    was = case.owner
    now = utcnow()
    case.owner, case.updated_at = email, now
    stored = (
        wording(OWNER_SET, owner=email) if email else wording(OWNER_CLEARED, previous=was or "—")
    )
    session.add(
        CaseEvent(
            case_id=case.id,
            at=now,
            kind="owner",
            actor=actor,
            text=spoken(stored),
            data={"owner": email, "was": was, **stored},
        )
    )
    session.flush()
    return case
