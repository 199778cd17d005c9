"""The pieces the platform connectors share (sources/connector.py, sources/checkpoints.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from flarewatch.sources.checkpoints import advance_mark, past_mark
from flarewatch.sources.connector import parse_time


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05-24T10:36:55Z", datetime(2024, 5, 24, 10, 36, 55, tzinfo=UTC)),
        ("2019-11-26T15:51:44.000Z", datetime(2019, 11, 26, 15, 51, 44, tzinfo=UTC)),
        ("2024-06-11T10:00:00+0000", datetime(2024, 6, 11, 10, 0, tzinfo=UTC)),
        ("2024-06-11T13:00:00+03:00", datetime(2024, 6, 11, 10, 0, tzinfo=UTC)),
        (" 2024-06-11T10:00:00 ", datetime(2024, 6, 11, 10, 0, tzinfo=UTC)),
    ],
)
def test_platform_times_are_read_in_utc(value: str, expected: datetime) -> None:
    parsed = parse_time(value)
    assert parsed == expected
    assert parsed is not None and parsed.tzinfo is UTC


@pytest.mark.parametrize("value", [None, "", "   ", "yesterday", "2024-13-40T00:00:00Z", 1717, {}])
def test_missing_or_unreadable_times_are_none(value: Any) -> None:
    assert parse_time(value) is None


AT = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
LATER = datetime(2026, 12, 4, 10, 0, 1, tzinfo=UTC)
EARLIER = datetime(2026, 12, 4, 9, 59, 59, tzinfo=UTC)
MARK = {"newest": AT.isoformat(), "ids": ["a"]}


def test_past_mark_tells_same_second_items_apart_by_id() -> None:
    assert past_mark("a", EARLIER, {})  # everything is new to an empty mark
    assert past_mark("z", LATER, MARK)
    assert past_mark("b", AT, MARK)
    assert not past_mark("a", AT, MARK)
    assert not past_mark("b", EARLIER, MARK)


def test_advance_mark_moves_to_the_newest_time_taken() -> None:
    after = advance_mark({**MARK, "partial": "x"}, [("c", AT), ("d", LATER)], keep=10)
    assert after == {"newest": LATER.isoformat(), "ids": ["d"], "partial": "x"}


def test_advance_mark_adds_same_second_ids_and_stays_bounded() -> None:
    assert advance_mark(MARK, [("b", AT)], keep=10)["ids"] == ["a", "b"]
    assert advance_mark(MARK, [("c", AT), ("b", AT)], keep=2)["ids"] == ["b", "c"]
    assert advance_mark(MARK, [], keep=10) == MARK
