"""The case room on the web (pages and API alike): the changes (apply a playbook, record a
public answer, set a goal, save a playbook version), each with its permission, audit entry
and commit, and what the case page's sections read (`room_context`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from flarewatch.accounts import service as accounts
from flarewatch.accounts.permissions import Permission
from flarewatch.cases import goals as case_goals
from flarewatch.cases import timeline as case_timeline
from flarewatch.cases.models import Case, CaseEvent, Task
from flarewatch.cases.originator import originator_view
from flarewatch.cases.service import get_case
from flarewatch.playbooks import service as playbooks
from flarewatch.playbooks.library import STAGES
from flarewatch.playbooks.models import CasePlaybook, WorkspacePlaybook
from flarewatch.web.deps import WorkspaceAccess


def apply_playbook(
    db: Session, access: WorkspaceAccess, case_id: int, key: str, language: str | None
) -> CasePlaybook:
    access.require(Permission.CASE_EDIT)
    applied = playbooks.apply_playbook(
        db, case_id, key, access.user.email, language=language, workspace_id=access.workspace.id
    )
    accounts.record_audit(
        db,
        access.user,
        "case.playbook",
        workspace_id=access.workspace.id,
        target_type="case",
        target_id=case_id,
        details={"playbook": key, "version": applied.version, "tasks": len(applied.steps)},
    )
    db.commit()
    return applied


def record_answer(
    db: Session, access: WorkspaceAccess, case_id: int, where: str, at: datetime | None
) -> CaseEvent:
    access.require(Permission.CASE_EDIT)
    event = case_goals.record_response(
        db, case_id, where, access.user.email, at=at, workspace_id=access.workspace.id
    )
    db.commit()
    return event


def set_goal(
    db: Session,
    access: WorkspaceAccess,
    case_id: int,
    kind: str,
    within_minutes: int,
    target: float | None,
) -> case_goals.CaseGoal:
    access.require(Permission.CASE_EDIT)
    goal = case_goals.add_goal(
        db,
        case_id,
        kind,
        within_minutes,
        access.user.email,
        target=target,
        workspace_id=access.workspace.id,
    )
    accounts.record_audit(
        db,
        access.user,
        "case.goal",
        workspace_id=access.workspace.id,
        target_type="case",
        target_id=case_id,
        details={"kind": kind, "within_minutes": within_minutes, "target": target},
    )
    db.commit()
    return goal


def save_playbook(db: Session, access: WorkspaceAccess, data: dict[str, Any]) -> WorkspacePlaybook:
    """A new version of a playbook in this workspace (settings: admins)."""
    access.require(Permission.SETTINGS_EDIT)
    row = playbooks.save_version(db, access.workspace.id, data, access.user.email)
    accounts.record_audit(
        db,
        access.user,
        "playbook.save",
        workspace_id=access.workspace.id,
        target_type="playbook",
        target_id=row.key,
        details={"version": row.version},
    )
    db.commit()
    return row


def room_context(
    db: Session, access: WorkspaceAccess, case: Case, tasks: list[Task], kinds: list[str]
) -> dict[str, Any]:
    """What the case page's originator, playbook, goals and timeline sections show."""
    case = get_case(db, case.id, workspace_id=access.workspace.id)
    applied = playbooks.case_playbooks(db, case.id)
    used = {row.key for row in applied}
    return {
        "origin": originator_view(db, case),
        "playbooks": [p for p in playbooks.available(db, access.workspace.id) if p.key not in used],
        "applied_playbooks": applied,
        "stage_names": STAGES,
        "tasks_by_id": {task.id: task for task in tasks},
        "goals": case_goals.goal_states(db, case),
        "timeline_kinds": case_timeline.kinds_of(
            case_timeline.case_timeline(db, case.id, workspace_id=access.workspace.id)
        ),
        "kinds_shown": kinds,
    }
