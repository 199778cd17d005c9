from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from flarewatch.alerts.service import raise_alerts, resolve
from flarewatch.cases.lifecycle import TRANSITIONS
from flarewatch.cases.models import CASE_STATUSES
from flarewatch.cases.service import (
    add_note,
    add_task,
    auto_open_cases,
    change_status,
    complete_task,
    get_case,
    list_cases,
    open_case_from_alert,
    tasks,
    timeline,
)
from flarewatch.db.engine import sessionmaker_for
from flarewatch.errors import InputError, InvalidTransitionError, NotFoundError
from tests.alerts.helpers import T0, candidate, make_posts, make_workspace


@pytest.fixture
def db(any_engine: Engine) -> Iterator[Session]:
    with sessionmaker_for(any_engine)() as session:
        yield session


def test_open_case_writes_alert_and_key_posts_to_the_timeline(db: Session) -> None:
    ws = make_workspace(db)
    posts = make_posts(db, ws, 3)
    cand = candidate(ws, "warning", post_ids=[posts[2].id, posts[0].id])
    [alert] = raise_alerts(db, ws, [cand], T0)
    case = open_case_from_alert(db, alert.id, "dana")
    db.commit()
    assert (case.status, case.severity, case.opened_by, case.alert_id) == (
        "new",
        "warning",
        "dana",
        alert.id,
    )
    events = timeline(db, case.id)
    assert [e.kind for e in events] == ["status", "alert", "post", "post"]
    assert events[0].actor == "dana" and f"alert #{alert.id}" in events[0].text
    assert "Volume is 7.4σ" in events[1].text and events[1].data["severity"] == "warning"
    assert events[2].data["url"] == "https://example.social/acme/2"
    assert "Post 2:" in events[2].text
    # One case per alert.
    assert open_case_from_alert(db, alert.id, "eli").id == case.id
    assert len(list_cases(db, ws.id)) == 1


def test_life_cycle_forward_relapse_reopen_and_refusals(db: Session) -> None:
    ws = make_workspace(db)
    [alert] = raise_alerts(db, ws, [candidate(ws)], T0)
    case = open_case_from_alert(db, alert.id, "dana")
    change_status(db, case.id, "triage", "dana")
    change_status(db, case.id, "monitoring", "dana", note="statement is out")  # skip forward
    change_status(db, case.id, "responding", "dana")  # relapse
    with pytest.raises(InvalidTransitionError, match="allowed next states: monitoring, closed"):
        change_status(db, case.id, "triage", "dana")
    closed = change_status(db, case.id, "closed", "dana")
    assert closed.closed_at is not None
    with pytest.raises(InvalidTransitionError, match="allowed next states: responding"):
        change_status(db, case.id, "new", "dana")
    with pytest.raises(InvalidTransitionError, match="to bogus"):
        change_status(db, case.id, "bogus", "dana")
    reopened = change_status(db, case.id, "responding", "eli")
    db.commit()
    assert (reopened.status, reopened.closed_at) == ("responding", None)
    statuses = [e for e in timeline(db, case.id) if e.kind == "status"]
    assert [e.data.get("to") for e in statuses] == [
        "new",
        "triage",
        "monitoring",
        "responding",
        "closed",
        "responding",
    ]
    assert statuses[2].text == "Triage → monitoring: statement is out"
    assert statuses[3].text.startswith("Relapse")
    assert statuses[-1].text.startswith("Reopened") and statuses[-1].actor == "eli"
    assert [c.id for c in list_cases(db, ws.id, status="responding")] == [case.id]
    with pytest.raises(InputError):
        list_cases(db, ws.id, status="sleeping")


def test_every_status_has_a_way_forward() -> None:
    assert set(TRANSITIONS) == set(CASE_STATUSES)
    assert all(TRANSITIONS[s] for s in CASE_STATUSES)


def test_notes_and_tasks(db: Session) -> None:
    ws = make_workspace(db)
    [alert] = raise_alerts(db, ws, [candidate(ws)], T0)
    case = open_case_from_alert(db, alert.id, "dana")
    note = add_note(db, case.id, "  Legal is looped in. ", "dana")
    assert (note.kind, note.text, note.actor) == ("note", "Legal is looped in.", "dana")
    with pytest.raises(InputError, match="needs some text"):
        add_note(db, case.id, "   ", "dana")
    due = datetime(2024, 5, 7, 18, 0, tzinfo=UTC)
    task = add_task(db, case.id, "Draft holding statement", "dana", assignee="eli", due_at=due)
    assert (task.status, task.assignee, task.due_at) == ("open", "eli", due)
    with pytest.raises(InputError, match="timezone"):
        add_task(db, case.id, "x", "dana", due_at=datetime(2024, 5, 7))
    done = complete_task(db, task.id, "eli")
    assert done.status == "done" and done.done_at is not None
    assert complete_task(db, task.id, "eli").done_at == done.done_at
    db.commit()
    kinds = [e.kind for e in timeline(db, case.id)]
    assert kinds[-3:] == ["note", "task", "task"]
    assert [t.id for t in tasks(db, case.id)] == [task.id]


def test_workspace_scoping(db: Session) -> None:
    ws = make_workspace(db)
    other = make_workspace(db, "other")
    [alert] = raise_alerts(db, ws, [candidate(ws)], T0)
    case = open_case_from_alert(db, alert.id, "dana")
    task = add_task(db, case.id, "Call the CEO", "dana")
    with pytest.raises(NotFoundError):
        open_case_from_alert(db, alert.id, "eve", workspace_id=other.id)
    with pytest.raises(NotFoundError):
        get_case(db, case.id, workspace_id=other.id)
    with pytest.raises(NotFoundError):
        add_note(db, case.id, "hi", "eve", workspace_id=other.id)
    with pytest.raises(NotFoundError):
        complete_task(db, task.id, "eve", workspace_id=other.id)
    with pytest.raises(NotFoundError):
        timeline(db, 999_999)
    assert list_cases(db, other.id) == []
    assert len(list_cases(db, None)) == 1


def test_auto_open_above_threshold_and_escalation_joins_the_open_case(db: Session) -> None:
    ws = make_workspace(db, auto_case_severity="warning")
    watch = raise_alerts(db, ws, [candidate(ws, "watch")], T0)
    assert auto_open_cases(db, ws, watch) == []
    later = T0 + timedelta(minutes=5)
    warning = raise_alerts(db, ws, [candidate(ws, "warning", start=later)], later)
    [case] = auto_open_cases(db, ws, warning)
    assert case.opened_by == "system" and case.severity == "warning"
    crisis = raise_alerts(db, ws, [candidate(ws, "crisis", start=later)], later)
    assert auto_open_cases(db, ws, crisis) == []
    assert auto_open_cases(db, ws, crisis) == []  # idempotent
    db.commit()
    assert case.severity == "crisis"
    alert_events = [e for e in timeline(db, case.id) if e.kind == "alert"]
    assert [e.data["severity"] for e in alert_events] == ["warning", "crisis"]
    assert "escalated from warning to crisis" in alert_events[-1].text

    # A new alert of the same group (after the first was resolved) joins the still-open case.
    resolve(db, crisis[0].id, "dana", now=later)
    after = later + timedelta(hours=2)
    fresh = raise_alerts(db, ws, [candidate(ws, "crisis", start=after)], after)
    assert auto_open_cases(db, ws, fresh) == []
    assert len(list_cases(db, ws.id)) == 1
    # Other groups get their own case.
    other = raise_alerts(db, ws, [candidate(ws, "crisis", group_key="topic:ceo")], after)
    assert len(auto_open_cases(db, ws, other)) == 1


def test_auto_open_never(db: Session) -> None:
    ws = make_workspace(db, auto_case_severity="never")
    crisis = raise_alerts(db, ws, [candidate(ws, "crisis")], T0)
    assert auto_open_cases(db, ws, crisis) == []
