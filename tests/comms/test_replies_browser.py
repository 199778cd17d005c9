"""The reply queue in headless Chromium, in Hebrew: take a post (HTMX swaps the queue in
place), mark one "no answer needed", start a reply (the draft's page), and the case page's
Replies card loaded by HTMX."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from flarewatch.web.screenshots import live_server
from tests.comms.test_replies_web import PASSWORD, Env
from tests.web.conftest import browser  # noqa: F401  (the shared Chromium fixture)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Env]]:
    env = Env(tmp_path_factory.mktemp("replies-browser"))
    with live_server(env.app) as url:
        yield url, env
    env.engine.dispose()


def _hebrew_page(chromium: Browser) -> Page:
    context = chromium.new_context(
        locale="he-IL",
        viewport={"width": 1280, "height": 900},
        extra_http_headers={"Accept-Language": "he"},
    )
    context.set_default_timeout(20_000)
    return context.new_page()


def test_work_the_queue_in_hebrew(browser: Browser, server: tuple[str, Env]) -> None:  # noqa: F811
    url, env = server
    page = _hebrew_page(browser)
    page.goto(f"{url}/login")
    page.fill("#email", "eli@acme.test")
    page.fill("#password", PASSWORD)
    page.locator("button.primary[type=submit]").click()
    page.wait_for_url(f"{url}/")

    queue = f"{url}/w/acme/cases/{env.case_id}/replies"
    page.goto(queue)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    hebrew = page.locator(f"#reply-{env.posts['he_question']}")
    expect(hebrew.locator(".mention-text")).to_have_text("למה אין תשובה מהסניף?")
    expect(hebrew.locator('[data-reason="question"]')).to_have_text("שאלה")

    # Take it: the queue is swapped in place (no navigation) and shows the assignee.
    page.evaluate("window.__same_page = true")
    hebrew.get_by_role("button", name="אני לוקח/ת").click()
    expect(hebrew.locator(".assignee")).to_contain_text("eli@acme.test")
    assert page.evaluate("window.__same_page") is True

    polish = page.locator(f"#reply-{env.posts['pl_question']}")
    polish.locator("input[name=reason]").fill("שאלה כללית, ענינו בהודעה")
    polish.get_by_role("button", name="לא נדרש מענה").click()
    expect(polish).to_have_count(0)  # no longer waiting …
    page.goto(f"{queue}?state=no_answer")
    expect(page.locator(f"#reply-{env.posts['pl_question']} .reply-note")).to_contain_text(
        "שאלה כללית"
    )  # … but listed, with the reason

    page.goto(queue)
    addressed = page.locator(f"#reply-{env.posts['addressed']}")
    addressed.get_by_role("button", name="תגובה").click()
    page.wait_for_url(re.compile(rf"/w/acme/cases/{env.case_id}/drafts/\d+$"))

    page.goto(f"{url}/w/acme/cases/{env.case_id}")
    card = page.locator("#replies")
    expect(card.locator('[data-figure="needing"]')).to_be_visible()
    expect(card.get_by_role("link", name="פתיחת תור התגובות")).to_have_attribute(
        "href", f"/w/acme/cases/{env.case_id}/replies"
    )
    page.context.close()
