"""The inbox in headless Chromium: j / k move between posts, x selects, a bulk action applies."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from flarewatch.db.engine import session_scope
from flarewatch.mentions.models import PostTag
from flarewatch.web.screenshots import live_server

from .conftest import WebEnv, make_env
from .seed import Seeded
from .test_browser import page, sign_in  # noqa: F401  (shared fixtures)

pytestmark = pytest.mark.browser
CURRENT = re.compile(r"\bcurrent\b")


@pytest.fixture(scope="module")
def inbox_server(
    tmp_path_factory: pytest.TempPathFactory, _template: tuple[Path, Seeded]
) -> Iterator[tuple[str, WebEnv]]:
    env = make_env(tmp_path_factory.mktemp("inbox-browser"), _template)
    with live_server(env.app) as url:
        yield url, env
    env.engine.dispose()


def test_keyboard_moves_selects_and_a_bulk_tag_applies(
    page: Page,  # noqa: F811
    browser: Browser,  # noqa: F811
    inbox_server: tuple[str, WebEnv],
) -> None:
    url, env = inbox_server
    sign_in(page, url, env.seeded.users["acme-responder"])
    page.goto(f"{url}/w/acme/mentions")
    expect(page.locator(".keyboard-help")).to_contain_text("Keyboard shortcuts")
    rows = page.locator("#mention-list .mention")
    first_id, second_id = rows.nth(0).get_attribute("id"), rows.nth(1).get_attribute("id")
    assert first_id and second_id

    page.keyboard.press("j")
    expect(page.locator(f"#{first_id}")).to_have_class(CURRENT)
    page.keyboard.press("j")
    expect(page.locator(f"#{second_id}")).to_have_class(CURRENT)
    expect(page.locator(f"#{first_id}")).not_to_have_class(CURRENT)
    page.keyboard.press("x")
    expect(page.locator(f"#{second_id} .select-row")).to_be_checked()
    page.keyboard.press("k")
    expect(page.locator(f"#{first_id}")).to_have_class(CURRENT)
    page.keyboard.press("x")
    page.keyboard.press("x")  # twice: unselected again
    expect(page.locator(f"#{first_id} .select-row")).not_to_be_checked()

    # Letters typed into a field are text, not shortcuts.
    page.fill("#bulk-tag", "")
    page.locator("#bulk-tag").press_sequentially("jx")
    expect(page.locator("#bulk-tag")).to_have_value("jx")
    expect(page.locator(f"#{first_id} .select-row")).not_to_be_checked()
    page.fill("#bulk-tag", "press")
    page.get_by_role("button", name="Add tag").click()
    page.wait_for_url(f"{url}/w/acme/mentions")
    expect(page.locator(f"#{second_id}")).to_contain_text("#press")
    expect(page.locator(f"#{first_id}")).not_to_contain_text("#press")
    with session_scope(env.engine) as session:
        assert list(session.scalars(select(PostTag.tag))) == ["press"]
