"""One dry fetch of a source: what `flarewatch sources test` and the web settings' "Test
connection" button show. Nothing is stored (no post, no checkpoint, no health change).

The fetch starts from the beginning (no checkpoint), so the sample shows what the source
gives, and ends within a deadline. Every failure, a connector's own bug included, is one line
(`error`), never an exception: the caller shows it as it is.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from flarewatch.config.workspace import SourceConfig
from flarewatch.mentions.post import Post
from flarewatch.sources.base import SourceError, SourceProblem
from flarewatch.sources.registry import build_source
from flarewatch.sources.secrets import Secrets

if TYPE_CHECKING:
    from flarewatch.sources.webhook import Inbox

EXCERPT_CHARS = 80


@dataclass(slots=True)
class TrialFetch:
    """What one dry fetch gave: the posts (at most the limit), the records it skipped, or the
    one-line reason it failed."""

    key: str
    posts: list[Post] = field(default_factory=list)
    problems: list[SourceProblem] = field(default_factory=list)
    # Not errors: what the reader noticed about the data as a whole (e.g. an unused date column).
    warnings: list[SourceProblem] = field(default_factory=list)
    error: str | None = None


def fetch_once(
    config: SourceConfig,
    base_dir: Path,
    secrets: Secrets,
    *,
    topics: Collection[str] = (),
    inbox: Inbox | None = None,
    limit: int,
    deadline_seconds: float,
) -> TrialFetch:
    """Build the source and fetch once from the start, storing nothing.

    `inbox` is where a webhook source reads its stored deliveries (they stay unread)."""
    trial = TrialFetch(config.key)
    try:
        reader = build_source(config, base_dir, secrets, topics=list(topics), inbox=inbox)
        result = reader.fetch(
            None,
            limit=limit,
            now=datetime.now(UTC),
            deadline=time.monotonic() + deadline_seconds,
        )
    except SourceError as err:  # CredentialError included: the platform's own words
        trial.error = str(err)
        return trial
    except Exception as err:  # a connector bug still ends in one line, not a traceback
        trial.error = f"source {config.key!r}: {type(err).__name__}: {err}"
        return trial
    trial.posts = list(result.posts[:limit])
    trial.problems = list(result.problems)
    trial.warnings = list(result.warnings)
    return trial


def excerpt(post: Post) -> str:
    """The post's text on one line, cut to EXCERPT_CHARS (an article shows its title first)."""
    text = post.text
    if post.title and post.title not in text:
        text = f"{post.title}: {text}"
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"
