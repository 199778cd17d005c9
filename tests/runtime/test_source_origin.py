"""Sources added on the web survive a file sync, a pause survives everything, the runner never
polls a paused source and `sources list` says it is paused."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from flarewatch.cli.main import app
from flarewatch.config.workspace import parse_workspace_toml
from flarewatch.db.base import utcnow
from flarewatch.db.engine import get_engine, session_scope
from flarewatch.mentions.models import RawPost
from flarewatch.runtime.embedded import EmbeddedRunner
from flarewatch.sources.models import ORIGIN_FILE, ORIGIN_WEB, Source
from flarewatch.workspaces.service import sync_workspace

from .conftest import WORKSPACE, post_line


def _sources(engine: Engine) -> dict[str, tuple[str, bool, bool, str | None]]:
    """key → (origin, enabled, paused, rss url)."""
    with session_scope(engine) as session:
        return {
            s.key: (s.origin, s.enabled, s.paused_at is not None, s.config.get("url"))
            for s in session.scalars(select(Source))
        }


def _add_web_source(engine: Engine, workspace_id: int, key: str) -> None:
    with session_scope(engine) as session:
        config = {"key": key, "kind": "rss", "url": "https://web.example/feed.xml"}
        session.add(
            Source(workspace_id=workspace_id, key=key, kind="rss", config=config, origin="web")
        )


def _sync(engine: Engine, tmp_path: Path, extra: str = "") -> None:
    config = parse_workspace_toml(WORKSPACE.format(extra=extra), "acme.toml")
    with session_scope(engine) as session:
        sync_workspace(session, config, tmp_path)


def test_file_sync_keeps_web_sources_and_pauses_and_the_file_wins_a_key(
    engine: Engine, tmp_path: Path, make_workspace: Callable[..., int]
) -> None:
    workspace_id = make_workspace(engine)
    _add_web_source(engine, workspace_id, "web-news")
    with session_scope(engine) as session:
        export = session.scalars(select(Source).where(Source.key == "export")).one()
        export.paused_at, export.paused_by = utcnow(), "ana@agency.example"
    _sync(engine, tmp_path)
    assert _sources(engine) == {
        "export": (ORIGIN_FILE, True, True, None),
        "web-news": (ORIGIN_WEB, True, False, "https://web.example/feed.xml"),
    }
    # The file now defines the web source's key: the file's definition wins.
    _sync(
        engine, tmp_path, '[[sources]]\nkey = "web-news"\nkind = "rss"\nurl = "https://f.example/a"'
    )
    assert _sources(engine)["web-news"] == (ORIGIN_FILE, True, False, "https://f.example/a")
    # Dropped from the file again: now it is the file's, so it is switched off.
    _sync(engine, tmp_path)
    assert _sources(engine)["web-news"] == (ORIGIN_FILE, False, False, "https://f.example/a")
    assert _sources(engine)["export"][2], "the pause outlives every sync"


def test_the_runner_skips_a_paused_source_until_it_is_resumed(
    engine: Engine, tmp_path: Path, make_workspace: Callable[..., int]
) -> None:
    (tmp_path / "posts.jsonl").write_text(post_line(1, "acme rocks") + "\n", encoding="utf-8")
    make_workspace(engine)
    with session_scope(engine) as session:
        session.scalars(select(Source)).one().paused_at = utcnow()
    runner = EmbeddedRunner(engine)
    report = runner.cycle()
    assert report.sources == []

    def stored() -> int:
        with session_scope(engine) as session:
            return session.scalar(select(func.count()).select_from(RawPost)) or 0

    assert stored() == 0
    with session_scope(engine) as session:
        session.scalars(select(Source)).one().paused_at = None
    report = runner.cycle()
    assert [s.source for s in report.sources] == ["export"]
    assert stored() == 1


def test_sources_list_shows_a_paused_source(tmp_path: Path) -> None:
    path = tmp_path / "acme.toml"
    path.write_text(WORKSPACE.format(extra=""), encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(app, ["workspace", "add", str(path)]).exit_code == 0
    with session_scope(get_engine()) as session:
        session.scalars(select(Source)).one().paused_at = utcnow()
    result = runner.invoke(app, ["sources", "list", "--workspace", "acme"])
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if "export" in line)
    assert "paused" in row
