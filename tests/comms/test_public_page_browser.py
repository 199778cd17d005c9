"""The public update page in headless Chromium: published from the case page by a responder,
opened by a stranger on a phone (no sign-in, no sideways scrolling, right-to-left in Hebrew,
nothing blocked by its strict policy), and printable."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from flarewatch.comms import drafts
from flarewatch.db.engine import session_scope
from flarewatch.web.screenshots import live_server
from tests.web import conftest as web_fixtures
from tests.web.conftest import WebEnv, make_env
from tests.web.seed import PASSWORD, Seeded

pytestmark = pytest.mark.browser

_fast_password_hashing = web_fixtures._fast_password_hashing
_template = web_fixtures._template
browser = web_fixtures.browser

HEBREW = "אנחנו מצטערים על העיכוב בטיסות של Acme Air (AA-123). עדכון הבא ב-18:00."
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, _template: tuple[Path, Seeded]
) -> Iterator[tuple[str, WebEnv]]:
    env = make_env(tmp_path_factory.mktemp("public-page"), _template)
    with live_server(env.app) as url:
        yield url, env
    env.engine.dispose()


def _approved(env: WebEnv, text: str) -> int:
    with session_scope(env.engine) as session:
        draft = drafts.create_draft(
            session,
            env.seeded.cases["acme"],
            text,
            "responder@acme.test",
            workspace_id=env.seeded.workspaces["acme"],
            platform="facebook",
            kind="update",
        )
        drafts.mark_approved(session, draft, "approver@acme.test")
        return draft.id


def _phone(browser: Browser, locale: str) -> Page:
    context = browser.new_context(locale=locale, viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    return context.new_page()


def test_published_from_the_case_page_and_read_by_a_stranger_on_a_phone(
    browser: Browser, server: tuple[str, WebEnv]
) -> None:
    url, env = server
    case_id = env.seeded.cases["acme"]
    draft_id = _approved(env, HEBREW)

    editor = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    editor.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    page = editor.new_page()
    page.goto(f"{url}/login")
    page.fill("#email", env.seeded.users["acme-responder"])
    page.fill("#password", PASSWORD)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_url(f"{url}/")
    page.goto(f"{url}/w/acme/cases/{case_id}")
    form = page.locator("#public-settings-form")
    form.locator("select[name=language]").select_option("he")
    form.locator("input[value=replies_sent]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**/cases/{case_id}#public-page")
    page.locator("#public-draft").select_option(str(draft_id))
    page.locator("#public-add-form button[type=submit]").click()
    page.wait_for_url(f"**/cases/{case_id}#public-page")
    link = page.locator("#public-link").input_value()
    assert link.startswith(url + "/public/")
    page.locator("button[data-copy='#public-link']").click()
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert page.locator("button[data-copy='#public-link']").inner_text() == "Copied"
    assert page.locator(f"[data-public-entry='{draft_id}']").count() == 1
    editor.close()

    stranger = _phone(browser, "en-US")  # a visitor whose browser asks for English
    problems: list[str] = []
    stranger.on("console", lambda message: problems.append(message.text))
    stranger.goto(link)
    assert stranger.locator("html").get_attribute("dir") == "rtl"
    assert stranger.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert HEBREW in stranger.locator(".entry-text").inner_text()
    assert stranger.locator("[data-figure=replies_sent] dd").inner_text() == "0"
    sideways = stranger.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert sideways <= 0
    # The stylesheet loaded under the page's own policy, and nothing was refused.
    assert stranger.evaluate("getComputedStyle(document.querySelector('.entry')).borderRadius")
    assert not [p for p in problems if "Content Security Policy" in p], problems
    assert stranger.context.cookies() == []  # no session for a visitor
    stranger.emulate_media(media="print")
    assert stranger.evaluate("getComputedStyle(document.body).backgroundColor") in (
        "rgb(255, 255, 255)",
        "rgba(0, 0, 0, 0)",
    )
    stranger.context.close()
