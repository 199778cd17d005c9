"""What the alert and case commands share: the database session, the actor, clean errors."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated

import typer
from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from flarewatch.cli.common import err_console
from flarewatch.db.engine import session_scope
from flarewatch.errors import FlarewatchError, InputError, InvalidTransitionError, NotFoundError
from flarewatch.workspaces.models import Workspace

By = Annotated[
    str | None,
    typer.Option("--by", help="Who is acting (default: cli:<your login name>)."),
]
WorkspaceOption = Annotated[
    str | None,
    typer.Option("--workspace", "-w", help="Only this workspace (its slug).", show_default="all"),
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
        err_console.print(f"[red]Error:[/red] {err}", highlight=False)
        raise typer.Exit(2) from None
    except FlarewatchError as err:
        err_console.print(f"[red]Error:[/red] {err}", highlight=False)
        raise typer.Exit(1) from None
    except (OperationalError, ProgrammingError) as err:
        first = str(err.orig).splitlines()[0] if err.orig else str(err)
        err_console.print(
            f"[red]Error:[/red] the database is not ready ({first}); "
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


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "—"
