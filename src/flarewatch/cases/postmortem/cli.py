"""`flarewatch cases postmortem ID --format html|pdf --output FILE`: a case's post-mortem."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flarewatch.alerts.cliutil import cli_session
from flarewatch.cases.postmortem.data import gather
from flarewatch.cases.postmortem.render import FORMATS, render
from flarewatch.cli.common import err_console, user_console
from flarewatch.i18n.languages import LANGUAGES
from flarewatch.workspaces.models import Workspace

console = user_console()


def postmortem_command(
    case_id: Annotated[int, typer.Argument(help="The case's number, as shown by 'cases list'.")],
    format: Annotated[
        str,
        typer.Option("--format", "-f", help=f"The file's format: {' or '.join(FORMATS)}."),
    ] = "html",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Where to write it.",
            show_default="case-ID-postmortem.FORMAT in the current folder",
        ),
    ] = None,
    language: Annotated[
        str,
        typer.Option("--language", "-l", help=f"The report's language: {', '.join(LANGUAGES)}."),
    ] = "en",
) -> None:
    """Write a case's post-mortem: first mention to recovery, response times, goals, charts,
    what was done, compensation, lessons learned and follow-up tasks."""
    if format not in FORMATS:
        raise _input_error(f"--format {format!r} is not known; use html or pdf")
    if language not in LANGUAGES:
        raise _input_error(f"--language {language!r} is not known; use {', '.join(LANGUAGES)}")
    target = output or Path(f"case-{case_id}-postmortem.{format}")
    if target.is_dir():
        raise _input_error(
            f"--output {target} is a folder; give a file name, e.g. {target}/case.{format}"
        )
    if not target.parent.exists():
        raise _input_error(f"--output: the folder {target.parent} does not exist; create it first")
    with cli_session() as session:
        pm = gather(session, case_id)
        timezone = session.get_one(Workspace, pm.case.workspace_id).timezone
        data = render(pm, format, language, timezone)
    target.write_bytes(data)
    console.print(
        f"Post-mortem of case #{case_id} written to {target} ({format}, {len(data):,} bytes).",
        highlight=False,
    )


def _input_error(message: str) -> typer.Exit:
    err_console.print(f"[red]Error:[/red] {message}", highlight=False)
    return typer.Exit(2)
