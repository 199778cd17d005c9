"""The pure source-health rules: failing, stale, silent (Poisson), learning, paused, recovery."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from flarewatch.sources.health import (
    HourRate,
    hour_rate,
    is_silent,
    judge,
    poisson_lower_tail,
)
from flarewatch.sources.hour_counts import hour_buckets

NOW = datetime(2026, 3, 9, 14, 20, tzinfo=UTC)  # a Monday
JUDGED = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # the last complete hour
WEEK = timedelta(weeks=1)
SETTLED = HourRate(JUDGED, seen=50, usual=50.0, history_weeks=4)


def _judge(**changes: object) -> str:
    values: dict[str, object] = {
        "enabled": True,
        "consecutive_errors": 0,
        "failing_since": None,
        "last_ok_at": NOW - timedelta(minutes=5),
        "created_at": NOW - 8 * WEEK,
        "interval": 600.0,
        "rate": SETTLED,
        "now": NOW,
    }
    values.update(changes)
    return judge(**values).state  # type: ignore[arg-type]


def test_poisson_lower_tail_matches_the_closed_form() -> None:
    assert poisson_lower_tail(0, 10.0) == pytest.approx(math.exp(-10))
    expected = sum(math.exp(-4) * 4**i / math.factorial(i) for i in range(3))
    assert poisson_lower_tail(2, 4.0) == pytest.approx(expected)
    assert poisson_lower_tail(5, 0.0) == 1.0
    assert poisson_lower_tail(3, 5000.0) == 0.0  # no overflow for a busy source


def test_silent_needs_enough_expected_under_a_quarter_and_an_unlikely_count() -> None:
    assert is_silent(0, 10.0)  # P(X <= 0) = 4.5e-5
    assert not is_silent(0, 9.9)  # too few expected to tell
    assert is_silent(1, 12.0)  # P(X <= 1) = 8e-5
    assert not is_silent(2, 10.0)  # P(X <= 2) = 2.8e-3: could be chance
    assert not is_silent(25, 100.0)  # a quarter is not "fewer than a quarter"
    assert is_silent(24, 100.0)
    assert not is_silent(0, None)  # no history


def test_usual_is_the_median_of_the_same_hour_in_the_previous_four_weeks() -> None:
    counts = {
        JUDGED: 3,
        JUDGED - WEEK: 40,
        JUDGED - 2 * WEEK: 1000,  # one burst week does not move the median
        JUDGED - 3 * WEEK: 44,
        JUDGED - 4 * WEEK: 0,
        JUDGED - timedelta(hours=1): 999,  # another hour of the week is not compared
    }
    rate = hour_rate(counts, NOW - 10 * WEEK, NOW)
    assert rate == HourRate(JUDGED, seen=3, usual=42.0, history_weeks=4)


def test_weeks_before_the_source_existed_are_not_counted_as_zero() -> None:
    counts = {JUDGED - WEEK: 30}
    rate = hour_rate(counts, JUDGED - WEEK - timedelta(hours=2), NOW)
    assert rate.usual == 30.0 and rate.history_weeks == 1
    assert hour_rate({}, None, NOW).usual is None


def test_failing_from_the_second_failed_poll_in_a_row() -> None:
    since = NOW - timedelta(hours=2)
    assert _judge(consecutive_errors=1, failing_since=since) == "ok"
    verdict = judge(
        enabled=True,
        consecutive_errors=2,
        failing_since=since,
        last_ok_at=NOW - timedelta(hours=3),
        created_at=NOW - 8 * WEEK,
        interval=600.0,
        rate=SETTLED,
        now=NOW,
    )
    assert (verdict.state, verdict.since) == ("failing", since)


def test_stale_after_three_intervals_without_a_success() -> None:
    assert _judge(last_ok_at=NOW - timedelta(minutes=29)) == "ok"
    assert _judge(last_ok_at=NOW - timedelta(minutes=31)) == "stale"
    never = judge(
        enabled=True,
        consecutive_errors=0,
        failing_since=None,
        last_ok_at=None,
        created_at=NOW - timedelta(hours=1),
        interval=600.0,
        rate=SETTLED,
        now=NOW,
    )
    assert (never.state, never.since) == ("stale", NOW - timedelta(minutes=30))


def test_files_and_replays_read_every_cycle_are_never_stale() -> None:
    assert _judge(interval=0.0, last_ok_at=NOW - 3 * WEEK) == "ok"
    assert _judge(interval=None, last_ok_at=NOW - 3 * WEEK) == "ok"


def test_silent_only_once_a_poll_has_read_past_the_hour() -> None:
    quiet = HourRate(JUDGED, seen=0, usual=40.0, history_weeks=4)
    assert _judge(rate=quiet) == "silent"
    read_before_the_hour_ended = JUDGED + timedelta(minutes=50)
    assert _judge(rate=quiet, last_ok_at=read_before_the_hour_ended, interval=7200.0) == "ok"


def test_learning_until_two_weeks_of_history() -> None:
    assert _judge(rate=HourRate(JUDGED, 0, 40.0, history_weeks=1)) == "learning"
    assert _judge(rate=HourRate(JUDGED, 0, None, history_weeks=0)) == "learning"
    assert _judge(rate=HourRate(JUDGED, 30, 40.0, history_weeks=2)) == "ok"


def test_paused_is_neither_failing_nor_stale_nor_silent() -> None:
    quiet = HourRate(JUDGED, seen=0, usual=40.0, history_weeks=4)
    assert _judge(enabled=False, consecutive_errors=9, last_ok_at=None, rate=quiet) == "paused"


def test_failing_outranks_stale_and_recovery_clears_both() -> None:
    long_ago = NOW - timedelta(days=2)
    assert _judge(consecutive_errors=5, failing_since=long_ago, last_ok_at=long_ago) == "failing"
    assert _judge(consecutive_errors=0, last_ok_at=NOW) == "ok"


def test_hour_buckets_count_by_published_hour_and_clamp_the_future() -> None:
    times = [
        datetime(2026, 3, 9, 12, 59, 59, tzinfo=UTC),
        datetime(2026, 3, 9, 13, 0, tzinfo=UTC),
        datetime(2026, 3, 9, 13, 30, tzinfo=UTC),
        datetime(2027, 1, 1, tzinfo=UTC),  # a wrong clock on the platform's side
    ]
    assert hour_buckets(times, NOW) == {
        datetime(2026, 3, 9, 12, tzinfo=UTC): 1,
        datetime(2026, 3, 9, 13, tzinfo=UTC): 2,
        datetime(2026, 3, 9, 14, tzinfo=UTC): 1,
    }
