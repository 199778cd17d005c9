"""The reader of a command's output (cli/reader.py), shared by `report`, `alerts` and `cases`."""

from __future__ import annotations

from datetime import UTC, datetime

from flarewatch.alerts.wording import CASE_OPENED, STATUS_MOVED_NOTE, wording
from flarewatch.bidi import FSI, PDI
from flarewatch.cli.reader import language_problem, reader_for
from flarewatch.detect.explain import VOLUME_USUAL

AT = datetime(2026, 12, 7, 16, 33, tzinfo=UTC)


def test_the_workspace_language_unless_overridden() -> None:
    assert reader_for(["de", "he", "en"], "Asia/Jerusalem").language == "he"
    assert reader_for(["de"], None).language == "en"
    assert reader_for(["he"], None, "pl").language == "pl"


def test_terms_and_stored_messages_in_the_language() -> None:
    hebrew = reader_for(["he"], "Asia/Jerusalem")
    assert hebrew.term("crisis") == "משבר" and hebrew.term("some-kind") == "some-kind"
    assert hebrew.terms(["triage", "closed"]) == "מיון, סגור"
    stored = wording(STATUS_MOVED_NOTE, was="new", status="triage", note="Dana")
    # Every fragment isolated in a right-to-left output, the Latin note too.
    assert hebrew.stored(stored, "New → triage: Dana") == f"חדש ← מיון: {FSI}Dana{PDI}"
    polish = reader_for(["pl"], None)
    assert polish.stored(wording(CASE_OPENED, alert=1234), "") == "Sprawa otwarta z alertu #1234"


def test_rows_without_a_message_show_their_stored_text() -> None:
    reader = reader_for(["he"], None)
    assert reader.stored(None, "evil\u202egnp") == "evil⟦U+202E⟧gnp"
    assert reader.inline(None, "Old title") == f"{FSI}Old title{PDI}"
    broken = {"message": "%(missing)s", "params": {}}
    assert reader.stored(broken, "As stored") == "As stored"


def test_reasons_drop_cldr_marks_and_dates_follow_the_zone() -> None:
    hebrew = reader_for(["he"], "Asia/Jerusalem")
    factor = {"text": "x", "message": VOLUME_USUAL, "params": {"count": 12345, "minutes": 60}}
    factor["params"]["usual"] = 80
    reason = hebrew.factor(factor)
    assert reason == "12.3K פוסטים ב־60 דקות; בדרך כלל כ־80"
    assert "\u200f" not in reason and "\u200e" not in reason
    assert hebrew.stamp(AT) == "7.12.2026, 18:33 +0200"
    # Old alerts (reasons without messages) keep their stored English explanation.
    assert hebrew.explanation([{"text": "volume up"}], " Volume up. ") == "Volume up."


def test_language_problem_names_the_choices() -> None:
    assert language_problem(None) is None and language_problem("he") is None
    assert language_problem("de") == "--language 'de': use one of en, he, pl"
