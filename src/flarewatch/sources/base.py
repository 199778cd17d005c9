"""The Source protocol: fetch since a checkpoint, get a batch of posts and the next checkpoint.

The runner commits the posts and the new checkpoint in one transaction, so a crash between
fetch and commit re-fetches the same batch, and the unique (source, external id) key drops
what was already stored: a restart neither loses nor duplicates a post.

This module knows no kind: `sources/registry.py` names them and imports a kind's module only
when a source of that kind is built, so base → registry → kind → base is no import circle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from flarewatch.mentions.post import Post

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(slots=True)
class SourceProblem:
    """A record the source could not read; the rest of the batch still goes through."""

    where: str  # e.g. "posts.jsonl line 17" or the feed URL
    message: str  # what is wrong and how to fix it


@dataclass(slots=True)
class FetchResult:
    posts: list[Post]
    checkpoint: dict[str, Any]
    problems: list[SourceProblem] = field(default_factory=list)
    exhausted: bool = True  # False when more is ready right now (call fetch again at once)
    # What the platform said is left of the quota: {"remaining": 9400, "limit": 10000,
    # "unit": "units" | "requests", "reset_at": ISO time}; None when it says nothing.
    quota: dict[str, Any] | None = None
    # Writes that belong to this batch (the webhook kind marks its deliveries read): the runner
    # calls it with its session and the time in the transaction that stores the posts and the
    # checkpoint, so they are committed together or not at all.
    commit_with: Callable[[Session, datetime], None] | None = None
    # What was read but may be wrong (a date column the records do not use): shown to the
    # person importing, once per file or body; the posts are still stored.
    warnings: list[SourceProblem] = field(default_factory=list)


@runtime_checkable
class Source(Protocol):
    key: str
    kind: str

    def fetch(
        self,
        checkpoint: dict[str, Any] | None,
        *,
        limit: int = 1000,
        now: datetime | None = None,
        deadline: float | None = None,
    ) -> FetchResult:
        """The next batch after `checkpoint`. `deadline` is a `time.monotonic()` value by which
        the whole fetch must end (a trickling server must not hold the other sources)."""
        ...


class SourceError(Exception):
    """The whole source failed (feed unreachable, file missing): recorded on the source's health.

    `retry_at` is set when the platform said when to come back (Retry-After, a rate-limit
    reset); the runner does not poll the source again before then.
    """

    def __init__(self, message: str, *, retry_at: datetime | None = None) -> None:
        super().__init__(message)
        self.retry_at = retry_at


class CredentialError(SourceError):
    """A credential is missing, expired or rejected: which source, which variable, what the
    platform said and how to fix it, in one line."""
