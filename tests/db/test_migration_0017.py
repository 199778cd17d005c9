"""Migration 0017 (playbooks and goals) up, down and up again, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from flarewatch.db.engine import create_db_engine
from flarewatch.db.migrate import alembic_config, upgrade
from tests.db.test_migrations import fresh_url  # noqa: F401  (the fixture)

TABLES = {"workspace_playbook", "case_playbook", "case_goal"}


def test_0017_creates_and_drops_the_case_room_tables(fresh_url: str) -> None:  # noqa: F811
    engine = create_db_engine(fresh_url)
    upgrade(engine, "0017")
    assert set(inspect(engine).get_table_names()) >= TABLES
    uniques = {
        tuple(u["column_names"]) for u in inspect(engine).get_unique_constraints("case_goal")
    }
    assert ("case_id", "kind") in uniques
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0016")
    assert not TABLES & set(inspect(engine).get_table_names())
    upgrade(engine)
    assert set(inspect(engine).get_table_names()) >= TABLES
    engine.dispose()
