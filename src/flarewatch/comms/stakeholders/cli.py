"""`flarewatch stakeholders preview|send|due`: a case's stakeholder update as an audience would
get it, sending it now (out of cadence), and what is due when."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from flarewatch.alerts.cliutil import (
    By,
    LanguageOption,
    cli_session,
    default_actor,
    reader_of,
    workspace_id_for,
)
from flarewatch.cli.common import err_console, user_console
from flarewatch.i18n.labels import N_

app = typer.Typer(
    help="Scheduled summaries of open cases for internal audiences "
    "(docs/communication-stakeholders.md)."
)
console = user_console()

CaseArgument = Annotated[int, typer.Argument(help="The case's number, as shown by 'cases list'.")]

SENT = N_("Case #%(case)s: update for %(audience)s sent to %(sent)s of %(routes)s routes.")
ROUTE_FAILED = N_("Case #%(case)s, %(audience)s, %(route)s: failed: %(error)s")
NOTHING_DUE = N_("No open case has stakeholder updates scheduled.")
COLUMN_CASE = N_("Case")
COLUMN_AUDIENCE = N_("Audience")
COLUMN_EVERY = N_("Every")
COLUMN_LAST = N_("Last sent")
COLUMN_NEXT = N_("Next due")
NOT_AT_SEVERITY = N_("none at this severity")
DUE_NOW = N_("now (was due %(when)s)")
NEVER = N_("not yet")


@app.command("preview")
def preview_command(
    case_id: CaseArgument,
    audience: Annotated[
        str, typer.Option("--audience", "-a", help="The audience of a [[stakeholder_updates]].")
    ],
    language: LanguageOption = None,
    html: Annotated[bool, typer.Option("--html", help="Print the HTML body instead.")] = False,
) -> None:
    """Print the update AUDIENCE would get now (plain text; --html the email's body). Nothing
    is sent or stored."""
    from flarewatch.cases.service import get_case
    from flarewatch.comms.stakeholders import service
    from flarewatch.comms.stakeholders.render import render_summary
    from flarewatch.workspaces.models import Workspace

    now = datetime.now(UTC)
    with cli_session() as session:
        case = get_case(session, case_id)
        workspace = session.get_one(Workspace, case.workspace_id)
        table = service.update_config(workspace, audience)
        if language is not None:
            reader_of(session, workspace.id, language)  # an unknown language is refused here
            rendered = {
                language: render_summary(service.summary_for(session, case, table, now), language)
            }
        else:
            rendered = service.preview(session, case, table, now)
        for body in rendered.values():
            sys.stdout.write(body.html + "\n" if html else body.text)


@app.command("send")
def send_command(
    case_id: CaseArgument,
    audience: Annotated[
        str | None,
        typer.Option("--audience", "-a", help="Only this audience.", show_default="every one"),
    ] = None,
    language: LanguageOption = None,
    by: By = None,
) -> None:
    """Send the case's stakeholder update now, out of cadence, to AUDIENCE (or every audience
    of the workspace); the next scheduled one counts from it. Exit 1 when a route failed."""
    from flarewatch.comms.stakeholders import service

    failed = 0
    with cli_session() as session:
        rows = service.send_now(
            session, case_id, by or default_actor(), audience=audience, now=datetime.now(UTC)
        )
        for row in rows:
            reader = reader_of(session, row.workspace_id, language)
            who = reader.fragment(reader.term(row.audience))
            sent = sum(1 for r in row.results.values() if r["status"] == "sent")
            console.print(
                escape(
                    reader.say(
                        SENT,
                        case=str(case_id),
                        audience=who,
                        sent=reader.number(sent),
                        routes=reader.number(len(row.results)),
                    )
                ),
                highlight=False,
            )
            for label, result in row.results.items():
                if result["status"] != "sent":
                    failed += 1
                    line = reader.say(
                        ROUTE_FAILED,
                        case=str(case_id),
                        audience=who,
                        route=reader.fragment(label),
                        error=reader.fragment(str(result.get("error") or "")),
                    )
                    err_console.print(escape(line), highlight=False)
    if failed:
        raise typer.Exit(1)


@app.command("due")
def due_command(
    workspace: Annotated[
        str | None,
        typer.Option(
            "--workspace", "-w", help="Only this workspace (its slug).", show_default="all"
        ),
    ] = None,
    language: LanguageOption = None,
) -> None:
    """Each open case's audiences: how often at its severity, the last update, the next due."""
    from sqlalchemy import select

    from flarewatch.cases.models import Case
    from flarewatch.comms.stakeholders import service

    now = datetime.now(UTC)
    with cli_session() as session:
        wanted = workspace_id_for(session, workspace)
        query = select(Case).where(Case.status != "closed").order_by(Case.workspace_id, Case.id)
        if wanted is not None:
            query = query.where(Case.workspace_id == wanted)
        rows = [
            (case, s) for case in session.scalars(query) for s in service.schedule(session, case)
        ]
        if not rows:
            from flarewatch.cli.reader import reader_for

            empty = (
                reader_of(session, wanted, language) if wanted else reader_for(None, None, language)
            )
            console.print(escape(empty.say(NOTHING_DUE)), highlight=False)
            return
        reader = reader_of(session, rows[0][0].workspace_id, language)
        say = reader.say
        table = Table(
            say(COLUMN_CASE),
            say(COLUMN_AUDIENCE),
            say(COLUMN_EVERY),
            say(COLUMN_LAST),
            say(COLUMN_NEXT),
        )
        for case, scheduled in rows:
            reader = reader_of(session, case.workspace_id, language)
            every = (
                reader.fmt.duration(scheduled.every_minutes * 60)
                if scheduled.every_minutes is not None
                else reader.say(NOT_AT_SEVERITY)
            )
            last = reader.stamp(scheduled.last.sent_at) if scheduled.last else reader.say(NEVER)
            if scheduled.due_at is None:
                upcoming = "—"
            elif scheduled.due_at <= now:
                upcoming = reader.say(DUE_NOW, when=reader.stamp(scheduled.due_at))
            else:
                upcoming = reader.stamp(scheduled.due_at)
            table.add_row(
                f"#{case.id}",
                escape(reader.term(scheduled.audience)),
                escape(every),
                escape(last),
                escape(upcoming),
            )
        console.print(table)
