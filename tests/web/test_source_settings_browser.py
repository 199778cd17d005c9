"""The source form in headless Chromium: an error shown next to its field, "Test connection"
through HTMX against a local server, then saving; and the same form right to left in Hebrew."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from tests.sources.platform_server import (
    PlatformServer,
    Reply,
    platform,  # noqa: F401  (the local Algolia HN server)
)

from .conftest import WebEnv
from .test_browser import page, server, sign_in  # noqa: F401  (shared fixtures)

pytestmark = pytest.mark.browser


def test_add_a_source_with_the_form(
    page: Page,  # noqa: F811
    server: tuple[str, WebEnv],  # noqa: F811
    platform: PlatformServer,  # noqa: F811
) -> None:
    url, env = server
    at = int(time.time()) - 600
    hit = {
        "objectID": "7",
        "created_at_i": at,
        "author": "dang",
        "title": "Acme Air opens a Gdańsk route",
        "_tags": ["story", "story_7"],
    }
    platform.route(
        "GET", "/api/v1/search_by_date", Reply.json({"hits": [hit], "nbPages": 1, "page": 0})
    )
    sign_in(page, url, env.seeded.users["acme-analyst"])
    page.goto(f"{url}/w/acme/settings/sources")
    page.select_option("#add-kind", "hackernews")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("New hackernews source")
    page.fill("#f-key", "HN news")
    page.fill("#f-query", "acme")
    page.fill("#f-endpoint", platform.url())
    page.get_by_role("button", name="Add source").click()
    expect(page.locator("#err-key")).to_contain_text("lower-case letters")
    expect(page.locator("#f-key")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-query")).to_have_value("acme")  # what was typed is kept
    page.fill("#f-key", "hn-news")
    page.get_by_role("button", name="Test connection").click()
    result = page.locator("#test-result")
    expect(result).to_contain_text("1 post fetched, nothing stored.")
    expect(result).to_contain_text("Acme Air opens a Gdańsk route")
    page.get_by_role("button", name="Add source").click()
    expect(page.locator(".notice-info")).to_contain_text("Saved.")
    expect(page.locator("h1")).to_have_text("Source hn-news")
    page.get_by_role("button", name="Pause").click()
    expect(page.locator('[data-state="paused"]')).to_be_visible()


def test_the_form_is_right_to_left_in_hebrew(
    page: Page,  # noqa: F811
    server: tuple[str, WebEnv],  # noqa: F811
) -> None:
    url, env = server
    sign_in(page, url, env.seeded.users["acme-admin"])
    page.goto(f"{url}/w/acme/settings/sources/new?kind=hackernews")
    page.select_option("#lang-select", "he")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("button", name="בדיקת חיבור")).to_be_visible()
    assert page.evaluate("() => getComputedStyle(document.body).direction") == "rtl"
    # Keys and values typed in Latin script stay left to right inside the RTL page.
    assert (
        page.evaluate("() => getComputedStyle(document.getElementById('f-key')).direction") == "ltr"
    )
