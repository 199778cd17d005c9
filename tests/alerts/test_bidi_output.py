"""Notifications and the terminal show a user's bidi controls as markers, never apply them."""

from __future__ import annotations

from datetime import UTC, datetime

from typer.testing import CliRunner

from flarewatch.alerts.message import PostLink, render_message
from flarewatch.bidi import BIDI_CONTROL_RE, FSI, PDI
from flarewatch.cases.cli import app as cases_app
from tests.cases.test_cli import alert_id  # noqa: F401  (the fixture: an alert in a CLI db)

RLO = "\u202e"
T = datetime(2024, 5, 7, 14, 0, tzinfo=UTC)


def _message(**changes: object) -> tuple[str, str]:
    fields: dict[str, object] = {
        "alert_id": 7,
        "severity": "crisis",
        "status": "open",
        "title": f"Complaints about evil{RLO}gnp.exe",
        "explanation": f"Negative posts by user{RLO}x rising.",
        "risk_score": 80.0,
        "factors": [{"text": f"volume {RLO}6x"}],
        "window_start": T,
        "window_end": T,
        "workspace_name": "Acme",
        "topic_name": "אקמה",
        "posts": [PostLink(url=None, text=f"download evil{RLO}gnp.exe", platform="x")],
    }
    fields.update(changes)
    message = render_message(**fields)  # type: ignore[arg-type]
    return message.title, message.body


def test_notification_shows_markers_and_isolates_user_fragments() -> None:
    title, body = _message()
    text = title + body
    controls = {m.group() for m in BIDI_CONTROL_RE.finditer(text)}
    assert controls <= {FSI, PDI}  # only our own isolates are left
    assert title == f"[CRISIS] Acme: {FSI}Complaints about evil⟦U+202E⟧gnp.exe{PDI}"
    assert f"topic: {FSI}אקמה{PDI}" in body  # Hebrew is isolated, not marked
    assert f"“{FSI}download evil⟦U+202E⟧gnp.exe{PDI}”" in body
    assert "user⟦U+202E⟧x" in body and "volume ⟦U+202E⟧6x" in body
    # Every FSI is closed: nothing a user wrote leaks direction into the next fragment.
    assert text.count(FSI) == text.count(PDI)


def test_plain_left_to_right_names_are_left_exactly_as_written() -> None:
    title, body = _message(title="Lost luggage", topic_name="brand")
    assert title == "[CRISIS] Acme: Lost luggage" and "topic: brand" in body


def test_cli_prints_markers_not_controls(alert_id: int) -> None:  # noqa: F811
    runner = CliRunner()
    assert runner.invoke(cases_app, ["open", "--alert", str(alert_id)]).exit_code == 0
    noted = runner.invoke(cases_app, ["note", "1", f"call evil{RLO}gnp.exe [red]x[/red]"])
    assert noted.exit_code == 0, noted.output
    shown = runner.invoke(cases_app, ["show", "1"])
    assert shown.exit_code == 0, shown.output
    assert RLO not in shown.output
    assert "evil⟦U+202E⟧gnp.exe" in shown.output
