"""Ingestion is exactly-once across restarts and bad lines, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from flarewatch.db.engine import session_scope
from flarewatch.mentions.models import Mention, RawPost, Rollup
from flarewatch.pipeline import batch as batch_module
from flarewatch.runtime.embedded import EmbeddedRunner
from flarewatch.sources.models import Source

from .conftest import post_line


def _count(engine: Engine, model: type) -> int:
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _source_id(engine: Engine) -> int:
    with session_scope(engine) as session:
        return session.scalars(select(Source.id)).one()


def test_file_import_is_exactly_once(
    any_engine: Engine, make_workspace: Callable[..., int], tmp_path: Path
) -> None:
    workspace_id = make_workspace(any_engine)
    path = tmp_path / "posts.jsonl"
    lines = [
        post_line(1, "Acme burger was great"),
        post_line(2, "אקמה - ההמבורגר היה מצוין"),
        "{not json",
        post_line(3, "unrelated chatter about the weather"),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    runner = EmbeddedRunner(any_engine)

    first = runner.ingest_source(workspace_id, _source_id(any_engine))
    assert first.source.ok
    assert any("line 3" in p for p in first.source.problems), first.source.problems
    assert _count(any_engine, RawPost) == 3
    assert _count(any_engine, Mention) == 2

    # Polling again reads nothing new; appending reads only the new line.
    again = runner.ingest_source(workspace_id, _source_id(any_engine))
    assert again.cycle.batch.stored == 0
    with path.open("a", encoding="utf-8") as handle:
        handle.write(post_line(4, "ACME fries were cold") + "\n")
    runner.ingest_source(workspace_id, _source_id(any_engine))
    assert _count(any_engine, RawPost) == 4
    assert _count(any_engine, Mention) == 3
    with session_scope(any_engine) as session:
        assert session.scalar(select(func.sum(Rollup.count))) == 3


def test_a_crash_before_commit_neither_loses_nor_duplicates(
    any_engine: Engine,
    make_workspace: Callable[..., int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    workspace_id = make_workspace(any_engine)
    (tmp_path / "posts.jsonl").write_text(
        "\n".join(post_line(i, f"acme post number {i}") for i in range(1, 6)) + "\n",
        encoding="utf-8",
    )
    real_apply = batch_module.apply_rollups

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("power cut mid-batch")

    monkeypatch.setattr(batch_module, "apply_rollups", crash)
    crashed = EmbeddedRunner(any_engine).ingest_source(workspace_id, _source_id(any_engine))
    assert not crashed.source.ok and "power cut" in (crashed.source.error or "")
    assert _count(any_engine, RawPost) == 0
    with session_scope(any_engine) as session:
        source = session.scalars(select(Source)).one()
        assert source.checkpoint is None and source.consecutive_errors == 1

    monkeypatch.setattr(batch_module, "apply_rollups", real_apply)
    EmbeddedRunner(any_engine).ingest_source(workspace_id, _source_id(any_engine))
    assert _count(any_engine, RawPost) == 5
    assert _count(any_engine, Mention) == 5


def test_same_item_from_two_sources_is_stored_once_as_mention(
    engine: Engine, make_workspace: Callable[..., int], tmp_path: Path
) -> None:
    make_workspace(
        engine, extra='[[sources]]\nkey = "mirror"\nkind = "file"\npath = "mirror.jsonl"\n'
    )
    line = post_line(1, "Acme recall announced")
    (tmp_path / "posts.jsonl").write_text(line + "\n", encoding="utf-8")
    (tmp_path / "mirror.jsonl").write_text(line.replace('"p1"', '"m1"') + "\n", encoding="utf-8")
    EmbeddedRunner(engine).cycle()
    with session_scope(engine) as session:
        rows = list(session.scalars(select(RawPost).order_by(RawPost.id)))
        assert len(rows) == 2
        assert rows[1].duplicate_of_id == rows[0].id
        assert session.scalar(select(func.count()).select_from(Mention)) == 1


def test_a_changed_sentiment_backend_reaches_the_next_batch(
    any_engine: Engine, make_workspace: Callable[..., int]
) -> None:
    from flarewatch.workspaces.models import Workspace

    workspace_id = make_workspace(any_engine)
    runner = EmbeddedRunner(any_engine)
    with session_scope(any_engine) as session:
        ws = session.get_one(Workspace, workspace_id)
        first = runner._context(session, ws)
        assert runner._context(session, ws) is first  # cached while nothing changes
        assert first.enricher.backend == "default"
        ws.config = {**(ws.config or {}), "sentiment_backend": "use"}
        session.flush()
        changed = runner._context(session, ws)
        assert changed is not first and changed.enricher.backend == "use"
