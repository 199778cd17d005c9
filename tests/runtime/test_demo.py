"""`flarewatch demo --no-serve` runs every stage on the bundled scenario and keeps the data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markupsafe import escape
from sqlalchemy import func, select
from typer.testing import CliRunner

from flarewatch.accounts.service import DEMO_EMAIL
from flarewatch.alerts.models import Alert
from flarewatch.alerts.wording import render_stored
from flarewatch.cases.goals import goal_states
from flarewatch.cases.models import Case, CaseEvent, Task
from flarewatch.cases.roles import case_type_of, holders
from flarewatch.cases.routing import CaseRouting
from flarewatch.cli.main import app
from flarewatch.config.settings import get_settings
from flarewatch.db.engine import get_engine, session_scope
from flarewatch.demo.run import DEMO_PLAYBOOK
from flarewatch.mentions.models import Mention
from flarewatch.playbooks.library import shipped

runner = CliRunner()


def _check_demo_results() -> int:
    with session_scope(get_engine()) as session:
        languages = set(session.scalars(select(Mention.language).distinct()))
        platforms = set(session.scalars(select(Mention.platform).distinct()))
        assert {"en", "he"} <= languages
        assert len(platforms) >= 2
        severities = set(session.scalars(select(Alert.severity)))
        assert severities & {"warning", "crisis"}, severities
        # The worm story reaches all three topics: one incident, one alert listing them, one case.
        [alert] = session.scalars(select(Alert).where(Alert.status != "merged")).all()
        assert alert.explanation and alert.post_ids
        assert len(alert.topic_ids) >= 2, alert.topic_ids  # 3 today; detection decides which fire
        [case] = session.scalars(select(Case)).all()
        assert case.alert_id == alert.id
        kinds = set(session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case.id)))
        assert {"alert", "playbook", "task"} <= kinds  # the product-safety playbook applied
        # The case room of workspace.toml: the case's type, routed to its owner, roles by rule.
        assert {"routing", "role"} <= kinds
        [routing] = session.scalars(select(CaseRouting).where(CaseRouting.case_id == case.id))
        assert (routing.case_type, routing.owner_key, routing.status) == (
            "product_safety",
            "qa",
            "requested",
        )
        assert routing.sent == [{"channel": "console", "ok": True, "error": None}]
        assert case_type_of(session, case.id) == "product_safety"
        held = {role: row.person for role, row in holders(session, case.id).items()}
        assert held == {"incident_lead": DEMO_EMAIL, "spokesperson": DEMO_EMAIL}
        titles = set(session.scalars(select(Task.title).where(Task.case_id == case.id)))
        assert "Holding statement within the hour" in titles  # the spokesperson's checklist
        assert session.scalar(select(func.count()).select_from(Mention)) > 500
        return case.id


def _check_demo_case_room(case_id: int, folder: Path) -> None:
    """The demo's case reports its playbook's goals, who started it, and its post-mortem."""
    goals = runner.invoke(app, ["cases", "goals", str(case_id)])
    assert goals.exit_code == 0, goals.output
    assert "Goal" in goals.output and "State" in goals.output
    # (The table may fold long cells at the runner's width: the kinds are checked in the data.)
    with session_scope(get_engine()) as session:
        case = session.get_one(Case, case_id)
        states = goal_states(session, case)
        title = render_stored(case.title_message, case.title) or case.title
    assert sorted(g.kind for g in states) == sorted(g.kind for g in shipped()[DEMO_PLAYBOOK].goals)
    origin = runner.invoke(app, ["cases", "originator", str(case_id)])
    assert origin.exit_code == 0, origin.output
    assert "First post:" in origin.output
    target = folder / "demo-postmortem.html"
    made = runner.invoke(
        app,
        ["cases", "postmortem", str(case_id), "--format", "html", "--output", str(target)],
    )
    assert made.exit_code == 0, made.output
    page = target.read_text(encoding="utf-8")
    # The report names the case as the case page does (its bidi isolates aside).
    assert f"Post-mortem of case #{case_id}" in page
    assert str(escape(title)) in re.sub(r"</?bdi>", "", page)
    assert "Response times" in page


def test_demo_no_serve_prints_a_summary_and_keeps_the_data(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    # The demo workspace is English first: its summary in English, times in Jerusalem's zone.
    assert "Report for Grillberry (demo) (demo) at " in result.output
    assert "Posts" in result.output and "Alerts" in result.output
    _check_demo_case_room(_check_demo_results(), tmp_path)

    report = runner.invoke(app, ["report"])
    assert report.exit_code == 0, report.output
    assert "demo" in report.output
    listed = runner.invoke(app, ["alerts", "list", "--workspace", "demo"])
    assert listed.exit_code == 0, listed.output

    # A second demo replaces the first one instead of doubling it.
    with session_scope(get_engine()) as session:
        before = session.scalar(select(func.count()).select_from(Mention))
    assert runner.invoke(app, ["demo", "--no-serve"]).exit_code == 0
    with session_scope(get_engine()) as session:
        assert session.scalar(select(func.count()).select_from(Mention)) == before


@pytest.mark.postgres
def test_demo_runs_on_postgresql(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FLAREWATCH_DATABASE_URL", postgres_url)
    get_settings.cache_clear()
    result = runner.invoke(app, ["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    _check_demo_case_room(_check_demo_results(), tmp_path)
