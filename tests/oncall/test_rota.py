"""Who is on call at an instant: rotation order, handovers in the rota's local time across DST
changes, layers and overrides."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from flarewatch.oncall.config import RotaConfig
from flarewatch.oncall.rota import next_change, on_call, shift_at

JERUSALEM = ZoneInfo("Asia/Jerusalem")
WARSAW = ZoneInfo("Europe/Warsaw")


def _rota(**fields: object) -> RotaConfig:
    base: dict[str, object] = {
        "key": "duty",
        "timezone": "Asia/Jerusalem",
        "rotation": "weekly",
        "handover": "sun 09:00",
        "members": ["dana", "piotr", "noa"],
        "start": "2026-11-29",
    }
    return RotaConfig.model_validate({**base, **fields})


def test_weekly_rotation_takes_turns_from_the_start_date() -> None:
    rota = _rota()
    week = timedelta(days=7)
    first = datetime(2026, 11, 29, 9, 0, tzinfo=JERUSALEM)
    assert [on_call(rota, first + n * week) for n in range(4)] == ["dana", "piotr", "noa", "dana"]
    # Before the start date the rotation runs backwards in the same order.
    assert on_call(rota, first - week) == "noa"


def test_the_handover_minute_belongs_to_the_next_person() -> None:
    rota = _rota()
    handover = datetime(2026, 12, 6, 9, 0, tzinfo=JERUSALEM)
    assert on_call(rota, handover - timedelta(seconds=1)) == "dana"
    assert on_call(rota, handover) == "piotr"
    assert on_call(rota, handover.astimezone(UTC)) == "piotr"  # any offset names the same instant


def test_weekly_handover_stays_at_local_nine_across_the_spring_change() -> None:
    # Israel moves its clocks forward on Friday 27 March 2026; Sunday 29 March is in summer time.
    rota = _rota()
    shift = shift_at(rota.all_layers()[0], JERUSALEM, datetime(2026, 3, 30, tzinfo=UTC))
    assert shift is not None
    assert shift.start.astimezone(UTC) == datetime(2026, 3, 29, 6, 0, tzinfo=UTC)  # 09:00+03:00
    assert shift.end.astimezone(UTC) == datetime(2026, 4, 5, 6, 0, tzinfo=UTC)
    before = shift_at(rota.all_layers()[0], JERUSALEM, datetime(2026, 3, 25, tzinfo=UTC))
    assert before is not None and before.start.astimezone(UTC).hour == 7  # 09:00+02:00 in winter
    # A shift across the change lasts 7 days less the lost hour.
    assert before.end - before.start == timedelta(days=7, hours=-1)
    assert (before.person, shift.person) == ("dana", "piotr")


def test_a_handover_in_the_skipped_hour_happens_as_far_past_the_jump() -> None:
    # Warsaw: 29 March 2026 02:00 becomes 03:00; a 02:30 handover happens at 03:30 CEST.
    rota = _rota(timezone="Europe/Warsaw", rotation="daily", handover="02:30", members=["a", "b"])
    handover = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST
    before = on_call(rota, handover - timedelta(seconds=1))
    assert before == on_call(rota, datetime(2026, 3, 29, 1, 0, tzinfo=UTC))  # 03:00: not yet
    assert before != on_call(rota, handover)


def test_a_handover_in_the_repeated_hour_happens_once_at_its_first_reading() -> None:
    # Warsaw: 25 October 2026 03:00 CEST becomes 02:00 CET; 02:30 is read twice.
    rota = _rota(timezone="Europe/Warsaw", rotation="daily", handover="02:30", members=["a", "b"])
    first_reading = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    after = on_call(rota, first_reading)
    assert on_call(rota, first_reading - timedelta(seconds=1)) != after
    assert on_call(rota, first_reading + timedelta(hours=1)) == after  # 02:30 CET: no handover


def test_a_later_layer_wins_in_its_days_and_hours() -> None:
    night = {"rotation": "daily", "handover": "18:00", "members": ["noa"], "hours": "18:00-09:00"}
    weekend = {"members": ["piotr"], "days": ["fri", "sat"]}
    rota = _rota(members=["dana"], layers=[night, weekend])
    assert on_call(rota, datetime(2026, 12, 7, 12, 0, tzinfo=JERUSALEM)) == "dana"  # Monday noon
    assert on_call(rota, datetime(2026, 12, 7, 23, 0, tzinfo=JERUSALEM)) == "noa"  # Monday night
    assert on_call(rota, datetime(2026, 12, 8, 8, 59, tzinfo=JERUSALEM)) == "noa"
    assert on_call(rota, datetime(2026, 12, 11, 3, 0, tzinfo=JERUSALEM)) == "piotr"  # Friday
    assert on_call(rota, datetime(2026, 12, 13, 3, 0, tzinfo=JERUSALEM)) == "noa"  # Sunday night


def test_an_override_wins_for_its_period_only() -> None:
    override = {"person": "noa", "start": "2026-12-24T18:00", "end": "2026-12-26T09:00"}
    rota = _rota(members=["dana"], overrides=[override])
    assert on_call(rota, datetime(2026, 12, 24, 17, 59, tzinfo=JERUSALEM)) == "dana"
    assert on_call(rota, datetime(2026, 12, 24, 18, 0, tzinfo=JERUSALEM)) == "noa"
    assert on_call(rota, datetime(2026, 12, 26, 9, 0, tzinfo=JERUSALEM)) == "dana"


def test_next_change_is_the_next_handover_or_override_edge() -> None:
    rota = _rota(
        overrides=[{"person": "noa", "start": "2026-12-08T18:00", "end": "2026-12-09T09:00"}]
    )
    at = datetime(2026, 12, 7, 12, 0, tzinfo=JERUSALEM)
    assert next_change(rota, at) == datetime(2026, 12, 8, 18, 0, tzinfo=JERUSALEM)
    later = datetime(2026, 12, 10, 12, 0, tzinfo=JERUSALEM)
    assert next_change(rota, later) == datetime(2026, 12, 13, 9, 0, tzinfo=JERUSALEM)


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="has no timezone"):
        on_call(_rota(), datetime(2026, 12, 7, 12, 0))
