"""A case's people: its owner (one member of the workspace) and the members its tasks are
assigned to, who are told in their notifications.

The timeline entry and the notification are stored as a message with its values (like
`alerts/wording.py`), so each reader sees them in their language; the messages live here, next
to the functions that write them, and the catalogue's extract command reads this file
(docs/web.md).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from flarewatch.accounts.models import User
from flarewatch.accounts.notifications import notify
from flarewatch.accounts.service import member_by_email
from flarewatch.alerts.wording import spoken, wording
from flarewatch.cases.models import Case, CaseEvent, Task
from flarewatch.cases.service import get_case
from flarewatch.db.base import utcnow
from flarewatch.detect.explain import N_

OWNER_SET = N_("Owner set to %(owner)s")
OWNER_CLEARED = N_("Owner removed (was %(previous)s)")
TASK_ASSIGNED = N_("%(actor)s assigned you task #%(task)s on case #%(case)s: %(title)s")


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


def tell_assignee(session: Session, task: Task, assignee: User, actor: str, link: str) -> None:
    """The member a task was assigned to finds it in their notifications (not when they
    assigned it to themselves)."""
    if assignee.email == actor:
        return
    case = session.get_one(Case, task.case_id)
    stored = wording(TASK_ASSIGNED, actor=actor, task=task.id, case=case.id, title=task.title)
    notify(session, assignee, case.workspace_id, "task", stored, spoken(stored), link)
