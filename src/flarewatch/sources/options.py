"""What every kind's options share: the strict base model, `every` durations, endpoints.

Each kind declares its own `Options` model (a subclass of `KindOptions`) next to its code; the
workspace file's `[[sources]]` table holds the common keys (`key`, `kind`, `enabled`,
`platform`, `every`, `endpoint`) and that kind's keys, checked against its model.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MIN_EVERY_SECONDS = 10
MAX_EVERY_SECONDS = 7 * 86400


class KindOptions(BaseModel):
    """The keys of one kind; unknown keys are errors (a typo must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class NoOptions(KindOptions):
    """A kind without keys of its own."""


def parse_every(value: str | int | float) -> float:
    """Seconds in `every = "2m"` ("30s", "2m", "1h", "1d"; a bare number is seconds).

    "0" means every cycle of the runner (files and replays); otherwise 10 s to 7 days, because
    polling a platform faster than that only earns rate limits.
    """
    if isinstance(value, bool):
        raise ValueError('give \'every\' as a duration such as "2m", "30s" or "1h"')
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        match = _DURATION.match(value)
        if not match:
            raise ValueError(
                f"{value!r} is not a duration; write a number and a unit, e.g. "
                'every = "30s", "2m", "1h" or "1d"'
            )
        seconds = float(match.group(1)) * _UNIT_SECONDS[(match.group(2) or "s").lower()]
    if seconds == 0:
        return 0.0
    if not MIN_EVERY_SECONDS <= seconds <= MAX_EVERY_SECONDS:
        raise ValueError(
            f"every = {value!r} is outside 10 s to 7 days; platforms rate-limit faster polling"
        )
    return seconds


def format_every(seconds: float) -> str:
    """`parse_every`'s inverse for display: 120 → "2m"."""
    for unit in ("d", "h", "m"):
        size = _UNIT_SECONDS[unit]
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def check_endpoint(value: str) -> str:
    """An API base URL or instance: http(s) with a host; the trailing slash is dropped."""
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"endpoint {value!r} is not a web address; give the API's base URL, "
            'e.g. endpoint = "https://mastodon.social"'
        )
    return value.rstrip("/")
