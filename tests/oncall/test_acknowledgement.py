"""Acknowledgement by a signed link, reminders while acknowledged but untouched, the lapse of an
acknowledgement, resolving stopping everything, and the alert's own timeline, on a real
database with a controllable clock and a real HTTP receiver."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from flarewatch.alerts.models import Alert, AlertDelivery
from flarewatch.alerts.notify import build_message, deliver_pending
from flarewatch.alerts.service import raise_alerts
from flarewatch.alerts.timeline import alert_events
from flarewatch.cases.models import CaseEvent
from flarewatch.cases.service import add_note, open_case_from_alert
from flarewatch.cases.triage import triage_alert
from flarewatch.config.settings import get_settings
from flarewatch.db.base import utcnow
from flarewatch.db.engine import sessionmaker_for
from flarewatch.oncall.acklink import AckLinkError, make_token, read_token
from flarewatch.oncall.reminders import watch_acknowledged
from flarewatch.oncall.service import escalation_of, run_due_steps
from tests.alerts.conftest import HttpReceiver
from tests.alerts.helpers import candidate, make_workspace
from tests.oncall.test_service import MINUTE, T, _oncall

SECRET = "a-test-secret-key-that-is-long-enough"


@pytest.fixture
def signing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("FLAREWATCH_SECRET_KEY", SECRET)
    monkeypatch.setenv("FLAREWATCH_PUBLIC_URL", "https://fw.agency.example/")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _policy(**keys: object) -> dict[str, object]:
    config = _oncall()
    config["escalation"][0].update(keys)  # type: ignore[index]
    return config


def _alert(db: Session, **keys: object) -> Alert:
    workspace = make_workspace(db, extra=_policy(**keys))
    [alert] = raise_alerts(db, workspace, [candidate(workspace, "crisis")], T)
    db.commit()
    return alert


def test_a_token_names_one_alert_and_expires() -> None:
    token = make_token(SECRET, 12, "dana", hours=2)
    claim = read_token(SECRET, token, T)
    assert (claim.alert_id, claim.recipient) == (12, "dana")
    assert read_token(SECRET, token, claim.expires_at - MINUTE).alert_id == 12
    with pytest.raises(AckLinkError, match="expired"):
        read_token(SECRET, token, claim.expires_at)
    with pytest.raises(AckLinkError, match="not valid"):
        read_token("another-server-secret-key-entirely", token, T)
    forged = token.replace(token[5], "A" if token[5] != "A" else "B", 1)
    with pytest.raises(AckLinkError, match="not valid"):
        read_token(SECRET, forged, T)


def test_every_escalation_message_carries_a_signed_link_for_its_alert(
    session: Session, signing: None
) -> None:
    alert = _alert(session, ack_link_hours=6)
    run_due_steps(session, T)
    delivery = session.scalars(select(AlertDelivery).where(AlertDelivery.recipient == "dana")).one()
    message = build_message(session, alert, route=delivery.route, recipient=delivery.recipient)
    [link] = [line.strip() for line in message.body.splitlines() if "/ack/" in line]
    assert link.startswith("https://fw.agency.example/ack/")
    claim = read_token(SECRET, urlsplit(link).path.rsplit("/", 1)[1], T)
    assert (claim.alert_id, claim.recipient) == (alert.id, "dana")
    # Signed when the message is built (the wall clock), valid for the policy's six hours.
    left = claim.expires_at - utcnow()
    assert timedelta(hours=5, minutes=59) < left <= timedelta(hours=6)
    assert "Acknowledge in one click:" in message.body
    # The console (the operator's terminal) gets no link, and neither does a closed alert.
    assert "/ack/" not in build_message(session, alert).body
    triage_alert(session, alert.id, "resolve", "dana", now=T + MINUTE)
    assert "/ack/" not in build_message(session, alert, route=delivery.route).body


def test_reminders_while_untouched_then_the_acknowledgement_lapses(any_engine: Engine) -> None:
    with sessionmaker_for(any_engine)() as db:
        alert = _alert(db, remind_minutes=30, unacknowledge_minutes=120)
        open_case_from_alert(db, alert.id, "dana")
        for event in db.scalars(select(CaseEvent)):
            event.at = T  # opened on the test's clock
        run_due_steps(db, T)
        triage_alert(db, alert.id, "acknowledge", "dana", now=T + 5 * MINUTE)
        db.commit()
        assert watch_acknowledged(db, T + 34 * MINUTE).reminded == []
        assert watch_acknowledged(db, T + 35 * MINUTE).reminded == [alert.id]
        db.commit()
        assert watch_acknowledged(db, T + 50 * MINUTE).reminded == []  # not twice
        assert watch_acknowledged(db, T + 65 * MINUTE).reminded == [alert.id]
        reminders = db.scalars(
            select(AlertDelivery).where(AlertDelivery.purpose == "reminder")
        ).all()
        assert [(d.recipient, d.route.rsplit("/", 1)[1]) for d in reminders] == [
            ("dana", "dana"),
            ("dana", "dana"),
        ]
        # A person's note on the case is activity: the clock starts again from it.
        case_id = db.scalars(select(CaseEvent.case_id)).first()
        assert case_id is not None
        note = add_note(db, case_id, "on it", "dana")
        note.at = T + 70 * MINUTE
        db.commit()
        assert watch_acknowledged(db, T + 95 * MINUTE).reminded == []
        assert watch_acknowledged(db, T + 100 * MINUTE).reminded == [alert.id]
        report = watch_acknowledged(db, T + 190 * MINUTE)
        db.commit()
        assert report.unacknowledged == [alert.id]
        db.refresh(alert)
        assert (alert.status, alert.acknowledged_by) == ("open", None)
        # The escalation starts over from step 1, as a second cycle; the first cycle's
        # remaining rounds were cancelled and stay so.
        assert len(run_due_steps(db, T + 190 * MINUTE).sent) == 1
        db.commit()
        rounds = [r for r in escalation_of(db, alert.id) if r.kind == "page"]
        assert [(r.cycle, r.step, r.status) for r in rounds][:2] == [
            (1, 1, "sent"),
            (1, 2, "cancelled"),
        ]
        assert [(r.step, r.status) for r in rounds if r.cycle == 2][0] == (1, "sent")
        kinds = [event.kind for event in alert_events(db, alert.id)]
        assert kinds.count("reminded") == 3 and "unacknowledged" in kinds
        assert kinds.index("acknowledged") < kinds.index("reminded")


def test_resolving_stops_everything(session: Session) -> None:
    alert = _alert(session, remind_minutes=10)
    run_due_steps(session, T)
    triage_alert(session, alert.id, "resolve", "noa", now=T + 2 * MINUTE)
    session.commit()
    statuses = [r.status for r in escalation_of(session, alert.id)]
    assert statuses == ["sent", "cancelled", "cancelled", "cancelled", "cancelled"]
    assert run_due_steps(session, T + 60 * MINUTE).sent == []
    assert watch_acknowledged(session, T + 60 * MINUTE).reminded == []
    report = deliver_pending(session, T + 60 * MINUTE)
    assert report.sent == [] and len(report.skipped) == 2  # the console and Dana's message


def test_every_notification_attempt_failure_and_acknowledgement_is_on_the_timeline(
    session: Session, http_receiver: HttpReceiver
) -> None:
    config = _oncall(f"json://127.0.0.1:{http_receiver.port}")
    config["people"][1]["notify"] = ["json://127.0.0.1:9/nobody-listens"]  # type: ignore[index]
    config["rotas"][0]["members"] = ["dana", "piotr"]  # type: ignore[index]
    config["escalation"][0]["steps"][1]["notify"] = "person:piotr"  # type: ignore[index]
    workspace = make_workspace(session, extra=config)
    [alert] = raise_alerts(session, workspace, [candidate(workspace, "crisis")], T)
    open_case_from_alert(session, alert.id, "dana")
    run_due_steps(session, T + 10 * MINUTE)
    deliver_pending(session, T + 10 * MINUTE)
    triage_alert(session, alert.id, "acknowledge", "dana", now=T + 12 * MINUTE)
    session.commit()
    texts = [event.text for event in alert_events(session, alert.id)]
    n = alert.id
    assert texts[:2] == [
        f"Alert #{n}, escalation step 1: notified dana",
        f"Alert #{n}, escalation step 2: notified piotr",
    ]
    assert f"Alert #{n}: delivered to dana by json (attempt 1)" in texts
    failed = [t for t in texts if t.startswith(f"Alert #{n}: delivery to piotr by json failed")]
    assert len(failed) == 1 and "trying again in 30 seconds" in failed[0]
    assert texts[-1] == f"Alert #{n} acknowledged by dana"
    on_case = session.scalars(select(CaseEvent.text)).all()
    assert f"Alert #{n}: delivered to dana by json (attempt 1)" in on_case
    assert failed[0] in on_case


def test_a_person_reads_their_messages_in_their_own_language(session: Session) -> None:
    config = _oncall()
    config["people"][0]["language"] = "he"  # type: ignore[index]
    workspace = make_workspace(session, extra=config)
    [alert] = raise_alerts(session, workspace, [candidate(workspace, "crisis")], T)
    run_due_steps(session, T)
    delivery = session.scalars(select(AlertDelivery).where(AlertDelivery.recipient == "dana")).one()
    body = build_message(session, alert, route=delivery.route, recipient="dana").body
    assert "אישור קבלה בלחיצה אחת:" in body


def test_a_reminder_says_who_acknowledged_and_carries_no_link(
    session: Session, signing: None
) -> None:
    alert = _alert(session, remind_minutes=30)
    run_due_steps(session, T)
    triage_alert(session, alert.id, "acknowledge", "dana", now=T + 5 * MINUTE)
    assert watch_acknowledged(session, T + 35 * MINUTE).reminded == [alert.id]
    reminder = session.scalars(
        select(AlertDelivery).where(AlertDelivery.purpose == "reminder")
    ).one()
    message = build_message(
        session, alert, route=reminder.route, recipient=reminder.recipient, reminder=True
    )
    assert message.title.startswith("Reminder: [CRISIS]")
    assert message.body.startswith("Acknowledged by dana at ")
    assert "nothing has happened since" in message.body and "/ack/" not in message.body
