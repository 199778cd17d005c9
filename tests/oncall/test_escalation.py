"""The paging timeline of an alert: steps, waits and repeats, acknowledgement, a handover in the
middle of an escalation, a DST change, the local weekend and public holidays."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flarewatch.config.workspace import WorkspaceConfig, check_workspace_text
from flarewatch.oncall.escalation import channel_of, plan_escalation
from flarewatch.oncall.urgency import holiday_name, is_working_time, working_time_of
from tests.oncall.conftest import ONCALL_WORKSPACE

JERUSALEM = ZoneInfo("Asia/Jerusalem")
WARSAW = ZoneInfo("Europe/Warsaw")


def _config(text: str = ONCALL_WORKSPACE) -> WorkspaceConfig:
    return check_workspace_text(text).config_or_raise()


def _lines(config: WorkspaceConfig, at: datetime, severity: str, ack: timedelta | None = None):
    plan = plan_escalation(config, at, severity, ack)
    return [
        (n.at.astimezone(JERUSALEM).strftime("%a %H:%M%z"), n.recipient, n.channel, n.step)
        for n in plan.notifications
    ]


def test_crisis_on_a_saturday_night_runs_every_step() -> None:
    at = datetime(2026, 12, 5, 3, 0, tzinfo=JERUSALEM)  # Saturday: the local weekend
    assert _lines(_config(), at, "crisis") == [
        ("Sat 03:00+0200", "dana", "mailto", 1),
        ("Sat 03:00+0200", "dana", "ntfy", 1),
        ("Sat 03:10+0200", "noa", "json", 2),
        ("Sat 03:25+0200", "route:comms-slack", "json", 3),
        ("Sat 03:30+0200", "route:comms-slack", "json", 3),
        ("Sat 03:35+0200", "route:comms-slack", "json", 3),
    ]


def test_acknowledgement_stops_the_steps_due_at_or_after_it() -> None:
    at = datetime(2026, 12, 5, 3, 0, tzinfo=JERUSALEM)
    lines = _lines(_config(), at, "crisis", timedelta(minutes=25))
    assert [line[3] for line in lines] == [1, 1, 2]
    assert _lines(_config(), at, "crisis", timedelta(minutes=26))[-1][0] == "Sat 03:25+0200"


def test_the_rota_pages_whoever_has_the_week() -> None:
    at = datetime(2026, 12, 7, 12, 0, tzinfo=JERUSALEM)  # Piotr's week
    assert _lines(_config(), at, "crisis")[:2] == [
        ("Mon 12:00+0200", "piotr", "ntfy", 1),
        ("Mon 12:10+0200", "noa", "json", 2),
    ]


def test_a_handover_mid_escalation_pages_the_new_person() -> None:
    text = ONCALL_WORKSPACE.replace('notify = "person:noa"', 'notify = "rota:duty"')
    at = datetime(2026, 12, 6, 8, 55, tzinfo=JERUSALEM)  # Dana hands over to Piotr at 09:00
    lines = _lines(_config(text), at, "crisis")
    assert [(line[1], line[3]) for line in lines[:3]] == [
        ("dana", 1),
        ("dana", 1),
        ("piotr", 2),
    ]


def test_waits_are_real_minutes_across_the_spring_change() -> None:
    # Israel: Friday 27 March 2026 02:00 becomes 03:00. Ten minutes after 01:55 is 03:05.
    at = datetime(2026, 3, 27, 1, 55, tzinfo=JERUSALEM)
    lines = _lines(_config(), at, "crisis")
    times = sorted({line[0] for line in lines})
    assert times[:2] == ["Fri 01:55+0200", "Fri 03:05+0300"]


def test_a_working_hours_policy_waits_for_the_digest_on_the_local_weekend() -> None:
    config = _config()
    friday = datetime(2026, 12, 4, 11, 0, tzinfo=JERUSALEM)  # Israel's weekend is Fri-Sat
    sunday = datetime(2026, 12, 6, 11, 0, tzinfo=JERUSALEM)
    evening = datetime(2026, 12, 6, 19, 0, tzinfo=JERUSALEM)
    assert plan_escalation(config, friday, "warning").urgency == "digest"
    assert plan_escalation(config, friday, "warning").notifications == ()
    assert plan_escalation(config, sunday, "warning").urgency == "page"
    assert plan_escalation(config, evening, "warning").urgency == "digest"
    # A crisis pages at any hour, weekend or not.
    assert plan_escalation(config, friday, "crisis").urgency == "page"
    # Nothing covers "watch": the lowest policy is "warning".
    assert plan_escalation(config, sunday, "watch").urgency is None


def test_a_public_holiday_is_not_a_working_day() -> None:
    config = _config()
    yom_kippur = datetime(2026, 9, 21, 11, 0, tzinfo=JERUSALEM)  # a Monday
    assert holiday_name("IL", yom_kippur.date()) == "Yom Kippur"
    assert plan_escalation(config, yom_kippur, "warning").urgency == "digest"
    assert plan_escalation(config, yom_kippur + timedelta(days=1), "warning").urgency == "page"


def test_polish_weekend_and_christmas() -> None:
    working = working_time_of("Europe/Warsaw", "09:00-17:00", None, "PL")
    assert is_working_time(working, datetime(2026, 12, 23, 10, 0, tzinfo=WARSAW))  # Wednesday
    assert not is_working_time(working, datetime(2026, 12, 25, 10, 0, tzinfo=WARSAW))  # Friday
    assert not is_working_time(working, datetime(2026, 12, 19, 10, 0, tzinfo=WARSAW))  # Saturday
    assert not is_working_time(working, datetime(2026, 12, 23, 17, 0, tzinfo=WARSAW))


def test_a_rota_with_no_one_on_call_is_reported_not_skipped_silently() -> None:
    text = ONCALL_WORKSPACE.replace("start = 2026-11-29", 'start = 2026-11-29\ndays = ["mon"]')
    at = datetime(2026, 12, 5, 3, 0, tzinfo=JERUSALEM)
    plan = plan_escalation(_config(text), at, "crisis")
    assert plan.unreached and plan.unreached[0].startswith("step 1 rota:duty at 2026-12-05T03:00")
    assert [n.step for n in plan.notifications][:1] == [2]


def test_the_channel_is_the_scheme_never_the_secret() -> None:
    assert channel_of("tgram://123:SECRET/987") == "tgram"
    assert channel_of("mailto://u:pw@host?to=x@y") == "mailto"
