from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from flarewatch.alerts.service import raise_alerts
from flarewatch.cases.cli import app
from flarewatch.config.settings import get_settings
from flarewatch.db.engine import create_db_engine, sessionmaker_for
from flarewatch.db.migrate import upgrade
from tests.alerts.helpers import T0, candidate, make_posts, make_workspace

runner = CliRunner()


@pytest.fixture
def alert_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """An alert in a migrated SQLite file that the CLI finds through FLAREWATCH_DATABASE_URL."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("FLAREWATCH_DATABASE_URL", url)
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    engine: Engine = create_db_engine(url)
    upgrade(engine)
    with sessionmaker_for(engine)() as session:
        ws = make_workspace(session)
        posts = make_posts(session, ws, 2)
        [alert] = raise_alerts(session, ws, [candidate(ws, post_ids=[posts[1].id])], T0)
        session.commit()
        yield alert.id
    engine.dispose()


def _ok(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, (result.output, result.stderr)
    return result.output


def test_case_workflow_from_the_command_line(alert_id: int) -> None:
    assert f"Alert #{alert_id} opened case #1." in _ok(["open", "--alert", str(alert_id)])
    assert "already has case #1" in _ok(["open", "--alert", str(alert_id), "--by", "eli"])
    assert "Case #1 is now triage." in _ok(["status", "1", "triage", "--note", "looking"])
    _ok(["note", "1", "Spoke to the franchise owner.", "--by", "dana"])
    assert "Task #1 added" in _ok(
        ["task", "1", "Draft statement", "--assignee", "eli", "--due", "2024-05-07T18:00+02:00"]
    )
    assert "Task #1 is done." in _ok(["done", "1"])

    shown = _ok(["show", "1"])
    for expected in (
        "Status: triage (next: responding, monitoring, closed)",
        f"Case opened from alert #{alert_id}",
        "Volume is 7.4σ",
        "https://example.social/acme/1",
        "New → triage: looking",
        "Spoke to the franchise owner.",
        "dana",
        "Draft statement",
        "5/7/24, 4:00\u202fPM UTC",  # in the workspace's zone (UTC), by English conventions
    ):
        assert expected in shown

    listed = _ok(["list", "--workspace", "acme", "--status", "triage"])
    assert "Negative spike" in listed
    assert "No cases." in _ok(["list", "--status", "closed"])


def test_errors_are_clear(alert_id: int) -> None:
    _ok(["open", "--alert", str(alert_id)])
    wrong = runner.invoke(app, ["status", "1", "new"])
    assert wrong.exit_code == 2
    assert "allowed next states: triage, responding, monitoring, closed" in wrong.stderr
    assert runner.invoke(app, ["note", "1", "  "]).exit_code == 2
    missing = runner.invoke(app, ["show", "42"])
    assert missing.exit_code == 1 and "case #42 not found" in missing.stderr
    bad_due = runner.invoke(app, ["task", "1", "x", "--due", "friday"])
    assert bad_due.exit_code == 2 and "ISO 8601" in bad_due.stderr
    assert "Traceback" not in wrong.output + missing.output + bad_due.output


def test_every_command_has_help() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("list", "show", "open", "status", "note", "task", "done"):
        assert command in result.output
        assert runner.invoke(app, [command, "--help"]).exit_code == 0
