"""`flarewatch report` in the workspace's language: catalogue labels, numbers and dates in the
locale and the workspace's zone, names isolated (FSI … PDI)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from flarewatch.bidi import FSI, PDI
from flarewatch.cli.main import app
from flarewatch.cli.report import report_block
from flarewatch.cli.summary import WorkspaceSummary
from tests.runtime.conftest import WORKSPACE, post_line

NOW = datetime(2026, 7, 12, 15, 33, tzinfo=UTC)  # 18:33 in Jerusalem (summer time)
runner = CliRunner()


def _summary(languages: list[str], **changes: object) -> WorkspaceSummary:
    values: dict[str, object] = {
        "slug": "grill",
        "name": "גרילברי",
        "posts": 6610,
        "mentions": 7739,
        "alerts": 3,
        "open_alerts": 1,
        "top_severity": "crisis",
        "cases": 2,
        "open_cases": 1,
        "failing_sources": [("x-search", "HTTP 401 from api.x.com")],
        "newest_post": datetime(2026, 7, 12, 9, 5, tzinfo=UTC),
        "timezone": "Asia/Jerusalem",
        "languages": languages,
    }
    return WorkspaceSummary(**(values | changes))  # type: ignore[arg-type]


def test_hebrew_workspace_reads_hebrew_with_israeli_dates_and_isolated_fragments() -> None:
    block = report_block(_summary(["he", "en"]), NOW, None)
    assert block.language == "he"
    rows = dict(block.rows)
    assert rows["פוסטים"] == "6,610" and rows["אזכורים (פוסט × נושא)"] == "7,739"
    assert rows["החומרה הגבוהה ביותר"] == "משבר"
    assert rows["הפוסט החדש ביותר"].startswith("12.7.2026, 12:05")  # 09:05 UTC in Jerusalem
    # In a right-to-left sentence every fragment is isolated, the Latin slug and the date too.
    when = f"{FSI}12.7.2026, 18:33 +0300{PDI}"
    assert block.heading == f"דוח עבור {FSI}גרילברי (grill){PDI} נכון ל־{when}"
    assert block.failing == [f"מקור נכשל {FSI}x-search{PDI}: {FSI}HTTP 401 from api.x.com{PDI}"]


def test_polish_and_english_follow_their_locale_and_the_workspace_zone() -> None:
    polish = dict(report_block(_summary(["pl"]), NOW, None).rows)
    assert polish["Wpisy"] == "6\xa0610" and polish["Alerty"] == "3 (otwarte: 1)"
    assert polish["Najnowszy wpis"].startswith("12.07.2026, 12:05")
    english = report_block(_summary(["en"], name="Grill Town"), NOW, None)
    # English for a Jerusalem workspace: dates the Israeli way, day first, 24-hour clock.
    assert dict(english.rows)["Newest post"].startswith("12/07/2026, 12:05")
    # In a left-to-right report only right-to-left fragments need isolates.
    assert english.heading.startswith("Report for Grill Town (grill) at ")
    assert dict(english.rows)["Highest severity"] == "Crisis"


def test_language_option_overrides_the_workspace_language() -> None:
    block = report_block(_summary(["he"], top_severity=None, newest_post=None), NOW, "pl")
    rows = dict(block.rows)
    assert rows["Najwyższy poziom"] == "brak" and rows["Najnowszy wpis"] == "brak"


def test_report_command_writes_each_workspace_in_its_language(tmp_path: Path) -> None:
    workspace = tmp_path / "acme.toml"
    hebrew_first = WORKSPACE.format(extra="").replace('["en", "he"]', '["he", "en"]')
    workspace.write_text(hebrew_first, encoding="utf-8")
    assert runner.invoke(app, ["workspace", "add", str(workspace)]).exit_code == 0
    posts = tmp_path / "posts.jsonl"
    posts.write_text(post_line(1, "acme burgers rock") + "\n", encoding="utf-8")
    assert runner.invoke(app, ["ingest", str(posts), "--workspace", "acme"]).exit_code == 0
    hebrew = runner.invoke(app, ["report"])
    assert hebrew.exit_code == 0, hebrew.output
    assert f"דוח עבור {FSI}Acme Burgers (acme){PDI}" in hebrew.output
    assert "פוסטים" in hebrew.output and "1.3.2026, 12:01" in hebrew.output  # 10:01 UTC
    polish = runner.invoke(app, ["report", "--language", "pl"])
    assert "Raport dla Acme Burgers (acme)" in polish.output and "Wpisy" in polish.output
    bad = runner.invoke(app, ["report", "--language", "de"])
    assert bad.exit_code == 2 and "en, he, pl" in bad.output
