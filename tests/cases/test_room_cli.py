"""The case room on the command line: `playbooks list/show/save`, `cases apply`, `cases
timeline`, `cases goals`, `cases answered`, `cases originator`."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from flarewatch.alerts.service import raise_alerts
from flarewatch.cases.service import open_case_from_alert
from flarewatch.cli.main import app
from flarewatch.config.settings import get_settings
from flarewatch.db.engine import create_db_engine, sessionmaker_for
from flarewatch.db.migrate import upgrade
from flarewatch.playbooks.library import shipped
from tests.alerts.helpers import T0, candidate, make_posts, make_workspace

runner = CliRunner()


@pytest.fixture
def case_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("FLAREWATCH_DATABASE_URL", url)
    get_settings.cache_clear()
    engine: Engine = create_db_engine(url)
    upgrade(engine)
    with sessionmaker_for(engine)() as session:
        ws = make_workspace(session)
        ws.languages = ["pl", "en"]
        posts = make_posts(session, ws, 3)
        [alert] = raise_alerts(session, ws, [candidate(ws, post_ids=[posts[1].id])], T0)
        case = open_case_from_alert(session, alert.id, "dana")
        session.commit()
        yield case.id
    engine.dispose()


def _run(args: list[str], code: int = 0) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == code, (result.output, result.stderr)
    return result.output if code == 0 else result.stderr


def test_playbooks_list_prints_one_key_per_line(case_id: int) -> None:
    assert _run(["playbooks", "list"]).splitlines() == sorted(shipped())
    shown = _run(["playbooks", "show", "data-breach", "--language", "he"])
    assert shipped()["data-breach"].title.he in shown and "בלימה" in shown  # Containment
    assert "+2h" in shown  # the statement step, due two hours after the case opened
    assert "not found; known playbooks: data-breach" in _run(["playbooks", "show", "nope"], 1)
    assert "--language 'xx'" in _run(["playbooks", "show", "data-breach", "-l", "xx"], 2)


def test_save_a_version_then_apply_and_read_the_timeline(case_id: int, tmp_path: Path) -> None:
    document = _run(["playbooks", "show", "viral-complaint", "--toml"])
    mine = tmp_path / "mine.toml"
    mine.write_text(document.replace("due_minutes = 30", "due_minutes = 20"), encoding="utf-8")
    saved = _run(["playbooks", "save", str(mine), "--workspace", "acme", "--by", "dana"])
    assert "Playbook viral-complaint saved as version 2." in saved
    applied = _run(["cases", "apply", str(case_id), "viral-complaint"])
    # Confirmations are in the workspace's first language (Polish here).
    assert f"(wersja 2) zastosowany do sprawy #{case_id}: zadania: 5" in applied
    assert "already applied" in _run(["cases", "apply", str(case_id), "viral-complaint"], 2)
    shown = _run(["cases", "show", str(case_id)])
    assert shipped()["viral-complaint"].steps[0].pl in shown  # the workspace's first language

    rows = list(
        csv.DictReader(
            io.StringIO(_run(["cases", "timeline", str(case_id), "-k", "playbook", "-f", "csv"]))
        )
    )
    assert [r["kind"] for r in rows] == ["playbook"]
    assert json.loads(rows[0]["data"])["version"] == 2
    records = json.loads(_run(["cases", "timeline", str(case_id), "--format", "json"]))
    assert records[0]["kind"] == "status" and {r["kind"] for r in records} >= {"task", "playbook"}

    goals = _run(["cases", "goals", str(case_id), "--language", "en"])
    assert "First public answer within" in goals and "Negative share under" in goals
    assert "Pending" in goals or "Missed" in goals
    assert "Pierwsza publiczna" in _run(["cases", "goals", str(case_id)])  # the workspace's
    answered = _run(
        ["cases", "answered", str(case_id), "https://example.com/answer", "--at", T0.isoformat()]
    )
    assert f"Publiczna odpowiedź zapisana w sprawie #{case_id}" in answered
    assert "Public" in _run(["cases", "timeline", str(case_id), "-k", "response"])  # its label
    assert "ISO 8601" in _run(["cases", "answered", str(case_id), "x", "--at", "soon"], 2)


def test_originator_on_the_command_line(case_id: int) -> None:
    out = _run(["cases", "originator", str(case_id), "--language", "en"])
    assert "First post:" in out and "Post 1:" in out and "Story: 1 posts" in out
    hebrew = _run(["cases", "originator", str(case_id), "--language", "he"])
    assert "הפוסט הראשון:" in hebrew and "Post 1:" in hebrew
