"""`flarewatch demo --no-serve` runs every stage on the bundled scenario and keeps the data."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from flarewatch.alerts.models import Alert
from flarewatch.cases.models import Case, CaseEvent
from flarewatch.cli.main import app
from flarewatch.config.settings import get_settings
from flarewatch.db.engine import get_engine, session_scope
from flarewatch.mentions.models import Mention

runner = CliRunner()


def _check_demo_results() -> None:
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
        assert session.scalar(select(func.count()).select_from(Mention)) > 500


def test_demo_no_serve_prints_a_summary_and_keeps_the_data() -> None:
    result = runner.invoke(app, ["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    # The demo workspace is English first: its summary in English, times in Jerusalem's zone.
    assert "Report for Grillberry (demo) (demo) at " in result.output
    assert "Posts" in result.output and "Alerts" in result.output
    _check_demo_results()

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
def test_demo_runs_on_postgresql(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLAREWATCH_DATABASE_URL", postgres_url)
    get_settings.cache_clear()
    result = runner.invoke(app, ["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    _check_demo_results()
