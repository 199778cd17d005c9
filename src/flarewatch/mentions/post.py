"""The in-flight post: what every source produces and every pipeline stage reads.

A `Post` is a plain dataclass so that the pipeline functions stay free of any framework and can be
called on batches from the embedded runner, a distributed worker, a test or a benchmark alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

# The longest text a post keeps, in characters (a long article; social posts are far shorter).
# Longer text is cut and ends with a visible mark, so every analysis step has a bounded input
# and no single record can make a batch slow or the database row huge (docs/sources.md).
MAX_TEXT_CHARS = 100_000


def truncation_mark(original_length: int) -> str:
    return f"\u2026 [truncated by Flarewatch: {original_length:,} characters in the original]"


def truncate_text(text: str) -> str:
    """`text` itself when it fits MAX_TEXT_CHARS, else its start plus the truncation mark
    (the result, mark included, is at most MAX_TEXT_CHARS long)."""
    if len(text) <= MAX_TEXT_CHARS:
        return text
    mark = truncation_mark(len(text))
    return text[: MAX_TEXT_CHARS - len(mark)] + mark


@dataclass(slots=True)
class Post:
    """One social post, article or comment, in the ingest format.

    Only `external_id` and `text` are required. `created_at` is always timezone-aware UTC once a
    post has passed `pipeline.normalise`.
    """

    external_id: str
    text: str
    title: str | None = None
    author: str | None = None  # handle, without the leading @
    author_name: str | None = None
    author_followers: int | None = None
    author_created_at: datetime | None = None
    author_verified: bool = False
    platform: str = "web"  # twitter, facebook, instagram, reddit, news, web, ...
    url: str | None = None
    language: str | None = None  # ISO 639-1 code when the source knows it
    country: str | None = None  # ISO 3166-1 alpha-2
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    likes: int = 0
    shares: int = 0
    replies: int = 0
    views: int = 0
    reply_to: str | None = None  # external id of the post this one answers
    repost_of: str | None = None  # external id of the post this one shares or quotes
    links: list[str] = field(default_factory=list)
    source_key: str = ""  # the workspace's name for the source that produced it
    raw: dict[str, Any] = field(default_factory=dict)
    # Fields cut to MAX_TEXT_CHARS → their original length in characters (kept in the payload).
    truncated: dict[str, int] = field(default_factory=dict)
    # Where the record came from, e.g. "posts.jsonl line 17": names it if it cannot be stored.
    where: str = ""
    # Filled in by pipeline.normalise: the text used for matching, dedup and enrichment.
    clean_text: str = ""
    content_hash: str = ""
    hashtags: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.external_id
