"""`flarewatch playbooks`: the playbook library and a workspace's own versions (applying one
to a case is `flarewatch cases apply`, cases/room_cli.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from flarewatch.alerts.cliutil import By, cli_session, default_actor, workspace_id_for
from flarewatch.bidi import neutralise
from flarewatch.cli.common import err_console, user_console
from flarewatch.cli.reader import CLDR_MARKS, Reader, reader_for
from flarewatch.i18n.labels import N_
from flarewatch.playbooks import service
from flarewatch.playbooks.library import LANGUAGES, STAGES, parse_toml, to_toml

app = typer.Typer(
    help="Crisis playbooks: list them, show one, save a workspace's own version.",
    no_args_is_help=True,
)
console = user_console()

Workspace = Annotated[
    str | None,
    typer.Option(
        "--workspace",
        "-w",
        help="See this workspace's own versions (its slug).",
        show_default="the shipped library",
    ),
]
Language = Annotated[
    str,
    typer.Option(
        "--language", "-l", help=f"Language of the texts and headings: {', '.join(LANGUAGES)}."
    ),
]

# The headings of `playbooks show`, in its --language (the web's playbook page says the same).
# `playbooks list` is a format, one key a line, and has none.
HEADING = N_("%(title)s (%(key)s)")
VERSION = N_("Version %(version)s")
ORIGIN = {"workspace": N_("this workspace's version"), "shipped": N_("shipped with Flarewatch")}
GOALS = N_("Goals")
GOAL_TEXT = {
    "first_response": N_("First public answer within %(time)s"),
    "negative_share": N_("Negative share under %(share)s within %(time)s"),
    "volume_baseline": N_("Volume back to its usual level within %(time)s"),
}


@app.command("list")
def list_command(workspace: Workspace = None) -> None:
    """Print one playbook key per line."""
    with cli_session() as session:
        for playbook in service.available(session, workspace_id_for(session, workspace)):
            typer.echo(playbook.key)


@app.command("show")
def show_command(
    key: Annotated[str, typer.Argument(help="The playbook's key, as 'playbooks list' prints.")],
    workspace: Workspace = None,
    language: Language = "en",
    toml: Annotated[
        bool,
        typer.Option("--toml", help="Print the document as TOML, to edit and 'playbooks save'."),
    ] = False,
) -> None:
    """Show a playbook: its stages, steps with their deadlines, and goals."""
    if language not in LANGUAGES:
        raise usage_error(f"--language {language!r}: use one of {', '.join(LANGUAGES)}")
    with cli_session() as session:
        playbook = service.resolve(session, workspace_id_for(session, workspace), key)
        if toml:
            typer.echo(to_toml(playbook.doc), nl=False)
            return
        doc = playbook.doc
        reader = reader_for(None, None, language)
        say = reader.say
        heading = say(
            HEADING,
            title=reader.fragment(doc.title.in_language(language)),
            key=reader.fragment(doc.key),
        )
        origin = ORIGIN.get(playbook.origin)
        version = say(VERSION, version=playbook.version)
        if origin:
            version += " · " + say(origin)
        console.print(f"[bold]{escape(heading)}[/bold] {escape(version)}", highlight=False)
        console.print(escape(neutralise(doc.summary.in_language(language))), highlight=False)
        for stage, steps in doc.stages():
            console.print(f"\n[bold]{escape(say(STAGES[stage]))}[/bold]", highlight=False)
            for step in steps:
                console.print(
                    f"  +{_minutes(step.due_minutes)}  "
                    f"{escape(neutralise(step.in_language(language)))}",
                    highlight=False,
                )
        if doc.goals:
            console.print(f"\n[bold]{escape(say(GOALS))}[/bold]", highlight=False)
            for goal in doc.goals:
                line = goal_text(reader, goal.kind, goal.within_minutes, goal.target)
                console.print(f"  {escape(line)}", highlight=False)


@app.command("save")
def save_command(
    file: Annotated[Path, typer.Argument(help="A playbook TOML file, e.g. from 'show --toml'.")],
    workspace: Annotated[
        str, typer.Option("--workspace", "-w", help="The workspace (its slug) it is saved in.")
    ],
    by: By = None,
) -> None:
    """Save a playbook as the workspace's next version (cases apply the newest version)."""
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as err:
        raise usage_error(f"cannot read {file}: {err.strerror}") from None
    with cli_session() as session:
        doc = parse_toml(text, str(file))
        workspace_id = workspace_id_for(session, workspace)
        assert workspace_id is not None
        row = service.save_version(
            session,
            workspace_id,
            doc.model_dump(exclude_none=True),
            by or default_actor(),
            str(file),
        )
        console.print(
            f"Playbook {row.key} saved as version {row.version}.", highlight=False, markup=False
        )


def goal_text(reader: Reader, kind: str, within_minutes: int, target: float | None) -> str:
    """A playbook goal as the web's playbook page words it, in the reader's language."""
    time = reader.fmt.duration(within_minutes * 60)
    if kind == "negative_share":
        share = reader.fmt.percent(target or 0).translate(CLDR_MARKS)
        return reader.say(GOAL_TEXT[kind], share=share, time=time)
    return reader.say(GOAL_TEXT[kind], time=time)


def _minutes(minutes: int) -> str:
    if minutes % 1440 == 0 and minutes:
        return f"{minutes // 1440}d"
    if minutes % 60 == 0 and minutes:
        return f"{minutes // 60}h"
    return f"{minutes}m"


def usage_error(message: str) -> typer.Exit:
    """Input the user can fix: one line on stderr, exit code 2 (like cli_session)."""
    err_console.print(f"[red]Error:[/red] {escape(message)}", highlight=False)
    return typer.Exit(2)
