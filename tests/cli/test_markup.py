"""Error and status lines print names, paths and hints as written: Rich markup is never applied
to them, so "add [[rotas]]", `flarewatch[e5]` or a slug like "[red]x" reach the terminal whole."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from flarewatch.cli.common import fail
from flarewatch.cli.main import app
from flarewatch.config.settings import get_settings
from tests.runtime.conftest import WORKSPACE

runner = CliRunner()


def test_fail_prints_brackets_literally() -> None:
    probe = typer.Typer()

    @probe.command()
    def broken() -> None:
        fail("install flarewatch[e5] and add [[rotas]] to [bold]acme.toml[/bold]", code=2)

    result = runner.invoke(probe, [])
    assert result.exit_code == 2
    assert "error: install flarewatch[e5] and add [[rotas]] to [bold]acme.toml[/bold]" in (
        result.stderr
    )


def test_oncall_now_hint_keeps_its_double_brackets(tmp_path: Path) -> None:
    path = tmp_path / "acme.toml"
    path.write_text(WORKSPACE.format(extra=""), encoding="utf-8")
    result = runner.invoke(app, ["oncall", "now", "--workspace", str(path)])
    assert result.exit_code == 2, result.output
    assert "has no rotas; add [[rotas]] (docs/oncall.md)" in result.stderr


def test_command_errors_show_a_user_slug_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLAREWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    result = runner.invoke(app, ["alerts", "list", "--workspace", "[red]x[/red]"])
    assert result.exit_code == 1
    assert "workspace '[red]x[/red]' not found" in result.stderr


def test_acknowledging_prints_the_actor_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flarewatch.alerts.service import raise_alerts
    from flarewatch.db.engine import create_db_engine, sessionmaker_for
    from tests.alerts.helpers import T0, candidate, make_workspace

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("FLAREWATCH_DATABASE_URL", url)
    get_settings.cache_clear()
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    engine = create_db_engine(url)
    with sessionmaker_for(engine)() as session:
        workspace = make_workspace(session)
        [alert] = raise_alerts(session, workspace, [candidate(workspace)], T0)
        session.commit()
        alert_id = alert.id
    engine.dispose()
    result = runner.invoke(app, ["alerts", "ack", str(alert_id), "--by", "[bold]dana[/bold]"])
    assert result.exit_code == 0, result.output
    assert f"Alert #{alert_id} acknowledged by [bold]dana[/bold]." in result.stdout
