"""The on-call editor in headless Chromium: an admin changes a rota's members and handover and
the rota page's calendar follows at once; a responder is refused the editor (403)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import WebEnv
from .test_browser import page, sign_in  # noqa: F401  (shared fixtures)
from .test_oncall_browser import oncall_server  # noqa: F401  (shared fixture)

pytestmark = pytest.mark.browser


def test_an_admin_edits_the_rota_and_the_calendar_changes(
    page: Page,  # noqa: F811
    browser: Browser,  # noqa: F811
    oncall_server: tuple[str, WebEnv],  # noqa: F811
) -> None:
    url, env = oncall_server
    sign_in(page, url, env.seeded.users["acme-admin"])
    page.goto(f"{url}/w/acme/oncall")
    shifts = page.locator("#rota-duty .shift")
    expect(page.locator('#rota-duty .shift[data-person="dana"]').first).to_be_visible()
    page.locator('[data-action="setup"]').click()
    page.wait_for_url(f"{url}/w/acme/oncall/setup")
    page.locator("#rotas-duty summary").click()
    page.select_option("#rota-duty-rotation", "daily")
    page.fill("#rota-duty-handover", "07:00")
    page.fill("#rota-duty-members", "noa-x")
    page.locator('#rota-duty [data-action="save-rota"]').click()
    # A member who is not one of the people: refused, the field named, nothing saved.
    expect(page.locator('[data-problems="rotas"]')).to_contain_text("members[0]")
    expect(page.locator('[data-problems="rotas"]')).to_contain_text("is not one of the people")
    page.fill("#rota-duty-members", "piotr, dana")
    page.locator('#rota-duty [data-action="save-rota"]').click()
    page.wait_for_url(f"{url}/w/acme/oncall/setup#rotas-duty")
    expect(page.locator('#rotas-duty [data-origin="web"]')).to_have_count(1)
    page.goto(f"{url}/w/acme/oncall")
    # Before: one weekly handover, Sunday 09:00. Now piotr and dana take turns every day at
    # 07:00 (Jerusalem, the viewer's zone): each of the 14 days is cut there, 09:00 is gone.
    expect(shifts).to_have_count(28)
    expect(page.locator("#rota-duty time", has_text="07:00")).to_have_count(28)
    expect(page.locator("#rota-duty time", has_text="09:00")).to_have_count(0)
    expect(page.locator('#rota-duty .shift[data-person="piotr"]')).to_have_count(14)

    other = browser.new_page()
    sign_in(other, url, env.seeded.users["acme-responder"])
    response = other.goto(f"{url}/w/acme/oncall/setup")
    assert response is not None and response.status == 403
    other.goto(f"{url}/w/acme/oncall")
    expect(other.locator('[data-action="setup"]')).to_have_count(0)
    expect(other.locator('#rota-duty .shift[data-person="piotr"]')).to_have_count(14)
    other.close()
