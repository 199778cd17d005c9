"""`flarewatch advocates list|brief`: the workspaces' friendly opinion leaders, and briefing
them on a case with approved facts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from flarewatch.alerts.cliutil import (
    By,
    LanguageOption,
    WorkspaceOption,
    cli_session,
    default_actor,
    reader_of,
    workspace_id_for,
)
from flarewatch.cli.common import err_console, user_console
from flarewatch.i18n.labels import N_

app = typer.Typer(
    help="Friendly opinion leaders briefed with approved facts "
    "(docs/communication-stakeholders.md)."
)
console = user_console()

COLUMN_KEY = N_("Key")
COLUMN_NAME = N_("Name")
COLUMN_HANDLES = N_("Handles")
COLUMN_CONTACT = N_("Contact")
COLUMN_LANGUAGES = N_("Languages")
COLUMN_TOPICS = N_("Topics")
BY_HAND = N_("by hand")
EVERY_TOPIC = N_("every topic")
NO_ADVOCATES = N_("No advocates; add [[advocates]] to the workspace file.")
BRIEF_SENT = N_("%(advocate)s: briefing sent; follow-up task #%(task)s.")
BRIEF_BY_HAND = N_("%(advocate)s: send the briefing by hand; task #%(task)s.")
BRIEF_FAILED = N_("%(advocate)s: could not be sent (%(error)s); send it by hand; task #%(task)s.")


@app.command("list")
def list_command(workspace: WorkspaceOption = None, language: LanguageOption = None) -> None:
    """The advocates of each workspace (or one): handles, contact, languages and topics."""
    from sqlalchemy import select

    from flarewatch.alerts.routing import describe_route
    from flarewatch.comms.advocates.service import advocates_of
    from flarewatch.workspaces.models import Workspace

    with cli_session() as session:
        wanted = workspace_id_for(session, workspace)
        query = select(Workspace).order_by(Workspace.slug)
        if wanted is not None:
            query = query.where(Workspace.id == wanted)
        shown = 0
        for found in session.scalars(query):
            people = advocates_of(found)
            if not people:
                continue
            reader = reader_of(session, found.id, language)
            say = reader.say
            table = Table(
                say(COLUMN_KEY),
                say(COLUMN_NAME),
                say(COLUMN_HANDLES),
                say(COLUMN_CONTACT),
                say(COLUMN_LANGUAGES),
                say(COLUMN_TOPICS),
                title=escape(f"{found.name} ({found.slug})"),
            )
            for person in people:
                if person.by_hand:
                    contact = say(BY_HAND)
                elif "://" in person.contact:
                    contact = describe_route(person.contact)  # passwords masked
                else:
                    contact = person.contact
                table.add_row(
                    escape(person.key),
                    escape(reader.fragment(person.name)),
                    escape(", ".join(person.handles) or "—"),
                    escape(contact),
                    escape(", ".join(person.languages) or "—"),
                    escape(", ".join(person.topics) or say(EVERY_TOPIC)),
                )
            console.print(table)
            shown += 1
        if not shown:
            from flarewatch.cli.reader import reader_for

            empty = (
                reader_of(session, wanted, language) if wanted else reader_for(None, None, language)
            )
            console.print(escape(empty.say(NO_ADVOCATES)), highlight=False)


@app.command("brief")
def brief_command(
    case_id: Annotated[int, typer.Argument(help="The case's number, as shown by 'cases list'.")],
    draft: Annotated[
        list[int],
        typer.Option("--draft", "-d", help="An approved draft whose text is a fact; repeat it."),
    ],
    advocate: Annotated[
        list[str] | None,
        typer.Option(
            "--advocate",
            "-a",
            help="An advocate's key; repeat it.",
            show_default="those matching the case's topics and language",
        ),
    ] = None,
    language: LanguageOption = None,
    by: By = None,
) -> None:
    """Brief advocates on a case with the approved text of the drafts named: sent on each
    advocate's contact route, or left to send by hand; one follow-up task per advocate. A
    draft whose current text is not approved is refused (exit 2) and nothing is sent."""
    from flarewatch.comms.advocates.service import advocates_of, brief_advocates
    from flarewatch.workspaces.models import Workspace

    failed = 0
    with cli_session() as session:
        rows = brief_advocates(
            session,
            case_id,
            draft,
            by or default_actor(),
            advocate_keys=advocate or None,
            now=datetime.now(UTC),
        )
        if not rows:
            return
        workspace = session.get_one(Workspace, rows[0].workspace_id)
        names = {a.key: a.name for a in advocates_of(workspace)}
        reader = reader_of(session, workspace.id, language)
        for row in rows:
            who = reader.fragment(names.get(row.advocate, row.advocate))
            task = str(row.task_id)
            if row.status == "sent":
                console.print(
                    escape(reader.say(BRIEF_SENT, advocate=who, task=task)), highlight=False
                )
            elif row.status == "by_hand":
                console.print(
                    escape(reader.say(BRIEF_BY_HAND, advocate=who, task=task)), highlight=False
                )
            else:
                failed += 1
                line = reader.say(
                    BRIEF_FAILED, advocate=who, task=task, error=reader.fragment(row.error or "")
                )
                err_console.print(escape(line), highlight=False)
    if failed:
        raise typer.Exit(1)
