"""What the platform connectors share besides HTTP: their `endpoint` option, text cleaning,
platform timestamps, absolute links, bounded "already taken" ids, and platform records turned
into posts with a problem per bad item (one bad item never costs the rest of the page)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

from pydantic import Field, field_validator

from flarewatch.mentions.post import Post
from flarewatch.sources.base import SourceProblem
from flarewatch.sources.ingest import RecordError, post_from_record
from flarewatch.sources.options import KindOptions, check_endpoint

# C0 controls but tab, newline and carriage return; DEL; C1 controls; lone surrogates.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_SPACES = re.compile(r"\s+")
MAX_SEEN = 5000


class HttpOptions(KindOptions):
    """Keys every HTTP connector has: `endpoint`, its API base URL or instance."""

    endpoint: str | None = Field(
        default=None, description="The API's base URL; empty: the public service"
    )

    @field_validator("endpoint")
    @classmethod
    def _endpoint(cls, value: str | None) -> str | None:
        return check_endpoint(value) if value else None


def parse_time(value: Any) -> datetime | None:
    """A platform's RFC 3339 time (2024-05-24T10:36:55Z, 2019-11-26T15:51:44.000Z, Graph's
    2024-06-11T10:00:00+0000) in UTC, a time without offset taken as UTC; None when missing or
    unreadable, so the caller decides what such an item means."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def clean_text(value: Any) -> str:
    """Platform text with NUL and control characters removed (they cannot be stored and
    carry no meaning); None becomes ""."""
    if value is None:
        return ""
    return _CONTROL.sub("", str(value))


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"br", "p", "div", "li"}:
            self.parts.append(" ")


def strip_html(value: str | None) -> str:
    """Plain text from an HTML snippet (Mastodon statuses, feed summaries, forum posts)."""
    if not value:
        return ""
    parser = _TextOnly()
    parser.feed(clean_text(value))
    parser.close()
    return _SPACES.sub(" ", html.unescape("".join(parser.parts))).strip()


def absolute_url(base: str, link: str | None) -> str | None:
    """`link` resolved against the page or feed it was found on."""
    if not link:
        return None
    return urljoin(base, link.strip())


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_cleaned(item) for item in value]
    if isinstance(value, dict):
        return {clean_text(k): _cleaned(v) for k, v in value.items()}
    return value


def to_post(
    record: Mapping[str, Any], *, source_key: str, platform: str, where: str
) -> Post | SourceProblem:
    """A platform item mapped to the ingest format, as a post or as the problem that skips it.

    Text fields are cleaned of control characters first; `None` values are dropped.
    """
    fields = {k: _cleaned(v) for k, v in record.items() if v is not None}
    try:
        post = post_from_record(fields, default_platform=platform, source_key=source_key)
    except RecordError as err:
        return SourceProblem(where, f"{err}; this item is skipped, the rest are kept")
    post.where = where
    return post


def split_posts(
    items: Iterable[Post | SourceProblem],
) -> tuple[list[Post], list[SourceProblem]]:
    posts: list[Post] = []
    problems: list[SourceProblem] = []
    for item in items:
        (posts if isinstance(item, Post) else problems).append(item)  # type: ignore[arg-type]
    return posts, problems


def remember(seen: list[str], new: Iterable[str], limit: int = MAX_SEEN) -> list[str]:
    """Ids already taken, newest last, bounded (for APIs whose cursor is only a time)."""
    merged = [*seen, *new]
    return merged[-limit:]
