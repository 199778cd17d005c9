"""Daily and weekly digests: gathered from the database, rendered in en/he/pl with fragments
isolated, sent at the workspace's local time by the runtime's step to a real SMTP server
(HTML with a plain-text part) and a real HTTP chat receiver (short text), once."""

from __future__ import annotations

from datetime import datetime, timedelta
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.alerts.service import acknowledge, raise_alerts
from flarewatch.bidi import FSI, PDI
from flarewatch.digests.build import build_digest, window
from flarewatch.digests.config import DigestConfig
from flarewatch.digests.models import DigestRun
from flarewatch.digests.render import render_digest
from flarewatch.digests.service import last_due, run_due_digests
from tests.alerts.conftest import HttpReceiver, SmtpReceiver
from tests.alerts.helpers import candidate, make_workspace

WARSAW = ZoneInfo("Europe/Warsaw")
MORNING = datetime(2026, 12, 8, 8, 5, tzinfo=WARSAW)  # five minutes after the 08:00 digest


def _workspace(session: Session, to: list[str], routes: list[dict[str, str]] | None = None):  # noqa: ANN202
    workspace = make_workspace(
        session,
        routes=routes,
        extra={
            "timezone": "Europe/Warsaw",
            "digests": [{"period": "daily", "at": "08:00", "to": to}],
        },
    )
    workspace.timezone = "Europe/Warsaw"
    raised = MORNING - timedelta(hours=10)
    [alert] = raise_alerts(session, workspace, [candidate(workspace, "crisis")], raised)
    acknowledge(session, alert.id, "dana", now=raised + timedelta(minutes=7))
    session.commit()
    return workspace, alert


def test_due_times_follow_the_local_clock() -> None:
    daily = DigestConfig(period="daily", at="08:00", to=["console"])
    assert last_due(daily, "Europe/Warsaw", MORNING).astimezone(WARSAW).hour == 8
    early = MORNING - timedelta(minutes=10)  # 07:55: yesterday's
    assert last_due(daily, "Europe/Warsaw", early).astimezone(WARSAW).day == 7
    weekly = DigestConfig(period="weekly", at="mon 08:00", to=["console"])
    assert last_due(weekly, "Europe/Warsaw", MORNING).astimezone(WARSAW).strftime("%a %d") == (
        "Mon 07"
    )
    # Across the spring change a daily window is 23 real hours: the local day, as lived.
    spring = datetime(2027, 3, 28, 8, 0, tzinfo=WARSAW)
    start, end = window("daily", spring, "Europe/Warsaw")
    assert end - start == timedelta(hours=23)


def test_the_digest_reads_in_hebrew_and_polish_with_fragments_isolated(session: Session) -> None:
    workspace, alert = _workspace(session, ["console"])
    start, end = window("daily", MORNING, "Europe/Warsaw")
    digest = build_digest(session, workspace, "daily", end, start)
    assert [a.id for a in digest.alerts] == [alert.id]
    assert digest.alerts[0].ack_seconds == 7 * 60
    english = render_digest(digest, "en")
    assert english.subject.startswith("Daily digest: Acme Burgers,")
    assert f"Alert #{alert.id}, crisis, acknowledged:" in english.text
    assert "acknowledged after 7 minutes" in english.text
    assert "Median time to acknowledge: 7 minutes" in english.text
    hebrew = render_digest(digest, "he")
    assert hebrew.subject.startswith(f"סיכום יומי: {FSI}Acme Burgers{PDI}")
    assert "<bdi>Acme Burgers</bdi>" in hebrew.html and 'dir="rtl"' in hebrew.html
    polish = render_digest(digest, "pl")
    assert "Podsumowanie dzienne" in polish.subject and "Otwarte sprawy" in polish.text


def test_the_runtime_sends_it_once_at_the_local_time_by_email_and_chat(
    session: Session, smtp_receiver: SmtpReceiver, http_receiver: HttpReceiver
) -> None:
    routes = [{"name": "team-chat", "url": http_receiver.url("chat")}]
    workspace, alert = _workspace(session, [smtp_receiver.url(), "route:team-chat"], routes)
    assert run_due_digests(session, MORNING - timedelta(hours=12)).sent == []  # too late (grace)
    report = run_due_digests(session, MORNING)
    session.commit()
    assert len(report.sent) == 2 and report.failed == {}
    [envelope] = smtp_receiver.messages
    mail = message_from_bytes(envelope.content, policy=policy.default)  # type: ignore[arg-type]
    assert mail.get_content_type() == "multipart/alternative"
    kinds = [part.get_content_type() for part in mail.iter_parts()]  # type: ignore[attr-defined]
    assert kinds == ["text/plain", "text/html"]
    html = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert f"Alert #{alert.id}" in html and "<h2>Open cases</h2>" in html
    [(path, chat)] = http_receiver.requests
    assert path == "/chat" and "Mentions: 0, negative" in chat["message"]
    # Every later cycle that morning finds it sent.
    assert run_due_digests(session, MORNING + timedelta(minutes=30)).sent == []
    run = session.scalars(select(DigestRun)).one()
    assert run.status == "sent" and set(run.results) == {"url#0", "route:team-chat"}


def test_workspace_check_names_an_unknown_recipient_and_a_bad_time(tmp_path) -> None:  # noqa: ANN001
    from flarewatch.config.workspace import check_workspace_file

    path = tmp_path / "acme.toml"
    path.write_text(
        'slug = "acme"\nname = "Acme"\n\n[[people]]\nkey = "dana"\nnotify = ["ntfy://dana"]\n\n'
        '[[digests]]\nperiod = "daily"\nat = "08:00"\nto = ["person:noa"]\n\n'
        '[[digests]]\nperiod = "weekly"\nat = "08:00"\nto = ["person:dana"]\n',
        encoding="utf-8",
    )
    described = [p.describe() for p in check_workspace_file(path).errors]
    assert any("'person:noa': there is no person 'noa'; known: dana" in d for d in described)
    assert any("a weekly digest is sent on a day at a time" in d for d in described)
