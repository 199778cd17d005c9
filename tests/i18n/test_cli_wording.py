"""The terminal: times in the workspace's zone and conventions, right-to-left fragments of a
sentence isolated with FSI … PDI (kept by the bidi-safe stream, not turned into markers)."""

from __future__ import annotations

import os

from sqlalchemy import update
from typer.testing import CliRunner

from flarewatch.bidi import FSI, PDI
from flarewatch.cases.cli import app
from flarewatch.db.engine import create_db_engine, session_scope
from flarewatch.workspaces.models import Workspace
from tests.cases.test_cli import alert_id  # noqa: F401  (the fixture: an alert in a CLI db)

runner = CliRunner()


def _ok(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.output


def test_case_show_uses_the_workspace_zone_and_isolates_hebrew_fragments(
    alert_id: int,  # noqa: F811
) -> None:
    engine = create_db_engine(os.environ["FLAREWATCH_DATABASE_URL"])
    with session_scope(engine) as session:
        session.execute(update(Workspace).values(timezone="Asia/Jerusalem"))
    engine.dispose()
    _ok(["open", "--alert", str(alert_id)])
    _ok(["task", "1", "הצהרה לעיתונות", "--due", "2024-05-07T18:00+02:00"])
    shown = _ok(["show", "1"])
    # The task's title sits isolated inside the English sentence, and the isolates reach the
    # terminal as isolates (the stream only marks unbalanced or other controls).
    assert f"Task #1 added: {FSI}הצהרה לעיתונות{PDI}" in shown
    assert "⟦U+2068⟧" not in shown and "⟦U+2069⟧" not in shown
    # Due 16:00 UTC is 19:00 in Jerusalem (summer time), written the Israeli way.
    assert "07/05/2024, 19:00" in shown
