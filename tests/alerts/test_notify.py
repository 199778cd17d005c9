from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from io import StringIO

import pytest
from rich.console import Console
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from flarewatch.alerts.message import AlertMessage
from flarewatch.alerts.models import AlertDelivery
from flarewatch.alerts.notify import (
    MAX_ATTEMPTS,
    DeliveryError,
    deliver_pending,
    retry_delay,
)
from flarewatch.alerts.service import raise_alerts, resolve
from flarewatch.db.engine import sessionmaker_for

from .conftest import HttpReceiver, SmtpReceiver, free_port, start_http_receiver
from .helpers import T0, candidate, make_posts, make_topic, make_workspace


def _deliveries(session: Session, alert_id: int) -> dict[str, AlertDelivery]:
    rows = session.scalars(select(AlertDelivery).where(AlertDelivery.alert_id == alert_id))
    return {row.route: row for row in rows}


def _quiet() -> Console:
    return Console(file=StringIO(), width=100)


def test_webhook_email_and_console_receive_the_alert(
    session: Session, http_receiver: HttpReceiver, smtp_receiver: SmtpReceiver
) -> None:
    routes = [
        {"url": http_receiver.url("alerts"), "min_severity": "watch"},
        {"url": smtp_receiver.url(), "min_severity": "crisis"},
    ]
    ws = make_workspace(session, routes=routes)
    topic = make_topic(session, ws)
    posts = make_posts(session, ws, 3)
    cand = candidate(ws, "crisis", risk=91, post_ids=[p.id for p in posts], topic_id=topic.id)
    [alert] = raise_alerts(session, ws, [cand], T0)
    out = StringIO()
    report = deliver_pending(session, T0, console=Console(file=out, width=120))
    session.commit()

    assert len(report.sent) == 3 and not report.retrying and not report.failed
    [(path, payload)] = http_receiver.requests
    assert path == "/alerts"
    assert payload["type"] == "failure"
    assert payload["title"] == f"[CRISIS] Acme Burgers: {alert.title}"
    body = payload["message"]
    assert "Severity: crisis" in body and "risk 91/100" in body and "topic: Brand mentions" in body
    assert "Volume is 7.4σ above the Tuesday 14:00 baseline." in body
    assert "82% negative (usually 20%)" in body
    assert "https://example.social/acme/0" in body and "https://example.social/acme/2" in body
    assert f"flarewatch alerts ack {alert.id}" in body

    [envelope] = smtp_receiver.messages
    assert envelope.mail_from == "alerts@flarewatch.test"
    assert envelope.rcpt_tos == ["ops@example.com"]
    mail = message_from_bytes(envelope.original_content or b"", policy=policy.default)
    assert mail["Subject"] == f"[CRISIS] Acme Burgers: {alert.title}"
    text = mail.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert f"flarewatch alerts ack {alert.id}" in text
    assert "https://example.social/acme/1" in text

    assert "[CRISIS] Acme Burgers" in out.getvalue()
    assert f"flarewatch alerts ack {alert.id}" in out.getvalue()
    assert all(
        d.status == "sent" and d.sent_at == T0 for d in _deliveries(session, alert.id).values()
    )
    # Nothing is sent twice.
    assert deliver_pending(session, T0 + timedelta(hours=1), console=_quiet()).total == 0


@pytest.fixture
def db(any_engine: Engine) -> Iterator[Session]:
    with sessionmaker_for(any_engine)() as session:
        yield session


def test_failing_route_is_retried_later_without_losing_the_others(
    db: Session, http_receiver: HttpReceiver
) -> None:
    session = db
    dead_port = free_port()  # nothing listens here yet
    dead = f"json://127.0.0.1:{dead_port}/down"
    ws = make_workspace(session, routes=[{"url": dead}, {"url": http_receiver.url()}])
    [alert] = raise_alerts(session, ws, [candidate(ws, "warning")], T0)

    first = deliver_pending(session, T0, console=_quiet())
    session.commit()
    rows = _deliveries(session, alert.id)
    assert len(first.sent) == 2 and len(first.retrying) == 1
    assert len(http_receiver.requests) == 1
    failed = rows[dead]
    assert (failed.status, failed.attempts) == ("pending", 1)
    assert failed.last_error and "127.0.0.1" in failed.last_error
    assert failed.next_attempt_at == T0 + retry_delay(1)

    # Not due yet: nothing is tried.
    assert deliver_pending(session, T0 + timedelta(seconds=5), console=_quiet()).total == 0

    server, revived = start_http_receiver(dead_port)
    try:
        again = deliver_pending(session, failed.next_attempt_at, console=_quiet())
        session.commit()
    finally:
        server.shutdown()
        server.server_close()
    assert again.sent == [failed.id]
    assert (failed.status, failed.attempts, failed.last_error) == ("sent", 2, None)
    assert [path for path, _ in revived.requests] == ["/down"]
    assert len(http_receiver.requests) == 1


class Broken:
    def __init__(self, permanent: bool = False) -> None:
        self.permanent = permanent

    def send(self, route: str, message: AlertMessage) -> None:
        raise DeliveryError("service said no", permanent=self.permanent)


def test_gives_up_after_max_attempts_and_on_permanent_errors(session: Session) -> None:
    ws = make_workspace(session, routes=[{"url": "flaky://x"}, {"url": "bad://y"}])
    [alert] = raise_alerts(session, ws, [candidate(ws, "watch")], T0)
    notifiers = {"flaky": Broken(), "bad": Broken(permanent=True)}
    now = T0
    for _ in range(MAX_ATTEMPTS):
        deliver_pending(session, now, console=_quiet(), notifiers=notifiers)
        now += timedelta(hours=2)
    rows = _deliveries(session, alert.id)
    assert (rows["flaky://x"].status, rows["flaky://x"].attempts) == ("failed", MAX_ATTEMPTS)
    assert (rows["bad://y"].status, rows["bad://y"].attempts) == ("failed", 1)
    assert rows["bad://y"].last_error == "service said no"
    assert rows["console"].status == "sent"


def test_invalid_apprise_url_fails_permanently(session: Session) -> None:
    ws = make_workspace(session, routes=[{"url": "nosuchservice://abc"}])
    [alert] = raise_alerts(session, ws, [candidate(ws)], T0)
    report = deliver_pending(session, T0, console=_quiet())
    row = _deliveries(session, alert.id)["nosuchservice://abc"]
    assert report.failed == [row.id]
    assert row.status == "failed" and "not a valid Apprise URL" in (row.last_error or "")


def test_closed_alerts_are_not_sent(session: Session) -> None:
    ws = make_workspace(session)
    [alert] = raise_alerts(session, ws, [candidate(ws)], T0)
    resolve(session, alert.id, "dana")
    report = deliver_pending(session, T0, console=_quiet())
    assert len(report.skipped) == 1 and not report.sent


def test_escalation_message_says_where_it_came_from(session: Session) -> None:
    ws = make_workspace(session)
    [alert] = raise_alerts(session, ws, [candidate(ws, "watch")], T0)
    deliver_pending(session, T0, console=_quiet())
    raise_alerts(session, ws, [candidate(ws, "crisis")], T0 + timedelta(minutes=1))
    out = StringIO()
    deliver_pending(session, T0 + timedelta(minutes=1), console=Console(file=out, width=160))
    assert "escalated from watch" in out.getvalue()


def test_retry_delay_backs_off_and_caps() -> None:
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert retry_delay(20) == retry_delay(10_000) == timedelta(hours=1)
