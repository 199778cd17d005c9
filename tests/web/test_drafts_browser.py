"""A draft from the first words to the published post, in headless Chromium (issue 21 §10): a
responder writes a draft with a blaming phrase, sees the tone check flag it as they type, fixes
it, sends it for approval; the legal approver signs in and approves; the page shows it approved
and locked; the responder publishes it now through the workspace's Mastodon channel — a local
server answering as Mastodon documents — and the post's link shows on the draft and the case."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from flarewatch.cases.roles import assign_role
from flarewatch.config.workspace import WorkspaceConfig
from flarewatch.db.engine import session_scope
from flarewatch.web.screenshots import live_server
from flarewatch.workspaces.models import Workspace
from tests.comms.platform_server import Reply, platform_server

from .conftest import WebEnv, make_env
from .seed import PASSWORD, Seeded

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, _template: tuple[Path, Seeded]
) -> Iterator[tuple[str, WebEnv]]:
    env = make_env(tmp_path_factory.mktemp("drafts"), _template)
    with live_server(env.app) as url:
        yield url, env
    env.engine.dispose()


def _page(browser: Browser) -> Page:
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    return context.new_page()


def _sign_in(page: Page, url: str, email: str) -> None:
    page.goto(f"{url}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("button.primary[type=submit]").click()
    page.wait_for_url(f"{url}/")


def test_draft_tone_check_approval_lock_and_publish(
    server: tuple[str, WebEnv], browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, env = server
    monkeypatch.setenv("MASTO_TOKEN", "masto-secret")
    mastodon = platform_server()
    masto = mastodon.__enter__()
    masto.on(
        "POST",
        "/api/v1/statuses",
        Reply(200, {"id": "4242", "url": "https://masto.example/@acme/4242"}),
    )
    slug, case_id = env.seeded.slugs["acme"], env.seeded.cases["acme"]
    with session_scope(env.engine) as session:
        workspace = session.get_one(Workspace, env.seeded.workspaces["acme"])
        workspace.config = WorkspaceConfig.model_validate(
            {
                "slug": slug,
                "name": workspace.name,
                "approvals": {"steps": [{"name": "legal", "approvers": ["role:legal"]}]},
                "channels": [
                    {
                        "key": "masto",
                        "platform": "mastodon",
                        "instance": masto.url,
                        "token_env": "MASTO_TOKEN",
                    }
                ],
            }
        ).model_dump(mode="json")
        assign_role(
            session, case_id, "legal", "approver@acme.test", "admin", workspace_id=workspace.id
        )

    writer = _page(browser)
    _sign_in(writer, url, "responder@acme.test")
    writer.goto(f"{url}/w/{slug}/cases/{case_id}")
    section = writer.locator("#communication")
    expect(section).to_contain_text("No drafts yet.")
    section.get_by_role("link", name="Write a draft").click()
    writer.wait_for_url(f"{url}/w/{slug}/cases/{case_id}/drafts/new")
    writer.select_option("#draft-platform", "mastodon")
    writer.fill("#draft-text", "No comment. The customer misused the grill.")
    blame = writer.locator('#tone-check .tone-flag[data-flag="blame"]')
    expect(blame).to_be_visible()
    expect(blame.locator(".tone-phrase")).to_contain_text("misused")
    writer.fill(
        "#draft-text", "We are sorry. We are checking every grill and will update you by 18:00."
    )
    expect(writer.locator("#tone-check .tone-clean")).to_be_visible()
    expect(writer.locator("#tone-check .tone-flag")).to_have_count(0)
    writer.get_by_role("button", name="Save draft").click()
    writer.wait_for_url(f"{url}/w/{slug}/cases/{case_id}/drafts/*")
    draft_url = writer.url
    expect(writer.locator("#draft-status")).to_have_attribute("data-status", "draft")
    writer.locator("#submit-draft").click()
    expect(writer.locator("#draft-status")).to_have_attribute("data-status", "in_review")
    expect(writer.locator('#approval .approver[data-status="pending"]')).to_contain_text(
        "approver@acme.test"
    )
    expect(writer.locator("#approve-draft")).to_have_count(0)  # four eyes

    approver = _page(browser)
    _sign_in(approver, url, "approver@acme.test")
    approver.goto(draft_url)
    approver.fill("#decision-comment", "Checked with legal: fine.")
    approver.locator("#approve-draft").click()
    expect(approver.locator("#draft-status")).to_have_attribute("data-status", "approved")
    expect(approver.locator("#draft-locked")).to_contain_text("approved and locked")
    expect(approver.locator('#approval .approver[data-status="approved"]')).to_contain_text(
        "Checked with legal: fine."
    )
    # The case page lists it as approved, and its timeline has every step.
    approver.goto(f"{url}/w/{slug}/cases/{case_id}")
    expect(approver.locator('#communication [data-status="approved"]')).to_have_count(1)
    expect(approver.locator("#timeline")).to_contain_text("approved: version 1 is locked")

    # Publish now through the channel: the approved text reaches the platform, the link shows.
    writer.goto(draft_url)
    writer.select_option("#publish-channel", "masto")
    writer.locator("#publish-button").click()
    writer.goto(draft_url)
    link = writer.locator("#draft-publish a", has_text="View post")
    expect(link).to_have_attribute("href", "https://masto.example/@acme/4242")
    sent = masto.to("/api/v1/statuses")
    assert [r.form()["status"] for r in sent] == [
        "We are sorry. We are checking every grill and will update you by 18:00."
    ]
    assert sent[0].headers["authorization"] == "Bearer masto-secret"
    writer.goto(f"{url}/w/{slug}/cases/{case_id}")
    expect(writer.locator("#timeline a", has_text="View post")).to_have_attribute(
        "href", "https://masto.example/@acme/4242"
    )
    writer.context.close()
    approver.context.close()
    mastodon.__exit__(None, None, None)
