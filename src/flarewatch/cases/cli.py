"""`flarewatch cases`: open cases from alerts, move them along their life cycle, notes, tasks."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.markup import escape  # a user's title is text, not Rich markup
from rich.table import Table
from sqlalchemy.orm import Session

from flarewatch.alerts.cliutil import (
    By,
    WorkspaceOption,
    cli_session,
    default_actor,
    risk,
    said,
    when,
    workspace_id_for,
    workspace_timezones,
)
from flarewatch.alerts.models import Alert
from flarewatch.bidi import isolate_plain, neutralise
from flarewatch.cases import service
from flarewatch.cases.followup import ensure_watch
from flarewatch.cases.lifecycle import allowed_next
from flarewatch.cases.models import CASE_STATUSES
from flarewatch.cases.postmortem.cli import postmortem_command
from flarewatch.cases.response_cli import register as register_response
from flarewatch.cli.common import user_console
from flarewatch.detect.explain import render_factor
from flarewatch.errors import InputError

app = typer.Typer(
    help="Crisis cases: open from an alert, change status, add notes and tasks, read the timeline.",
    no_args_is_help=True,
)
console = user_console()

CaseId = Annotated[int, typer.Argument(help="The case's number, as shown by 'cases list'.")]
app.command("postmortem")(postmortem_command)
register_response(app)  # route, findings, role, roles


@app.command("list")
def list_command(
    workspace: WorkspaceOption = None,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            "-s",
            help=f"Only this status: {', '.join(CASE_STATUSES)}.",
            show_default="all",
        ),
    ] = None,
) -> None:
    """List cases, newest first."""
    with cli_session() as session:
        cases = service.list_cases(session, workspace_id_for(session, workspace), status=status)
        if not cases:
            console.print("No cases.")
            return
        zones = workspace_timezones(session)
        table = Table("ID", "Status", "Severity", "Title", "Opened", "By", "Alert")
        for case in cases:
            table.add_row(
                str(case.id),
                case.status,
                case.severity,
                escape(said(case.title_message, case.title)),
                when(case.opened_at, zones.get(case.workspace_id)),
                case.opened_by,
                f"#{case.alert_id}" if case.alert_id else "—",
            )
        console.print(table)


@app.command("show")
def show_command(case_id: CaseId) -> None:
    """Show a case: its status, timeline and tasks."""
    with cli_session() as session:
        case = service.get_case(session, case_id)
        zone = workspace_timezones(session).get(case.workspace_id)
        title = said(case.title_message, case.title)
        console.print(f"[bold]Case #{case.id}: {escape(title)}[/bold]", highlight=False)
        nexts = ", ".join(allowed_next(case.status))
        console.print(
            f"Status: {case.status} (next: {nexts}) · severity {case.severity} · "
            f"opened {when(case.opened_at, zone)} by {escape(case.opened_by)}"
            + (f" · closed {when(case.closed_at, zone)}" if case.closed_at else ""),
            highlight=False,
        )
        _print_alert_now(session, case.alert_id)
        table = Table("When", "Kind", "Who", "What", title="Timeline")
        for event in service.timeline(session, case.id):
            data = event.data or {}
            text = said({"message": data.get("message"), "params": data.get("params")}, event.text)
            url = data.get("url")
            if url:
                text += f"\n{url}"
            table.add_row(when(event.at, zone), event.kind, escape(event.actor), escape(text))
        console.print(table)
        tasks = service.tasks(session, case.id)
        if tasks:
            task_table = Table("Task", "Status", "Assignee", "Due", "Title", title="Tasks")
            for task in tasks:
                task_table.add_row(
                    f"#{task.id}",
                    task.status,
                    escape(task.assignee or "—"),
                    when(task.due_at, zone),
                    escape(task.title),
                )
            console.print(task_table)


@app.command("open")
def open_command(
    alert: Annotated[int, typer.Option("--alert", "-a", help="Open the case for this alert.")],
    by: By = None,
) -> None:
    """Open a case from an alert (if the alert already has one, show its number)."""
    with cli_session() as session:
        existing = service.case_for_alert(session, alert)
        case = service.open_case_from_alert(session, alert, by or default_actor())
        verb = "already has" if existing else "opened"
        console.print(f"Alert #{alert} {verb} case #{case.id}.", highlight=False)


@app.command("status")
def status_command(
    case_id: CaseId,
    new_status: Annotated[str, typer.Argument(help=f"The new status: {', '.join(CASE_STATUSES)}.")],
    note: Annotated[
        str | None,
        typer.Option(
            "--note", help="Why, written to the timeline with the change.", show_default="none"
        ),
    ] = None,
    by: By = None,
) -> None:
    """Move a case through its life cycle (new → triage → responding → monitoring → closed)."""
    with cli_session() as session:
        case = service.change_status(session, case_id, new_status, by or default_actor(), note=note)
        watch = ensure_watch(session, case)  # moving to monitoring starts the follow-up watch
        console.print(f"Case #{case.id} is now {case.status}.", highlight=False)
        if watch is not None:
            until = when(watch.until, workspace_timezones(session).get(case.workspace_id))
            console.print(f"Follow-up watch until {until}.", highlight=False)


@app.command("note")
def note_command(
    case_id: CaseId,
    text: Annotated[str, typer.Argument(help="The note, in quotes.")],
    by: By = None,
) -> None:
    """Add a note to a case's timeline."""
    with cli_session() as session:
        event = service.add_note(session, case_id, text, by or default_actor())
        console.print(f"Note added to case #{case_id} (event #{event.id}).", highlight=False)


@app.command("task")
def task_command(
    case_id: CaseId,
    title: Annotated[str, typer.Argument(help="What needs doing, in quotes.")],
    assignee: Annotated[
        str | None, typer.Option("--assignee", help="Who does it.", show_default="nobody")
    ] = None,
    due: Annotated[
        str | None,
        typer.Option(
            "--due",
            help="When it is due, ISO 8601 with a timezone, e.g. 2024-05-07T18:00+02:00.",
            show_default="no due time",
        ),
    ] = None,
    by: By = None,
) -> None:
    """Add a task to a case."""
    with cli_session() as session:
        task = service.add_task(
            session,
            case_id,
            title,
            by or default_actor(),
            assignee=assignee,
            due_at=_parse_due(due),
        )
        console.print(f"Task #{task.id} added to case #{case_id}.", highlight=False)


@app.command("done")
def done_command(
    task_id: Annotated[int, typer.Argument(help="The task's number, as shown by 'cases show'.")],
    by: By = None,
) -> None:
    """Mark a task as done."""
    with cli_session() as session:
        task = service.complete_task(session, task_id, by or default_actor())
        console.print(f"Task #{task.id} is done.", highlight=False)


def _print_alert_now(session: Session, alert_id: int | None) -> None:
    """The case's alert as it is now: a case follows its alert."""
    alert = session.get(Alert, alert_id) if alert_id is not None else None
    if alert is None:
        return
    topics = ", ".join(
        isolate_plain(name) for name in service.topic_names(session, alert.topic_ids)
    )
    console.print(
        f"Alert #{alert.id} now: {alert.severity}, {alert.status}, risk {risk(alert.risk_score)}"
        + (f" · topics: {escape(topics)}" if topics else ""),
        highlight=False,
    )
    console.print(escape(neutralise(alert.explanation)), highlight=False)
    for factor in alert.factors or []:
        reason = render_factor(factor, isolate=isolate_plain, fallback=neutralise)
        console.print(f"  - {escape(reason)}", highlight=False)


def _parse_due(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"--due {value!r} is not a date and time; use ISO 8601, e.g. 2024-05-07T18:00+02:00"
        ) from None


def _room_commands() -> None:
    """The case room's commands (apply, timeline, goals, answered, originator)."""
    from flarewatch.cases.room_cli import COMMANDS

    for name, command in COMMANDS.items():
        app.command(name)(command)


_room_commands()
