"""The kill switch in headless Chromium: on the case page it loads into the aside, one click
(with its reason) stops every scheduled post, the publishing page shows them held, and one
click resumes; the same in Hebrew, right to left."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from flarewatch.accounts import service as accounts_service
from flarewatch.comms import drafts
from flarewatch.comms.models import Publication
from flarewatch.comms.publishing import service
from flarewatch.db.base import utcnow
from flarewatch.db.engine import session_scope
from flarewatch.web.screenshots import live_server
from flarewatch.workspaces.models import Workspace
from tests.comms.publishing_setup import SECRETS, channels
from tests.web import conftest as web_setup
from tests.web.conftest import WebEnv
from tests.web.seed import PASSWORD

pytestmark = pytest.mark.browser
browser = web_setup.browser  # the web tests' headless Chromium fixture


@pytest.fixture(autouse=True, scope="module")
def _fast_hashing() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(accounts_service, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))
        yield


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, WebEnv, int]]:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    env = web_setup.make_env(tmp_path, web_setup._build_template(tmp_path))
    with session_scope(env.engine) as session:
        ws = session.get_one(Workspace, env.seeded.workspaces["acme"])
        ws.config = {**(ws.config or {}), "channels": channels("http://127.0.0.1:9")}
        draft = drafts.create_draft(
            session,
            env.seeded.cases["acme"],
            "We are sorry. We are checking every flight and will update you by 18:00.",
            "dana@acme.test",
            workspace_id=ws.id,
            platform="mastodon",
        )
        drafts.mark_approved(session, draft, "legal@acme.test")
        row = service.schedule(
            session, draft.id, "masto", utcnow() + timedelta(hours=2), "dana", ws.id
        )
        publication_id = row.id
    with live_server(env.app) as url:
        yield url, env, publication_id
    env.engine.dispose()


def _page(browser: Browser, locale: str) -> Page:
    context = browser.new_context(
        locale=locale,
        viewport={"width": 1280, "height": 900},
        extra_http_headers={"Accept-Language": locale.split("-")[0]},
    )
    context.set_default_timeout(20_000)
    return context.new_page()


def _sign_in(page: Page, url: str, email: str) -> None:
    page.goto(f"{url}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("button.primary[type=submit]").click()
    page.wait_for_url(f"{url}/")


def _status(env: WebEnv, publication_id: int) -> str:
    with session_scope(env.engine) as session:
        return session.scalar(select(Publication.status).where(Publication.id == publication_id))


@pytest.mark.parametrize("locale", ["en-GB", "he-IL"])
def test_one_click_stops_and_resumes_publishing_from_the_case_page(
    browser: Browser, site: tuple[str, WebEnv, int], locale: str
) -> None:
    url, env, publication_id = site
    page = _page(browser, locale)
    _sign_in(page, url, env.seeded.users["acme-responder"])
    case_url = f"{url}/w/acme/cases/{env.seeded.cases['acme']}"
    page.goto(case_url)
    card = page.locator("#kill-switch")
    expect(card).to_be_visible()  # loaded into the case page by HTMX
    if locale.startswith("he"):
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(card.locator("h2")).to_have_text("מתג חירום")
    page.fill("#kill-reason", "הצהרת המנכ״ל בבדיקה משפטית")
    page.locator("#engage-kill-switch").click()
    page.wait_for_url(case_url)
    expect(page.locator("#resume-publishing")).to_be_visible()
    assert _status(env, publication_id) == "suspended"
    page.goto(f"{url}/w/acme/publishing")
    row = page.locator(f'tr[data-publication="{publication_id}"]')
    expect(row).to_have_attribute("data-status", "suspended")
    expect(row).to_contain_text("הצהרת המנכ״ל")
    page.locator("#resume-publishing").click()
    expect(page.locator("#engage-kill-switch")).to_be_visible()
    assert _status(env, publication_id) == "scheduled"
    page.context.close()
