"""The Private contact section in headless Chromium, read in Hebrew: open a contact for the
story's first author from the case page, see the window right to left with the handle
isolated, record the private reply and see the window shut."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from flarewatch.alerts.models import Alert
from flarewatch.cases.models import Case
from flarewatch.db.base import utcnow
from flarewatch.db.engine import session_scope
from flarewatch.mentions.models import Author, RawPost
from flarewatch.web.screenshots import live_server
from tests.web.conftest import (  # noqa: F401  (the seeded template, fast hashing, Chromium)
    WebEnv,
    _fast_password_hashing,
    _template,
    browser,
    make_env,
)
from tests.web.seed import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory,
    _template: tuple[Path, Any],  # noqa: F811
) -> Iterator[tuple[str, WebEnv]]:
    env = make_env(tmp_path_factory.mktemp("contact"), _template)
    with live_server(env.app) as url:
        yield url, env
    env.engine.dispose()


def _story_post(env: WebEnv) -> int:
    """The case's alert rests on one post: a Facebook comment from three days ago by an
    author with a Hebrew name."""
    with session_scope(env.engine) as session:
        case = session.get_one(Case, env.seeded.cases["acme"])
        post = session.scalars(
            select(RawPost)
            .where(RawPost.workspace_id == case.workspace_id, RawPost.author_id.is_not(None))
            .order_by(RawPost.id)
        ).first()
        assert post is not None and case.alert_id is not None
        post.platform = "facebook"
        post.created_at = utcnow() - timedelta(days=3)
        session.get_one(Author, post.author_id).handle = "רונית_לוי"
        session.get_one(Alert, case.alert_id).post_ids = [post.id]
        return post.id


def test_a_hebrew_reader_opens_and_records_a_private_contact(
    browser: Browser,  # noqa: F811
    server: tuple[str, WebEnv],
) -> None:
    url, env = server
    post_id = _story_post(env)
    context = browser.new_context(locale="he-IL", extra_http_headers={"Accept-Language": "he"})
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto(f"{url}/login")
    page.fill("#email", env.seeded.users["acme-responder"])
    page.fill("#password", PASSWORD)
    page.locator("button.primary[type=submit]").click()
    page.wait_for_url(f"{url}/")
    page.goto(f"{url}/w/acme/cases/{env.seeded.cases['acme']}")

    section = page.locator("#contact")
    expect(section.locator("h2")).to_have_text("פנייה פרטית")
    section.locator("#contact-post").select_option(str(post_id))
    section.locator("#contact-open-form button[type=submit]").click()
    page.wait_for_url("**#contact")

    window = section.locator(".contact-window")
    expect(window).to_contain_text("אפשר לשלוח הודעה עד")
    expect(window).to_contain_text("בעוד 4 ימים")
    assert window.evaluate("el => getComputedStyle(el).direction") == "rtl"
    expect(section.locator("h3 span[dir=auto]")).to_have_text("רונית_לוי")
    entry = page.locator(".tl-contact .tl-text").first
    expect(entry).to_contain_text("נפתחה פנייה פרטית #1")
    expect(entry.locator("bdi").first).to_have_text("רונית_לוי")

    section.locator("summary", has_text="תיעוד הודעה שנשלחה").click()
    section.locator("form[action$='/sent'] button[type=submit]").click()
    page.wait_for_url("**#contact")
    expect(section.locator(".contact-window")).to_contain_text(
        "כרגע אי אפשר לשלוח הודעה פרטית בערוץ הזה"
    )
    expect(section.locator(".contact-why")).to_contain_text("ומותרת רק אחת")
    context.close()
