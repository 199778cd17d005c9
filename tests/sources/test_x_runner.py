"""Kind "x" through the command line and the runner: `flarewatch sources test` against the local
server, and a runner SIGKILLed in the middle of a paginated fetch that resumes with nothing lost
or doubled."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from flarewatch.cli.main import app
from flarewatch.config.workspace import parse_workspace_toml
from flarewatch.db.engine import create_db_engine, session_scope
from flarewatch.db.migrate import upgrade
from flarewatch.sources.models import Source
from flarewatch.workspaces.service import sync_workspace
from tests.sources.platform_server import PlatformServer
from tests.sources.runner_restart import kill_mid_fetch_then_rerun, stored_ids
from tests.sources.x_server import SEARCH, TOKEN, XSearch, tweet, user

WORKSPACE = """
slug = "acme"
name = "Acme Burgers"
languages = ["en", "he", "pl"]

[[topics]]
key = "brand"
query = 'acme OR "אקמה"'

[[sources]]
key = "acme-x"
kind = "x"
query = "acme OR אקמה"
bearer_token_env = "X_BEARER_TOKEN"
endpoint = "{url}"
"""

runner = CliRunner()


def _tweets(count: int) -> list[dict]:
    start = datetime.now(UTC) - timedelta(hours=3)
    texts = ["acme fries were cold", "אקמה המבורגר קר", "acme: zimne frytki"]
    return [
        tweet(start + timedelta(seconds=5 * i), f"{texts[i % 3]} #{i}", seq=i % 4)
        for i in range(count)
    ]


def _workspace_file(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "acme.toml"
    path.write_text(WORKSPACE.format(url=url), encoding="utf-8")
    return path


def test_sources_test_jsonl_prints_the_posts_in_the_ingest_format(
    platform: PlatformServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tweets = _tweets(30)
    platform.route("GET", SEARCH, XSearch(tweets, [user("2244994945", "dana", name="Dana")]))
    path = _workspace_file(tmp_path, platform.url())
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    result = runner.invoke(
        app, ["sources", "test", "acme-x", "--workspace", str(path), "--jsonl", "--limit", "25"]
    )
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == [t["id"] for t in tweets[:25]]  # the oldest 25
    first = records[0]
    assert first["author"] == "dana" and first["author_name"] == "Dana"
    assert first["platform"] == "twitter" and first["url"].startswith("https://x.com/dana/status/")
    assert records[1]["text"].startswith("אקמה")
    assert "25 post(s) fetched" in result.stderr
    assert not (tmp_path / "data" / "flarewatch.db").exists()


def test_sources_test_with_a_refused_token_exits_1_with_one_line(
    platform: PlatformServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    platform.route("GET", SEARCH, XSearch(_tweets(3)))
    path = _workspace_file(tmp_path, platform.url())
    monkeypatch.setenv("X_BEARER_TOKEN", "revoked-token")
    result = runner.invoke(app, ["sources", "test", "acme-x", "--workspace", str(path)])
    assert result.exit_code == 1
    assert "X_BEARER_TOKEN" in result.output and "Unauthorized" in result.output
    assert "revoked-token" not in result.output


def test_sigkill_mid_paginated_fetch_then_restart_loses_and_doubles_nothing(
    platform: PlatformServer, tmp_path: Path
) -> None:
    tweets = _tweets(900)  # nine pages of 100, handed over 15 at a time
    platform.route("GET", SEARCH, XSearch(tweets, [user("2244994945", "dana")], pause=0.02))
    url = f"sqlite:///{tmp_path / 'kill.db'}"
    engine = create_db_engine(url)
    upgrade(engine)
    config = parse_workspace_toml(WORKSPACE.format(url=platform.url()), "acme.toml")
    with session_scope(engine) as session:
        workspace_id = sync_workspace(session, config, tmp_path).id
        source_id = session.scalars(select(Source.id)).one()
    killed_at = kill_mid_fetch_then_rerun(
        engine,
        url,
        workspace_id,
        source_id,
        tmp_path,
        environ={"X_BEARER_TOKEN": TOKEN},
        rerun_timeout=180,
    )
    assert 0 < killed_at < len(tweets), "the kill must land mid-fetch"
    stored = stored_ids(engine)
    assert len(stored) == len(set(stored)) == len(tweets)
    assert set(stored) == {t["id"] for t in tweets}
    with session_scope(engine) as session:
        checkpoint = session.get_one(Source, source_id).checkpoint
    assert checkpoint["since_id"] == max((t["id"] for t in tweets), key=int)
    engine.dispose()
