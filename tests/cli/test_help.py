"""Every `--help` shows its text as written (no markup eaten) and every option's default."""

from __future__ import annotations

from collections.abc import Iterator

import typer
from typer.core import TyperGroup
from typer.testing import CliRunner

from flarewatch.cli.main import app

runner = CliRunner()


def _commands() -> Iterator[tuple[list[str], typer.Context]]:
    """Every leaf command with its path and a context to render its options in."""
    root = typer.main.get_command(app)
    pending = [([], typer.Context(root, info_name="flarewatch"))]
    while pending:
        path, ctx = pending.pop()
        if isinstance(ctx.command, TyperGroup):
            for name in ctx.command.list_commands(ctx):
                sub = ctx.command.get_command(ctx, name)
                assert sub is not None, name
                pending.append(([*path, name], typer.Context(sub, parent=ctx, info_name=name)))
        else:
            yield path, ctx


def test_every_option_shows_its_default() -> None:
    missing = []
    for path, ctx in _commands():
        for param in ctx.command.params:
            if param.param_type_name != "option" or param.required:
                continue
            record = param.get_help_record(ctx)
            if record is None or param.is_flag and not param.default:
                continue  # hidden, or an off-by-default switch
            if "default:" not in record[1]:
                missing.append(f"{' '.join(path)} {record[0]}")
    assert not missing, missing
    assert len(list(_commands())) > 30  # the walk really reached the subcommands


def test_brackets_in_help_are_shown_literally() -> None:
    analyze = runner.invoke(app, ["analyze", "--help"], terminal_width=200)
    assert "flarewatch[e5]" in analyze.output and "flarewatch[use]" in analyze.output
    serve = runner.invoke(app, ["serve", "--help"], terminal_width=200)
    assert "127.0.0.1" in serve.output and "8000" in serve.output


def test_top_level_help_lists_lazy_and_direct_commands() -> None:
    result = runner.invoke(app, ["--help"], terminal_width=200)
    assert result.exit_code == 0
    assert "Check, test and import boolean queries." in result.output
    assert "Replay the bundled crisis scenario" in result.output
