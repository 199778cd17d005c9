"""The stream's memo caches, and the time bound a long-running runner puts on them.

Each cache below has a count bound of its own (an LRU size, or a limit at which it empties);
a one-off command (`flarewatch ingest`) relies on those. A runner lives for weeks, and at a
modest rate a count bound of 65,536 texts takes weeks to reach, so its resident memory would
grow all that time. `CacheSweeper` adds a time bound: every `SWEEP_EVERY` of the runner's
clock it empties them all, so none holds more than the last few hours' words and texts.
Emptying costs only recomputation on first sight, which is what the caches save anyway.

Per-workspace structures have time bounds of their own (the spam scorer's copy memory, the
near-duplicate index: enrich/spam.py, enrich/neardup.py); the sweep empties the matcher's
per-token memos (`Matcher.forget_tokens`) of the contexts the runner passes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any, Protocol

from flarewatch.detect import labels, stories
from flarewatch.enrich import langid, spam, text
from flarewatch.query import analysis, english, polish
from flarewatch.query.matcher import Matcher

SWEEP_EVERY = timedelta(hours=6)


class _Memo(Protocol):
    def cache_clear(self) -> None: ...
    def cache_info(self) -> Any: ...


class _TokenCaches:
    """The query analysis's per-mode token caches, as one memo."""

    def cache_clear(self) -> None:
        analysis._CACHES.clear()

    def cache_info(self) -> SimpleNamespace:
        return SimpleNamespace(currsize=sum(len(c) for c in analysis._CACHES.values()))


# Memoised per text or per word of the stream (not per query or per model: those are bounded by
# the workspace's configuration).
STREAM_CACHES: dict[str, _Memo] = {
    "normalised texts (enrich/text.py)": text.normalise,
    "copy keys (enrich/spam.py)": spam._text_key,
    "language id (enrich/langid.py)": langid._detect_cached,
    "story gram slots (detect/stories.py)": stories.word_grams,
    "label word keys (detect/labels.py)": labels.word_key,
    "label stopwords (detect/labels.py)": labels.is_stopword,
    "English stems (query/english.py)": english.en_stem,
    "Polish stems (query/polish.py)": polish.pl_stem,
    "query token caches (query/analysis.py)": _TokenCaches(),
}


def stream_cache_size(name: str) -> int:
    """Entries held now in the stream cache of that name (for benchmarks and diagnostics)."""
    return int(STREAM_CACHES[name].cache_info().currsize)


def clear_stream_caches(matchers: Iterable[Matcher] = ()) -> None:
    """Empty every process-wide stream cache and the given matchers' per-token memos."""
    for cache in STREAM_CACHES.values():
        cache.cache_clear()
    for matcher in matchers:
        matcher.forget_tokens()


class CacheSweeper:
    """Calls `clear_stream_caches` once every `every` of a clock the caller passes in."""

    def __init__(self, every: timedelta = SWEEP_EVERY) -> None:
        self.every = every
        self._last: datetime | None = None
        self.sweeps = 0

    def __call__(self, now: datetime, matchers: Iterable[Matcher] = ()) -> bool:
        """Sweep if `every` has passed since the last sweep (or the first call); say if it did."""
        if self._last is None:
            self._last = now
            return False
        if now - self._last < self.every:
            return False
        clear_stream_caches(matchers)
        self._last = now
        self.sweeps += 1
        return True
