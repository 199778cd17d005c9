"""Sending queued alert deliveries: Apprise by default, the console, and any registered notifier.

Deliveries are rows, so a crash or restart loses nothing: `deliver_pending` picks up whatever is
due, and a failed send is retried later with backoff. Sending is at-least-once: if the caller's
transaction rolls back after a send, the row is still pending and is sent again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

import apprise
from rich.console import Console
from rich.panel import Panel
from rich.text import Text
from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.alerts.hygiene import severity_rank
from flarewatch.alerts.key_posts import key_posts as ranked_key_posts
from flarewatch.alerts.message import AlertMessage, PostLink, render_message
from flarewatch.alerts.models import Alert, AlertDelivery
from flarewatch.alerts.routing import CONSOLE_ROUTE, describe_route, notification_language
from flarewatch.workspaces.models import Topic, Workspace

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY = timedelta(hours=1)
BATCH = 200

SEVERITY_STYLE = {"watch": "cyan", "warning": "yellow", "crisis": "bold red"}
NOTIFY_TYPE = {
    "watch": apprise.NotifyType.INFO,
    "warning": apprise.NotifyType.WARNING,
    "crisis": apprise.NotifyType.FAILURE,
}


class DeliveryError(Exception):
    """A send that did not go through; `permanent` ones are not retried (e.g. a malformed URL)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Notifier(Protocol):
    """Sends one message to one route, or raises DeliveryError."""

    def send(self, route: str, message: AlertMessage) -> None: ...


class AppriseNotifier:
    """Any of Apprise's ~100 services, addressed by URL (mailto://, json://, slack://, tgram://…)."""

    def __init__(self) -> None:
        self._asset = apprise.AppriseAsset(
            app_id="Flarewatch", app_desc="Flarewatch alerts", app_url=""
        )

    def send(self, route: str, message: AlertMessage) -> None:
        client = apprise.Apprise(asset=self._asset)
        if not client.add(route):
            raise DeliveryError(
                "not a valid Apprise URL; check the route in the workspace file (docs/alerts.md)",
                permanent=True,
            )
        with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:
            ok = client.notify(
                title=message.title,
                body=message.body,
                body_format=apprise.NotifyFormat.TEXT,
                notify_type=NOTIFY_TYPE.get(message.severity, apprise.NotifyType.INFO),
            )
        if not ok:
            lines = [line for line in captured.getvalue().splitlines() if line.strip()]
            raise DeliveryError(lines[-1] if lines else "the service did not accept the message")


class ConsoleNotifier:
    """A Rich panel in the terminal running the pipeline or the CLI."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console()

    def send(self, route: str, message: AlertMessage) -> None:
        style = SEVERITY_STYLE.get(message.severity, "white")
        self.console.print(
            Panel(
                Text(message.body),
                title=Text(message.title, style=style),
                border_style=style,
                expand=False,
            )
        )


_REGISTRY: dict[str, Notifier] = {}


def register_notifier(scheme: str, notifier: Notifier) -> None:
    """Route URLs starting with `scheme://` go to `notifier` instead of Apprise."""
    _REGISTRY[scheme.lower()] = notifier


def notifier_for(route: str, console: Console | None = None) -> Notifier:
    """Who sends to `route`: the console, a registered notifier for its scheme, else Apprise."""
    if route == CONSOLE_ROUTE:
        return ConsoleNotifier(console)
    return _REGISTRY.get(route_scheme(route)) or AppriseNotifier()


def route_scheme(route: str) -> str:
    return route if route == CONSOLE_ROUTE else route.split("://", 1)[0].lower()


def route_problem(route: str) -> str | None:
    """Why `route` cannot deliver (not a URL, a scheme nobody handles, a URL Apprise cannot
    read), as a fix to make in the workspace file; None when it can. Asks Apprise which schemes
    it has, so a new Apprise service is accepted without a change here. The URL itself is never
    repeated: it often holds a password."""
    if route == CONSOLE_ROUTE:
        return None
    scheme, separator, _ = route.partition("://")
    if not separator or not scheme:
        return (
            "not a notification URL; use an Apprise URL such as mailto://user:pass@host or "
            "json://host/path, or 'console' (docs/alerts.md)"
        )
    scheme = scheme.lower()
    if scheme in _REGISTRY:
        return None
    from apprise.manager_plugins import NotificationManager

    if scheme not in NotificationManager().schemas():
        return (
            f"unknown notification scheme '{scheme}://'; Apprise has no such service. Check the "
            "spelling, or pick one of its services "
            "(https://github.com/caronc/apprise/wiki, docs/alerts.md)"
        )
    # Apprise logs why it refuses a URL (with any password masked); that reason is the fix.
    # Not propagated while checking: the reason goes into the returned message, not the log.
    apprise_log = logging.getLogger("apprise")
    propagate, apprise_log.propagate = apprise_log.propagate, False
    try:
        with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:
            accepted = apprise.Apprise().add(route)
    finally:
        apprise_log.propagate = propagate
    if accepted:
        return None
    reasons = [line.strip() for line in captured.getvalue().splitlines() if line.strip()]
    return (
        f"Apprise cannot read this {scheme}:// URL"
        + (f" ({reasons[0].rstrip('.: ')})" if reasons else " (a part is missing or malformed)")
        + f"; check it against the {scheme}:// page of https://github.com/caronc/apprise/wiki"
    )


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: 30 s, 1 min, 2 min, … capped at an hour."""
    # The exponent is capped so a long-failing row cannot overflow timedelta.
    return min(FIRST_RETRY * (1 << min(max(0, attempts - 1), 16)), MAX_RETRY)


@dataclass(slots=True)
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)  # gave up: permanent error or out of attempts
    skipped: list[int] = field(default_factory=list)  # alert closed before it could be sent
    errors: dict[int, str] = field(default_factory=dict)  # delivery id → last error

    @property
    def total(self) -> int:
        return len(self.sent) + len(self.retrying) + len(self.failed) + len(self.skipped)


def deliver_pending(
    session: Session,
    now: datetime,
    *,
    console: Console | None = None,
    notifiers: Mapping[str, Notifier] | None = None,
    limit: int = BATCH,
) -> DeliveryReport:
    """Send every delivery due at `now`; one failing route never stops the others."""
    chosen: dict[str, Notifier] = {CONSOLE_ROUTE: ConsoleNotifier(console), **_REGISTRY}
    chosen.update(notifiers or {})
    fallback = AppriseNotifier()
    report = DeliveryReport()
    # SKIP LOCKED lets two runners (pipeline and CLI) share the queue on PostgreSQL without
    # double sends; SQLite serialises writers anyway and ignores the clause.
    due = session.scalars(
        select(AlertDelivery)
        .where(AlertDelivery.status == "pending", AlertDelivery.next_attempt_at <= now)
        .order_by(AlertDelivery.next_attempt_at, AlertDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for delivery in due:
        alert = session.get(Alert, delivery.alert_id)
        if alert is None or alert.status in ("resolved", "noise"):
            delivery.status = "skipped"
            delivery.last_error = "alert was closed before it could be sent"
            report.skipped.append(delivery.id)
            continue
        notifier = chosen.get(route_scheme(delivery.route), fallback)
        delivery.attempts += 1
        try:
            message = build_message(
                session,
                alert,
                route=delivery.route,
                recipient=delivery.recipient,
                reminder=delivery.purpose == "reminder",
            )
            notifier.send(delivery.route, message)
        except Exception as err:  # noqa: BLE001 - any notifier bug must not stop other routes
            _record_failure(delivery, err, now, report)
        else:
            delivery.status = "sent"
            delivery.sent_at = now
            delivery.last_error = None
            report.sent.append(delivery.id)
        _on_timeline(session, alert, delivery, now)
    session.flush()
    return report


def _on_timeline(session: Session, alert: Alert, delivery: AlertDelivery, now: datetime) -> None:
    """Each attempt on the alert's timeline (and its case's); the console is not a delivery
    anyone waits for."""
    from flarewatch.alerts.timeline import record_event
    from flarewatch.alerts.wording import DELIVERY_FAILED, DELIVERY_RETRYING, DELIVERY_SENT

    if delivery.route == CONSOLE_ROUTE:
        return
    facts: dict[str, object] = {
        "who": delivery.recipient or describe_route(delivery.route),
        "channel": route_scheme(delivery.route),
        "attempts": delivery.attempts,
    }
    if delivery.status == "sent":
        record_event(session, alert, "delivered", DELIVERY_SENT, now, **facts)
    elif delivery.status == "failed":
        error = delivery.last_error or ""
        record_event(session, alert, "failed", DELIVERY_FAILED, now, error=error, **facts)
    else:
        wait = int((delivery.next_attempt_at - now).total_seconds())
        error = delivery.last_error or ""
        record_event(
            session,
            alert,
            "retrying",
            DELIVERY_RETRYING,
            now,
            error=error,
            retry_seconds=wait,
            **facts,
        )


def _record_failure(
    delivery: AlertDelivery, err: Exception, now: datetime, report: DeliveryReport
) -> None:
    message = str(err) or type(err).__name__
    delivery.last_error = message[:2000]
    report.errors[delivery.id] = message
    permanent = isinstance(err, DeliveryError) and err.permanent
    if permanent or delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = "failed"
        report.failed.append(delivery.id)
    else:
        delivery.next_attempt_at = now + retry_delay(delivery.attempts)
        report.retrying.append(delivery.id)
    log.warning(
        "alert #%s delivery to %s failed (attempt %s): %s",
        delivery.alert_id,
        describe_route(delivery.route),
        delivery.attempts,
        message,
    )


def build_message(
    session: Session,
    alert: Alert,
    *,
    route: str = CONSOLE_ROUTE,
    language: str | None = None,
    recipient: str | None = None,
    reminder: bool = False,
) -> AlertMessage:
    """The notification for `route`, in `language` or else the route's (`notification_language`).

    A message to anyone but the console carries a signed one-click acknowledgement link while
    the alert is open (oncall/acklink.py), naming `recipient` (a person's key or route:NAME);
    a `reminder` says who acknowledged it and when.
    """
    workspace = session.get(Workspace, alert.workspace_id)
    topic = session.get(Topic, alert.topic_id) if alert.topic_id is not None else None
    if language is None:
        config, languages = (workspace.config, workspace.languages) if workspace else (None, None)
        language = notification_language(config, languages, route)
    return render_message(
        alert_id=alert.id,
        severity=alert.severity,
        status=alert.status,
        title=alert.title,
        explanation=alert.explanation,
        risk_score=alert.risk_score,
        factors=alert.factors or [],
        window_start=alert.window_start,
        window_end=alert.window_end,
        workspace_name=workspace.name if workspace else f"workspace #{alert.workspace_id}",
        topic_name=(topic.name or topic.key) if topic else None,
        posts=key_posts(session, alert),
        escalated_from=_escalated_from(session, alert),
        kind=alert.kind,
        title_message=alert.title_message,
        language=language,
        timezone=workspace.timezone if workspace else None,
        sentiment_backend=alert.sentiment_backend,
        rescore=alert.rescore,
        ack_url=_ack_url(workspace, alert, route, recipient),
        reminder_of=(
            (alert.acknowledged_by or "", alert.acknowledged_at)
            if reminder and alert.acknowledged_at is not None
            else None
        ),
    )


def _ack_url(
    workspace: Workspace | None, alert: Alert, route: str, recipient: str | None
) -> str | None:
    from flarewatch.oncall.acklink import ack_link
    from flarewatch.oncall.service import ack_link_hours

    if route == CONSOLE_ROUTE or alert.status != "open" or workspace is None:
        return None
    return ack_link(alert.id, recipient, ack_link_hours(workspace, alert.severity))


def key_posts(session: Session, alert: Alert, limit: int = 5) -> list[PostLink]:
    return [
        PostLink(
            url=key.post.url,
            text=key.post.text,
            platform=key.post.platform,
            author=key.author,
            reach=key.reach,
            sentiment=key.sentiment,
            similar=key.similar,
        )
        for key in ranked_key_posts(session, alert, limit)
    ]


def _escalated_from(session: Session, alert: Alert) -> str | None:
    earlier = session.scalars(
        select(AlertDelivery.severity).where(AlertDelivery.alert_id == alert.id).distinct()
    ).all()
    lower = [s for s in earlier if s in NOTIFY_TYPE and severity_rank(s) < _rank(alert.severity)]
    return max(lower, key=severity_rank) if lower else None


def _rank(severity: str) -> int:
    return severity_rank(severity) if severity in NOTIFY_TYPE else 0
