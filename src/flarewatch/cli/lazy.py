"""Subcommands imported on first use, so `flarewatch --help` and light commands start fast.

Most command groups import SQLAlchemy, the models, Alembic or the enrichment models when their
module loads; importing them all made every invocation, even `--help`, take seconds. A
`LazyGroup` knows each lazy subcommand by module, attribute and one-line help, lists them in
`--help` from that line, and imports the module only when the subcommand is run (or its own
`--help` asked for).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:
    # Typer 0.29 bundles its own click; these are the types its groups and commands use.
    from typer._click.core import Command, Context
    from typer._click.formatting import HelpFormatter

# Help text is plain text: with Rich markup on, `pip install 'flarewatch[e5]'` lost its
# "[e5]" and a hand-written "[default: 127.0.0.1]" vanished.
HELP_MARKUP = None


@dataclass(frozen=True, slots=True)
class LazyCommand:
    """Where a subcommand lives: ``module:attribute``, a `typer.Typer` group or a function."""

    module: str
    attribute: str
    help: str


def load_command(name: str, entry: LazyCommand) -> Command:
    """The click command for `entry`: a Typer app becomes a group, a function a command."""
    target = getattr(importlib.import_module(entry.module), entry.attribute)
    if isinstance(target, typer.Typer):
        command: Command = typer.main.get_group(target)
        _plain_help(command)
    else:
        single = typer.Typer(rich_markup_mode=HELP_MARKUP, add_completion=False)
        single.command(name, help=entry.help)(target)
        return typer.main.get_command(single)
    command.name = name
    command.help = entry.help
    return command


def _plain_help(command: Command) -> None:
    """The group's own `rich_markup_mode` and its commands', set to plain text (HELP_MARKUP)."""
    command.rich_markup_mode = HELP_MARKUP  # type: ignore[attr-defined]
    for sub in getattr(command, "commands", {}).values():
        _plain_help(sub)


class LazyGroup(TyperGroup):
    """A Typer group whose `lazy` subcommands are imported when first resolved."""

    lazy: ClassVar[dict[str, LazyCommand]] = {}

    def list_commands(self, ctx: Context) -> list[str]:
        return [*self.lazy, *(name for name in self.commands if name not in self.lazy)]

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            self.commands[cmd_name] = load_command(cmd_name, self.lazy[cmd_name])
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        """The command list of `--help`, from the registered one-liners (no import)."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows: list[tuple[str, str]] = []
        for name in names:
            loaded = self.commands.get(name)
            if loaded is None:
                rows.append((name, self.lazy[name].help))
            elif not loaded.hidden:
                rows.append((name, loaded.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)
