"""Migration 0016 (alert timeline, escalation cycles and reminders) up, down and up again,
keeping the first cycle's rounds, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from flarewatch.alerts.service import raise_alerts
from flarewatch.db.engine import create_db_engine, sessionmaker_for
from flarewatch.db.migrate import alembic_config, upgrade
from tests.alerts.helpers import candidate, make_workspace
from tests.db.test_migrations import fresh_url  # noqa: F401
from tests.oncall.test_service import T, _oncall


def test_0016_round_trip_keeps_the_first_cycle(fresh_url: str) -> None:  # noqa: F811
    engine = create_db_engine(fresh_url)
    upgrade(engine)
    with sessionmaker_for(engine)() as db:
        workspace = make_workspace(db, extra=_oncall())
        raise_alerts(db, workspace, [candidate(workspace, "crisis")], T)
        db.execute(
            text(
                "INSERT INTO escalation_step (alert_id, severity, step, round, target, due_at,"
                " status, recipients, cycle, kind) SELECT alert_id, severity, 0, 1, 'reminder',"
                " due_at, 'sent', recipients, 1, 'reminder' FROM escalation_step WHERE step = 1"
            )
        )
        db.commit()
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0015")
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM escalation_step")) == 5
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT DISTINCT cycle, kind FROM escalation_step")).all()
        assert rows == [(1, "page")]
        assert conn.scalar(text("SELECT count(*) FROM alert_event")) == 0
    engine.dispose()
