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
    WorkspaceOption,
    cli_session,
    default_actor,
    risk,
    said,
    when,
    workspace_id_for,
    workspace_timezones,
)
from flarewatch.alerts.models import ALERT_STATUSES, AlertDelivery
from flarewatch.alerts.notify import build_message, deliver_pending
from flarewatch.alerts.routing import describe_route
from flarewatch.bidi import isolate_plain
from flarewatch.cases.service import case_for_alert, topic_names
from flarewatch.cases.triage import triage_alert
from flarewatch.cli.common import user_console
from flarewatch.db.base import utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

app = typer.Typer(
    help="Alerts: list, show, acknowledge, resolve or mark as noise; send pending notifications.",
    no_args_is_help=True,
)
console = user_console()

SEVERITY_STYLE = {"watch": "cyan", "warning": "yellow", "crisis": "bold red"}

AlertId = Annotated[int, typer.Argument(help="The alert's number, as shown by 'alerts list'.")]


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
) -> None:
    """List alerts, newest first."""
    with cli_session() as session:
        alerts = service.list_alerts(
            session, workspace_id_for(session, workspace), status=status, limit=limit
        )
        if not alerts:
            console.print("No alerts.")
            return
        all_topics = sorted({t for alert in alerts for t in alert.topic_ids})
        name_of = dict(zip(all_topics, topic_names(session, all_topics), strict=True))
        zones = workspace_timezones(session)
        table = Table("ID", "Severity", "Status", "Risk", "Title", "Topics", "Window end", "Group")
        for alert in alerts:
            style = SEVERITY_STYLE.get(alert.severity, "")
            table.add_row(
                str(alert.id),
                f"[{style}]{alert.severity}[/{style}]" if style else alert.severity,
                alert.status,
                "source" if alert.kind == "source" else risk(alert.risk_score),
                escape(said(alert.title_message, alert.title)),
                escape(", ".join(isolate_plain(name_of[t]) for t in alert.topic_ids)),
                when(alert.window_end, zones.get(alert.workspace_id)),
                alert.group_key,
            )
        console.print(table)


@app.command("summary")
def summary_command(alert_id: AlertId) -> None:
    """Ask the configured AI endpoint (FLAREWATCH_LLM_*) for a summary citing the alert's posts."""
    from flarewatch.alerts.summary import summarize_alert

    with cli_session() as session:
        summary = summarize_alert(session, alert_id)
        console.print(summary.text, highlight=False, soft_wrap=True)
        cited = ", ".join(f"#{post_id}" for post_id in summary.cited_post_ids)
        console.print(f"\nCites posts: {cited}", highlight=False)


@app.command("show")
def show_command(alert_id: AlertId) -> None:
    """Show one alert: why it fired, its key posts and where it was delivered."""
    with cli_session() as session:
        alert = service.get_alert(session, alert_id)
        message = build_message(session, alert)
        console.print(f"[bold]{escape(message.title)}[/bold]", highlight=False)
        console.print(message.body, highlight=False)
        zone = workspace_timezones(session).get(alert.workspace_id)
        topics = ", ".join(isolate_plain(name) for name in topic_names(session, alert.topic_ids))
        if topics:
            console.print(f"\nTopics: {escape(topics)}", highlight=False)
        if alert.merged_into_id is not None:
            console.print(
                f"Merged into alert #{alert.merged_into_id} (the same incident).", highlight=False
            )
        ack = f"by {alert.acknowledged_by} at {when(alert.acknowledged_at, zone)}"
        console.print(f"\nStatus: {alert.status}" + (f" ({ack})" if alert.acknowledged_by else ""))
        case = case_for_alert(session, alert.id)
        console.print(
            f"Case: #{case.id} ({case.status})"
            if case
            else f"Case: none (open one with 'flarewatch cases open --alert {alert.id}')",
            highlight=False,
        )
        deliveries = session.scalars(
            select(AlertDelivery)
            .where(AlertDelivery.alert_id == alert.id)
            .order_by(AlertDelivery.id)
        ).all()
        if deliveries:
            table = Table("Route", "Severity", "Status", "Attempts", "Sent / next try", "Error")
            for d in deliveries:
                timing = when(d.sent_at or d.next_attempt_at, zone)
                route = describe_route(d.route)
                table.add_row(
                    escape(f"{d.recipient}: {route}" if d.recipient else route)
                    + (" (reminder)" if d.purpose == "reminder" else ""),
                    d.severity,
                    d.status,
                    str(d.attempts),
                    timing,
                    d.last_error or "",
                )
            console.print(table)
        _print_escalation(session, alert.id, zone)


def _print_escalation(session: Session, alert_id: int, zone: str | None) -> None:
    """The alert's escalation rounds (docs/oncall.md): sent, pending or cancelled, and why."""
    from flarewatch.oncall.service import escalation_of

    rounds = escalation_of(session, alert_id)
    if not rounds:
        return
    table = Table("Step", "Round", "Notify", "Due", "Status", "Reached / note")
    for row in rounds:
        reached = ", ".join(f"{who} ({channel})" for who, channel in row.recipients)
        table.add_row(
            "reminder" if row.kind == "reminder" else str(row.step),
            str(row.round) + (f" (cycle {row.cycle})" if row.cycle > 1 else ""),
            row.target,
            when(row.due_at, zone),
            row.status,
            escape(reached or row.note or ""),
        )
    console.print("\nEscalation:", highlight=False)
    console.print(table)


@app.command("ack")
def ack_command(alert_id: AlertId, by: By = None) -> None:
    """Acknowledge an alert: someone is on it (acknowledging twice changes nothing)."""
    with cli_session() as session:
        alert = triage_alert(session, alert_id, "acknowledge", by or default_actor())
        console.print(
            f"Alert #{alert.id} acknowledged by {alert.acknowledged_by}.", highlight=False
        )


@app.command("noise")
def noise_command(alert_id: AlertId, by: By = None) -> None:
    """Mark an alert as noise: it should not have fired (detection learns from these)."""
    with cli_session() as session:
        alert = triage_alert(session, alert_id, "noise", by or default_actor())
        console.print(f"Alert #{alert.id} marked as noise.", highlight=False)


@app.command("resolve")
def resolve_command(alert_id: AlertId, by: By = None) -> None:
    """Resolve an alert: the signal is over (its group stays quiet for the cool-down)."""
    with cli_session() as session:
        alert = triage_alert(session, alert_id, "resolve", by or default_actor())
        console.print(f"Alert #{alert.id} resolved.", highlight=False)


@app.command("deliver")
def deliver_command() -> None:
    """Send every notification that is due now, and retry failed ones whose time has come."""
    with cli_session() as session:
        report = deliver_pending(session, utcnow(), console=console)
        console.print(
            f"{len(report.sent)} sent, {len(report.retrying)} to retry, "
            f"{len(report.failed)} failed, {len(report.skipped)} skipped.",
            highlight=False,
        )
        for delivery_id, error in report.errors.items():
            console.print(f"  delivery #{delivery_id}: {error}", style="red", highlight=False)
