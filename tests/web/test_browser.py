"""The real app in headless Chromium (Debian package) driven by Playwright.

The server runs with uvicorn in a thread on a free loopback port, on data written through the
models and services. A missing /usr/bin/chromium fails these tests; it never skips them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from flarewatch.web.screenshots import capture, live_server

from .conftest import WebEnv, make_env
from .seed import PASSWORD, Seeded, add_alert, add_mention

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, _template: tuple[Path, Seeded]
) -> Iterator[tuple[str, WebEnv]]:
    env = make_env(tmp_path_factory.mktemp("browser"), _template)
    with live_server(env.app) as url:
        yield url, env
    env.engine.dispose()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


def sign_in(page: Page, url: str, email: str) -> None:
    page.goto(f"{url}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/")


def test_sign_in_and_dashboard_shows_the_data(page: Page, server: tuple[str, WebEnv]) -> None:
    url, env = server
    page.goto(f"{url}/w/acme")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.fill("#email", env.seeded.users["acme-analyst"])
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{url}/w/acme")
    expect(page.locator("#alert-list")).to_contain_text("lost-luggage complaints surge")
    expect(page.locator("#mention-list .mention").first).to_be_visible()
    hebrew = page.locator(".mention-text", has_text="אקמה").first
    expect(hebrew).to_have_attribute("dir", "auto")
    # Chart.js drew on the canvas (it sizes it and keeps the chart on the element).
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.getElementById('chart-volume'))"
    )


def test_acknowledge_from_the_dashboard(page: Page, server: tuple[str, WebEnv]) -> None:
    url, env = server
    sign_in(page, url, env.seeded.users["acme-responder"])
    page.goto(f"{url}/w/acme")
    alert = page.locator(f"#alert-{env.seeded.alerts['acme'][0]}")
    alert.get_by_role("button", name="Acknowledge").click()
    expect(alert.locator(".status-badge")).to_have_attribute("data-status", "acknowledged")
    expect(alert).to_contain_text(env.seeded.users["acme-responder"])
    page.reload()
    expect(alert.locator(".status-badge")).to_have_attribute("data-status", "acknowledged")


def test_hebrew_is_right_to_left(page: Page, server: tuple[str, WebEnv]) -> None:
    url, env = server
    sign_in(page, url, env.seeded.users["acme-viewer"])
    page.goto(f"{url}/w/acme/alerts")
    page.select_option("#lang-select", "he")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "he")
    expect(page.locator("h1")).to_have_text("תיבת התראות")
    assert page.evaluate("() => getComputedStyle(document.body).direction") == "rtl"
    page.goto(f"{url}/w/acme")
    # The chart's time axis runs right to left too.
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.getElementById('chart-volume'))"
    )
    assert page.evaluate(
        "() => Chart.getChart(document.getElementById('chart-volume')).options.scales.x.reverse"
    )


def test_viewer_cannot_acknowledge(page: Page, server: tuple[str, WebEnv]) -> None:
    url, env = server
    sign_in(page, url, env.seeded.users["acme-viewer"])
    alert_id = env.seeded.alerts["acme"][1]
    page.goto(f"{url}/w/acme/alerts")
    expect(page.locator(f"#alert-{alert_id}")).to_be_visible()
    expect(page.get_by_role("button", name="Acknowledge")).to_have_count(0)
    # Hidden is not enough: the server refuses the request itself.
    status = page.evaluate(
        """async ([id, token]) => (await fetch(`/w/acme/alerts/${id}/acknowledge`, {
            method: "POST", headers: {"X-CSRF-Token": token}})).status""",
        [alert_id, page.locator("input[name=csrf_token]").first.input_value()],
    )
    assert status == 403


def test_live_alert_and_mention_appear_without_reload(
    page: Page, server: tuple[str, WebEnv]
) -> None:
    url, env = server
    sign_in(page, url, env.seeded.users["acme-admin"])
    page.goto(f"{url}/w/acme")
    page.evaluate("() => { window.__notReloaded = true; }")
    page.wait_for_timeout(300)  # the event stream connects
    alert_id = add_alert(env.engine, env.seeded, "acme", "Live: boycott hashtag trending")
    mention_id = add_mention(env.engine, env.seeded, "acme", "חרם על אקמה מתפשט ברשת")
    expect(page.locator(f"#alert-{alert_id}")).to_contain_text("boycott hashtag", timeout=8000)
    expect(page.locator(f"#mention-{mention_id}")).to_contain_text("חרם על אקמה")
    assert page.evaluate("() => window.__notReloaded === true")


def test_other_workspaces_case_is_not_found(page: Page, server: tuple[str, WebEnv]) -> None:
    url, env = server
    sign_in(page, url, env.seeded.users["acme-admin"])
    response = page.goto(f"{url}/w/globex/cases/{env.seeded.cases['globex']}")
    assert response is not None and response.status == 404
    response = page.goto(f"{url}/w/acme/cases/{env.seeded.cases['globex']}")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("Not found")


def test_screenshots(server: tuple[str, WebEnv], browser: Browser, tmp_path: Path) -> None:
    """FLAREWATCH_SCREENSHOTS=docs/screenshots refreshes the README's screenshots."""
    url, env = server
    out = Path(os.environ.get("FLAREWATCH_SCREENSHOTS") or tmp_path)
    written = capture(
        url,
        out,
        "acme",
        env.seeded.cases["acme"],
        email=env.seeded.users["acme-admin"],
        password=PASSWORD,
        browser=browser,
    )
    assert len(written) == 9 and all(p.stat().st_size > 10_000 for p in written)
