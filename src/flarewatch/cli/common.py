"""Helpers shared by the CLI commands: console, database access, error exits, progress."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from sqlalchemy import Engine

from flarewatch.db.engine import get_engine
from flarewatch.db.migrate import is_up_to_date, upgrade

console = Console()
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 1) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def ready_engine() -> Engine:
    """The configured database, migrated to the newest schema (a first run needs no extra step)."""
    engine = get_engine()
    if not is_up_to_date(engine):
        upgrade(engine)
    return engine


def progress_bar(on: Console | None = None) -> Progress:
    """The progress display of long CLI work: spinner, description, bar, count, elapsed time;
    it disappears when the work is done (the command then prints its summary). ``on``: the
    console to draw on (stdout's by default; stderr's when stdout carries data)."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=on or console,
        transient=True,
    )
