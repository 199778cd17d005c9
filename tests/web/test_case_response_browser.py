"""The case room in headless Chromium: move a case to monitoring (the follow-up watch starts and
the figures before, during and after show), fill in the lessons learned and download the
post-mortem as a PDF, checked with pypdf (pages, text, Hebrew right to left); route the case to
its owner (delivered to a real HTTP receiver), record their findings and assign a role."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest
from playwright.sync_api import Browser, Page, expect

from flarewatch.config.workspace import WorkspaceConfig
from flarewatch.db.engine import session_scope
from flarewatch.web.screenshots import live_server
from flarewatch.workspaces.models import Workspace
from tests.alerts.conftest import start_http_receiver

from .conftest import WebEnv, make_env
from .seed import PASSWORD, Seeded

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, _template: tuple[Path, Seeded]
) -> Iterator[tuple[str, WebEnv]]:
    env = make_env(tmp_path_factory.mktemp("case-room"), _template)
    with live_server(env.app) as url:
        yield url, env
    env.engine.dispose()


def _page(browser: Browser, locale: str) -> Page:
    context = browser.new_context(
        locale=locale, viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    context.set_default_timeout(15_000)
    return context.new_page()


def _sign_in(page: Page, url: str, email: str) -> None:
    page.goto(f"{url}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("button.primary[type=submit]").click()
    page.wait_for_url(f"{url}/")


def test_monitoring_lessons_and_the_postmortem_download(
    browser: Browser, server: tuple[str, WebEnv], tmp_path: Path
) -> None:
    url, env = server
    case_id = env.seeded.cases["acme"]
    page = _page(browser, "en-US")
    _sign_in(page, url, env.seeded.users["acme-responder"])
    page.goto(f"{url}/w/acme/cases/{case_id}")
    expect(page.locator("#watch-status")).to_have_attribute("data-watch", "none")

    page.select_option("#status-select", "monitoring")
    page.locator("#status-select ~ button[type=submit]").click()
    expect(page.locator("#case-status")).to_have_text("Monitoring")
    expect(page.locator("#watch-status")).to_have_attribute("data-watch", "watching")
    expect(page.locator("#watch-status")).to_contain_text("Watching the story")
    expect(page.locator("table.phases th", has_text="During the response")).to_be_visible()
    expect(page.locator("#timeline")).to_contain_text("Follow-up watch started for 7 days")

    page.fill("#review-lessons", "Answer within the hour")
    page.fill("#review-compensation", "החזר כספי ושובר")
    page.get_by_role("button", name="Save lessons learned").click()
    expect(page.locator("#review-lessons")).to_have_value("Answer within the hour")
    expect(page.locator("#timeline")).to_contain_text("Post-mortem: “Lessons learned” updated")

    with page.expect_download() as info:
        page.locator("#pm-pdf").click()
    download = info.value
    assert download.suggested_filename == f"case-{case_id}-postmortem.pdf"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    reader = pypdf.PdfReader(target)
    assert len(reader.pages) >= 1
    text = "".join(p.extract_text() for p in reader.pages)
    assert "Response times" in text and "Answer within the hour" in text
    assert "החזר כספי" in text
    page.context.close()

    # The same download from the Hebrew UI: a right-to-left report.
    hebrew = _page(browser, "he-IL")
    _sign_in(hebrew, url, env.seeded.users["acme-responder"])
    hebrew.goto(f"{url}/w/acme/cases/{case_id}")
    expect(hebrew.locator("#pm-h")).to_have_text("תחקיר")
    with hebrew.expect_download() as info:
        hebrew.locator("#pm-pdf").click()
    target = tmp_path / "he.pdf"
    info.value.save_as(target)
    first = pypdf.PdfReader(target).pages[0]
    width = float(first.mediabox.width)
    starts: list[float] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if "תחקיר" in text:
            starts.append(cm[0] * tm[4] + cm[4])

    first.extract_text(visitor_text=visit)
    assert starts and starts[0] > width / 2  # the title runs from the right margin
    hebrew.context.close()


def test_route_to_the_owner_record_findings_and_assign_a_role(
    browser: Browser, server: tuple[str, WebEnv]
) -> None:
    url, env = server
    http, receiver = start_http_receiver()
    try:
        with session_scope(env.engine) as session:
            ws = session.get_one(Workspace, env.seeded.workspaces["acme"])
            ws.config = WorkspaceConfig.model_validate(
                {
                    "slug": "acme",
                    "name": "Acme Air",
                    "owners": [{"key": "ops", "name": "Ground ops", "contacts": [receiver.url()]}],
                    "case_types": [{"key": "service_failure", "owner": "ops"}],
                    "roles": [{"key": "spokesperson", "checklist": ["Holding statement"]}],
                }
            ).model_dump(mode="json")
        case_id = env.seeded.cases["acme"]
        responder = env.seeded.users["acme-responder"]
        page = _page(browser, "en-US")
        _sign_in(page, url, responder)
        page.goto(f"{url}/w/acme/cases/{case_id}")
        page.select_option("#case-type", "service_failure")
        page.fill("#routing-note", "Was flight 12 late?")
        page.get_by_role("button", name="Send to the owner").click()
        routing = page.locator("#routing li.routing").first
        expect(routing).to_contain_text("Ground ops")
        expect(routing.locator("[data-status]")).to_have_text("Waiting for their answer")
        assert receiver.requests and "Was flight 12 late?" in receiver.requests[0][1]["message"]
        routing.locator("textarea").fill("Yes: three hours, a crew shortage")
        routing.get_by_role("button", name="Record findings").click()
        expect(page.locator("#routing [data-status]").first).to_have_text("Answered")
        expect(page.locator("#timeline")).to_contain_text("Findings from")

        page.select_option("#role-select", "spokesperson")
        page.select_option("#role-person", responder)
        page.get_by_role("button", name="Assign role").click()
        expect(page.locator('#roles dd[data-role="spokesperson"]')).to_contain_text(responder)
        expect(page.locator("#tasks")).to_contain_text("Holding statement")
        page.context.close()
    finally:
        http.shutdown()
        http.server_close()
