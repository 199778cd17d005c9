"""The rota page and the one-click acknowledgement link in headless Chromium: a swap asked for
by one member and accepted by another changes the calendar; the link's page acknowledges only
when its button is pressed, in Hebrew right to left."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from flarewatch.accounts import service as accounts
from flarewatch.alerts.models import Alert
from flarewatch.alerts.service import raise_alerts
from flarewatch.db.base import utcnow
from flarewatch.db.engine import session_scope
from flarewatch.oncall.acklink import make_token
from flarewatch.web.i18n import LOCALE_COOKIE
from flarewatch.web.screenshots import live_server
from flarewatch.workspaces.models import Workspace
from tests.alerts.helpers import candidate

from .conftest import WebEnv, make_env
from .seed import Seeded
from .test_browser import page, sign_in  # noqa: F401  (shared fixtures)
from .test_rota_page import with_rota

pytestmark = pytest.mark.browser


@pytest.fixture
def oncall_server(tmp_path: Path, _template: tuple[Path, Seeded]) -> Iterator[tuple[str, WebEnv]]:
    env = make_env(tmp_path, _template)
    with_rota(env)
    with session_scope(env.engine) as session:
        for who in ("acme-admin", "acme-responder"):
            user = accounts.get_user_by_email(session, env.seeded.users[who])
            assert user is not None
            user.timezone = "Asia/Jerusalem"
    with live_server(env.app) as url:
        yield url, env
    env.engine.dispose()


def test_a_swap_asked_and_accepted_shows_on_the_calendar(
    page: Page,  # noqa: F811
    browser: Browser,  # noqa: F811
    oncall_server: tuple[str, WebEnv],
) -> None:
    url, env = oncall_server
    sign_in(page, url, env.seeded.users["acme-responder"])
    page.goto(f"{url}/w/acme/oncall")
    expect(page.locator("#rota-duty tr[data-day]")).to_have_count(14)
    tomorrow = (utcnow() + timedelta(days=1)).astimezone(ZoneInfo("Asia/Jerusalem")).date()
    day = page.locator(f'#rota-duty tr[data-day="{tomorrow.isoformat()}"]')
    before = day.locator(".shift").first.get_attribute("data-person")
    taker = "dana" if before == "piotr" else "piotr"
    page.locator("#swap-form summary").click()
    page.select_option("#s-replaces", before or "dana")
    page.select_option("#s-person", taker)
    page.fill("#s-start", f"{tomorrow.isoformat()}T00:00")
    page.fill("#s-end", f"{(tomorrow + timedelta(days=1)).isoformat()}T00:00")
    page.locator('[data-action="request-swap"]').click()
    page.wait_for_url(f"{url}/w/acme/oncall")
    expect(page.locator('#rota-changes tr[data-status="requested"]')).to_have_count(1)
    expect(page.locator('#rota-changes [data-action="accept"]')).to_have_count(0)  # own request

    other = browser.new_page()
    sign_in(other, url, env.seeded.users["acme-admin"])
    other.goto(f"{url}/w/acme/oncall")
    other.locator('#rota-changes [data-action="accept"]').click()
    other.wait_for_url(f"{url}/w/acme/oncall")
    expect(other.locator('#rota-changes tr[data-status="accepted"]')).to_have_count(1)
    day = other.locator(f'#rota-duty tr[data-day="{tomorrow.isoformat()}"] .shift')
    expect(day).to_have_count(1)
    expect(day.first).to_have_attribute("data-person", taker)
    other.close()


def test_the_ack_link_page_acknowledges_only_on_its_button_in_hebrew(
    page: Page,  # noqa: F811
    oncall_server: tuple[str, WebEnv],
) -> None:
    url, env = oncall_server
    with session_scope(env.engine) as session:
        workspace = session.scalars(select(Workspace).where(Workspace.slug == "acme")).one()
        [alert] = raise_alerts(
            session, workspace, [candidate(workspace, "crisis", group_key="topic:b")], utcnow()
        )
        alert_id = alert.id
    token = make_token(env.app.state.secret_key, alert_id, "dana", hours=24)
    page.context.add_cookies([{"name": LOCALE_COOKIE, "value": "he", "url": url}])
    page.goto(f"{url}/ack/{token}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#ack-link h1")).to_contain_text(f"#{alert_id}")
    with session_scope(env.engine) as session:
        assert session.get_one(Alert, alert_id).status == "open"  # opening is not acknowledging
    page.locator('[data-action="acknowledge"]').click()
    expect(page.locator("#ack-result")).to_have_attribute("data-status", "acknowledged")
    with session_scope(env.engine) as session:
        stored = session.get_one(Alert, alert_id)
        assert (stored.status, stored.acknowledged_by) == ("acknowledged", "dana")
