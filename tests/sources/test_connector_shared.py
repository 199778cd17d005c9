"""The pieces the platform connectors share (sources/connector.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

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
