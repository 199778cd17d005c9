from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flarewatch.enrich import spam, text
from flarewatch.mentions.post import Post
from flarewatch.pipeline.memory import STREAM_CACHES, CacheSweeper, clear_stream_caches
from flarewatch.query import Matcher
from flarewatch.query.analysis import _CACHES, token_cache

START = datetime(2026, 3, 1, tzinfo=UTC)


def _fill() -> None:
    text.normalise("Worm in my burger 123456")
    spam._text_key("Worm in my burger 123456")
    token_cache("en", False)["burger"]


def test_the_sweep_empties_every_stream_cache() -> None:
    _fill()
    assert text.normalise.cache_info().currsize > 0 and _CACHES
    clear_stream_caches()
    assert text.normalise.cache_info().currsize == 0
    assert spam._text_key.cache_info().currsize == 0
    assert not _CACHES
    assert len(STREAM_CACHES) >= 9


def test_the_sweeper_runs_once_per_period_of_the_clock_it_is_given() -> None:
    sweep = CacheSweeper(every=timedelta(hours=6))
    _fill()
    assert not sweep(START)  # the first call only starts the clock
    assert not sweep(START + timedelta(hours=5, minutes=59))
    assert text.normalise.cache_info().currsize > 0
    assert sweep(START + timedelta(hours=6))
    assert text.normalise.cache_info().currsize == 0
    _fill()
    assert not sweep(START + timedelta(hours=11))
    assert sweep(START + timedelta(hours=12, minutes=1))
    assert sweep.sweeps == 2


def test_a_matcher_forgets_its_token_memos_but_not_its_queries() -> None:
    matcher = Matcher()
    matcher.add("t", "burger AND worm*")
    post = Post("1", "found a worm in my burger", language="en")
    assert matcher.match(post) == ["t"]
    memos = [s.token_indexes for s in matcher._shards.values()]
    assert any(memos)
    clear_stream_caches([matcher])
    assert not any(memos)
    assert matcher.match(post) == ["t"]
