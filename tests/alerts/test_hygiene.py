from datetime import timedelta

import pytest

from flarewatch.alerts.hygiene import (
    Action,
    ClosedAlert,
    cooldown_from_config,
    decide,
    merge_post_ids,
)
from flarewatch.alerts.routing import describe_route, routes_for

from .helpers import T0


@pytest.mark.parametrize(
    ("new", "live", "expected"),
    [
        ("warning", "warning", Action.UPDATE),
        ("watch", "crisis", Action.UPDATE),
        ("crisis", "warning", Action.ESCALATE),
        ("warning", None, Action.OPEN),
    ],
)
def test_decide_against_a_live_alert(new: str, live: str | None, expected: Action) -> None:
    assert decide(new, live, None, T0) is expected


def test_cooldown_suppresses_the_same_severity_but_not_a_rise() -> None:
    closed = ClosedAlert("warning", T0, T0 - timedelta(minutes=5))
    soon = T0 + timedelta(minutes=10)
    assert decide("warning", None, closed, soon) is Action.SUPPRESS
    assert decide("watch", None, closed, soon) is Action.SUPPRESS
    assert decide("crisis", None, closed, soon) is Action.OPEN
    assert decide("warning", None, closed, T0 + timedelta(minutes=31)) is Action.OPEN
    assert decide("warning", None, closed, soon, cooldown=timedelta(minutes=5)) is Action.OPEN


def test_cooldown_uses_data_time_when_closed_in_the_future_of_a_replay() -> None:
    # Closed on the wall clock (2026) while a replay runs in 2024: anchor on the window end.
    closed = ClosedAlert("warning", T0 + timedelta(days=700), T0)
    assert decide("warning", None, closed, T0 + timedelta(minutes=10)) is Action.SUPPRESS
    assert decide("warning", None, closed, T0 + timedelta(minutes=40)) is Action.OPEN


def test_unknown_severity_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown severity 'huge'"):
        decide("huge", None, None, T0)


def test_cooldown_from_config() -> None:
    assert cooldown_from_config({}) == timedelta(minutes=30)
    assert cooldown_from_config({"alert_cooldown_minutes": 5}) == timedelta(minutes=5)
    assert cooldown_from_config({"alert_cooldown_minutes": "x"}) == timedelta(minutes=30)


def test_merge_post_ids_keeps_latest_first_without_repeats() -> None:
    assert merge_post_ids([5, 3], [3, 1, 2], cap=4) == [5, 3, 1, 2]


def test_routes_filter_by_min_severity_and_always_include_console() -> None:
    config = {
        "alert_routes": [
            {"url": "json://127.0.0.1:1/all", "min_severity": "watch"},
            {"url": "mailto://ops@example.com", "min_severity": "crisis"},
            {"url": "console", "min_severity": "watch"},
        ]
    }
    assert routes_for(config, "warning") == ["console", "json://127.0.0.1:1/all"]
    assert routes_for(config, "crisis")[-1] == "mailto://ops@example.com"
    assert routes_for({}, "watch") == ["console"]


def test_describe_route_masks_secrets() -> None:
    shown = describe_route("mailto://user:hunter2@example.com")
    assert "hunter2" not in shown
    assert "not a valid Apprise URL" in describe_route("nonsense://x")
