"""Helpers shared by the CLI commands: console, database access, error exits."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console
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
