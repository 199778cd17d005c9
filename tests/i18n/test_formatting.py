"""One formatter for every channel: dates by the reader's language in the workspace's country
and zone, and one risk figure on the web, in notifications and in the terminal."""

from __future__ import annotations

from datetime import UTC, datetime

from flarewatch.alerts.cliutil import risk as cli_risk
from flarewatch.alerts.message import render_message
from flarewatch.bidi import FSI, PDI, neutralise_keeping_isolates
from flarewatch.i18n.formatting import Formatter, regional_locale, risk_figure

AT = datetime(2026, 12, 7, 18, 33, tzinfo=UTC)


def test_english_dates_follow_the_workspaces_country_not_the_united_states() -> None:
    assert regional_locale("en", "Asia/Jerusalem") == "en_IL"
    assert Formatter("en", "Asia/Jerusalem").datetime(AT) == "07/12/2026, 20:33"  # UTC+2
    assert Formatter("en", "Europe/Warsaw").datetime(AT) == "07/12/2026, 19:33"
    # A zone without a country keeps the language's own conventions.
    assert regional_locale("en", "UTC") == "en"
    assert Formatter("he", "Asia/Jerusalem").datetime(AT) == "7.12.2026, 20:33"
    # A language CLDR does not write in that country: the language alone.
    assert regional_locale("he", "Europe/Warsaw") == "he"


def test_a_window_says_its_zone_and_the_end_only_as_a_time_on_the_same_day() -> None:
    fmt = Formatter("pl", "Europe/Warsaw")
    later = AT.replace(hour=18, minute=43)
    assert fmt.window(AT, later) == "7.12.2026, 19:33–19:43 (Europe/Warsaw)"
    next_day = AT.replace(day=8)
    assert fmt.window(AT, next_day) == "7.12.2026, 19:33–8.12.2026, 19:33 (Europe/Warsaw)"


def test_the_same_risk_figure_on_the_web_in_notifications_and_in_the_terminal() -> None:
    # 94.5 rounds up everywhere (Python's round() would give 94 on one channel and 95 on another).
    assert risk_figure(94.5) == 95 and risk_figure(94.4) == 94
    assert Formatter("pl", "Europe/Warsaw").risk(94.6) == "95"
    assert cli_risk(94.6) == "95"
    message = render_message(
        alert_id=3,
        severity="crisis",
        status="open",
        title="t",
        explanation="e",
        risk_score=94.6,
        factors=[],
        window_start=AT,
        window_end=AT,
        workspace_name="Acme",
        topic_name=None,
        posts=[],
        language="pl",
        timezone="Europe/Warsaw",
    )
    assert "ryzyko 95/100" in message.body
    assert "7.12.2026, 19:33–19:33 (Europe/Warsaw)" in message.body


def test_the_terminal_keeps_balanced_isolates_and_marks_every_other_control() -> None:
    kept = f"Task #1 added: {FSI}הצהרה{PDI}"
    assert neutralise_keeping_isolates(kept) == kept
    nested = f"{FSI}a {FSI}b{PDI}{PDI}"
    assert neutralise_keeping_isolates(nested) == nested
    # A lone isolate, or an override inside a pair, is shown, never applied.
    assert neutralise_keeping_isolates(f"x{FSI}y") == "x⟦U+2068⟧y"
    assert neutralise_keeping_isolates(f"{PDI}x") == "⟦U+2069⟧x"
    assert neutralise_keeping_isolates(f"{FSI}a\u202eb{PDI}") == f"{FSI}a⟦U+202E⟧b{PDI}"
