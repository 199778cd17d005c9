"""A case follows its alert: escalations, merged topics and alerts, and triage on the timeline."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from flarewatch.alerts.cli import app as alerts_app
from flarewatch.alerts.service import raise_alerts
from flarewatch.cases.cli import app as cases_app
from flarewatch.cases.models import CaseEvent
from flarewatch.cases.service import (
    auto_open_cases,
    get_case,
    list_cases,
    open_case_from_alert,
    timeline,
)
from flarewatch.cases.triage import triage_alert
from flarewatch.config.settings import get_settings
from flarewatch.db.engine import create_db_engine, sessionmaker_for
from flarewatch.db.migrate import upgrade
from flarewatch.detect.types import AlertCandidate
from flarewatch.errors import InputError
from flarewatch.mentions.models import Mention, RawPost
from flarewatch.workspaces.models import Topic, Workspace
from tests.alerts.helpers import T0, candidate, make_posts, make_workspace

runner = CliRunner()


@pytest.fixture
def db(any_engine: Engine) -> Iterator[Session]:
    with sessionmaker_for(any_engine)() as session:
        yield session


def _topic(db: Session, ws: Workspace, key: str, posts: list[RawPost]) -> Topic:
    topic = Topic(workspace_id=ws.id, key=key, name=key.title(), query=key)
    db.add(topic)
    db.flush()
    for post in posts:
        db.add(
            Mention(
                workspace_id=ws.id,
                raw_post_id=post.id,
                topic_id=topic.id,
                platform=post.platform,
                created_at=post.created_at,
            )
        )
    db.flush()
    return topic


def _signal(
    ws: Workspace,
    topic: Topic,
    posts: list[RawPost],
    severity: str,
    minutes: int = 0,
    risk: float = 60,
) -> list[AlertCandidate]:
    return [
        candidate(
            ws,
            severity,
            group_key=f"topic:{topic.id}",
            topic_id=topic.id,
            post_ids=[p.id for p in posts],
            start=T0 + timedelta(minutes=minutes),
            risk=risk,
            explanation=f"{topic.name}: risk {risk:.0f}",
        )
    ]


def _alert_lines(db: Session, case_id: int) -> list[CaseEvent]:
    return [e for e in timeline(db, case_id) if e.kind == "alert"]


def test_escalation_and_a_joining_topic_are_timeline_entries_on_the_one_case(db: Session) -> None:
    ws = make_workspace(db, auto_case_severity="warning")
    posts = make_posts(db, ws, 10)
    brand = _topic(db, ws, "brand", posts)
    food = _topic(db, ws, "food", posts)
    [alert] = raise_alerts(db, ws, _signal(ws, brand, posts, "warning"), T0)
    [case] = auto_open_cases(db, ws, [alert])

    joined = raise_alerts(db, ws, _signal(ws, food, posts, "warning", 5), T0)
    assert auto_open_cases(db, ws, joined) == []
    later = T0 + timedelta(minutes=10)
    escalated = raise_alerts(db, ws, _signal(ws, food, posts, "crisis", 10, risk=92), later)
    assert auto_open_cases(db, ws, escalated) == []
    assert auto_open_cases(db, ws, escalated) == []  # idempotent
    db.commit()

    assert len(list_cases(db, ws.id)) == 1
    texts = [e.text for e in _alert_lines(db, case.id)]
    assert texts == [
        f"Alert #{alert.id} warning (risk 60): Brand: risk 60",
        f"Alert #{alert.id} now also covers Food: the same posts drive it",
        f"Alert #{alert.id} escalated from warning to crisis (risk 92): Food: risk 92",
    ]
    assert get_case(db, case.id).severity == "crisis"


def test_a_folded_alerts_case_joins_the_incident(db: Session) -> None:
    ws = make_workspace(db, auto_case_severity="warning")
    posts = make_posts(db, ws, 20)
    worm, calls = posts[:10], posts[10:]
    brand = _topic(db, ws, "brand", posts)
    food = _topic(db, ws, "food", worm)
    boycott = _topic(db, ws, "boycott", calls)
    [first] = raise_alerts(db, ws, _signal(ws, food, worm, "warning"), T0)
    [second] = raise_alerts(db, ws, _signal(ws, boycott, calls, "warning", 5), T0)
    [first_case] = auto_open_cases(db, ws, [first])
    [second_case] = auto_open_cases(db, ws, [second])
    bridge = _signal(ws, brand, worm[:5] + calls[:5], "warning", 10)
    assert raise_alerts(db, ws, bridge, T0) == [first]
    assert auto_open_cases(db, ws, [first]) == []
    db.commit()

    assert second_case.status == "closed"
    closing = timeline(db, second_case.id)[-1]
    assert closing.kind == "status" and f"merged into case #{first_case.id}" in closing.text
    assert any(
        f"Case #{second_case.id} (alert #{second.id}) merged into this case" in e.text
        for e in _alert_lines(db, first_case.id)
    )


def test_a_folded_alert_hands_its_case_to_an_alert_without_one(db: Session) -> None:
    ws = make_workspace(db, auto_case_severity="never")
    posts = make_posts(db, ws, 20)
    worm, calls = posts[:10], posts[10:]
    brand = _topic(db, ws, "brand", posts)
    food = _topic(db, ws, "food", worm)
    boycott = _topic(db, ws, "boycott", calls)
    [first] = raise_alerts(db, ws, _signal(ws, food, worm, "warning"), T0)
    [second] = raise_alerts(db, ws, _signal(ws, boycott, calls, "warning", 5), T0)
    case = open_case_from_alert(db, second.id, "dana")
    raise_alerts(db, ws, _signal(ws, brand, worm[:5] + calls[:5], "warning", 10), T0)
    auto_open_cases(db, ws, [first])
    db.commit()
    assert (case.alert_id, case.status) == (first.id, "new")
    assert f"this case now follows alert #{first.id}" in _alert_lines(db, case.id)[-1].text


def test_triage_is_written_on_the_case_with_who(db: Session) -> None:
    ws = make_workspace(db)
    [alert] = raise_alerts(db, ws, [candidate(ws, "warning")], T0)
    case = open_case_from_alert(db, alert.id, "dana")
    triage_alert(db, alert.id, "acknowledge", "eli")
    triage_alert(db, alert.id, "acknowledge", "noa")  # no change, no line
    triage_alert(db, alert.id, "resolve", "eli")
    triage_alert(db, alert.id, "noise", "noa")
    db.commit()
    lines = [(e.actor, e.text) for e in _alert_lines(db, case.id) if "status" in e.data]
    assert lines == [
        ("eli", f"Alert #{alert.id} acknowledged by eli"),
        ("eli", f"Alert #{alert.id} resolved by eli"),
        ("noa", f"Alert #{alert.id} marked as noise by noa"),
    ]
    with pytest.raises(InputError, match="use one of acknowledge, noise, resolve"):
        triage_alert(db, alert.id, "snooze", "eli")


@pytest.fixture
def cli_case(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[int, int]]:
    """An alert with a case in a migrated SQLite file the CLI finds (FLAREWATCH_DATABASE_URL)."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("FLAREWATCH_DATABASE_URL", url)
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    engine = create_db_engine(url)
    upgrade(engine)
    with sessionmaker_for(engine)() as session:
        ws = make_workspace(session, auto_case_severity="warning")
        posts = make_posts(session, ws, 3)
        topic = _topic(session, ws, "brand", posts)
        alerts = raise_alerts(session, ws, _signal(ws, topic, posts, "warning"), T0)
        [case] = auto_open_cases(session, ws, alerts)
        later = T0 + timedelta(minutes=5)
        escalated = raise_alerts(session, ws, _signal(ws, topic, posts, "crisis", 5, 90), later)
        auto_open_cases(session, ws, escalated)
        session.commit()
        yield alerts[0].id, case.id
    engine.dispose()


def test_cli_triage_lands_on_the_case_and_show_reads_the_alert_now(
    cli_case: tuple[int, int],
) -> None:
    alert_id, case_id = cli_case
    for command in ("ack", "resolve", "noise"):
        result = runner.invoke(alerts_app, [command, str(alert_id), "--by", "dana"])
        assert result.exit_code == 0, result.output
    shown = runner.invoke(cases_app, ["show", str(case_id)])
    assert shown.exit_code == 0, shown.output
    for expected in (
        f"Alert #{alert_id} now: crisis, noise, risk 90 · topics: Brand",
        "Brand: risk 90",
        f"Alert #{alert_id} escalated from warning to crisis",
        f"Alert #{alert_id} acknowledged by dana",
        f"Alert #{alert_id} resolved by dana",
        f"Alert #{alert_id} marked as noise by dana",
    ):
        assert expected in shown.output
    alert_shown = runner.invoke(alerts_app, ["show", str(alert_id)])
    assert f"Case: #{case_id}" in alert_shown.output and "Topics: Brand" in alert_shown.output
