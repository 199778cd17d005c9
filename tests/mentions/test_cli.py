"""`flarewatch mentions export`: the inbox's posts as a file, one record per post."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flarewatch.cli.main import app
from flarewatch.config.settings import get_settings
from flarewatch.db.engine import create_db_engine, sessionmaker_for
from flarewatch.db.migrate import upgrade
from flarewatch.mentions.models import Mention
from tests.alerts.helpers import make_posts, make_topic, make_workspace

runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Three posts, the newest in two topics, in a file the CLI finds by its URL."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("FLAREWATCH_DATABASE_URL", url)
    get_settings.cache_clear()
    engine = create_db_engine(url)
    upgrade(engine)
    with sessionmaker_for(engine)() as session:
        ws = make_workspace(session)
        brand, food = make_topic(session, ws), make_topic(session, ws, "food")
        posts = make_posts(session, ws, 3)
        for post in posts:
            topics = (brand, food) if post is posts[-1] else (brand,)
            for topic in topics:
                session.add(
                    Mention(
                        workspace_id=ws.id,
                        raw_post_id=post.id,
                        topic_id=topic.id,
                        platform=post.platform,
                        created_at=post.created_at,
                        language="en",
                        sentiment="negative",
                    )
                )
        session.commit()
    engine.dispose()
    yield
    get_settings.cache_clear()


def test_export_writes_each_post_once(database: None, tmp_path: Path) -> None:
    result = runner.invoke(app, ["mentions", "export", "-w", "acme", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 3 and records[0]["topics"] == ["brand", "food"]
    assert "3 posts written to standard output." in result.stderr

    target = tmp_path / "food.csv"
    result = runner.invoke(
        app, ["mentions", "export", "-w", "acme", "-f", "csv", "--topic", "food", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    [row] = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert row["topics"] == "brand;food" and row["text"].startswith("Post 2:")


def test_export_refuses_bad_input_with_a_clear_message(database: None) -> None:
    result = runner.invoke(app, ["mentions", "export", "-w", "acme", "--format", "xlsx"])
    assert result.exit_code == 2 and "use one of csv, jsonl" in result.stderr
    result = runner.invoke(app, ["mentions", "export", "-w", "nope"])
    assert result.exit_code == 1 and "workspace 'nope' not found" in result.stderr
