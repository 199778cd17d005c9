"""`flarewatch alerts`: list, inspect, acknowledge and close alerts, and send pending deliveries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape  # a user's title is text, not Rich markup
from rich.table import Table
from sqlalchemy import select

from flarewatch.alerts import service
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
from flarewatch.alerts.message import SOURCE_ALERT
from flarewatch.alerts.models import ALERT_STATUSES, AlertDelivery
from flarewatch.alerts.notify import build_message, deliver_pending
from flarewatch.alerts.routing import describe_route
from flarewatch.cases.service import case_for_alert, topic_names
from flarewatch.cases.triage import triage_alert
from flarewatch.cli.common import user_console
from flarewatch.cli.reader import CLDR_MARKS
from flarewatch.db.base import utcnow
from flarewatch.i18n.labels import N_

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from flarewatch.alerts.models import Alert
    from flarewatch.cli.reader import Reader

app = typer.Typer(
    help="Alerts: list, show, acknowledge, resolve or mark as noise; send pending notifications.",
    no_args_is_help=True,
)
console = user_console()

SEVERITY_STYLE = {"watch": "cyan", "warning": "yellow", "crisis": "bold red"}

AlertId = Annotated[int, typer.Argument(help="The alert's number, as shown by 'alerts list'.")]

# The words of `alerts list` and `alerts show`, in the workspace's language (cli/reader.py).
NO_ALERTS = N_("No alerts.")
COLUMN_ID = N_("ID")
COLUMN_SEVERITY = N_("Severity")
COLUMN_STATUS = N_("Status")
COLUMN_RISK = N_("Risk")
COLUMN_TITLE = N_("Title")
COLUMN_TOPICS = N_("Topics")
COLUMN_WINDOW_END = N_("Window end")
COLUMN_GROUP = N_("Group")
TOPICS_LINE = N_("Topics: %(topics)s")
MERGED_INTO = N_("Merged into alert #%(alert)s (the same incident).")
STATUS_LINE = N_("Status: %(status)s")
STATUS_BY_LINE = N_("Status: %(status)s (by %(who)s at %(time)s)")
CASE_LINE = N_("Case: #%(case)s (%(status)s)")
NO_CASE_LINE = N_("Case: none (open one with '%(command)s')")
COLUMN_ROUTE = N_("Route")
COLUMN_ATTEMPTS = N_("Attempts")
COLUMN_SENT_NEXT = N_("Sent / next try")
COLUMN_ERROR = N_("Error")
REMINDER_DELIVERY = N_("%(route)s (reminder)")
ESCALATION_HEADING = N_("Escalation:")
COLUMN_STEP = N_("Step")
COLUMN_ROUND = N_("Round")
COLUMN_NOTIFY = N_("Notify")
COLUMN_DUE = N_("Due")
COLUMN_REACHED = N_("Reached / note")
REMINDER_STEP = N_("reminder")
ROUND_CYCLE = N_("%(round)s (cycle %(cycle)s)")
# The confirmations of `alerts ack/noise/resolve/deliver/summary`.
ACKNOWLEDGED = N_("Alert #%(alert)s acknowledged by %(who)s.")
MARKED_NOISE = N_("Alert #%(alert)s marked as noise.")
RESOLVED = N_("Alert #%(alert)s resolved.")
DELIVERED = N_("%(sent)s sent, %(retrying)s to retry, %(failed)s failed, %(skipped)s skipped.")
DELIVERY_ERROR = N_("delivery #%(delivery)s: %(error)s")
CITES_POSTS = N_("Cites posts: %(posts)s")


def _severity(reader: Reader, code: str) -> str:
    """The severity's label in the reader's language, in the severity's colour."""
    label = escape(reader.term(code))
    style = SEVERITY_STYLE.get(code)
    return f"[{style}]{label}[/{style}]" if style else label


def _alerts_table(
    reader: Reader, alerts: list[Alert], name_of: dict[int, str], title: str | None
) -> Table:
    say = reader.say
    table = Table(
        say(COLUMN_ID),
        say(COLUMN_SEVERITY),
        say(COLUMN_STATUS),
        say(COLUMN_RISK),
        say(COLUMN_TITLE),
        say(COLUMN_TOPICS),
        say(COLUMN_WINDOW_END),
        say(COLUMN_GROUP),
        title=escape(title) if title else None,
    )
    for alert in alerts:
        table.add_row(
            str(alert.id),
            _severity(reader, alert.severity),
            escape(reader.term(alert.status)),
            say(SOURCE_ALERT) if alert.kind == "source" else reader.risk(alert.risk_score),
            escape(reader.stored(alert.title_message, alert.title)),
            escape(reader.names(name_of[t] for t in alert.topic_ids)),
            reader.stamp(alert.window_end),
            escape(alert.group_key),
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
            help=f"Only this status: {', '.join(ALERT_STATUSES)}.",
            show_default="all",
        ),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", help="At most this many, newest first.")
    ] = 50,
    language: LanguageOption = None,
) -> None:
    """List alerts, newest first, in each workspace's language (one table a workspace)."""
    with cli_session() as session:
        workspace_id = workspace_id_for(session, workspace)
        readers = workspace_readers(session, language)
        alerts = service.list_alerts(session, workspace_id, status=status, limit=limit)
        if not alerts:
            console.print(empty_list_reader(readers, workspace_id, language).say(NO_ALERTS))
            return
        all_topics = sorted({t for alert in alerts for t in alert.topic_ids})
        name_of = dict(zip(all_topics, topic_names(session, all_topics), strict=True))
        by_workspace: dict[int, list[Alert]] = {}
        for alert in alerts:
            by_workspace.setdefault(alert.workspace_id, []).append(alert)
        titles = workspace_titles(session) if len(by_workspace) > 1 else {}
        for space, rows in by_workspace.items():
            reader = readers[space]
            title = reader.fragment(titles[space]) if titles else None
            console.print(_alerts_table(reader, rows, name_of, title))


@app.command("summary")
def summary_command(alert_id: AlertId, language: LanguageOption = None) -> None:
    """Ask the configured AI endpoint (FLAREWATCH_LLM_*) for a summary citing the alert's posts."""
    from flarewatch.alerts.summary import summarize_alert

    with cli_session() as session:
        summary = summarize_alert(session, alert_id)
        reader = reader_of(session, service.get_alert(session, alert_id).workspace_id, language)
        console.print(summary.text, highlight=False, soft_wrap=True, markup=False)
        cited = ", ".join(f"#{post_id}" for post_id in summary.cited_post_ids)
        console.print("\n" + reader.say(CITES_POSTS, posts=cited), highlight=False, markup=False)


@app.command("show")
def show_command(alert_id: AlertId, language: LanguageOption = None) -> None:
    """Show one alert in its workspace's language: why it fired, its key posts and where it
    was delivered."""
    with cli_session() as session:
        alert = service.get_alert(session, alert_id)
        reader = workspace_readers(session, language)[alert.workspace_id]
        say = reader.say
        message = build_message(session, alert, language=reader.language)
        # The notification's text, less the marks CLDR adds to some numbers (cli/reader.py).
        title, body = (text.translate(CLDR_MARKS) for text in (message.title, message.body))
        console.print(f"[bold]{escape(title)}[/bold]", highlight=False)
        console.print(escape(body), highlight=False)
        topics = reader.names(topic_names(session, alert.topic_ids))
        if topics:
            console.print("\n" + escape(say(TOPICS_LINE, topics=topics)), highlight=False)
        if alert.merged_into_id is not None:
            console.print(escape(say(MERGED_INTO, alert=alert.merged_into_id)), highlight=False)
        status = reader.term(alert.status).lower()
        line = (
            say(
                STATUS_BY_LINE,
                status=status,
                who=reader.fragment(alert.acknowledged_by),
                time=reader.fragment(reader.stamp(alert.acknowledged_at)),
            )
            if alert.acknowledged_by
            else say(STATUS_LINE, status=status)
        )
        console.print("\n" + escape(line), highlight=False)
        case = case_for_alert(session, alert.id)
        line = (
            say(CASE_LINE, case=case.id, status=reader.term(case.status).lower())
            if case
            else say(
                NO_CASE_LINE, command=reader.fragment(f"flarewatch cases open --alert {alert.id}")
            )
        )
        console.print(escape(line), highlight=False)
        deliveries = session.scalars(
            select(AlertDelivery)
            .where(AlertDelivery.alert_id == alert.id)
            .order_by(AlertDelivery.id)
        ).all()
        if deliveries:
            table = Table(
                say(COLUMN_ROUTE),
                say(COLUMN_SEVERITY),
                say(COLUMN_STATUS),
                say(COLUMN_ATTEMPTS),
                say(COLUMN_SENT_NEXT),
                say(COLUMN_ERROR),
            )
            for d in deliveries:
                route = describe_route(d.route)
                route = f"{d.recipient}: {route}" if d.recipient else route
                if d.purpose == "reminder":
                    route = say(REMINDER_DELIVERY, route=reader.fragment(route))
                table.add_row(
                    escape(route),
                    _severity(reader, d.severity),
                    escape(reader.term(d.status)),
                    reader.number(d.attempts),
                    reader.stamp(d.sent_at or d.next_attempt_at),
                    escape(d.last_error or ""),
                )
            console.print(table)
        _print_escalation(session, alert.id, reader)


def _print_escalation(session: Session, alert_id: int, reader: Reader) -> None:
    """The alert's escalation rounds (docs/oncall.md): sent, pending or cancelled, and why."""
    from flarewatch.oncall.service import escalation_of

    rounds = escalation_of(session, alert_id)
    if not rounds:
        return
    say = reader.say
    table = Table(
        say(COLUMN_STEP),
        say(COLUMN_ROUND),
        say(COLUMN_NOTIFY),
        say(COLUMN_DUE),
        say(COLUMN_STATUS),
        say(COLUMN_REACHED),
    )
    for row in rounds:
        reached = ", ".join(f"{who} ({channel})" for who, channel in row.recipients)
        table.add_row(
            say(REMINDER_STEP) if row.kind == "reminder" else str(row.step),
            say(ROUND_CYCLE, round=row.round, cycle=row.cycle) if row.cycle > 1 else str(row.round),
            escape(row.target),
            reader.stamp(row.due_at),
            escape(reader.term(row.status)),
            escape(reached or row.note or ""),
        )
    console.print("\n" + say(ESCALATION_HEADING), highlight=False)
    console.print(table)


@app.command("ack")
def ack_command(alert_id: AlertId, by: By = None, language: LanguageOption = None) -> None:
    """Acknowledge an alert: someone is on it (acknowledging twice changes nothing)."""
    with cli_session() as session:
        alert = triage_alert(session, alert_id, "acknowledge", by or default_actor())
        reader = reader_of(session, alert.workspace_id, language)
        who = reader.fragment(alert.acknowledged_by or "")
        _confirm(reader.say(ACKNOWLEDGED, alert=alert.id, who=who))


@app.command("noise")
def noise_command(alert_id: AlertId, by: By = None, language: LanguageOption = None) -> None:
    """Mark an alert as noise: it should not have fired (detection learns from these)."""
    with cli_session() as session:
        alert = triage_alert(session, alert_id, "noise", by or default_actor())
        _confirm(reader_of(session, alert.workspace_id, language).say(MARKED_NOISE, alert=alert.id))


@app.command("resolve")
def resolve_command(alert_id: AlertId, by: By = None, language: LanguageOption = None) -> None:
    """Resolve an alert: the signal is over (its group stays quiet for the cool-down)."""
    with cli_session() as session:
        alert = triage_alert(session, alert_id, "resolve", by or default_actor())
        _confirm(reader_of(session, alert.workspace_id, language).say(RESOLVED, alert=alert.id))


@app.command("deliver")
def deliver_command(language: LanguageOption = None) -> None:
    """Send every notification that is due now, and retry failed ones whose time has come.
    The summary line is in the language every workspace shares (else English) or --language."""
    with cli_session() as session:
        reader = empty_list_reader(workspace_readers(session, language), None, language)
        report = deliver_pending(session, utcnow(), console=console)
        number = reader.number
        _confirm(
            reader.say(
                DELIVERED,
                sent=number(len(report.sent)),
                retrying=number(len(report.retrying)),
                failed=number(len(report.failed)),
                skipped=number(len(report.skipped)),
            )
        )
        for delivery_id, error in report.errors.items():
            line = reader.say(DELIVERY_ERROR, delivery=delivery_id, error=reader.fragment(error))
            console.print(f"  {line}", style="red", highlight=False, markup=False)


def _confirm(line: str) -> None:
    """One confirmation line, as written (a name in it is text, not Rich markup)."""
    console.print(line, highlight=False, markup=False)
