"""The rota page's calendar: who is on call per local day, in the viewer's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flarewatch.oncall.calendar import calendar_days, segments
from flarewatch.oncall.changes import with_changes
from flarewatch.oncall.config import OncallConfig, RotaConfig
from flarewatch.oncall.models import RotaChange

ROTA = RotaConfig(
    key="duty",
    timezone="Asia/Jerusalem",
    rotation="weekly",
    handover="sun 09:00",
    members=["dana", "piotr", "noa"],
    start=date(2026, 11, 29),
)
J = ZoneInfo("Asia/Jerusalem")


def test_segments_follow_the_handover() -> None:
    start = datetime(2026, 12, 5, 0, 0, tzinfo=J)
    found = segments(ROTA, start, datetime(2026, 12, 14, 0, 0, tzinfo=J))
    assert [(s.person, s.start.astimezone(J).isoformat()) for s in found] == [
        ("dana", "2026-12-05T00:00:00+02:00"),
        ("piotr", "2026-12-06T09:00:00+02:00"),
        ("noa", "2026-12-13T09:00:00+02:00"),
    ]


def test_days_are_cut_at_the_viewers_midnight() -> None:
    # A viewer in Warsaw (an hour behind Jerusalem in winter): the 09:00 handover is at 08:00.
    [sat, sun] = calendar_days(ROTA, date(2026, 12, 5), 2, "Europe/Warsaw")
    assert [s.person for s in sat.segments] == ["dana"]
    warsaw = ZoneInfo("Europe/Warsaw")
    assert [(s.person, s.start.astimezone(warsaw).strftime("%H:%M")) for s in sun.segments] == [
        ("dana", "00:00"),
        ("piotr", "08:00"),
    ]


def test_an_accepted_swap_wins_and_a_requested_one_does_not() -> None:
    config = OncallConfig(rotas=[ROTA])
    swap = RotaChange(
        rota_key="duty",
        kind="swap",
        person="noa",
        replaces="dana",
        start=datetime(2026, 12, 5, 12, 0, tzinfo=UTC),
        end=datetime(2026, 12, 5, 18, 0, tzinfo=UTC),
        status="requested",
    )
    at = datetime(2026, 12, 5, 13, 0, tzinfo=UTC)
    from flarewatch.oncall.rota import on_call

    assert on_call(with_changes(config, [swap]).rotas[0], at) == "dana"
    swap.status = "accepted"
    assert on_call(with_changes(config, [swap]).rotas[0], at) == "noa"
