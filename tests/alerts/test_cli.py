from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from flarewatch.alerts.cli import app
from flarewatch.alerts.service import raise_alerts
from flarewatch.config.settings import get_settings
from flarewatch.db.engine import create_db_engine, sessionmaker_for
from flarewatch.db.migrate import upgrade

from .conftest import HttpReceiver
from .helpers import T0, candidate, make_posts, make_workspace

runner = CliRunner()


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A migrated SQLite file that the CLI finds through FLAREWATCH_DATABASE_URL."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("FLAREWATCH_DATABASE_URL", url)
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    engine = create_db_engine(url)
    upgrade(engine)
    yield engine
    engine.dispose()


def _seed(engine: Engine, routes: list[dict[str, str]] | None = None) -> int:
    with sessionmaker_for(engine)() as session:
        ws = make_workspace(session, routes=routes)
        posts = make_posts(session, ws, 2)
        cand = candidate(ws, "crisis", post_ids=[p.id for p in posts])
        [alert] = raise_alerts(session, ws, [cand], T0)
        session.commit()
        return alert.id


def test_list_show_ack_resolve(cli_db: Engine) -> None:
    alert_id = _seed(cli_db)
    listed = runner.invoke(app, ["list", "--workspace", "acme", "--status", "open"])
    assert listed.exit_code == 0, listed.output
    assert "crisis" in listed.output and "topic:brand" in listed.output

    shown = runner.invoke(app, ["show", str(alert_id)])
    assert shown.exit_code == 0, shown.output
    assert "Volume is 7.4σ" in shown.output and "https://example.social/acme/1" in shown.output
    assert f"flarewatch alerts ack {alert_id}" in shown.output
    assert "console" in shown.output and "Pending" in shown.output
    assert f"cases open --alert {alert_id}" in shown.output

    acked = runner.invoke(app, ["ack", str(alert_id), "--by", "dana"])
    assert acked.exit_code == 0 and "acknowledged by dana" in acked.output
    again = runner.invoke(app, ["ack", str(alert_id), "--by", "eli"])
    assert again.exit_code == 0 and "acknowledged by dana" in again.output

    assert runner.invoke(app, ["resolve", str(alert_id)]).exit_code == 0
    assert "No alerts." in runner.invoke(app, ["list", "--status", "open"]).output
    assert runner.invoke(app, ["noise", str(alert_id)]).exit_code == 0
    assert "Noise" in runner.invoke(app, ["list"]).output


def test_deliver_sends_pending_notifications(cli_db: Engine, http_receiver: HttpReceiver) -> None:
    alert_id = _seed(cli_db, routes=[{"url": http_receiver.url()}])
    result = runner.invoke(app, ["deliver"])
    assert result.exit_code == 0, result.output
    assert "2 sent, 0 to retry, 0 failed, 0 skipped." in result.output
    assert f"flarewatch alerts ack {alert_id}" in http_receiver.requests[0][1]["message"]
    assert "0 sent" in runner.invoke(app, ["deliver"]).output


def test_errors_are_one_line_with_an_exit_code(cli_db: Engine) -> None:
    _seed(cli_db)
    missing = runner.invoke(app, ["ack", "999"])
    assert missing.exit_code == 1
    assert "alert #999 not found" in missing.stderr
    assert "Traceback" not in missing.output
    bad_status = runner.invoke(app, ["list", "--status", "sleeping"])
    assert bad_status.exit_code == 2 and "unknown alert status" in bad_status.stderr
    no_ws = runner.invoke(app, ["list", "--workspace", "nope"])
    assert no_ws.exit_code == 1 and "workspace 'nope' not found" in no_ws.stderr
    not_a_number = runner.invoke(app, ["ack", "abc"])
    assert not_a_number.exit_code == 2


def test_unmigrated_database_says_how_to_fix_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLAREWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    get_settings.cache_clear()
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 1
    assert "flarewatch migrate" in result.stderr


def test_every_command_has_help() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("ack", "list", "noise", "resolve", "show", "deliver"):
        assert command in result.output
        assert runner.invoke(app, [command, "--help"]).exit_code == 0
