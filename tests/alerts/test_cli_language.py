"""`alerts list/show` and `cases list/show/timeline` in the workspace's language (issue 17 §1):
labels from the catalogues, stored titles, reasons and timeline entries translated, numbers and
dates in the locale and the workspace's zone, user fragments isolated (FSI … PDI); `--language`
overrides; JSON and CSV stay as stored."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from flarewatch.alerts.service import raise_alerts
from flarewatch.alerts.wording import UNUSUAL_NEGATIVE, english, wording
from flarewatch.bidi import FSI, PDI
from flarewatch.cases.service import open_case_from_alert
from flarewatch.cli.main import app
from flarewatch.config.settings import get_settings
from flarewatch.db.engine import create_db_engine, sessionmaker_for
from flarewatch.db.migrate import upgrade
from flarewatch.detect.explain import VOLUME_USUAL
from flarewatch.detect.types import Factor

from .helpers import T0, candidate, make_posts, make_topic, make_workspace

runner = CliRunner()
TOPIC = "גרילברי"


@pytest.fixture
def hebrew_alert(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """A crisis alert (and the case it opens) in a Hebrew-first Asia/Jerusalem workspace whose
    title and reason are stored as messages."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("FLAREWATCH_DATABASE_URL", url)
    monkeypatch.setenv("COLUMNS", "250")
    get_settings.cache_clear()
    engine: Engine = create_db_engine(url)
    upgrade(engine)
    with sessionmaker_for(engine)() as session:
        ws = make_workspace(session)
        ws.languages = ["he", "en"]
        ws.timezone = "Asia/Jerusalem"
        topic = make_topic(session, ws)
        topic.name = TOPIC
        posts = make_posts(session, ws, 2)
        cand = candidate(ws, "crisis", post_ids=[p.id for p in posts], topic_id=topic.id)
        params = {"count": 12345, "minutes": 60, "usual": 80}
        cand.factors = [
            Factor("volume", english(VOLUME_USUAL, **params), 12345, 80, 30, VOLUME_USUAL, params)
        ]
        cand.title_message = wording(UNUSUAL_NEGATIVE, topic=TOPIC)
        cand.title = english(UNUSUAL_NEGATIVE, topic=TOPIC)
        [alert] = raise_alerts(session, ws, [cand], T0)
        open_case_from_alert(session, alert.id, "cli:dana")
        session.commit()
        yield alert.id
    engine.dispose()


def _ok(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, (result.output, result.stderr)
    return result.output


def test_alerts_list_and_show_read_hebrew(hebrew_alert: int) -> None:
    listed = _ok(["alerts", "list"])
    for expected in (
        "חומרה",  # the Severity column
        "משבר",  # crisis
        "פתוחה",  # open
        f"{FSI}{TOPIC}{PDI}: פעילות שלילית חריגה",  # the stored title, translated
        "7.5.2024, 17:15 +0300",  # 14:15 UTC in Jerusalem, Israeli style
    ):
        assert expected in listed
    assert "Severity" not in listed and "unusual negative" not in listed

    shown = _ok(["alerts", "show", str(hebrew_alert)])
    # The reason in Hebrew, the count in Hebrew's compact form without CLDR's marks.
    assert "  - 12.3K פוסטים ב־60 דקות; בדרך כלל כ־80" in shown and "⟦U+200F⟧" not in shown
    assert f"נושאים: {FSI}{TOPIC}{PDI}" in shown
    assert "סטטוס: פתוחה" in shown and "תיק: #1 (חדש)" in shown
    assert "Status:" not in shown and "Case:" not in shown


def test_cases_list_show_and_timeline_read_hebrew(hebrew_alert: int) -> None:
    listed = _ok(["cases", "list"])
    assert "חדש" in listed and f"{FSI}{TOPIC}{PDI}: פעילות שלילית חריגה" in listed

    shown = _ok(["cases", "show", "1"])
    assert f"תיק #1: {FSI}{TOPIC}{PDI}: פעילות שלילית חריגה" in shown
    assert "סטטוס: חדש (הבא: " in shown and "· חומרה משבר · נפתח " in shown
    assert f"התראה #{hebrew_alert} כעת: משבר, פתוחה, סיכון 60" in shown
    assert "ציר זמן" in shown and f"התיק נפתח מהתראה #{hebrew_alert}" in shown

    timeline = _ok(["cases", "timeline", "1"])
    assert f"התיק נפתח מהתראה #{hebrew_alert}" in timeline and "מתי" in timeline
    assert "Case opened" not in timeline


def test_language_option_writes_polish_or_english(hebrew_alert: int) -> None:
    polish = _ok(["alerts", "show", str(hebrew_alert), "--language", "pl"])
    assert "wpisy w ciągu 60 min: 12,3\xa0tys.; zwykle około 80" in polish
    assert "Sprawa: #1 (nowy)" in polish
    listed = _ok(["alerts", "list", "--language", "pl"])
    assert "Waga" in listed and "Kryzys" in listed and "7.05.2024, 17:15" in listed
    cases = _ok(["cases", "show", "1", "--language", "pl"])
    assert "Oś czasu" in cases and f"Sprawa otwarta z alertu #{hebrew_alert}" in cases

    english_list = _ok(["alerts", "list", "--language", "en"])
    # English for a Jerusalem workspace writes dates the Israeli way, day first.
    assert "Severity" in english_list and "07/05/2024, 17:15" in english_list
    timeline = _ok(["cases", "timeline", "1", "--language", "en"])
    assert f"Case opened from alert #{hebrew_alert}" in timeline


def test_machine_readable_output_stays_as_stored(hebrew_alert: int) -> None:
    records = json.loads(_ok(["cases", "timeline", "1", "--format", "json"]))
    assert records[0]["text"] == f"Case opened from alert #{hebrew_alert}"
    assert records[0]["data"]["message"] == "Case opened from alert #%(alert)s"
    assert records[0]["kind"] == "status"  # the code, not its label


def test_unknown_language_is_a_clear_input_error(hebrew_alert: int) -> None:
    result = runner.invoke(app, ["alerts", "list", "--language", "de"])
    assert result.exit_code == 2
    assert "--language 'de': use one of en, he, pl" in result.stderr


def test_empty_list_is_said_in_the_workspace_language(hebrew_alert: int) -> None:
    assert "אין תיקים." in _ok(["cases", "list", "--status", "closed"])
    assert "Brak alertów." in _ok(["alerts", "list", "--status", "noise", "--language", "pl"])
