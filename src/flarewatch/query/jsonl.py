"""Read posts in the ingest JSONL format, reporting bad lines instead of stopping at them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

from flarewatch.mentions.post import Post

_OPTIONAL_STR = ("title", "author", "platform", "url", "language", "country")


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
    ident = record["id"]
    if not isinstance(ident, (str, int)) or isinstance(ident, bool):
        raise ValueError("'id' must be a string or an integer")
    if not isinstance(record["text"], str):
        raise ValueError("'text' must be a string")
    kwargs: dict[str, Any] = {}
    for key in _OPTIONAL_STR:
        value = record.get(key)
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{key!r} must be a string")
        if value is not None:
            kwargs[key] = value
    if isinstance(kwargs.get("author"), str):
        kwargs["author"] = kwargs["author"].lstrip("@")
    links = record.get("links")
    if links is not None:
        if not isinstance(links, list) or not all(isinstance(u, str) for u in links):
            raise ValueError("'links' must be a list of strings")
        kwargs["links"] = links
    created = record.get("created_at")
    if created is not None:
        kwargs["created_at"] = _timestamp(created)
    return Post(external_id=str(ident), text=record["text"], raw=record, **kwargs)


def _timestamp(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError("'created_at' must be an ISO 8601 string")
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as err:
        raise ValueError(f"'created_at' is not an ISO 8601 timestamp: {value!r}") from err
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


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
