"""What the alert and case commands share: the database session, the actor, clean errors."""

from __future__ import annotations

import getpass
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any

import typer
from rich.markup import escape
from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from flarewatch.alerts.wording import render_stored
from flarewatch.bidi import isolate_plain, neutralise
from flarewatch.cli.common import err_console
from flarewatch.cli.reader import (
    LANGUAGE_DEFAULT,
    LANGUAGE_HELP,
    Reader,
    language_problem,
    reader_for,
)
from flarewatch.db.engine import session_scope
from flarewatch.errors import FlarewatchError, InputError, InvalidTransitionError, NotFoundError
from flarewatch.i18n.formatting import Formatter
from flarewatch.i18n.languages import DEFAULT_LANGUAGE
from flarewatch.workspaces.models import Workspace

By = Annotated[
    str | None,
    typer.Option("--by", help="Who is acting (default: cli:<your login name>)."),
]
WorkspaceOption = Annotated[
    str | None,
    typer.Option("--workspace", "-w", help="Only this workspace (its slug).", show_default="all"),
]
LanguageOption = Annotated[
    str | None,
    typer.Option("--language", help=LANGUAGE_HELP, show_default=LANGUAGE_DEFAULT),
]


def default_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry, e.g. in a bare container
        return "cli"


@contextmanager
def cli_session() -> Iterator[Session]:
    """A committed-on-success session; problems become one line on stderr and an exit code.

    Exit code 2 for input the user can fix on the command line, 1 for everything else.
    """
    try:
        with session_scope() as session:
            yield session
    except (InputError, InvalidTransitionError) as err:
        err_console.print(f"[red]Error:[/red] {escape(str(err))}", highlight=False)
        raise typer.Exit(2) from None
    except FlarewatchError as err:
        err_console.print(f"[red]Error:[/red] {escape(str(err))}", highlight=False)
        raise typer.Exit(1) from None
    except (OperationalError, ProgrammingError) as err:
        first = str(err.orig).splitlines()[0] if err.orig else str(err)
        err_console.print(
            f"[red]Error:[/red] the database is not ready ({escape(first)}); "
            "create or update it with 'flarewatch migrate'",
            highlight=False,
        )
        raise typer.Exit(1) from None


def workspace_id_for(session: Session, slug: str | None) -> int | None:
    if slug is None:
        return None
    workspace_id = session.scalar(select(Workspace.id).where(Workspace.slug == slug))
    if workspace_id is None:
        raise NotFoundError(f"workspace {slug!r} not found; check the slug in its workspace file")
    return workspace_id


def workspace_timezones(session: Session) -> dict[int, str | None]:
    """Each workspace's time zone, so a command shows its times as that workspace reads them."""
    return {
        row.id: row.timezone for row in session.execute(select(Workspace.id, Workspace.timezone))
    }


def workspace_readers(session: Session, language: str | None = None) -> dict[int, Reader]:
    """Each workspace's reader (cli/reader.py): its language, or `language` for all of them,
    and its time zone. A `language` without a catalogue is an input error."""
    problem = language_problem(language)
    if problem:
        raise InputError(problem)
    rows = session.execute(select(Workspace.id, Workspace.languages, Workspace.timezone))
    return {row.id: reader_for(row.languages, row.timezone, language) for row in rows}


def reader_of(session: Session, workspace_id: int, language: str | None = None) -> Reader:
    """The reader of one workspace's output (a confirmation about its alert or case)."""
    return workspace_readers(session, language)[workspace_id]


def empty_list_reader(
    readers: Mapping[int, Reader], workspace_id: int | None, language: str | None
) -> Reader:
    """Who reads "No alerts." / "No cases.": the listed workspace's reader; with no workspace
    named, `--language`, else the one language every workspace shares, else English."""
    if workspace_id is not None and workspace_id in readers:
        return readers[workspace_id]
    languages = {reader.language for reader in readers.values()}
    return reader_for(None, None, language or (languages.pop() if len(languages) == 1 else None))


def workspace_titles(session: Session) -> dict[int, str]:
    """Each workspace as "Name (slug)", the heading of its part of a list."""
    rows = session.execute(select(Workspace.id, Workspace.name, Workspace.slug))
    return {row.id: f"{row.name} ({row.slug})" for row in rows}


def when(value: datetime | None, timezone: str | None = None) -> str:
    """A moment in the workspace's zone and date conventions (the shared Formatter)."""
    return Formatter(DEFAULT_LANGUAGE, timezone).stamp(value)


def risk(score: float) -> str:
    """A risk score as the web and notifications show it (one rounding, one format)."""
    return Formatter(DEFAULT_LANGUAGE, None).risk(score)


def said(stored: Mapping[str, Any] | None, fallback: str) -> str:
    """A sentence Flarewatch stored as a message (alert titles, case timeline entries) in
    English, each name or note with right-to-left text isolated (FSI … PDI) so a Hebrew topic
    name or note keeps its place in the terminal line (a left-to-right one cannot move an
    English line and is left as written); a row without a message shows its stored text."""
    text = render_stored(stored, fallback, isolate=isolate_plain)
    return neutralise(fallback) if text is None else text
