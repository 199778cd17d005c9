"""Helpers shared by the CLI commands: console, database access, error exits, progress."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

import typer
from rich.console import Console

from flarewatch.bidi import neutralise_keeping_isolates

if TYPE_CHECKING:
    from rich.progress import Progress
    from sqlalchemy import Engine

# The database modules are imported inside the functions that need them: commands that never
# touch the database (`--help`, `query check`) then start without SQLAlchemy and Alembic.


class BidiSafeStream:
    """Standard output or error with bidi control characters shown as markers (⟦U+202E⟧,
    flarewatch/bidi.py), so no post, name or note a command prints can reorder the terminal
    line; balanced FSI … PDI pairs stay, since commands isolate user fragments with them.
    Filtering the stream, not each print, covers tables, panels and messages alike.
    The stream is looked up on every write, so redirections (pipes, test runners) still apply.
    Data output (`analyze` JSON lines) is written to sys.stdout directly and stays raw."""

    def __init__(self, name: str) -> None:
        self._name = name

    @property
    def stream(self) -> TextIO:
        return getattr(sys, self._name)  # type: ignore[no-any-return]

    def write(self, text: str) -> int:
        return self.stream.write(neutralise_keeping_isolates(text))

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.stream, attribute)


def user_console(*, stderr: bool = False, **options: Any) -> Console:
    """A Rich console for output that may hold user content (see BidiSafeStream)."""
    return Console(file=BidiSafeStream("stderr" if stderr else "stdout"), **options)  # type: ignore[arg-type]


console = user_console()
err_console = user_console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print `message` as one error line on stderr and exit with `code`. The message is text,
    never Rich markup: names, paths and hints such as "add [[rotas]]" or `flarewatch[e5]` are
    printed exactly as written."""
    from rich.markup import escape

    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def ready_engine() -> Engine:
    """The configured database, migrated to the newest schema (a first run needs no extra step)."""
    from flarewatch.db.engine import get_engine
    from flarewatch.db.migrate import is_up_to_date, upgrade

    engine = get_engine()
    if not is_up_to_date(engine):
        upgrade(engine)
    return engine


def progress_bar(on: Console | None = None, *, rate: str | None = None) -> Progress:
    """The progress display of long CLI work: spinner, description, bar, count, elapsed time;
    it disappears when the work is done (the command then prints its summary). ``on``: the
    console to draw on (stdout's by default; stderr's when stdout carries data). ``rate``: the
    unit counted, shown as its speed ("posts" → "1,250 posts/s")."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task) -> Text:  # type: ignore[no-untyped-def]
            speed = task.finished_speed or task.speed
            return Text(f"{speed:,.0f} {rate}/s" if speed else f"– {rate}/s")

    columns: list[ProgressColumn] = [
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
    ]
    if rate:
        columns.append(RateColumn())
    columns.append(TimeElapsedColumn())
    return Progress(*columns, console=on or console, transient=True)
