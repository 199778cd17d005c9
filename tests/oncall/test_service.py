"""Escalation until acknowledged, on a real database with a controllable clock: rounds stored
when the alert opens, sent once when due (also across a SIGKILL), stopped by acknowledgement,
delivered to a real HTTP receiver, written on the case timeline."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from flarewatch.alerts.models import Alert, AlertDelivery
from flarewatch.alerts.notify import deliver_pending
from flarewatch.alerts.service import acknowledge, raise_alerts
from flarewatch.cases.models import CaseEvent
from flarewatch.cases.service import open_case_from_alert
from flarewatch.db.engine import sessionmaker_for
from flarewatch.oncall.models import EscalationStep
from flarewatch.oncall.service import escalation_of, run_due_steps
from flarewatch.workspaces.models import Workspace
from tests.alerts.conftest import HttpReceiver
from tests.alerts.helpers import candidate, make_workspace

JERUSALEM = ZoneInfo("Asia/Jerusalem")
T = datetime(2026, 12, 5, 3, 0, tzinfo=JERUSALEM)  # Saturday 03:00, Dana's week
MINUTE = timedelta(minutes=1)


def _oncall(receiver_url: str = "json://127.0.0.1:9") -> dict[str, object]:
    return {
        "timezone": "Asia/Jerusalem",
        "weekend": ["fri", "sat"],
        "alert_routes": [{"name": "comms-slack", "url": f"{receiver_url}/slack"}],
        "people": [
            {"key": "dana", "notify": [f"{receiver_url}/dana"]},
            {"key": "piotr", "notify": [f"{receiver_url}/piotr"]},
            {"key": "noa", "notify": [f"{receiver_url}/noa", f"{receiver_url}/noa-phone"]},
        ],
        "rotas": [
            {
                "key": "duty",
                "timezone": "Asia/Jerusalem",
                "rotation": "weekly",
                "handover": "sun 09:00",
                "members": ["dana", "piotr", "noa"],
                "start": "2026-11-29",
            }
        ],
        "escalation": [
            {
                "severity": "crisis",
                "steps": [
                    {"notify": "rota:duty", "wait_minutes": 10},
                    {"notify": "person:noa", "wait_minutes": 15},
                    {"notify": "route:comms-slack", "repeat": 3},
                ],
            }
        ],
    }


def _crisis(db: Session, receiver_url: str = "json://127.0.0.1:9") -> tuple[Workspace, Alert]:
    workspace = make_workspace(db, extra=_oncall(receiver_url))
    [alert] = raise_alerts(db, workspace, [candidate(workspace, "crisis")], T)
    db.commit()
    return workspace, alert


def _escalation_routes(db: Session, alert: Alert) -> list[str]:
    rows = db.scalars(
        select(AlertDelivery.route)
        .where(AlertDelivery.alert_id == alert.id)
        .order_by(AlertDelivery.id)
    )
    # The workspace has no alert routes of its own: "console" stands in for them.
    return [route.rsplit("/", 1)[1] for route in rows if route != "console"]


def test_the_policy_is_stored_as_rounds_due_from_the_alert(session: Session) -> None:
    _, alert = _crisis(session)
    rounds = escalation_of(session, alert.id)
    assert [(r.step, r.round, r.target, r.status) for r in rounds] == [
        (1, 1, "rota:duty", "pending"),
        (2, 1, "person:noa", "pending"),
        (3, 1, "route:comms-slack", "pending"),
        (3, 2, "route:comms-slack", "pending"),
        (3, 3, "route:comms-slack", "pending"),
    ]
    assert [r.due_at - T for r in rounds] == [MINUTE * m for m in (0, 10, 25, 30, 35)]


def test_each_round_is_sent_once_when_due(session: Session) -> None:
    _, alert = _crisis(session)
    assert run_due_steps(session, T).sent  # step 1: Dana, on call this week
    assert run_due_steps(session, T + 9 * MINUTE).sent == []  # nothing twice, nothing early
    run_due_steps(session, T + 10 * MINUTE)
    session.commit()
    assert _escalation_routes(session, alert) == ["dana", "noa", "noa-phone"]
    first = escalation_of(session, alert.id)[0]
    assert first.recipients == [["dana", "json"]] and first.sent_at == T


def test_acknowledgement_stops_the_rest(session: Session) -> None:
    _, alert = _crisis(session)
    run_due_steps(session, T)
    acknowledge(session, alert.id, "dana", now=T + 5 * MINUTE)
    report = run_due_steps(session, T + 40 * MINUTE)
    session.commit()
    assert report.sent == [] and len(report.cancelled) == 4
    assert _escalation_routes(session, alert) == ["dana"]
    statuses = [r.status for r in escalation_of(session, alert.id)]
    assert statuses == ["sent", "cancelled", "cancelled", "cancelled", "cancelled"]


def test_rounds_reach_a_real_receiver_and_the_case_timeline(
    session: Session, http_receiver: HttpReceiver
) -> None:
    _, alert = _crisis(session, f"json://127.0.0.1:{http_receiver.port}")
    open_case_from_alert(session, alert.id, "dana")
    run_due_steps(session, T)
    run_due_steps(session, T + 10 * MINUTE)
    delivered = deliver_pending(session, T + 10 * MINUTE)
    session.commit()
    assert len(delivered.sent) == 4  # the console, then Dana and Noa's two methods
    assert sorted(path for path, _ in http_receiver.requests) == ["/dana", "/noa", "/noa-phone"]
    texts = session.scalars(select(CaseEvent.text).order_by(CaseEvent.id)).all()
    assert f"Alert #{alert.id}, escalation step 1: notified dana" in texts
    assert f"Alert #{alert.id}, escalation step 2: notified noa" in texts


def test_an_escalated_alert_gets_the_new_policy(session: Session) -> None:
    config = _oncall()
    config["escalation"] = [
        {"severity": "warning", "steps": [{"notify": "person:piotr", "wait_minutes": 30}]},
        *config["escalation"],  # type: ignore[misc]
    ]
    workspace = make_workspace(session, extra=config)
    [alert] = raise_alerts(session, workspace, [candidate(workspace, "warning")], T)
    raise_alerts(session, workspace, [candidate(workspace, "crisis")], T + MINUTE)
    rounds = escalation_of(session, alert.id)
    assert [r.status for r in rounds if r.severity == "warning"] == ["cancelled"]
    assert len([r for r in rounds if r.severity == "crisis"]) == 5


RUNNER = """
import os, sys, time
from datetime import datetime
from flarewatch.db.engine import create_db_engine, sessionmaker_for
from flarewatch.oncall.service import run_due_steps

engine = create_db_engine(sys.argv[1])
now = datetime.fromisoformat(sys.argv[2])
with sessionmaker_for(engine)() as session:
    report = run_due_steps(session, now)
    if sys.argv[3] == "before-commit":
        print("claimed", report.sent, flush=True)
        time.sleep(120)  # killed here: the claim was never committed
    session.commit()
    print("committed", report.sent, flush=True)
time.sleep(120)  # killed here: waiting for the next round
"""


def _runner_killed_after(engine: Engine, tmp_path: Path, now: datetime, stage: str) -> str:
    script = tmp_path / "runner.py"
    script.write_text(textwrap.dedent(RUNNER), encoding="utf-8")
    src = str(Path(__file__).resolve().parents[2] / "src")
    env = {**os.environ, "PYTHONPATH": src}
    process = subprocess.Popen(
        [sys.executable, str(script), engine.url.render_as_string(False), now.isoformat(), stage],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    process.send_signal(signal.SIGKILL)
    process.wait()
    _until_the_dead_session_is_gone(engine)
    return line


def _until_the_dead_session_is_gone(engine: Engine) -> None:
    """PostgreSQL ends a killed client's session on its own time; its row locks would make
    the restarted runner skip (SKIP LOCKED) the rounds it had claimed. SQLite has no sessions."""
    if engine.dialect.name != "postgresql":
        return
    query = text(
        "SELECT count(*) FROM pg_locks WHERE relation = 'escalation_step'::regclass "
        "AND pid <> pg_backend_pid() "
        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    for _ in range(200):
        with engine.connect() as conn:
            if not conn.scalar(query):
                return
        time.sleep(0.05)
    raise AssertionError("the killed runner's PostgreSQL session still holds its locks")


def _deliveries(engine: Engine) -> int:
    with sessionmaker_for(engine)() as db:
        counted = select(func.count()).where(AlertDelivery.route != "console")
        return int(db.scalar(counted) or 0)


def test_a_sigkill_between_a_wait_and_its_step_skips_nothing_and_repeats_nothing(
    any_engine: Engine, tmp_path: Path
) -> None:
    engine = any_engine
    with sessionmaker_for(engine)() as db:
        _, alert = _crisis(db)
        alert_id = alert.id
    # Step 1 sent and committed, then the process dies while it waits for step 2.
    assert _runner_killed_after(engine, tmp_path, T, "after-commit").startswith("committed [")
    assert _deliveries(engine) == 1
    # A restarted runner at the same moment sends nothing again; at step 2's time, step 2 once.
    with sessionmaker_for(engine)() as db:
        assert run_due_steps(db, T + MINUTE).sent == []
        assert len(run_due_steps(db, T + 10 * MINUTE).sent) == 1
        db.commit()
    # Step 3's first round claimed, and the process dies before committing the claim.
    line = _runner_killed_after(engine, tmp_path, T + 25 * MINUTE, "before-commit")
    assert line.startswith("claimed [")
    assert _deliveries(engine) == 3  # Dana once, Noa's two methods once: nothing of step 3
    with sessionmaker_for(engine)() as db:
        assert len(run_due_steps(db, T + 25 * MINUTE).sent) == 1  # not skipped
        assert run_due_steps(db, T + 26 * MINUTE).sent == []
        db.commit()
        statuses = db.scalars(
            select(EscalationStep.status)
            .where(EscalationStep.alert_id == alert_id)
            .order_by(EscalationStep.due_at)
        ).all()
    assert statuses == ["sent", "sent", "sent", "pending", "pending"]
    assert _deliveries(engine) == 4


def test_the_timeline_entry_reads_in_hebrew_and_polish_with_the_person_isolated(
    session: Session,
) -> None:
    from flarewatch.alerts.wording import render_stored
    from flarewatch.bidi import FSI, PDI, isolate
    from flarewatch.i18n.languages import translations_for

    _, alert = _crisis(session)
    open_case_from_alert(session, alert.id, "dana")
    run_due_steps(session, T)
    event = session.scalars(select(CaseEvent).where(CaseEvent.text.contains("escalation"))).one()
    hebrew = render_stored(
        event.data, "", locale="he", gettext=translations_for("he").gettext, isolate=isolate
    )
    polish = render_stored(
        event.data, "", locale="pl", gettext=translations_for("pl").gettext, isolate=isolate
    )
    assert hebrew == f"התראה #{alert.id}, שלב הסלמה 1: נשלחה הודעה אל {FSI}dana{PDI}"
    assert polish == f"Alert #{alert.id}, krok eskalacji 1: powiadomiono {FSI}dana{PDI}"


def test_the_embedded_cycle_sends_due_rounds_and_delivers_them(
    engine: Engine, http_receiver: HttpReceiver
) -> None:
    from flarewatch.runtime.embedded import EmbeddedRunner

    with sessionmaker_for(engine)() as db:
        _crisis(db, f"json://127.0.0.1:{http_receiver.port}")
    runner = EmbeddedRunner(engine, clock=lambda: T + 10 * MINUTE)
    runner.cycle()
    # Steps 1 and 2 were both due by then: Dana, then both of Noa's methods, each once.
    assert sorted(path for path, _ in http_receiver.requests) == ["/dana", "/noa", "/noa-phone"]
    runner.cycle()
    assert len(http_receiver.requests) == 3


def test_a_policy_replaces_the_plain_routes_of_its_severities(session: Session) -> None:
    workspace, crisis = _crisis(session)
    [watch] = raise_alerts(
        session, workspace, [candidate(workspace, "watch", group_key="topic:other")], T
    )
    routes = dict.fromkeys((crisis.id, watch.id), ())
    for alert_id, route in session.execute(select(AlertDelivery.alert_id, AlertDelivery.route)):
        routes[alert_id] += (route.rsplit("/", 1)[-1],)
    # The crisis policy reaches comms-slack through its step 3 only; the console hears at once.
    assert routes[crisis.id] == ("console",)
    # No policy covers "watch": every route of that severity hears once, as before.
    assert routes[watch.id] == ("console", "slack")
    assert escalation_of(session, watch.id) == []


def test_a_working_hours_policy_pages_no_one_on_a_holiday(session: Session) -> None:
    config = _oncall()
    config["holidays_country"] = "IL"
    config["escalation"] = [
        {
            "severity": "warning",
            "page": "working_hours",
            "steps": [{"notify": "person:piotr", "wait_minutes": 30}],
        }
    ]
    workspace = make_workspace(session, extra=config)
    yom_kippur = datetime(2026, 9, 21, 11, 0, tzinfo=JERUSALEM)  # a Monday, 11:00
    [holiday] = raise_alerts(session, workspace, [candidate(workspace, "warning")], yom_kippur)
    assert escalation_of(session, holiday.id) == []
    assert _escalation_routes(session, holiday) == []  # left for the digest; the console shows it
    next_day = yom_kippur + timedelta(days=1)
    [working] = raise_alerts(
        session, workspace, [candidate(workspace, "warning", group_key="topic:b")], next_day
    )
    assert [r.target for r in escalation_of(session, working.id)] == ["person:piotr"]
