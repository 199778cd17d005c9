"""Every page on a 390 px phone screen (iPhone 12–15 width), in English and in Hebrew: nothing
scrolls sideways, and every workspace tab and the account link can be reached."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from flarewatch.accounts.invites import invite_token
from flarewatch.accounts.service import create_user
from flarewatch.db.engine import session_scope
from flarewatch.web.app import create_app
from flarewatch.web.screenshots import live_server

from .conftest import WebEnv, make_env
from .routes import app_routes
from .seed import PASSWORD, Seeded

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# Not pages: the live-update stream, the health probe, the invitation (its own test below).
# Streams, downloads and one-time links are not pages to lay out.
NOT_PAGES = (
    "/w/{slug}/events",
    "/w/{slug}/rescore/{job_id}/events",
    "/w/{slug}/mentions/export",
    "/w/{slug}/cases/{case_id}/postmortem.{format}",  # a file download (HTML or PDF)
    "/w/{slug}/cases/{case_id}/timeline.{fmt}",
    "/healthz",
    "/invite/{token}",
    "/ack/{token}",  # the signed ack link: laid out in tests/web/test_oncall_browser.py
    "/public/{token}",  # a public update page: laid out in tests/comms/test_public_page_browser.py
    # HTMX fragments loaded into the case page, not pages of their own:
    "/w/{slug}/cases/{case_id}/replies/figures",
    "/w/{slug}/publishing/kill-switch",
)
PARAM_RE = re.compile(r"{(\w+)}")
# Pages that need a query: the new-source form of the kind with the most fields.
QUERIES = {"/w/{slug}/settings/sources/new": "?kind=web"}
# Pages whose `{key}` is not a playbook's: a message template of the starter set.
KEYS = {"/w/{slug}/templates/{key}": "product-safety.reply"}


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, _template: tuple[Path, Seeded]
) -> Iterator[tuple[str, WebEnv]]:
    env = make_env(tmp_path_factory.mktemp("phone"), _template)
    with live_server(env.app) as url:
        yield url, env
    env.engine.dispose()


def _phone(browser: Browser, language: str) -> Page:
    context = browser.new_context(
        locale=language, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=3
    )
    context.set_default_timeout(10_000)
    return context.new_page()


def _sign_in(page: Page, url: str, email: str) -> None:
    page.goto(f"{url}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_url(f"{url}/")


def _pages(env: WebEnv) -> list[str]:
    s = env.seeded
    values = {
        "slug": s.slugs["acme"],
        "alert_id": str(s.alerts["acme"][0]),
        "case_id": str(s.cases["acme"]),
        "source_id": str(s.sources["acme"]),
        "job_id": str(s.rescore_jobs["acme"]),
        "key": "product-safety",
    }
    paths = []
    for method, path in app_routes(env.app):
        if method != "GET" or path.startswith("/api/") or path in NOT_PAGES:
            continue
        if set(PARAM_RE.findall(path)) - values.keys():
            # A page of a row the seed has none of (a draft, a publication's partial): laid out
            # in its own browser test (tests/web/test_drafts_browser.py, tests/comms/*_browser.py).
            continue
        own = {**values, "key": KEYS.get(path, values["key"])}
        filled = PARAM_RE.sub(lambda found, own=own: own[found.group(1)], path)
        paths.append(filled + QUERIES.get(path, ""))
    return paths


def _sideways(page: Page) -> int:
    """How many CSS pixels the page is wider than the screen (0: no sideways scrolling)."""
    return int(
        page.evaluate(
            "() => Math.max(document.documentElement.scrollWidth,"
            " document.body.scrollWidth) - document.documentElement.clientWidth"
        )
    )


def _reachable(page: Page, selector: str) -> bool:
    """Visible and, once scrolled to (a tab strip scrolls by itself), inside the screen."""
    target = page.locator(selector)
    if not target.is_visible():
        return False
    target.scroll_into_view_if_needed()
    box = target.bounding_box()
    return box is not None and box["x"] >= -1 and box["x"] + box["width"] <= PHONE["width"] + 1


@pytest.mark.parametrize("language", ["en", "he"])
def test_no_page_scrolls_sideways_on_a_phone(
    browser: Browser, server: tuple[str, WebEnv], language: str
) -> None:
    url, env = server
    page = _phone(browser, language)
    page.goto(f"{url}/login")
    assert _sideways(page) <= 0, "/login"
    _sign_in(page, url, env.seeded.users["acme-admin"])
    paths = _pages(env)
    assert {"/", "/w/acme/settings", "/workspaces/new", "/w/acme/topics"} <= set(paths)
    wide = {}
    for path in paths:
        response = page.goto(f"{url}{path}")
        assert response is not None and response.ok, path
        page.wait_for_load_state("load")
        if (extra := _sideways(page)) > 0:
            wide[path] = extra
        assert _reachable(page, ".account-link"), f"{path}: the account link is out of reach"
        if path.startswith("/w/"):
            for tab in page.locator("nav.tabs a").all():
                href = tab.get_attribute("href")
                assert _reachable(page, f"nav.tabs a[href='{href}']"), f"{path}: tab {href}"
    assert not wide, f"pages wider than {PHONE['width']} px (by px): {wide}"
    # The members table fits the screen rather than scrolling inside its own frame.
    page.goto(f"{url}/w/acme/settings")
    members = "() => { const w = document.querySelector('#members .table-wrap');"
    members += " return w.scrollWidth - w.clientWidth; }"
    assert page.evaluate(members) <= 0
    page.context.close()


def test_the_invitation_and_demo_sign_in_fit_a_phone(
    browser: Browser, server: tuple[str, WebEnv]
) -> None:
    url, env = server
    with session_scope(env.engine) as session:
        token = invite_token(
            create_user(session, "phone-invite@agency.example"), env.app.state.secret_key
        )
    page = _phone(browser, "he")
    page.goto(f"{url}/invite/{token}")
    assert page.locator("#i-password").is_visible()
    assert _sideways(page) <= 0
    page.context.close()
    demo = create_app(env.engine, demo_user=env.seeded.users["acme-admin"])
    with live_server(demo) as demo_url:
        page = _phone(browser, "pl")
        page.goto(f"{demo_url}/")
        page.locator("form[action='/logout'] button").click()
        page.wait_for_url(f"{demo_url}/login")
        assert page.locator("form[action='/login/demo'] button").is_visible()
        assert _sideways(page) <= 0
        page.context.close()
