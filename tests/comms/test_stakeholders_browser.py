"""The case page's stakeholder and advocate sections in headless Chromium, read in Hebrew (right
to left): send an update now and brief an advocate by hand; the update reaches a real HTTP
receiver and both land on the timeline."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from flarewatch.comms import drafts
from flarewatch.db.engine import session_scope
from flarewatch.web.screenshots import live_server
from flarewatch.workspaces.models import Workspace
from tests.alerts.conftest import HttpReceiver, start_http_receiver
from tests.web.conftest import WebEnv, _fast_password_hashing, _template, browser, make_env  # noqa: F401
from tests.web.seed import PASSWORD, Seeded

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory,
    _template: tuple[Path, Seeded],  # noqa: F811
) -> Iterator[tuple[str, WebEnv, HttpReceiver, int]]:
    env = make_env(tmp_path_factory.mktemp("stakeholders"), _template)
    http, receiver = start_http_receiver()
    case_id = env.seeded.cases["acme"]
    with session_scope(env.engine) as session:
        workspace = session.get_one(Workspace, env.seeded.workspaces["acme"])
        cadence = {"crisis": 60, "warning": 120, "watch": 240}
        workspace.config = {
            **(workspace.config or {}),
            "stakeholder_updates": [
                {"audience": "executives", "routes": [receiver.url("exec")], "cadence": cadence}
            ],
            "advocates": [{"key": "noa", "name": "נועה לוי", "languages": ["he"]}],
        }
        fact = drafts.create_draft(
            session, case_id, "בודקים כל גריל.", "dana", workspace_id=workspace.id, platform="x"
        )
        drafts.mark_approved(session, fact, "legal")
        fact_id = fact.id
    with live_server(env.app) as url:
        yield url, env, receiver, fact_id
    http.shutdown()
    http.server_close()
    env.engine.dispose()


def test_send_now_and_brief_by_hand_in_hebrew(
    browser: Browser,  # noqa: F811
    server: tuple[str, WebEnv, HttpReceiver, int],
) -> None:
    url, env, receiver, fact_id = server
    case_id = env.seeded.cases["acme"]
    page = browser.new_context(locale="he-IL", viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{url}/login")
    page.fill("#email", env.seeded.users["acme-responder"])
    page.fill("#password", PASSWORD)
    page.locator("button.primary[type=submit]").click()
    page.wait_for_url(f"{url}/")
    page.goto(f"{url}/w/acme/cases/{case_id}")
    section = page.locator("#stakeholders")
    expect(section.locator("h2")).to_have_text("עדכונים לבעלי עניין")
    direction = section.evaluate("node => getComputedStyle(node).direction")
    assert direction == "rtl"
    expect(section.locator("td[data-last]")).to_have_attribute("data-last", "none")
    page.select_option("#stakeholder-audience", "executives")
    page.locator("#stakeholder-send button[type=submit]").click()
    expect(page.locator("#stakeholders td[data-last]")).to_have_attribute("data-last", "sent")
    assert len(receiver.requests) == 1 and receiver.requests[0][0] == "/exec"

    advocates = page.locator("#advocates")
    expect(advocates.locator("[data-advocate=noa] input")).to_be_checked()  # a default pick
    advocates.locator(f"[data-fact='{fact_id}'] input").check()
    advocates.locator("button[type=submit]").click()
    expect(page.locator("#advocates li[data-status=by_hand]")).to_contain_text("נועה לוי")
    expect(page.locator("#timeline")).to_contain_text("לשליחה ידנית")
    expect(page.locator("#timeline")).to_contain_text("עדכון לבעלי עניין")
