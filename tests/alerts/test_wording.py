"""Alert titles, timeline entries and notifications in the reader's language (he, pl), with
topic names, story labels and people isolated; rows from before messages existed still read."""

from __future__ import annotations

import dataclasses
from io import StringIO
from typing import Any

import pytest
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.alerts.models import Alert
from flarewatch.alerts.notify import build_message, deliver_pending
from flarewatch.alerts.routing import notification_language
from flarewatch.alerts.service import raise_alerts
from flarewatch.alerts.wording import (
    STORY_GROWING,
    UNUSUAL_NEGATIVE,
    english,
    move_wording,
    render_stored,
    spoken,
    wording,
)
from flarewatch.bidi import FSI, PDI, isolate
from flarewatch.cases import service as cases
from flarewatch.cases.models import CaseEvent
from flarewatch.cases.triage import triage_alert
from flarewatch.config.workspace import AlertRouteConfig
from flarewatch.i18n.languages import translations_for
from flarewatch.web.templating import wording_for
from flarewatch.workspaces.models import Workspace

from .conftest import HttpReceiver
from .helpers import T0, candidate, make_posts, make_topic, make_workspace

STORY = wording(STORY_GROWING, topic="BurgerBar", label="dead worm")


def _alert(session: Session, routes: list[dict[str, Any]] | None = None, **extra: Any) -> Alert:
    workspace = make_workspace(session, routes=routes, extra=extra)
    topic = make_topic(session, workspace)
    posts = make_posts(session, workspace, 2)
    base = candidate(workspace, "crisis", risk=88, post_ids=[p.id for p in posts])
    story = dataclasses.replace(
        base,
        topic_id=topic.id,
        title=english(STORY["message"], **STORY["params"]),
        title_message=STORY,
    )
    [alert] = raise_alerts(session, workspace, [story], T0)
    return alert


def _web(language: str) -> tuple[Any, Any]:
    rendered = wording_for(language, translations_for(language).gettext)
    return rendered["alert_title"], rendered["event_text"]


def test_the_english_title_is_stored_next_to_its_message(session: Session) -> None:
    alert = _alert(session)
    assert alert.title == "BurgerBar: story 'dead worm' is growing"
    assert alert.title_message == STORY


def test_an_alert_title_reads_in_hebrew_and_polish_with_names_isolated(session: Session) -> None:
    alert = _alert(session)
    hebrew_title, _ = _web("he")
    polish_title, _ = _web("pl")
    # HTML: the page escapes the sentence's own quotes too.
    assert str(hebrew_title(alert)) == (
        f"{isolate('BurgerBar')}: הסיפור &#34;{isolate('dead worm')}&#34; מתפשט"
    )
    assert str(polish_title(alert)) == (
        f"{isolate('BurgerBar')}: wątek „{isolate('dead worm')}” się rozrasta"
    )


def test_a_hostile_story_label_cannot_reorder_the_title() -> None:
    stored = wording(UNUSUAL_NEGATIVE, topic="acme\u202egnp.exe")
    text = render_stored(
        stored, "", locale="he", gettext=translations_for("he").gettext, isolate=isolate
    )
    assert text is not None and "\u202e" not in text and "⟦U+202E⟧" in text
    assert text.startswith(FSI) and f"{PDI}: פעילות שלילית חריגה" in text


def test_timeline_entries_read_in_hebrew_and_polish(session: Session) -> None:
    alert = _alert(session)
    case = cases.open_case_from_alert(session, alert.id, "dana@acme.test")
    triage_alert(session, alert.id, "acknowledge", "דנה כהן")
    events = session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
    ).all()
    opened, at_crisis, acknowledged = events[0], events[1], events[-1]
    assert acknowledged.text == f"Alert #{alert.id} acknowledged by דנה כהן"  # English column
    _, hebrew = _web("he")
    _, polish = _web("pl")
    assert str(hebrew(opened)) == f"התיק נפתח מהתראה #{alert.id}"
    assert str(polish(opened)) == f"Sprawa otwarta z alertu #{alert.id}"
    assert str(hebrew(acknowledged)) == (
        f"התראה #{alert.id} אושרה בקבלה על ידי {isolate('דנה כהן')}"
    )
    assert str(polish(acknowledged)) == f"{isolate('דנה כהן')} potwierdził(a) alert #{alert.id}"
    # The severity is a translated word, not an isolated code.
    assert str(hebrew(at_crisis)).startswith(f"התראה #{alert.id} ברמת משבר (סיכון 88): ")
    assert str(polish(at_crisis)).startswith(f"Alert #{alert.id}, poziom: kryzys (ryzyko 88): ")


def test_a_status_change_reads_as_people_write_it() -> None:
    assert spoken(move_wording("triage", "responding", None)) == "Triage → responding"
    noted = move_wording("closed", "responding", "came back")
    assert spoken(noted) == "Reopened (closed → responding): came back"
    polish = render_stored(
        move_wording("triage", "responding", None),
        "",
        locale="pl",
        gettext=translations_for("pl").gettext,
    )
    assert polish == "Wstępna ocena → reagowanie"


def test_old_rows_show_their_stored_text(session: Session) -> None:
    workspace = make_workspace(session)
    [alert] = raise_alerts(session, workspace, [candidate(workspace, "warning")], T0)
    assert alert.title_message is None
    case = cases.open_case_from_alert(session, alert.id, "dana")
    legacy = CaseEvent(
        case_id=case.id,
        kind="alert",
        actor="system",
        text="Alert #1 is old",
        data={"alert_id": alert.id},
    )
    session.add(legacy)
    session.flush()
    title, event_text = _web("he")
    assert title(alert) == "Negative spike about food safety (warning)"
    assert event_text(legacy) == "Alert #1 is old"
    message = build_message(session, alert, language="pl")
    assert message.title.endswith(": Negative spike about food safety (warning)")


def test_notifications_go_out_in_each_routes_language(
    session: Session, http_receiver: HttpReceiver
) -> None:
    routes = [
        {"url": http_receiver.url("pl"), "language": "pl"},
        {"url": http_receiver.url("he"), "language": "he"},
        {"url": http_receiver.url("en")},
    ]
    alert = _alert(session, routes=routes)
    out = StringIO()
    report = deliver_pending(session, T0, console=Console(file=out, width=200))
    assert len(report.sent) == 4 and not report.failed
    got = {path: payload for path, payload in http_receiver.requests}
    polish, hebrew, english_ = got["/pl"], got["/he"], got["/en"]
    assert polish["title"] == "[KRYZYS] Acme Burgers: BurgerBar: wątek „dead worm” się rozrasta"
    assert f"Poziom: kryzys · ryzyko 88/100 · alert #{alert.id} (otwarty)" in polish["message"]
    assert "Przestrzeń robocza: Acme Burgers · temat: Brand mentions" in polish["message"]
    assert f"Potwierdź: flarewatch alerts ack {alert.id}" in polish["message"]
    # A right-to-left message isolates every fragment, Latin ones included (they would drift
    # around the Hebrew line otherwise).
    assert hebrew["title"] == (
        f"[משבר] {isolate('Acme Burgers')}: {isolate('BurgerBar')}: "
        f'הסיפור "{isolate("dead worm")}" מתפשט'
    )
    assert "חומרה: משבר · סיכון 88/100" in hebrew["message"]
    assert "פוסטים מובילים:" in hebrew["message"]
    assert english_["title"] == "[CRISIS] Acme Burgers: BurgerBar: story 'dead worm' is growing"
    assert "Severity: crisis · risk 88/100" in english_["message"]
    # The workspace's languages default to English, so the console is English too.
    assert "Severity: crisis" in out.getvalue()


def test_a_hebrew_first_workspace_gets_hebrew_notifications_by_default(session: Session) -> None:
    alert = _alert(session)
    workspace = alert.workspace_id
    assert notification_language({"alert_routes": []}, ["he", "en"], "console") == "he"
    assert notification_language(None, ["de", "pl"], "console") == "pl"
    assert notification_language(None, ["de"], "console") == "en"
    routes = {"alert_routes": [{"url": "console", "language": "pl"}]}
    assert notification_language(routes, ["he"], "console") == "pl"
    session.get(Workspace, workspace).languages = ["he", "en"]  # type: ignore[union-attr]
    message = build_message(session, alert)  # no language: the workspace's first
    assert "חומרה: משבר" in message.body
    # a Hebrew topic name in a Hebrew notification is isolated inside the sentence
    hebrew_topic = render_stored(
        wording(STORY_GROWING, topic="בורגר בר", label="worm"),
        "",
        locale="he",
        gettext=translations_for("he").gettext,
        isolate=isolate,
    )
    assert hebrew_topic == f'{isolate("בורגר בר")}: הסיפור "{isolate("worm")}" מתפשט'


def test_a_route_language_without_a_catalogue_is_a_clear_error() -> None:
    with pytest.raises(ValidationError) as caught:
        AlertRouteConfig.model_validate({"url": "console", "language": "de"})
    said = str(caught.value)
    assert "no translation catalogue" in said and "en, he, pl" in said
    assert AlertRouteConfig.model_validate({"url": "console", "language": "he"}).language == "he"
