"""Shared fixtures: migrated databases on SQLite and on the local PostgreSQL server.

PostgreSQL is reached at FLAREWATCH_TEST_POSTGRES_URL (default: the loopback server with trust
auth). When it is unreachable the PostgreSQL tests fail loudly instead of skipping, because a
silently skipped storage backend is how regressions ship.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

# Rich fixes a console's width when the console is made (at import of each CLI module), from
# COLUMNS if set, else 80 when output is not a terminal. Which test imports a CLI module first
# differs between runs and xdist workers, so the width is set here, before any import, for all.
os.environ["COLUMNS"] = "200"

from sqlalchemy import Engine, create_engine, text  # noqa: E402
from sqlalchemy.orm import Session

from flarewatch.config.settings import get_settings
from flarewatch.db.base import Base
from flarewatch.db.engine import create_db_engine, sessionmaker_for
from flarewatch.db.migrate import upgrade

POSTGRES_ADMIN_URL = os.environ.get(
    "FLAREWATCH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test gets its own data directory; no test touches the user's real data."""
    monkeypatch.setenv("FLAREWATCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("FLAREWATCH_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated SQLite database in the test's own folder."""
    db = create_db_engine(f"sqlite:///{tmp_path / 'test.db'}")
    upgrade(db)
    yield db
    db.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with sessionmaker_for(engine)() as db_session:
        yield db_session


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test run, dropped at the end."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"flarewatch_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as err:  # noqa: BLE001
        pytest.fail(
            f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL} ({err}); start it with "
            "'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start' "
            "or set FLAREWATCH_TEST_POSTGRES_URL"
        )
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    migrated = create_db_engine(url)
    upgrade(migrated)
    migrated.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty database on each supported backend in turn."""
    if request.param == "sqlite":
        db = create_db_engine(f"sqlite:///{tmp_path / 'test.db'}")
        upgrade(db)
        yield db
        db.dispose()
        return
    url = request.getfixturevalue("postgres_url")
    db = create_db_engine(url)
    # Other tests in this worker may share the database: start and end empty.
    truncate_all(db)
    yield db
    truncate_all(db)
    db.dispose()


def truncate_all(db: Engine) -> None:
    import flarewatch.db.models  # noqa: F401  (every table, including later migrations')

    with db.begin() as conn:
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
