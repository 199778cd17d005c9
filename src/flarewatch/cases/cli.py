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
    LanguageOption,
    WorkspaceOption,
    cli_session,
    default_actor,
    empty_list_reader,
    reader_of,
    workspace_id_for,
    workspace_readers,
    workspace_titles,
)
from flarewatch.alerts.models import Alert
from flarewatch.cases import service
from flarewatch.cases.followup import ensure_watch
from flarewatch.cases.lifecycle import allowed_next
from flarewatch.cases.models import CASE_STATUSES, Case
from flarewatch.cases.postmortem.cli import postmortem_command
from flarewatch.cases.response_cli import register as register_response
from flarewatch.cases.room_cli import timeline_table
from flarewatch.cli.common import user_console
from flarewatch.cli.reader import Reader
from flarewatch.errors import InputError
from flarewatch.i18n.labels import N_

app = typer.Typer(
    help="Crisis cases: open from an alert, change status, add notes and tasks, read the timeline.",
    no_args_is_help=True,
)
console = user_console()

CaseId = Annotated[int, typer.Argument(help="The case's number, as shown by 'cases list'.")]
app.command("postmortem")(postmortem_command)
register_response(app)  # route, findings, role, roles

# The words of `cases list` and `cases show`, in the workspace's language (cli/reader.py).
NO_CASES = N_("No cases.")
COLUMN_ID = N_("ID")
COLUMN_STATUS = N_("Status")
COLUMN_SEVERITY = N_("Severity")
COLUMN_TITLE = N_("Title")
COLUMN_OPENED = N_("Opened")
COLUMN_BY = N_("By")
COLUMN_ALERT = N_("Alert")
CASE_HEADING = N_("Case #%(case)s: %(title)s")
CASE_STATUS = N_(
    "Status: %(status)s (next: %(next)s) · severity %(severity)s · opened %(opened)s by %(who)s"
)
CASE_CLOSED_AT = N_("closed %(closed)s")
TIMELINE = N_("Timeline")
TASKS = N_("Tasks")
COLUMN_TASK = N_("Task")
COLUMN_ASSIGNEE = N_("Assignee")
COLUMN_DUE = N_("Due")
ALERT_NOW = N_("Alert #%(alert)s now: %(severity)s, %(status)s, risk %(risk)s")
ALERT_TOPICS = N_("topics: %(topics)s")
# The confirmations of `cases open/status/note/task/done`.
CASE_OPENED = N_("Alert #%(alert)s opened case #%(case)s.")
CASE_EXISTS = N_("Alert #%(alert)s already has case #%(case)s.")
CASE_NOW = N_("Case #%(case)s is now %(status)s.")
NOTE_ADDED = N_("Note added to case #%(case)s (event #%(event)s).")
TASK_ADDED = N_("Task #%(task)s added to case #%(case)s.")
TASK_DONE = N_("Task #%(task)s is done.")
FOLLOW_UP_UNTIL = N_("Follow-up watch until %(until)s.")


def _cases_table(reader: Reader, cases: list[Case], title: str | None) -> Table:
    say = reader.say
    table = Table(
        say(COLUMN_ID),
        say(COLUMN_STATUS),
        say(COLUMN_SEVERITY),
        say(COLUMN_TITLE),
        say(COLUMN_OPENED),
        say(COLUMN_BY),
        say(COLUMN_ALERT),
        title=escape(title) if title else None,
    )
    for case in cases:
        table.add_row(
            str(case.id),
            escape(reader.term(case.status)),
            escape(reader.term(case.severity)),
            escape(reader.stored(case.title_message, case.title)),
            reader.stamp(case.opened_at),
            escape(case.opened_by),
            f"#{case.alert_id}" if case.alert_id else "—",
        )
    return table


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
    language: LanguageOption = None,
) -> None:
    """List cases, newest first, in each workspace's language (one table a workspace)."""
    with cli_session() as session:
        workspace_id = workspace_id_for(session, workspace)
        readers = workspace_readers(session, language)
        cases = service.list_cases(session, workspace_id, status=status)
        if not cases:
            console.print(empty_list_reader(readers, workspace_id, language).say(NO_CASES))
            return
        by_workspace: dict[int, list[Case]] = {}
        for case in cases:
            by_workspace.setdefault(case.workspace_id, []).append(case)
        titles = workspace_titles(session) if len(by_workspace) > 1 else {}
        for space, rows in by_workspace.items():
            reader = readers[space]
            title = reader.fragment(titles[space]) if titles else None
            console.print(_cases_table(reader, rows, title))


@app.command("show")
def show_command(case_id: CaseId, language: LanguageOption = None) -> None:
    """Show a case in its workspace's language: its status, timeline and tasks."""
    with cli_session() as session:
        case = service.get_case(session, case_id)
        reader = workspace_readers(session, language)[case.workspace_id]
        say = reader.say
        title = reader.inline(case.title_message, case.title)
        console.print(
            f"[bold]{escape(say(CASE_HEADING, case=case.id, title=title))}[/bold]",
            highlight=False,
        )
        line = say(
            CASE_STATUS,
            status=reader.term(case.status).lower(),
            next=reader.terms(allowed_next(case.status)),
            severity=reader.term(case.severity).lower(),
            opened=reader.fragment(reader.stamp(case.opened_at)),
            who=reader.fragment(case.opened_by),
        )
        if case.closed_at:
            line += " · " + say(
                CASE_CLOSED_AT, closed=reader.fragment(reader.stamp(case.closed_at))
            )
        console.print(escape(line), highlight=False)
        _print_alert_now(session, case.alert_id, reader)
        events = service.timeline(session, case.id)
        console.print(timeline_table(reader, events, title=say(TIMELINE)))
        tasks = service.tasks(session, case.id)
        if tasks:
            task_table = Table(
                say(COLUMN_TASK),
                say(COLUMN_STATUS),
                say(COLUMN_ASSIGNEE),
                say(COLUMN_DUE),
                say(COLUMN_TITLE),
                title=say(TASKS),
            )
            for task in tasks:
                task_table.add_row(
                    f"#{task.id}",
                    escape(reader.term(task.status)),
                    escape(task.assignee or "—"),
                    reader.stamp(task.due_at),
                    escape(task.title),
                )
            console.print(task_table)


@app.command("open")
def open_command(
    alert: Annotated[int, typer.Option("--alert", "-a", help="Open the case for this alert.")],
    by: By = None,
    language: LanguageOption = None,
) -> None:
    """Open a case from an alert (if the alert already has one, show its number)."""
    with cli_session() as session:
        existing = service.case_for_alert(session, alert)
        case = service.open_case_from_alert(session, alert, by or default_actor())
        reader = reader_of(session, case.workspace_id, language)
        _confirm(reader.say(CASE_EXISTS if existing else CASE_OPENED, alert=alert, case=case.id))


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
    language: LanguageOption = None,
) -> None:
    """Move a case through its life cycle (new → triage → responding → monitoring → closed)."""
    with cli_session() as session:
        case = service.change_status(session, case_id, new_status, by or default_actor(), note=note)
        watch = ensure_watch(session, case)  # moving to monitoring starts the follow-up watch
        reader = reader_of(session, case.workspace_id, language)
        _confirm(reader.say(CASE_NOW, case=case.id, status=reader.term(case.status).lower()))
        if watch is not None:
            _confirm(reader.say(FOLLOW_UP_UNTIL, until=reader.stamp(watch.until)))


@app.command("note")
def note_command(
    case_id: CaseId,
    text: Annotated[str, typer.Argument(help="The note, in quotes.")],
    by: By = None,
    language: LanguageOption = None,
) -> None:
    """Add a note to a case's timeline."""
    with cli_session() as session:
        event = service.add_note(session, case_id, text, by or default_actor())
        reader = _case_reader(session, case_id, language)
        _confirm(reader.say(NOTE_ADDED, case=case_id, event=event.id))


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
    language: LanguageOption = None,
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
        reader = _case_reader(session, case_id, language)
        _confirm(reader.say(TASK_ADDED, task=task.id, case=case_id))


@app.command("done")
def done_command(
    task_id: Annotated[int, typer.Argument(help="The task's number, as shown by 'cases show'.")],
    by: By = None,
    language: LanguageOption = None,
) -> None:
    """Mark a task as done."""
    with cli_session() as session:
        task = service.complete_task(session, task_id, by or default_actor())
        _confirm(_case_reader(session, task.case_id, language).say(TASK_DONE, task=task.id))


def _case_reader(session: Session, case_id: int, language: str | None) -> Reader:
    """The reader of a confirmation about this case: its workspace's language."""
    return reader_of(session, service.get_case(session, case_id).workspace_id, language)


def _confirm(line: str) -> None:
    """One confirmation line, as written (a name in it is text, not Rich markup)."""
    console.print(line, highlight=False, markup=False)


def _print_alert_now(session: Session, alert_id: int | None, reader: Reader) -> None:
    """The case's alert as it is now: a case follows its alert."""
    alert = session.get(Alert, alert_id) if alert_id is not None else None
    if alert is None:
        return
    say = reader.say
    line = say(
        ALERT_NOW,
        alert=alert.id,
        severity=reader.term(alert.severity).lower(),
        status=reader.term(alert.status).lower(),
        risk=reader.risk(alert.risk_score),
    )
    topics = reader.names(service.topic_names(session, alert.topic_ids))
    if topics:
        line += " · " + say(ALERT_TOPICS, topics=topics)
    console.print(escape(line), highlight=False)
    factors = alert.factors or []
    console.print(escape(reader.explanation(factors, alert.explanation)), highlight=False)
    for factor in factors:
        console.print(f"  - {escape(reader.factor(factor))}", highlight=False)


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
