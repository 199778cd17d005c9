"""The source-health path in headless Chromium: overview → "Sources failing" → health page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from flarewatch.web.screenshots import live_server

from .conftest import WebEnv, make_env
from .seed import Seeded
from .test_browser import page, sign_in  # noqa: F401  (shared fixtures)
from .test_source_health_page import _close_topic_alerts, _sources

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def failing_server(
    tmp_path_factory: pytest.TempPathFactory, _template: tuple[Path, Seeded]
) -> Iterator[tuple[str, WebEnv]]:
    env = make_env(tmp_path_factory.mktemp("health-browser"), _template)
    _close_topic_alerts(env, "acme")
    _sources(env, "acme", total=26, failing=18)
    with live_server(env.app) as url:
        yield url, env
    env.engine.dispose()


def test_overview_leads_to_the_failing_sources(
    page: Page,  # noqa: F811
    browser: Browser,  # noqa: F811
    failing_server: tuple[str, WebEnv],
) -> None:
    url, env = failing_server
    sign_in(page, url, env.seeded.users["acme-viewer"])
    card = page.locator(".brand-card", has_text="Acme Air")
    expect(card).not_to_contain_text("Calm")
    card.get_by_role("link", name="Sources failing (18 of 26)").click()
    expect(page).to_have_url(f"{url}/w/acme/sources")
    expect(page.locator("tr[data-state=failing]")).to_have_count(18)
    expect(page.locator("#source-feed-00")).to_contain_text("HTTP 500")
    expect(page.get_by_role("link", name="Sources", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    page.select_option("#lang-select", "he")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("h1")).to_have_text("תקינות המקורות")
    # Right to left for real: the first column (the source) is laid out on the right.
    source_x = page.locator("#source-feed-00 td").first.bounding_box()
    state_x = page.locator("#source-feed-00 td").nth(1).bounding_box()
    assert source_x is not None and state_x is not None
    assert source_x["x"] > state_x["x"]
