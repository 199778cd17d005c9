"""Migration 0024 (private contact): the table as the model declares it on SQLite and
PostgreSQL, and a downgrade that drops only it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text

from flarewatch.comms.contact.models import PrivateContact
from flarewatch.db.engine import create_db_engine
from flarewatch.db.migrate import alembic_config, upgrade
from tests.conftest import POSTGRES_ADMIN_URL


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'contact.db'}"
        return
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"flarewatch_mig_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_0024_creates_private_contact_and_downgrade_drops_only_it(fresh_url: str) -> None:
    engine = create_db_engine(fresh_url)
    upgrade(engine, "0024")
    found = inspect(engine)
    columns = {c["name"] for c in found.get_columns("private_contact")}
    assert columns == set(PrivateContact.__table__.columns.keys())
    indexes = {i["name"] for i in found.get_indexes("private_contact")}
    assert {"ix_private_contact_case", "ix_private_contact_deadline"} <= indexes
    command.downgrade(alembic_config(fresh_url), "-1")  # to the revision before 0024
    after = inspect(engine)
    assert "private_contact" not in after.get_table_names()
    assert {"crisis_case", "task", "draft"} <= set(after.get_table_names())
    engine.dispose()
