"""Routing a case to its internal owner: the request with the key facts and posts delivered to a
real HTTP receiver, findings on the timeline, escalation of an unanswered request through on
call, and the errors that say what to fix in the workspace file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from flarewatch.cases.models import CaseEvent
from flarewatch.cases.routing import (
    escalate_unanswered,
    record_findings,
    room_setup,
    route_case,
    routings,
)
from flarewatch.config.workspace import WorkspaceConfig
from flarewatch.db.engine import sessionmaker_for
from flarewatch.errors import InputError, NotFoundError
from flarewatch.workspaces.service import sync_workspace
from tests.alerts.conftest import HttpReceiver, start_http_receiver
from tests.cases.crisis import T0, Crisis, make_crisis

MINUTE = timedelta(minutes=1)


@pytest.fixture
def db(any_engine: Engine) -> Iterator[Session]:
    with sessionmaker_for(any_engine)() as session:
        yield session


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    server, got = start_http_receiver()
    yield got
    server.shutdown()
    server.server_close()


def _configure(crisis: Crisis, receiver: HttpReceiver, **extra: Any) -> None:
    config = {
        "slug": "acme",
        "name": "Acme Burgers",
        "owners": [
            {
                "key": "qa",
                "name": "Food safety team",
                # The second contact is a closed port: it fails, the first still gets through.
                "contacts": [receiver.url("qa"), "json://127.0.0.1:9/qa"],
            }
        ],
        "case_types": [
            {"key": "product_safety", "owner": "qa", "answer_within_minutes": 30},
            {"key": "legal"},
        ],
        "people": [{"key": "dana", "notify": [receiver.url("dana")]}],
        "rotas": [{"key": "duty", "rotation": "daily", "handover": "09:00", "members": ["dana"]}],
        "escalation": [{"severity": "crisis", "steps": [{"notify": "rota:duty"}]}],
        **extra,
    }
    crisis.workspace.config = WorkspaceConfig.model_validate(config).model_dump(mode="json")


def test_routing_sends_the_key_facts_and_posts_to_the_owner(
    db: Session, receiver: HttpReceiver
) -> None:
    crisis = make_crisis(db)
    _configure(crisis, receiver)
    routing = route_case(
        db, crisis.case.id, "product_safety", "dana@example.com", note="Is batch 42 ours?", now=T0
    )
    db.commit()
    assert routing.owner_name == "Food safety team" and routing.status == "requested"
    assert routing.answer_by == T0 + 30 * MINUTE
    assert [s["ok"] for s in routing.sent] == [True, False]
    assert len(routing.post_ids) == 5
    [(path, body)] = receiver.requests
    assert path == "/qa"
    assert "Please check the facts: case #" in body["title"]
    assert body["message"].startswith("Is batch 42 ours?")
    assert "Severity: crisis" in body["message"] and "https://example.social/" in body["message"]
    [event] = db.scalars(
        select(CaseEvent).where(CaseEvent.case_id == crisis.case.id, CaseEvent.kind == "routing")
    ).all()
    assert event.text.startswith("Routed to Food safety team (product safety) for the facts")
    assert event.data["routing_id"] == routing.id

    answered = record_findings(db, routing.id, "Batch 42 is a supplier's; recalled", "qa-lead")
    assert answered.status == "answered" and answered.answered_by == "qa-lead"
    texts = db.scalars(
        select(CaseEvent.text).where(
            CaseEvent.case_id == crisis.case.id, CaseEvent.kind == "routing"
        )
    ).all()
    assert texts[-1] == "Findings from Food safety team: Batch 42 is a supplier's; recalled"
    # Answered in time: nothing to escalate.
    assert escalate_unanswered(db, crisis.workspace, T0 + 2 * 60 * MINUTE) == []
    assert routings(db, crisis.case.id) == [routing]


def test_an_unanswered_request_escalates_once_through_on_call(
    db: Session, receiver: HttpReceiver
) -> None:
    crisis = make_crisis(db)
    _configure(crisis, receiver)
    routing = route_case(db, crisis.case.id, "product_safety", "dana@example.com", now=T0)
    assert escalate_unanswered(db, crisis.workspace, T0 + 29 * MINUTE) == []
    assert escalate_unanswered(db, crisis.workspace, T0 + 31 * MINUTE) == [routing]
    assert routing.status == "escalated" and routing.escalated_at == T0 + 31 * MINUTE
    assert [path for path, _ in receiver.requests] == ["/qa", "/dana"]
    assert "Unanswered: case #" in receiver.requests[1][1]["title"]
    last = db.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id == crisis.case.id, CaseEvent.kind == "routing")
        .order_by(CaseEvent.id.desc())
    ).first()
    assert last is not None and last.text == (
        "The request to Food safety team is unanswered after 30 minutes: escalated to dana"
    )
    assert escalate_unanswered(db, crisis.workspace, T0 + 90 * MINUTE) == []  # once
    # Findings may still come after the escalation.
    assert record_findings(db, routing.id, "Checked: not ours", "qa").status == "answered"


def test_routing_errors_say_what_to_fix(db: Session, receiver: HttpReceiver) -> None:
    crisis = make_crisis(db)
    _configure(crisis, receiver)
    with pytest.raises(NotFoundError, match="unknown case type 'hr'; this workspace has: "):
        route_case(db, crisis.case.id, "hr", "dana")
    with pytest.raises(InputError, match="case type 'legal' has no owner; add owner"):
        route_case(db, crisis.case.id, "legal", "dana")
    routing = route_case(db, crisis.case.id, "product_safety", "dana")
    with pytest.raises(InputError, match="findings need some text"):
        record_findings(db, routing.id, "  ", "qa")
    with pytest.raises(NotFoundError, match="routing request #999 not found"):
        record_findings(db, 999, "x", "qa")
    with pytest.raises(NotFoundError):
        record_findings(db, routing.id, "x", "qa", workspace_id=crisis.workspace.id + 1)


def test_without_its_own_list_a_workspace_has_the_built_in_case_types(db: Session) -> None:
    crisis = make_crisis(db)
    setup = room_setup(crisis.workspace)
    assert [t.key for t in setup.case_types] == [
        "product_safety",
        "service_failure",
        "employee_conduct",
        "data_privacy",
        "legal",
        "false_accusation",
        "executive_statement",
    ]
    with pytest.raises(InputError, match="has no owner"):
        route_case(db, crisis.case.id, "data_privacy", "dana")


def test_a_workspace_synced_from_its_file_keeps_its_case_types(
    db: Session, receiver: HttpReceiver, tmp_path: Path
) -> None:
    crisis = make_crisis(db)
    _configure(crisis, receiver)
    config = WorkspaceConfig.model_validate(crisis.workspace.config)
    # sync_workspace stores where the file was read from beside its fields (base_dir).
    sync_workspace(db, config, tmp_path)
    assert crisis.workspace.config["base_dir"] == str(tmp_path.resolve())
    setup = room_setup(crisis.workspace)
    assert [t.key for t in setup.case_types] == ["product_safety", "legal"]
    assert setup.owners["qa"].name == "Food safety team"
    # People edited on the web leave their origin marks in the stored config too
    # (oncall/editing.py): the room still reads the file's case types and owners.
    crisis.workspace.config = {
        **crisis.workspace.config,
        "oncall_origin": {"people": {}, "rotas": {}, "escalation": {}},
    }
    setup = room_setup(crisis.workspace)
    assert [t.key for t in setup.case_types] == ["product_safety", "legal"]
    assert setup.owners["qa"].name == "Food safety team"
