"""The durable runner on a controllable clock: a handover in the middle of an escalation pages
the new person, and waits are real minutes across a DST change. (A Saturday-night crisis, a
holiday and a SIGKILL between a wait and its step are in test_service.py.)"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from flarewatch.alerts.service import raise_alerts
from flarewatch.oncall.service import escalation_of, run_due_steps
from tests.alerts.helpers import candidate, make_workspace
from tests.oncall.test_service import _oncall

MINUTE = timedelta(minutes=1)
JERUSALEM, WARSAW = ZoneInfo("Asia/Jerusalem"), ZoneInfo("Europe/Warsaw")


def _repeating(zone: str) -> dict[str, object]:
    config = _oncall()
    config["timezone"] = zone
    config["rotas"][0]["timezone"] = zone  # type: ignore[index]
    config["escalation"][0]["steps"] = [  # type: ignore[index]
        {"notify": "rota:duty", "wait_minutes": 10, "repeat": 3}
    ]
    return config


def _who(session: Session, alert_id: int) -> list[tuple[str, str]]:
    return [
        (r.sent_at.astimezone(JERUSALEM).strftime("%a %H:%M"), r.recipients[0][0])
        for r in escalation_of(session, alert_id)
        if r.status == "sent" and r.sent_at is not None
    ]


def test_a_handover_mid_escalation_pages_the_new_person(session: Session) -> None:
    workspace = make_workspace(session, extra=_repeating("Asia/Jerusalem"))
    start = datetime(2026, 12, 6, 8, 55, tzinfo=JERUSALEM)  # Sunday: Dana hands over at 09:00
    [alert] = raise_alerts(session, workspace, [candidate(workspace, "crisis")], start)
    for minutes in range(0, 30):
        run_due_steps(session, start + minutes * MINUTE)
    assert _who(session, alert.id) == [
        ("Sun 08:55", "dana"),
        ("Sun 09:05", "piotr"),
        ("Sun 09:15", "piotr"),
    ]


def test_waits_are_real_minutes_across_the_spring_change(session: Session) -> None:
    workspace = make_workspace(session, extra=_repeating("Europe/Warsaw"))
    start = datetime(2027, 3, 28, 1, 55, tzinfo=WARSAW)  # clocks jump 02:00 → 03:00
    [alert] = raise_alerts(session, workspace, [candidate(workspace, "crisis")], start)
    run_due_steps(session, start)
    just_before = datetime(2027, 3, 28, 3, 4, tzinfo=WARSAW)  # nine real minutes later
    assert run_due_steps(session, just_before).sent == []
    assert len(run_due_steps(session, datetime(2027, 3, 28, 3, 5, tzinfo=WARSAW)).sent) == 1
    due = [r.due_at.astimezone(WARSAW).strftime("%H:%M") for r in escalation_of(session, alert.id)]
    assert due == ["01:55", "03:05", "03:15"]
