"""Roles on a case and their tasks (issue 20 §3).

A workspace's `[[roles]]` (or the built-in ones, `DEFAULT_ROLES`) name the roles a case can
have; each may carry a checklist that becomes tasks for whoever takes the role, due
`checklist_due_minutes` after. Roles are assigned to members of the workspace by hand (page,
API) or by `[[role_rules]]` (a role, a member, the least severity, optionally the case types —
a case's type is the type it was last routed as, cases/routing.py); `apply_rules` runs after
each detection cycle and after routing, and fills only roles nobody holds, so a person's choice
is never overridden. Handing a role to someone else moves its open checklist tasks to them.

`remind_tasks` (after each detection cycle) tells the assignee of each open task due within
`[tasks] remind_minutes` (or already overdue) in their notifications, once per task, and writes
the reminder on the timeline.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from flarewatch.accounts.notifications import notify
from flarewatch.accounts.service import get_user_by_email, member_by_email, role_in
from flarewatch.alerts.hygiene import severity_rank
from flarewatch.alerts.wording import spoken, wording
from flarewatch.cases.models import Case, CaseEvent, Task
from flarewatch.cases.room_config import DEFAULT_ROLES, RoleConfig, RoleRuleConfig, TasksConfig
from flarewatch.cases.routing import room_setup, routings
from flarewatch.cases.service import add_task, get_case
from flarewatch.db.base import Base, UTCDateTime, utcnow
from flarewatch.detect.explain import N_
from flarewatch.errors import InputError
from flarewatch.workspaces.models import Workspace

ROLE_NAMES = {
    "incident_lead": N_("Incident lead"),
    "spokesperson": N_("Spokesperson"),
    "legal": N_("Legal"),
    "social_media": N_("Social media"),
    "customer_care": N_("Customer care"),
    "it": N_("IT"),
    "executive": N_("Executive"),
}
ROLE_ASSIGNED = N_("%(person)s now holds the role: %(role)s")
ROLE_ASSIGNED_RULE = N_("%(person)s now holds the role: %(role)s (by rule: %(rule)s)")
ROLE_CLEARED = N_("Nobody holds the role any more: %(role)s (was %(person)s)")
TASK_REMINDER = N_("Reminder: task #%(task)s on case #%(case)s is due %(due_at)s: %(title)s")
REMINDED = N_("Reminder sent to %(person)s: task #%(task)s is due %(due_at)s")


class CaseRole(Base):
    """Who holds (or held, `ended_at` set) a role on a case (migration 0018)."""

    __tablename__ = "case_role"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("crisis_case.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(64))
    person: Mapped[str] = mapped_column(String(200))
    assigned_by: Mapped[str] = mapped_column(String(200))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rule: Mapped[str | None] = mapped_column(String(200), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


def role_defs(workspace: Workspace) -> list[RoleConfig]:
    config = room_setup(workspace).config
    if config is not None and config.roles:
        return list(config.roles)
    return [RoleConfig(key=key) for key in DEFAULT_ROLES]


def role_term(role: RoleConfig) -> str:
    """The role as stored in a timeline message: a built-in role's key (each reader gets its
    translated label), else its own name."""
    return role.key if not role.name and role.key in ROLE_NAMES else role_name(role)


def role_name(role: RoleConfig) -> str:
    """The role's shown name in English (stored in timeline entries): its own or built-in."""
    return role.name or ROLE_NAMES.get(role.key, role.key)


def holders(session: Session, case_id: int) -> dict[str, CaseRole]:
    """Each role's current holder on the case."""
    rows = session.scalars(
        select(CaseRole).where(CaseRole.case_id == case_id, CaseRole.ended_at.is_(None))
    ).all()
    return {row.role: row for row in rows}


def case_type_of(session: Session, case_id: int) -> str | None:
    """The type the case was last routed as, or None."""
    requests = routings(session, case_id)
    return requests[-1].case_type if requests else None


def assign_role(
    session: Session,
    case_id: int,
    role: str,
    person: str | None,
    actor: str,
    *,
    workspace_id: int,
    rule: str | None = None,
    now: datetime | None = None,
) -> CaseRole | None:
    """Gives `role` to the member `person` (e-mail), or clears it (`person` empty).

    The holder it already has changes nothing. The role's checklist becomes tasks for the new
    holder (once per case); its open checklist tasks move to them."""
    case = get_case(session, case_id, workspace_id=workspace_id)
    workspace = session.get_one(Workspace, case.workspace_id)
    defs = {r.key: r for r in role_defs(workspace)}
    if role not in defs:
        raise InputError(f"unknown role {role!r}; this workspace has: {', '.join(defs)}")
    definition = defs[role]
    email = member_by_email(session, workspace_id, person).email if person else None
    now = now or utcnow()
    current = holders(session, case.id).get(role)
    if current is not None and current.person == email:
        return current
    if current is not None:
        current.ended_at = now
    if email is None:
        if current is not None:
            said = wording(ROLE_CLEARED, role=role_term(definition), person=current.person)
            _event(session, case, now, actor, said, {"role": role, "person": None})
        session.flush()
        return None
    row = CaseRole(
        case_id=case.id, role=role, person=email, assigned_by=actor, assigned_at=now, rule=rule
    )
    session.add(row)
    said = (
        wording(ROLE_ASSIGNED_RULE, person=email, role=role_term(definition), rule=rule)
        if rule
        else wording(ROLE_ASSIGNED, person=email, role=role_term(definition))
    )
    _event(session, case, now, actor, said, {"role": role, "person": email, "rule": rule})
    _checklist(session, case, definition, email, actor, now)
    case.updated_at = now
    session.flush()
    return row


def _checklist(
    session: Session, case: Case, role: RoleConfig, person: str, actor: str, now: datetime
) -> None:
    existing = session.scalars(select(Task).where(Task.case_id == case.id, Task.role == role.key))
    have = set()
    for task in existing:
        have.add(task.title)
        if task.status == "open" and task.assignee != person:
            task.assignee = person
    due = now + timedelta(minutes=role.checklist_due_minutes)
    for item in role.checklist:
        if item in have:
            continue
        task = add_task(session, case.id, item, actor, assignee=person, due_at=due)
        task.role = role.key
    session.flush()


def rule_matches(rule: RoleRuleConfig, severity: str, case_type: str | None) -> bool:
    if severity_rank(severity) < severity_rank(rule.min_severity):
        return False
    return not rule.case_types or case_type in rule.case_types


def apply_rules(
    session: Session, case: Case, actor: str = "system", now: datetime | None = None
) -> list[CaseRole]:
    """Fills each role nobody holds from the first matching `[[role_rules]]` entry; a rule
    naming someone no longer a member is skipped (the others still apply)."""
    if case.status == "closed":
        return []
    config = room_setup(session.get_one(Workspace, case.workspace_id)).config
    if config is None or not config.role_rules:
        return []
    known = {r.key for r in role_defs(session.get_one(Workspace, case.workspace_id))}
    held = holders(session, case.id)
    case_type = case_type_of(session, case.id)
    assigned = []
    for number, rule in enumerate(config.role_rules, start=1):
        if rule.role in held or rule.role not in known:
            continue
        if not rule_matches(rule, case.severity, case_type):
            continue
        user = get_user_by_email(session, rule.person)
        if user is None or not user.active or role_in(session, user.id, case.workspace_id) is None:
            continue
        label = f"#{number} {rule.min_severity}+" + (
            f" {'/'.join(rule.case_types)}" if rule.case_types else ""
        )
        row = assign_role(
            session,
            case.id,
            rule.role,
            user.email,
            actor,
            workspace_id=case.workspace_id,
            rule=label,
            now=now,
        )
        if row is not None:
            held[rule.role] = row
            assigned.append(row)
    return assigned


def apply_rules_all(session: Session, workspace: Workspace, now: datetime) -> list[CaseRole]:
    """`apply_rules` on every case of the workspace that is not closed."""
    cases = session.scalars(
        select(Case).where(Case.workspace_id == workspace.id, Case.status != "closed")
    ).all()
    out: list[CaseRole] = []
    for case in cases:
        out += apply_rules(session, case, now=now)
    return out


def remind_tasks(session: Session, workspace: Workspace, now: datetime) -> list[Task]:
    """Tells each open task's assignee, once, when it is due within the reminder time."""
    config = room_setup(workspace).config
    ahead = timedelta(minutes=(config.tasks if config else TasksConfig()).remind_minutes)
    due = session.scalars(
        select(Task)
        .join(Case, Case.id == Task.case_id)
        .where(
            Case.workspace_id == workspace.id,
            Task.status == "open",
            Task.reminded_at.is_(None),
            Task.assignee.is_not(None),
            Task.due_at.is_not(None),
            Task.due_at <= now + ahead,
        )
        .order_by(Task.due_at, Task.id)
    ).all()
    reminded = []
    for task in due:
        task.reminded_at = now
        user = get_user_by_email(session, task.assignee or "")
        if user is None or role_in(session, user.id, workspace.id) is None:
            continue  # a name typed on the command line: nobody to tell
        case = session.get_one(Case, task.case_id)
        assert task.due_at is not None
        stored = wording(
            TASK_REMINDER,
            task=task.id,
            case=case.id,
            due_at=task.due_at.isoformat(),
            title=task.title,
        )
        link = f"/w/{workspace.slug}/cases/{case.id}#tasks"
        notify(session, user, workspace.id, "task", stored, spoken(stored), link)
        said = wording(REMINDED, person=user.email, task=task.id, due_at=task.due_at.isoformat())
        _event(session, case, now, "system", said, {"task_id": task.id}, kind="task")
        reminded.append(task)
    session.flush()
    return reminded


def _event(
    session: Session,
    case: Case,
    at: datetime,
    actor: str,
    said: dict[str, Any],
    data: dict[str, Any],
    *,
    kind: str = "role",
) -> None:
    session.add(
        CaseEvent(
            case_id=case.id, at=at, kind=kind, actor=actor, text=spoken(said), data={**data, **said}
        )
    )
