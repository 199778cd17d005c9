"""The template pages in headless Chromium: filter the list, read a template's Hebrew texts
right to left with their lengths, and start a draft on a case from it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from flarewatch.comms.models import Draft
from flarewatch.db.engine import session_scope
from flarewatch.web.screenshots import live_server
from tests.web.conftest import (  # noqa: F401  (the web tests' fixtures, used here too)
    WebEnv,
    _fast_password_hashing,
    _template,
    browser,
    make_env,
)
from tests.web.seed import PASSWORD, Seeded

pytestmark = pytest.mark.browser
KEY = "product-safety.holding-customers"


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory,
    _template: tuple[Path, Seeded],  # noqa: F811
) -> Iterator[tuple[str, WebEnv]]:
    env = make_env(tmp_path_factory.mktemp("templates"), _template)
    with live_server(env.app) as url:
        yield url, env
    env.engine.dispose()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:  # noqa: F811
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


def test_browse_read_and_start_a_draft(page: Page, server: tuple[str, WebEnv]) -> None:
    url, env = server
    page.goto(f"{url}/login")
    page.fill("#email", env.seeded.users["acme-responder"])
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/")

    page.goto(f"{url}/w/acme/templates")
    page.select_option("#f-playbook", "product-safety")
    page.select_option("#f-audience", "customers")
    page.get_by_role("button", name="Show").click()
    rows = page.locator("tr[data-template]")
    expect(rows).to_have_count(3)  # holding statement, reply, update
    page.locator(f"a[href='/w/acme/templates/{KEY}']").click()
    page.wait_for_url(f"{url}/w/acme/templates/{KEY}")

    # the Hebrew texts read right to left; the English labels and lengths around them do not
    hebrew = page.locator("article[data-language='he']")
    direction = "el => getComputedStyle(el).direction"
    assert hebrew.locator(".template-text").first.evaluate(direction) == "rtl"
    assert hebrew.locator(".template-fits").first.evaluate(direction) == "ltr"
    english = page.locator("article[data-language='en']")
    assert english.locator(".template-text").first.evaluate(direction) == "ltr"
    expect(hebrew.locator("[data-variant='sms'] li[data-platform='sms']")).to_contain_text("70")
    expect(page.locator("#edit-h")).to_have_count(0)  # responders do not edit templates

    form = page.locator("#template-draft-form")
    form.locator("#draft-platform").select_option("facebook")
    form.locator("#draft-language").select_option("pl")
    form.locator("#var-contact").fill("pomoc@acme.example")
    form.get_by_role("button", name="Start the draft").click()
    case_id = env.seeded.cases["acme"]
    page.wait_for_url(f"{url}/w/acme/cases/{case_id}/drafts/*")
    with session_scope(env.engine) as session:
        draft = session.scalars(select(Draft)).one()
        assert page.url == f"{url}/w/acme/cases/{case_id}/drafts/{draft.id}"
        assert (draft.platform, draft.language, draft.template_key) == ("facebook", "pl", KEY)
