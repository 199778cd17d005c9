"""`flarewatch workspace init` and `export`: the workspace file stays the exchange format."""

from __future__ import annotations

import tomllib
from pathlib import Path

from typer.testing import CliRunner

from flarewatch.cli.main import app
from flarewatch.config.workspace import check_workspace_file
from flarewatch.db.engine import get_engine, session_scope
from flarewatch.sources.models import ORIGIN_WEB, Source
from flarewatch.workspaces.models import Topic
from flarewatch.workspaces.service import get_workspace

runner = CliRunner()

WORKSPACE = """
slug = "acme"
name = "אקמה Burgers"
languages = ["en", "he"]
timezone = "Asia/Jerusalem"
weekend = ["fri", "sat"]
crisis_terms = ["worm", "תולעת"]

[[topics]]
key = "brand"
query = 'acme OR "אקמה"'

[[sources]]
key = "export"
kind = "file"
path = "posts.jsonl"

[[alert_routes]]
url = "json://127.0.0.1:9/hook"
min_severity = "warning"
language = "he"
"""


def test_init_writes_a_starter_that_loads(tmp_path: Path) -> None:
    target = tmp_path / "new.toml"
    result = runner.invoke(app, ["workspace", "init", str(target)])
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    assert text.count("\n#") > 10  # commented, line by line
    check = check_workspace_file(target)
    assert check.problems == []
    assert check.config is not None and check.config.weekend == ["fri", "sat"]
    assert runner.invoke(app, ["workspace", "check", str(target)]).exit_code == 0


def test_init_does_not_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "mine.toml"
    target.write_text("slug = 'mine'\n", encoding="utf-8")
    refused = runner.invoke(app, ["workspace", "init", str(target)])
    assert refused.exit_code == 2 and "--force" in refused.output
    assert target.read_text(encoding="utf-8") == "slug = 'mine'\n"
    assert runner.invoke(app, ["workspace", "init", str(target), "--force"]).exit_code == 0
    assert "[[topics]]" in target.read_text(encoding="utf-8")


def test_export_round_trips_with_the_web_changes(tmp_path: Path) -> None:
    (tmp_path / "posts.jsonl").write_text("", encoding="utf-8")
    original = tmp_path / "acme.toml"
    original.write_text(WORKSPACE, encoding="utf-8")
    assert runner.invoke(app, ["workspace", "add", str(original)]).exit_code == 0
    with session_scope(get_engine()) as session:  # what an admin changed in the web settings
        ws = get_workspace(session, "acme")
        ws.name = 'Acme "Burgers" \\ אקמה'
        session.add(Topic(workspace_id=ws.id, key="ceo", name="CEO", query="ceo AND acme"))
        session.add(
            Source(
                workspace_id=ws.id,
                key="feed",
                kind="rss",
                config={"key": "feed", "kind": "rss", "url": "https://example.org/feed"},
                origin=ORIGIN_WEB,
            )
        )

    exported = tmp_path / "out" / "acme-export.toml"
    exported.parent.mkdir()
    result = runner.invoke(app, ["workspace", "export", "acme", "--output", str(exported)])
    assert result.exit_code == 0, result.output
    data = tomllib.loads(exported.read_text(encoding="utf-8"))
    assert data["name"] == 'Acme "Burgers" \\ אקמה'
    assert data["weekend"] == ["fri", "sat"] and data["crisis_terms"] == ["worm", "תולעת"]
    assert [t["key"] for t in data["topics"]] == ["brand", "ceo"]
    assert {s["key"] for s in data["sources"]} == {"export", "feed"}
    # A relative path is made absolute: the export loads from another folder.
    assert Path(next(s for s in data["sources"] if s["key"] == "export")["path"]).is_absolute()
    assert data["alert_routes"][0]["language"] == "he"
    check = check_workspace_file(exported)
    assert check.problems == [], check.problems


def test_export_of_an_unknown_workspace_names_the_known_ones() -> None:
    result = runner.invoke(app, ["workspace", "export", "nope"])
    assert result.exit_code == 2
    assert "no workspace 'nope'" in result.output
