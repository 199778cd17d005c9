"""What a poll writes on its source's row: success, failure, when it is next due.

Pure bookkeeping over one `Source` row; the runner calls these in the transaction that stores
the posts, so the health the web page shows is exactly what was committed.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from flarewatch.mentions.post import Post
from flarewatch.sources.models import Source

MAX_BACKOFF_SECONDS = 3600.0
MIN_BACKOFF_SECONDS = 30.0


def is_due(source: Source, now: datetime) -> bool:
    return source.next_poll_at is None or source.next_poll_at <= now


def backoff_seconds(every: float, consecutive_errors: int, jitter: float | None = None) -> float:
    """Wait after the n-th failure in a row: the interval doubled per failure, at most an hour,
    with ±20 % jitter so that many failing sources do not retry in step."""
    base = max(every, MIN_BACKOFF_SECONDS) * 2 ** max(0, consecutive_errors - 1)
    spread = random.uniform(0.8, 1.2) if jitter is None else jitter  # noqa: S311
    return min(MAX_BACKOFF_SECONDS, base) * spread


def record_success(
    source: Source,
    now: datetime,
    *,
    every: float,
    stored: int,
    posts: Sequence[Post],
    problems: Sequence[str],
    checkpoint: dict[str, Any],
    quota: dict[str, Any] | None,
    exhausted: bool,
) -> None:
    source.checkpoint = checkpoint
    source.posts_total += stored
    source.last_polled_at = now
    source.last_ok_at = now
    source.consecutive_errors = 0
    source.failing_since = None
    source.last_error = None
    if quota is not None:
        source.quota = quota
    newest = max((p.created_at for p in posts), default=None)
    if newest is not None and (source.newest_post_at is None or newest > source.newest_post_at):
        source.newest_post_at = min(newest, now)  # a post dated in the future is no lag
    if problems:
        source.problems_total = (source.problems_total or 0) + len(problems)
        source.last_error = f"{len(problems)} record(s) skipped; first: {problems[0]}"
    # Files and replays (every = 0) are read every cycle; more ready now means no wait.
    source.next_poll_at = now + timedelta(seconds=every) if exhausted and every > 0 else None


def record_failure(
    source: Source,
    now: datetime,
    message: str,
    *,
    every: float,
    retry_at: datetime | None = None,
) -> None:
    source.last_polled_at = now
    source.last_error = message
    source.consecutive_errors += 1
    if source.failing_since is None:
        source.failing_since = now
    if retry_at is not None and retry_at > now:
        source.next_poll_at = retry_at
    elif every > 0:
        source.next_poll_at = now + timedelta(
            seconds=backoff_seconds(every, source.consecutive_errors)
        )
    else:
        source.next_poll_at = None
