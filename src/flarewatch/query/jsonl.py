"""Read posts in the ingest JSONL format, reporting bad lines instead of stopping at them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from flarewatch.mentions.post import Post
from flarewatch.sources import ingest


@dataclass(frozen=True, slots=True)
class BadLine:
    line: int
    message: str


def post_from_record(record: Any) -> Post:
    """Build a Post from one decoded JSON object; ValueError says what is wrong with it."""
    if not isinstance(record, dict):
        raise ValueError(f"expected a JSON object, got {type(record).__name__}")
    missing = [k for k in ("id", "text") if k not in record]
    if missing:
        raise ValueError(f"missing required field {', '.join(repr(k) for k in missing)}")
    # Field by field, the ingest format is the one every reader shares (sources/ingest.py).
    return ingest.post_from_record(record)


def read_posts(stream: IO[str]) -> Iterator[Post | BadLine]:
    """Posts in file order; a malformed line yields a BadLine (1-based) and reading goes on."""
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            yield BadLine(number, f"invalid JSON: {err.msg} (column {err.colno})")
            continue
        try:
            yield post_from_record(record)
        except ValueError as err:
            yield BadLine(number, str(err))
