"""Stakeholder updates: the cadence by severity on a controlled clock, the summary from the case
record in en/he/pl with fragments isolated, and delivery by the runtime's step to a real SMTP
server (HTML with a plain-text part) and a real HTTP chat receiver, one route failing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from flarewatch.bidi import FSI, PDI
from flarewatch.cases import service as cases
from flarewatch.cases.models import CaseEvent
from flarewatch.comms import drafts
from flarewatch.comms.stakeholders import service
from flarewatch.comms.stakeholders.build import build_summary
from flarewatch.comms.stakeholders.models import StakeholderUpdate
from flarewatch.comms.stakeholders.render import render_summary
from flarewatch.db.engine import create_db_engine, session_scope, sessionmaker_for
from flarewatch.db.migrate import upgrade
from flarewatch.errors import InputError, InvalidTransitionError
from flarewatch.runtime.embedded import EmbeddedRunner
from tests.alerts.conftest import (  # noqa: F401 - the receivers are fixtures
    HttpReceiver,
    SmtpReceiver,
    free_port,
    http_receiver,
    smtp_receiver,
)
from tests.cases.crisis import T0, Crisis, make_crisis

OPENED = T0 + timedelta(minutes=21)  # make_crisis opens the case then


@pytest.fixture
def db(any_engine: Engine) -> Iterator[Session]:
    with sessionmaker_for(any_engine)() as session:
        yield session


def configure(crisis: Crisis, tables: list[dict], routes: list[dict] | None = None) -> None:
    crisis.workspace.config = {
        **(crisis.workspace.config or {}),
        "alert_routes": routes or [],
        "stakeholder_updates": tables,
    }


def executives(routes: list[str], **extra: object) -> dict:
    return {
        "audience": "executives",
        "routes": routes,
        "cadence": {"crisis": 60, "warning": 240, "watch": 1440},
        **extra,
    }


def test_updates_follow_the_cadence_of_the_case_severity(db: Session) -> None:
    crisis = make_crisis(db)
    hr = {"audience": "hr", "routes": ["console"], "cadence": {"watch": 1440}}
    configure(crisis, [executives(["console"]), hr])
    db.flush()
    ws = crisis.workspace
    assert service.due_updates(db, ws, OPENED + timedelta(minutes=59)) == []
    due = service.due_updates(db, ws, OPENED + timedelta(minutes=60))
    # A crisis: the executives every hour; HR's cadence names no crisis, so HR gets none.
    assert [(c.id, t.audience, at) for c, t, at in due] == [
        (crisis.case.id, "executives", OPENED + timedelta(minutes=60))
    ]
    first = OPENED + timedelta(minutes=62)
    report = service.run_due_stakeholder_updates(db, first)
    assert len(report.sent) == 1 and report.failed == []
    assert service.due_updates(db, ws, first + timedelta(minutes=59)) == []
    assert len(service.due_updates(db, ws, first + timedelta(minutes=60))) == 1
    # A lower severity stretches the cadence (from the last update, not the opening).
    crisis.case.severity = "warning"
    assert service.due_updates(db, ws, first + timedelta(minutes=239)) == []
    assert len(service.due_updates(db, ws, first + timedelta(minutes=240))) == 1
    schedule = {s.audience: s for s in service.schedule(db, crisis.case)}
    assert schedule["executives"].due_at == first + timedelta(minutes=240)
    assert schedule["hr"].due_at is None and schedule["hr"].every_minutes is None
    # A closed case gets no more updates, on schedule or by hand.
    cases.change_status(db, crisis.case.id, "closed", "dana@acme.test", note="over")
    assert service.due_updates(db, ws, first + timedelta(days=3)) == []
    assert service.run_due_stakeholder_updates(db, first + timedelta(days=3)).sent == []
    with pytest.raises(InvalidTransitionError, match="closed"):
        service.send_now(db, crisis.case.id, "dana@acme.test", now=first + timedelta(days=3))


def test_a_failed_update_is_tried_again_sooner_than_the_cadence(db: Session) -> None:
    crisis = make_crisis(db)
    dead = f"json://127.0.0.1:{free_port()}/hook"
    configure(crisis, [executives([dead], cadence={"watch": 1440, "crisis": 240})])
    db.flush()
    at = OPENED + timedelta(minutes=240)
    report = service.run_due_stakeholder_updates(db, at)
    assert report.sent == [] and len(report.failed) == 1
    row = db.get_one(StakeholderUpdate, report.failed[0])
    assert row.status == "failed" and row.results["url#0"]["status"] == "failed"
    assert row.results["url#0"]["error"]
    assert service.due_updates(db, crisis.workspace, at + timedelta(minutes=14)) == []
    assert len(service.due_updates(db, crisis.workspace, at + timedelta(minutes=15))) == 1


def _record(db: Session, crisis: Crisis) -> None:
    """What a summary reports: an approved statement and one that is not, tasks done, open and
    overdue, an owner and a note-worthy title in Hebrew."""
    ws = crisis.workspace.id
    crisis.case.owner = "dana@acme.test"
    crisis.case.title = "תולעת בהמבורגר"
    crisis.case.title_message = None
    approved = drafts.create_draft(
        db,
        crisis.case.id,
        "We are checking every grill.",
        "dana@acme.test",
        workspace_id=ws,
        platform="x",
    )
    drafts.mark_approved(db, approved, "legal@acme.test")
    drafts.create_draft(
        db,
        crisis.case.id,
        "Unapproved words stay out.",
        "dana@acme.test",
        workspace_id=ws,
        platform="x",
    )
    done = cases.add_task(db, crisis.case.id, "Call the supplier", "dana@acme.test")
    cases.complete_task(db, done.id, "dana@acme.test")
    cases.add_task(
        db,
        crisis.case.id,
        "Holding statement",
        "dana@acme.test",
        due_at=OPENED + timedelta(hours=1),
    )
    cases.add_task(
        db,
        crisis.case.id,
        "Brief customer care",
        "dana@acme.test",
        due_at=OPENED + timedelta(hours=5),
    )
    db.flush()


def test_the_summary_reads_the_case_record_in_three_languages(db: Session) -> None:
    crisis = make_crisis(db)
    _record(db, crisis)
    now = OPENED + timedelta(hours=2)
    summary = build_summary(
        db,
        crisis.case,
        "executives",
        since=OPENED,
        now=now,
        previous=None,
        next_update=now + timedelta(hours=1),
    )
    # The story's posts after the opening: 26 of the first hour's 40 (all negative) and the
    # second hour's 20 (every other one negative).
    assert (summary.figures.posts, summary.figures.negative) == (26 + 20, 26 + 10)
    assert [s.text for s in summary.statements] == ["We are checking every grill."]
    assert (summary.tasks_done, summary.tasks_open) == (1, 2)
    assert [t.title for t in summary.overdue] == ["Holding statement"]
    assert [t.title for t in summary.next_steps] == ["Brief customer care"]
    assert len(summary.posts) == 3 and summary.posts[0].platform
    english = render_summary(summary, "en")
    assert english.subject.startswith(f"Stakeholder update for Executives: case #{crisis.case.id}")
    assert f"{FSI}תולעת בהמבורגר{PDI}" in english.subject
    text = english.text
    assert "Status: new; severity: crisis" in text and "Owner: dana@acme.test" in text
    assert "46 posts" in text and "Negative: 78%" in text
    assert "1 done, 2 open, 1 overdue" in text
    assert "We are checking every grill." in text and "Unapproved" not in text
    assert "Next update:" in text
    assert "<h2>Approved statements</h2>" in english.html and 'dir="ltr"' in english.html
    hebrew = render_summary(summary, "he")
    assert 'dir="rtl"' in hebrew.html and "<bdi>dana@acme.test</bdi>" in hebrew.html
    assert f"{FSI}dana@acme.test{PDI}" in hebrew.text  # every fragment isolated in RTL
    assert "הצהרות מאושרות" in hebrew.text
    polish = render_summary(summary, "pl")
    assert "Zatwierdzone oświadczenia" in polish.text and "Następna aktualizacja" in polish.text


def test_changes_are_measured_against_the_last_update(db: Session) -> None:
    crisis = make_crisis(db)
    configure(crisis, [executives(["console"])])
    db.flush()
    first = OPENED + timedelta(minutes=60)
    [row] = service.send_now(db, crisis.case.id, "dana@acme.test", now=first)
    assert row.trigger == "manual" and row.figures["posts"] == 26 + 7
    later = first + timedelta(hours=1)
    table = service.update_config(crisis.workspace, "executives")
    summary = service.summary_for(db, crisis.case, table, later)
    assert summary.since == first and summary.previous is not None
    assert summary.previous.posts == row.figures["posts"]
    assert "in the period before" in render_summary(summary, "en").text
    with pytest.raises(InputError, match="its audiences: executives"):
        service.update_config(crisis.workspace, "board")


def test_the_runtime_step_sends_by_email_and_chat_and_survives_a_failing_route(
    db: Session,
    smtp_receiver: SmtpReceiver,  # noqa: F811 - a fixture, imported above
    http_receiver: HttpReceiver,  # noqa: F811
) -> None:
    crisis = make_crisis(db)
    _record(db, crisis)
    dead = f"json://127.0.0.1:{free_port()}/gone"
    routes = [{"name": "exec-chat", "url": http_receiver.url("chat"), "language": "he"}]
    configure(crisis, [executives([dead, smtp_receiver.url(), "route:exec-chat"])], routes)
    db.flush()
    now = OPENED + timedelta(minutes=61)
    report = service.run_due_stakeholder_updates(db, now)
    db.commit()
    [row] = db.scalars(select(StakeholderUpdate)).all()
    assert report.sent == [row.id] and row.status == "sent" and row.trigger == "schedule"
    assert {k: v["status"] for k, v in row.results.items()} == {
        "url#0": "failed",
        "url#1": "sent",
        "route:exec-chat": "sent",
    }
    [envelope] = smtp_receiver.messages
    mail = message_from_bytes(envelope.content, policy=policy.default)  # type: ignore[arg-type]
    kinds = [part.get_content_type() for part in mail.iter_parts()]  # type: ignore[attr-defined]
    assert kinds == ["text/plain", "text/html"]
    html = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "<h2>Approved statements</h2>" in html and "We are checking every grill." in html
    [(path, chat)] = http_receiver.requests
    # The chat route reads Hebrew (its own language): the short text.
    assert path == "/chat" and "עדכון לבעלי עניין" in chat["title"]
    assert "המשימות" in chat["message"] or "משימות" in chat["message"]
    event = db.scalars(select(CaseEvent).where(CaseEvent.kind == "stakeholders")).one()
    assert event.text == ("Stakeholder update for executives sent: 2 of 3 routes; failed: url#0")
    assert event.data["stakeholder_update_id"] == row.id


def test_the_embedded_runner_sends_what_is_due_each_cycle(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'run.db'}")
    upgrade(engine)
    with session_scope(engine) as session:
        crisis = make_crisis(session)
        crisis.source.enabled = False  # nothing to poll: the posts are written here
        configure(crisis, [executives(["console"])])
        case_id = crisis.case.id
    EmbeddedRunner(engine, clock=lambda: OPENED + timedelta(minutes=30)).cycle(["acme"])
    with session_scope(engine) as session:
        assert session.scalars(select(StakeholderUpdate)).all() == []
    EmbeddedRunner(engine, clock=lambda: OPENED + timedelta(minutes=61)).cycle(["acme"])
    with session_scope(engine) as session:
        [row] = session.scalars(select(StakeholderUpdate)).all()
        assert (row.case_id, row.trigger, row.status) == (case_id, "schedule", "sent")
        assert row.due_at == OPENED + timedelta(minutes=60)
    engine.dispose()
