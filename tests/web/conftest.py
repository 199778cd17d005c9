"""Fixtures for the web tests: a migrated, seeded database and the app on it."""

from __future__ import annotations

import copy
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from flarewatch.accounts import service as accounts_service
from flarewatch.config.settings import get_settings
from flarewatch.db.engine import create_db_engine, session_scope
from flarewatch.db.migrate import upgrade
from flarewatch.web.app import create_app

from .seed import PASSWORD, Seeded, seed

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing() -> Iterator[None]:
    """Real argon2, with test-sized cost: the suite signs in hundreds of times."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(accounts_service, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))
        yield


@dataclass
class WebEnv:
    engine: Engine
    app: FastAPI
    seeded: Seeded


def _build_template(folder: Path) -> tuple[Path, Seeded]:
    path = folder / "template.db"
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade(engine)
    seeded = seed(engine)
    engine.dispose()  # closing the last connection folds the WAL back into the file
    return path, seeded


@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Seeded]:
    """Migrating and seeding once per run and copying the file keeps each test fast."""
    return _build_template(tmp_path_factory.mktemp("template"))


def make_env(tmp: Path, template: tuple[Path, Seeded]) -> WebEnv:
    path, seeded = template
    target = tmp / "web.db"
    shutil.copyfile(path, target)
    engine = create_db_engine(f"sqlite:///{target}")
    with pytest.MonkeyPatch.context() as mp:
        # create_app keeps its session key in the data dir; point it at the test's folder.
        mp.setenv("FLAREWATCH_DATA_DIR", str(tmp / "data"))
        get_settings.cache_clear()
        app = create_app(engine)
    get_settings.cache_clear()
    return WebEnv(engine=engine, app=app, seeded=copy.deepcopy(seeded))


@pytest.fixture
def web(tmp_path: Path, _template: tuple[Path, Seeded]) -> Iterator[WebEnv]:
    env = make_env(tmp_path, _template)
    yield env
    env.engine.dispose()


@pytest.fixture(scope="module")
def shared_web(
    tmp_path_factory: pytest.TempPathFactory, _template: tuple[Path, Seeded]
) -> Iterator[WebEnv]:
    """One seeded app for read-mostly tests (the cross-workspace sweep changes nothing)."""
    env = make_env(tmp_path_factory.mktemp("web"), _template)
    yield env
    env.engine.dispose()


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def bearer(env: WebEnv, who: str) -> dict[str, str]:
    """Headers with a new API token of the seeded user `who` (e.g. "acme-admin")."""
    with session_scope(env.engine) as session:
        user = accounts_service.get_user_by_email(session, env.seeded.users[who])
        assert user is not None
        _, secret = accounts_service.create_token(session, user, "test")
    return {"Authorization": f"Bearer {secret}"}


def login(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Signs in through the form; returns the session's CSRF token for later posts."""
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    home = client.get("/")
    assert home.status_code == 200
    return csrf_from(home.text)


@pytest.fixture
def client(web: WebEnv) -> Iterator[TestClient]:
    with TestClient(web.app) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium for the browser tests, one per test module; a missing Chromium
    fails (never skips), so CI cannot pass without the browser tests."""
    from playwright.sync_api import sync_playwright

    from flarewatch.web.screenshots import CHROMIUM, CHROMIUM_ARGS

    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need the Debian Chromium package "
            "('make browser', or 'apt-get install -y chromium')."
        )
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
