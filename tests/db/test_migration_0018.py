"""Migration 0018 (the case room): its tables and task columns on SQLite and PostgreSQL, and a
downgrade that keeps the cases and tasks that were there."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text

from flarewatch.db.engine import create_db_engine
from flarewatch.db.migrate import alembic_config, upgrade
from tests.conftest import POSTGRES_ADMIN_URL

ROOM_TABLES = {"case_review", "case_followup", "case_routing", "case_role"}


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"flarewatch_mig_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_0018_adds_the_case_room_and_downgrade_keeps_cases_and_tasks(fresh_url: str) -> None:
    engine = create_db_engine(fresh_url)
    upgrade(engine, "0017")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO workspace (slug, name, timezone, languages, auto_case_severity,"
                " sensitivity, config, created_at) VALUES ('w', 'W', 'UTC', '[]', 'crisis',"
                " 'balanced', '{}', '2026-01-01 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO crisis_case (workspace_id, title, status, severity, opened_by,"
                " opened_at, updated_at) VALUES ((SELECT id FROM workspace), 'Worm', 'new',"
                " 'crisis', 'system', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO task (case_id, title, status, created_at) VALUES"
                " ((SELECT id FROM crisis_case), 'Call them', 'open', '2026-01-01 00:00:00')"
            )
        )
    upgrade(engine)
    inspector = inspect(engine)
    assert set(inspector.get_table_names()) >= ROOM_TABLES
    assert {"role", "reminded_at"} <= {c["name"] for c in inspector.get_columns("task")}
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT role FROM task")) is None
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0017")
    inspector = inspect(engine)
    assert not ROOM_TABLES & set(inspector.get_table_names())
    assert "role" not in {c["name"] for c in inspector.get_columns("task")}
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT title FROM task")) == "Call them"
        assert conn.scalar(text("SELECT count(*) FROM crisis_case")) == 1
    engine.dispose()
