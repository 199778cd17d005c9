"""A long-running runner empties the stream's memo caches every few hours of its own clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from flarewatch.enrich import text
from flarewatch.pipeline.memory import SWEEP_EVERY
from flarewatch.runtime.embedded import EmbeddedRunner

from .conftest import post_line

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_the_runner_sweeps_the_stream_caches_on_its_clock(
    engine: Engine, make_workspace: Callable[..., int], tmp_path: Path
) -> None:
    make_workspace(engine)
    lines = [post_line(i, f"acme burger number {i} was cold") for i in range(20)]
    (tmp_path / "posts.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    clock = [NOW]
    runner = EmbeddedRunner(engine, clock=lambda: clock[0])
    report = runner.cycle()
    assert report.batch.mentions == 20
    [(_, context)] = runner._contexts.values()
    memos = [shard.token_indexes for shard in context.matcher._shards.values()]
    assert text.normalise.cache_info().currsize > 0 and any(memos)
    clock[0] = NOW + SWEEP_EVERY - timedelta(minutes=1)
    runner.cycle()
    assert runner.sweep_caches.sweeps == 0 and any(memos)
    clock[0] = NOW + SWEEP_EVERY
    runner.cycle()
    assert runner.sweep_caches.sweeps == 1
    assert text.normalise.cache_info().currsize == 0 and not any(memos)
