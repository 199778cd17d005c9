"""The foundation commands: migrate, workspace, ingest, report."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from flarewatch.cli.main import app

from .conftest import WORKSPACE, post_line

runner = CliRunner()


def test_help_lists_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in (
        "demo",
        "serve",
        "run",
        "ingest",
        "analyze",
        "query",
        "alerts",
        "cases",
        "migrate",
        "sources",
        "backtest",
        "user",
        "workspace",
        "report",
    ):
        assert command in result.output, command


def test_migrate_creates_the_database(tmp_path: Path) -> None:
    result = runner.invoke(app, ["migrate"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "data" / "flarewatch.db").exists()


def test_workspace_check_reports_bad_files(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(WORKSPACE.format(extra="").replace("Asia/Jerusalem", "Nowhere/City"))
    result = runner.invoke(app, ["workspace", "check", str(path)])
    assert result.exit_code == 2
    assert "bad.toml" in result.output and "timezone" in result.output


def _add_acme(tmp_path: Path) -> None:
    workspace = tmp_path / "acme.toml"
    workspace.write_text(WORKSPACE.format(extra=""), encoding="utf-8")
    assert runner.invoke(app, ["workspace", "add", str(workspace)]).exit_code == 0


def test_ingest_then_report(tmp_path: Path) -> None:
    _add_acme(tmp_path)
    posts = tmp_path / "extra.jsonl"
    posts.write_text(
        "\n".join([post_line(1, "acme burgers rock"), "[1, 2]", post_line(2, "no match")]) + "\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["ingest", str(posts), "--workspace", "acme"])
    assert result.exit_code == 1, result.output  # one bad line: reported, the rest imported
    assert "line 2" in result.output
    assert "2 new post(s)" in result.output and "1 mention(s)" in result.output
    again = runner.invoke(app, ["ingest", str(posts)])
    assert "0 new post(s)" in again.output
    assert "2 already stored" in again.output  # a re-import says what it skipped
    report = runner.invoke(app, ["report"])
    assert report.exit_code == 0 and "acme" in report.output


def test_ingest_unknown_workspace_is_a_clear_error(tmp_path: Path) -> None:
    posts = tmp_path / "p.jsonl"
    posts.write_text(post_line(1, "x") + "\n")
    result = runner.invoke(app, ["ingest", str(posts), "--workspace", "nope"])
    assert result.exit_code == 2
    assert "no workspace 'nope'" in result.output


def test_run_once_adds_the_workspace_and_processes_its_sources(tmp_path: Path) -> None:
    workspace = tmp_path / "acme.toml"
    workspace.write_text(WORKSPACE.format(extra=""), encoding="utf-8")
    (tmp_path / "posts.jsonl").write_text(
        "\n".join([post_line(1, "acme rocks"), post_line(2, "אקמה מעולה")]) + "\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["run", str(workspace), "--once"])
    assert result.exit_code == 0, result.output
    assert "stored 2 post(s), 2 mention(s)" in result.output
    again = runner.invoke(app, ["run", "--once"])  # the workspace is remembered
    assert again.exit_code == 0, again.output
    assert "stored" not in again.output  # nothing new


def test_run_without_any_workspace_says_how_to_add_one() -> None:
    result = runner.invoke(app, ["run", "--once"])
    assert result.exit_code == 2
    assert "flarewatch run WORKSPACE.toml" in result.output


def test_workspace_rescore(tmp_path: Path) -> None:
    _add_acme(tmp_path)
    posts = tmp_path / "posts.jsonl"
    posts.write_text(
        "\n".join([post_line(1, "acme burgers rock, best ever"), post_line(2, "acme made me sick")])
        + "\n",
        encoding="utf-8",
    )
    assert runner.invoke(app, ["ingest", str(posts), "--workspace", "acme"]).exit_code == 0
    result = runner.invoke(
        app,
        [
            "workspace",
            "rescore",
            "acme",
            "--backend",
            "use",
            "--topic",
            "brand",
            "--since",
            "2026-03-01T00:00:00+00:00",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "re-scored 2 post(s) with use" in result.output
    for args, message in (
        (["--backend", "bert"], "unknown backend 'bert'"),
        (["--topic", "nope"], "no topic 'nope' in 'acme' (topics: brand)"),
        (["--since", "yesterday"], "neither a duration"),
        (["--since", "2026-03-01T00:00:00"], "needs a time zone"),
    ):
        bad = runner.invoke(app, ["workspace", "rescore", "acme", *args])
        assert bad.exit_code == 2 and message in bad.output, (args, bad.output)
    missing = runner.invoke(app, ["workspace", "rescore", "globex"])
    assert missing.exit_code == 2 and "no workspace 'globex'" in missing.output
