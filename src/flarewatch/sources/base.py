"""The Source protocol: fetch since a checkpoint, get a batch of posts and the next checkpoint.

The runner commits the posts and the new checkpoint in one transaction, so a crash between
fetch and commit re-fetches the same batch, and the unique (source, external id) key drops
what was already stored: a restart neither loses nor duplicates a post.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from flarewatch.config.workspace import SourceConfig
from flarewatch.mentions.post import Post


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


@runtime_checkable
class Source(Protocol):
    key: str
    kind: str

    def fetch(
        self, checkpoint: dict[str, Any] | None, *, limit: int = 1000, now: datetime | None = None
    ) -> FetchResult: ...


class SourceError(Exception):
    """The whole source failed (feed unreachable, file missing): recorded on the source's health."""


SourceFactory = Callable[[SourceConfig, Path], Source]
_REGISTRY: dict[str, SourceFactory] = {}


def register_source(kind: str, factory: SourceFactory) -> None:
    _REGISTRY[kind] = factory


def source_kinds() -> list[str]:
    return sorted(_REGISTRY)


def build_source(config: SourceConfig, base_dir: Path) -> Source:
    """Build the configured source; relative paths are read against the workspace file's folder."""
    import flarewatch.sources.registry  # noqa: F401  (registers the built-in kinds)

    try:
        factory = _REGISTRY[config.kind]
    except KeyError:
        raise SourceError(
            f"source {config.key!r}: unknown kind {config.kind!r}; use one of {source_kinds()}"
        ) from None
    return factory(config, base_dir)
