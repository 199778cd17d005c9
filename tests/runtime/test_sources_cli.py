"""`flarewatch sources list | test | run`: kinds, health, a dry fetch, a storing fetch."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from flarewatch.cli.main import app
from flarewatch.config.workspace import load_workspace_file
from flarewatch.db.engine import get_engine, session_scope
from flarewatch.mentions.models import RawPost
from flarewatch.sources.ingest import post_from_record
from flarewatch.sources.models import Source
from flarewatch.sources.registry import KINDS, build_source
from tests.sources.platform_server import (
    PlatformServer,
    Reply,
    platform,  # noqa: F401  (the local feed server)
)

from .conftest import WORKSPACE, post_line

runner = CliRunner()
RSS = Path(__file__).parents[1] / "sources" / "fixtures" / "rss2.xml"
FEED_SOURCE = """
[[sources]]
key = "news"
kind = "rss"
platform = "news"
url = "{url}"
"""


def _workspace(tmp_path: Path, feed_url: str = "http://127.0.0.1:9/feed.xml") -> Path:
    posts = [
        post_line(1, "acme burgers rock"),
        post_line(2, "acme again \u202egnp.exe"),
        post_line(3, "no match"),
    ]
    (tmp_path / "posts.jsonl").write_text("\n".join(posts) + "\n", encoding="utf-8")
    path = tmp_path / "acme.toml"
    path.write_text(WORKSPACE.format(extra=FEED_SOURCE.format(url=feed_url)), encoding="utf-8")
    return path


def _add(path: Path) -> None:
    result = runner.invoke(app, ["workspace", "add", str(path)])
    assert result.exit_code == 0, result.output


def _stored() -> tuple[int, list[tuple[str, object, object]]]:
    with session_scope(get_engine()) as session:
        posts = session.scalar(select(func.count()).select_from(RawPost)) or 0
        rows = session.execute(select(Source.key, Source.checkpoint, Source.last_polled_at))
        return posts, [tuple(row) for row in rows]


def _serve_feed(platform: PlatformServer) -> str:  # noqa: F811
    body = RSS.read_bytes()
    platform.route("GET", "/feed.xml", Reply.raw(body, content_type="application/rss+xml"))
    return platform.url("/feed.xml")


def test_list_without_a_workspace_shows_every_kind() -> None:
    result = runner.invoke(app, ["sources", "list"])
    assert result.exit_code == 0, result.output
    for kind in KINDS:
        assert kind in result.output
    assert "RSS 2.0" in result.output


def test_list_with_a_workspace_shows_health(tmp_path: Path) -> None:
    _add(_workspace(tmp_path))
    before = runner.invoke(app, ["sources", "list", "--workspace", "acme"])
    assert before.exit_code == 0, before.output
    assert "export" in before.output and "news" in before.output
    assert "never polled" in before.output
    assert runner.invoke(app, ["sources", "run", "export", "-w", "acme"]).exit_code == 0
    assert runner.invoke(app, ["sources", "run", "news", "-w", "acme"]).exit_code == 1
    once = runner.invoke(app, ["sources", "list", "--workspace", "acme"])
    assert "last poll failed" in once.output  # one failure is not "failing" yet
    assert "failing" not in once.output
    assert runner.invoke(app, ["sources", "run", "news", "-w", "acme"]).exit_code == 1
    after = runner.invoke(app, ["sources", "list", "--workspace", str(tmp_path / "acme.toml")])
    assert after.exit_code == 0, after.output
    assert "failing" in after.output and "2 failed in a row" in after.output
    assert "3" in after.output  # the file source's posts


def test_list_unknown_workspace_is_a_clear_error() -> None:
    result = runner.invoke(app, ["sources", "list", "--workspace", "nope"])
    assert result.exit_code == 2
    assert "nope" in result.output


def test_test_with_a_workspace_file_needs_no_database(tmp_path: Path) -> None:
    path = _workspace(tmp_path)
    result = runner.invoke(app, ["sources", "test", "export", "--workspace", str(path)])
    assert result.exit_code == 0, result.output
    assert "3 post(s) fetched, nothing stored" in result.stdout
    assert "user1" in result.stdout and "user3" in result.stdout
    # User text goes through the bidi-safe console: the override shows as a marker.
    assert "\u202e" not in result.stdout and "U+202E" in result.stdout
    assert not (tmp_path / "data" / "flarewatch.db").exists()


def test_test_jsonl_is_the_ingest_format(tmp_path: Path) -> None:
    path = _workspace(tmp_path)
    result = runner.invoke(app, ["sources", "test", "export", "-w", str(path), "--jsonl"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    config = load_workspace_file(path).sources[0]
    reader = build_source(config, tmp_path)
    fetched = reader.fetch(None, limit=100, now=datetime.now(UTC), deadline=time.monotonic() + 60)
    assert [r["id"] for r in records] == ["p1", "p2", "p3"]
    assert records[1]["text"] == "acme again \u202egnp.exe"  # data stays raw
    for record, post in zip(records, fetched.posts, strict=True):
        again = post_from_record(record, source_key=post.source_key)
        for name in ("external_id", "text", "author", "platform", "created_at", "likes"):
            assert getattr(again, name) == getattr(post, name), name
    assert "3 post(s) fetched" in result.stderr


def test_test_limit(tmp_path: Path) -> None:
    path = _workspace(tmp_path)
    result = runner.invoke(
        app, ["sources", "test", "export", "-w", str(path), "--jsonl", "--limit", "1"]
    )
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 1


def test_test_rss_from_the_database_stores_nothing(
    tmp_path: Path,
    platform: PlatformServer,  # noqa: F811
) -> None:
    _add(_workspace(tmp_path, _serve_feed(platform)))
    before = _stored()
    result = runner.invoke(app, ["sources", "test", "news", "--workspace", "acme"])
    assert result.exit_code == 0, result.output
    assert "2 post(s) fetched, nothing stored" in result.stdout
    assert "מבזק חדשות" in result.stdout
    assert platform.paths() == ["/feed.xml"]
    assert _stored() == before == (0, [("export", None, None), ("news", None, None)])


@pytest.mark.parametrize("status", [500, 401])
def test_test_failure_exits_1_with_one_line(
    tmp_path: Path,
    platform: PlatformServer,  # noqa: F811
    status: int,
) -> None:
    platform.route("GET", "/feed.xml", Reply.raw("nope", status=status))
    path = _workspace(tmp_path, platform.url("/feed.xml"))
    result = runner.invoke(app, ["sources", "test", "news", "-w", str(path)])
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("error: ") and "news" in result.stderr
    assert result.stderr.count("\n") == 1  # one line, however long
    assert "Traceback" not in result.output


def test_test_unknown_source_names_the_known_ones(tmp_path: Path) -> None:
    result = runner.invoke(app, ["sources", "test", "nope", "-w", str(_workspace(tmp_path))])
    assert result.exit_code == 2
    assert "export, news" in result.output


def test_run_stores_then_stores_nothing_new(
    tmp_path: Path,
    platform: PlatformServer,  # noqa: F811
) -> None:
    path = _workspace(tmp_path, _serve_feed(platform))
    first = runner.invoke(app, ["sources", "run", "news", "--workspace", str(path)])
    assert first.exit_code == 0, first.output
    assert "acme/news: 2 new post(s)" in first.output
    again = runner.invoke(app, ["sources", "run", "news", "--workspace", "acme"])
    assert again.exit_code == 0, again.output
    assert "0 new post(s)" in again.output
    file_run = runner.invoke(app, ["sources", "run", "export", "--workspace", "acme"])
    assert "3 new post(s)" in file_run.output
    assert _stored()[0] == 5


def test_run_failure_exits_1(tmp_path: Path, platform: PlatformServer) -> None:  # noqa: F811
    platform.route("GET", "/feed.xml", Reply.raw("down", status=404))
    path = _workspace(tmp_path, platform.url("/feed.xml"))
    result = runner.invoke(app, ["sources", "run", "news", "--workspace", str(path)])
    assert result.exit_code == 1
    assert "error:" in result.output and "news" in result.output


def test_help_documents_the_sources_commands() -> None:
    assert "sources" in runner.invoke(app, ["--help"]).output
    for command in ("list", "test", "run"):
        result = runner.invoke(app, ["sources", command, "--help"])
        assert result.exit_code == 0 and "--workspace" in result.output, command


def test_test_prints_skipped_records_to_stderr(tmp_path: Path) -> None:
    path = _workspace(tmp_path)
    with (tmp_path / "posts.jsonl").open("a", encoding="utf-8") as file:
        file.write('{"id": "p9"}\n')
    result = runner.invoke(app, ["sources", "test", "export", "-w", str(path), "--jsonl"])
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 3
    assert "skipped" in result.stderr and "line 4" in result.stderr and "text" in result.stderr
    assert "1 record(s) skipped" in result.stderr
