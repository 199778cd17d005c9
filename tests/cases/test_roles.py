"""Roles on a case: assigned by hand or by rule (severity, case type), their checklists as
tasks, who holds each role now, and reminders of tasks coming due."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from flarewatch.accounts import service as accounts
from flarewatch.accounts.models import Notification
from flarewatch.cases.models import CaseEvent, Task
from flarewatch.cases.roles import (
    apply_rules,
    apply_rules_all,
    assign_role,
    holders,
    remind_tasks,
    role_defs,
)
from flarewatch.cases.routing import CaseRouting
from flarewatch.cases.service import add_task, complete_task
from flarewatch.config.workspace import WorkspaceConfig
from flarewatch.db.engine import sessionmaker_for
from flarewatch.errors import InputError, NotFoundError
from tests.cases.crisis import T0, Crisis, make_crisis

MINUTE = timedelta(minutes=1)


@pytest.fixture
def db(any_engine: Engine) -> Iterator[Session]:
    with sessionmaker_for(any_engine)() as session:
        yield session


def _team(db: Session, crisis: Crisis, **extra: Any) -> None:
    for name in ("dana", "eli", "noa"):
        user = accounts.create_user(db, f"{name}@acme.test", name.title())
        accounts.add_member(db, crisis.workspace, user, "responder")
    crisis.workspace.config = WorkspaceConfig.model_validate(
        {
            "slug": "acme",
            "name": "Acme Burgers",
            "roles": [
                {"key": "incident_lead", "checklist": ["Open the war room", "Brief the CEO"]},
                {"key": "spokesperson", "name": "Dobrzy ludzie", "checklist_due_minutes": 30},
                {"key": "legal"},
            ],
            "role_rules": [
                {"role": "incident_lead", "person": "dana@acme.test", "min_severity": "warning"},
                {"role": "legal", "person": "eli@acme.test", "case_types": ["product_safety"]},
                {"role": "spokesperson", "person": "gone@acme.test"},
            ],
            **extra,
        }
    ).model_dump(mode="json")
    db.flush()


def test_rules_fill_the_roles_by_severity_and_case_type(db: Session) -> None:
    crisis = make_crisis(db)
    _team(db, crisis)
    assigned = apply_rules(db, crisis.case, now=T0)
    # Legal waits for the case's type; the spokesperson's member left: skipped, not an error.
    assert [(r.role, r.person) for r in assigned] == [("incident_lead", "dana@acme.test")]
    assert assigned[0].rule == "#1 warning+"
    tasks = db.scalars(select(Task).where(Task.case_id == crisis.case.id)).all()
    assert [(t.title, t.assignee, t.role) for t in tasks] == [
        ("Open the war room", "dana@acme.test", "incident_lead"),
        ("Brief the CEO", "dana@acme.test", "incident_lead"),
    ]
    assert tasks[0].due_at == T0 + 60 * MINUTE
    db.add(
        CaseRouting(
            case_id=crisis.case.id,
            case_type="product_safety",
            owner_key="qa",
            owner_name="QA",
            facts="…",
            post_ids=[],
            sent=[],
            status="requested",
            requested_by="dana",
            requested_at=T0,
            answer_by=T0 + 60 * MINUTE,
        )
    )
    db.flush()
    again = apply_rules_all(db, crisis.workspace, T0 + MINUTE)
    assert [(r.role, r.person) for r in again] == [("legal", "eli@acme.test")]
    assert apply_rules(db, crisis.case) == []  # held roles stay as they are
    held = holders(db, crisis.case.id)
    assert {role: row.person for role, row in held.items()} == {
        "incident_lead": "dana@acme.test",
        "legal": "eli@acme.test",
    }
    texts = db.scalars(
        select(CaseEvent.text).where(CaseEvent.case_id == crisis.case.id, CaseEvent.kind == "role")
    ).all()
    assert texts == [
        "dana@acme.test now holds the role: incident lead (by rule: #1 warning+)",
        "eli@acme.test now holds the role: legal (by rule: #2 watch+ product_safety)",
    ]


def test_by_hand_a_new_holder_takes_over_the_open_checklist(db: Session) -> None:
    crisis = make_crisis(db)
    _team(db, crisis)
    ws = crisis.workspace.id
    assign_role(db, crisis.case.id, "incident_lead", "dana@acme.test", "admin", workspace_id=ws)
    first = db.scalars(select(Task).where(Task.case_id == crisis.case.id).order_by(Task.id)).first()
    assert first is not None
    complete_task(db, first.id, "dana@acme.test")
    row = assign_role(
        db, crisis.case.id, "incident_lead", "noa@acme.test", "admin", workspace_id=ws
    )
    assert row is not None and row.rule is None
    tasks = db.scalars(select(Task).where(Task.case_id == crisis.case.id).order_by(Task.id)).all()
    # The done task stays Dana's; the open one moves to Noa; no duplicates.
    assert [(t.title, t.assignee) for t in tasks] == [
        ("Open the war room", "dana@acme.test"),
        ("Brief the CEO", "noa@acme.test"),
    ]
    assert holders(db, crisis.case.id)["incident_lead"].person == "noa@acme.test"
    # The same holder again changes nothing; clearing ends the role.
    assert assign_role(db, crisis.case.id, "incident_lead", "noa@acme.test", "x", workspace_id=ws)
    assert assign_role(db, crisis.case.id, "incident_lead", "", "admin", workspace_id=ws) is None
    assert "incident_lead" not in holders(db, crisis.case.id)
    last = db.scalars(
        select(CaseEvent.text)
        .where(CaseEvent.case_id == crisis.case.id, CaseEvent.kind == "role")
        .order_by(CaseEvent.id.desc())
    ).first()
    assert last == "Nobody holds the role any more: incident lead (was noa@acme.test)"
    with pytest.raises(InputError, match="unknown role 'cfo'; this workspace has: incident_lead"):
        assign_role(db, crisis.case.id, "cfo", "dana@acme.test", "admin", workspace_id=ws)
    with pytest.raises(NotFoundError, match="not a member of this workspace"):
        assign_role(db, crisis.case.id, "legal", "stranger@x.test", "admin", workspace_id=ws)


def test_built_in_roles_without_a_list(db: Session) -> None:
    crisis = make_crisis(db)
    assert [r.key for r in role_defs(crisis.workspace)] == [
        "incident_lead",
        "spokesperson",
        "legal",
        "social_media",
        "customer_care",
        "it",
        "executive",
    ]


def test_reminders_tell_the_assignee_once_before_the_task_is_due(db: Session) -> None:
    crisis = make_crisis(db)
    _team(db, crisis, tasks={"remind_minutes": 20})
    case = crisis.case.id
    soon = add_task(
        db, case, "Call the supplier", "x", assignee="dana@acme.test", due_at=T0 + 60 * MINUTE
    )
    later = add_task(
        db, case, "Write to the press", "x", assignee="eli@acme.test", due_at=T0 + 300 * MINUTE
    )
    typed = add_task(db, case, "Ask Moshe", "x", assignee="moshe", due_at=T0 + 10 * MINUTE)
    assert remind_tasks(db, crisis.workspace, T0) == []  # Moshe's is due, but he is not a member
    assert typed.reminded_at == T0
    assert remind_tasks(db, crisis.workspace, T0 + 41 * MINUTE) == [soon]
    assert remind_tasks(db, crisis.workspace, T0 + 50 * MINUTE) == []  # once
    assert later.reminded_at is None
    dana = accounts.get_user_by_email(db, "dana@acme.test")
    assert dana is not None
    [note] = db.scalars(select(Notification).where(Notification.user_id == dana.id)).all()
    assert note.text.startswith(f"Reminder: task #{soon.id} on case #{case} is due ")
    assert note.link.endswith(f"/cases/{case}#tasks")
    entry = db.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case).order_by(CaseEvent.id.desc())
    ).first()
    assert entry is not None and entry.kind == "task"
    assert entry.text.startswith(f"Reminder sent to dana@acme.test: task #{soon.id} is due")
