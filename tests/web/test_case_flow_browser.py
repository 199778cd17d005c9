"""The whole case room in one sitting, in headless Chromium, as a responder would work it: open a
case from an alert, see who started it, route it to its owner (delivered to a real HTTP
receiver), apply a playbook, complete a task, move the case to monitoring; then the story comes
back (new posts stored through the real pipeline, the runner's cycle checks the watch) and the
page shows the case reopened with its relapse alert; last, the post-mortem PDF downloaded from
the page in English and in Hebrew, checked with pypdf."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pypdf
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from flarewatch.alerts.models import Alert
from flarewatch.config.workspace import WorkspaceConfig
from flarewatch.db.base import utcnow
from flarewatch.db.engine import session_scope
from flarewatch.mentions.models import Author, RawPost
from flarewatch.mentions.post import Post
from flarewatch.pipeline.batch import process_batch
from flarewatch.pipeline.context import build_context
from flarewatch.playbooks.library import shipped
from flarewatch.runtime.embedded import EmbeddedRunner
from flarewatch.sources.models import Source
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
    env = make_env(tmp_path_factory.mktemp("case-flow"), _template)
    with live_server(env.app) as url:
        yield url, env
    env.engine.dispose()


def _page(browser: Browser, locale: str) -> Page:
    context = browser.new_context(
        locale=locale,
        viewport={"width": 1280, "height": 900},
        accept_downloads=True,
        extra_http_headers={"Accept-Language": locale.split("-")[0]},
    )
    context.set_default_timeout(20_000)
    return context.new_page()


def _sign_in(page: Page, url: str, email: str) -> None:
    page.goto(f"{url}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("button.primary[type=submit]").click()
    page.wait_for_url(f"{url}/")


def _prepare(env: WebEnv, receiver_url: str) -> tuple[int, str, str]:
    """The crisis alert (no case yet) gets the workspace's four newest posts as its key posts,
    the workspace an owner reached at the HTTP receiver; returns the alert, its title and the
    handle of the author of its oldest post (the story's first)."""
    alert_id = env.seeded.alerts["acme"][0]
    with session_scope(env.engine) as session:
        ws = session.get_one(Workspace, env.seeded.workspaces["acme"])
        ws.config = WorkspaceConfig.model_validate(
            {
                "slug": "acme",
                "name": "Acme Air",
                "owners": [{"key": "ops", "name": "Ground ops", "contacts": [receiver_url]}],
                "case_types": [{"key": "service_failure", "owner": "ops"}],
            }
        ).model_dump(mode="json")
        alert = session.get_one(Alert, alert_id)
        posts = session.scalars(
            select(RawPost)
            .where(RawPost.workspace_id == ws.id)
            .order_by(RawPost.created_at.desc())
            .limit(4)
        ).all()
        alert.post_ids = [p.id for p in posts]
        oldest = posts[-1]
        author = session.get_one(Author, oldest.author_id)
        # The runner's cycle below polls nothing: the new posts are stored by the test.
        for source in session.scalars(select(Source).where(Source.workspace_id == ws.id)):
            source.enabled = False
        return alert_id, alert.title, author.handle


COMPLAINTS = (
    "Acme Air lost my luggage again, worst airline ever",
    "Three days and Acme still cannot tell me where my suitcase is. Terrible service",
    "Never flying Acme again: rude staff at the desk and my bag is gone",
    "Acme Air customer support hung up on me twice today, awful",
    "My wedding dress was in that bag. Acme, you ruined everything, disgraceful",
    "Still waiting for a refund from Acme after the cancelled flight. Shameful",
    "Acme lost the stroller of my baby, horrible experience at the airport",
    "Is anyone at Acme Air even answering emails? Worst customer care I have seen",
    "The Acme lost-and-found line is a joke, nobody picks up, pathetic",
    "Acme Air broke my guitar and refuses to pay for it. Disgusting",
    "Another angry passenger here: Acme misplaced all our bags in Larnaca, terrible",
    "Acme's apology means nothing while my medicine is still in the lost suitcase, awful",
    "Boycott Acme Air, they treat passengers horribly and lose everything",
    "Acme Air promised a call back within a day, a week later nothing. Useless",
)


def _the_story_comes_back(env: WebEnv, since: datetime) -> None:
    """Angry posts after the move to monitoring, each by its own person, through the pipeline
    (normalise, dedup, match, enrich, store) as a source's batch would arrive."""
    now = utcnow()
    step = (now - since) / (len(COMPLAINTS) + 1)
    posts = [
        Post(
            external_id=f"relapse-{i}",
            text=text,
            author=f"passenger{i}",
            platform="twitter",
            language="en",
            created_at=since + step * (i + 1),
        )
        for i, text in enumerate(COMPLAINTS)
    ]
    with session_scope(env.engine) as session:
        ws = session.get_one(Workspace, env.seeded.workspaces["acme"])
        source_id = env.seeded.sources["acme"]
        report = process_batch(session, build_context(session, ws), source_id, posts, now=now)
    assert report.stored == len(COMPLAINTS), report


def test_alert_to_case_to_relapse_to_postmortem(
    browser: Browser, server: tuple[str, WebEnv], tmp_path: Path
) -> None:
    url, env = server
    http, receiver = start_http_receiver()
    try:
        alert_id, title, first_handle = _prepare(env, receiver.url())
        page = _page(browser, "en-US")
        _sign_in(page, url, env.seeded.users["acme-responder"])

        # Open a case from the alert's page.
        page.goto(f"{url}/w/acme/alerts/{alert_id}")
        page.get_by_role("button", name="Open a case").click()
        page.wait_for_url("**/w/acme/cases/*")
        case_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
        expect(page.locator("h1")).to_contain_text(title)

        # Who started it: the first post's author.
        origin = page.locator("#originator")
        expect(origin.get_by_role("heading", name="Who started it")).to_be_visible()
        expect(origin.locator(".first-post")).not_to_be_empty()
        expect(origin.locator(".origin-author .handle")).to_have_text(first_handle)

        # Route it to the owner: the HTTP receiver gets the request.
        page.select_option("#case-type", "service_failure")
        page.fill("#routing-note", "Were the bags left in Larnaca?")
        page.get_by_role("button", name="Send to the owner").click()
        routing = page.locator("#routing li.routing").first
        expect(routing).to_contain_text("Ground ops")
        expect(routing.locator("[data-status]")).to_have_text("Waiting for their answer")
        assert len(receiver.requests) == 1
        assert "Were the bags left in Larnaca?" in receiver.requests[0][1]["message"]

        # Apply a playbook and complete its first task.
        page.locator("#playbook-select").select_option("service-outage")
        page.locator("#playbooks").get_by_role("button", name="Apply playbook").click()
        first_step = shipped()["service-outage"].stages()[0][1][0].en
        step = page.locator("[data-playbook='service-outage'] li.task", has_text=first_step)
        expect(step).to_have_class("task task-open")
        step.get_by_role("button", name="Done").click()
        step = page.locator("[data-playbook='service-outage'] li.task", has_text=first_step)
        expect(step).to_have_class("task task-done")
        expect(page.locator("#goals [data-goal='first_response']")).to_be_visible()

        # Move it to monitoring: the follow-up watch starts.
        page.select_option("#status-select", "monitoring")
        page.locator("#status-select ~ button[type=submit]").click()
        expect(page.locator("#case-status")).to_have_text("Monitoring")
        expect(page.locator("#watch-status")).to_have_attribute("data-watch", "watching")
        moved = utcnow()

        # The story comes back; the runner's next cycle checks the watch and reopens the case.
        _the_story_comes_back(env, moved)
        runner = EmbeddedRunner(env.engine)
        report = runner.cycle(["acme"])
        assert report.cases_reopened == [case_id]

        page.reload()
        expect(page.locator("#case-status")).to_have_text("Responding")
        watch = page.locator("#watch-status")
        expect(watch).to_have_attribute("data-watch", "relapsed")
        expect(watch).to_contain_text("the case was reopened")
        expect(page.locator("#timeline")).to_contain_text("Relapse (monitoring → responding)")
        watch.locator("a").click()
        page.wait_for_url("**/w/acme/alerts/*")
        expect(page.locator("main")).to_contain_text(f"Case #{case_id} relapsed")

        # The post-mortem, downloaded from the case page.
        page.goto(f"{url}/w/acme/cases/{case_id}")
        with page.expect_download() as info:
            page.locator("#pm-pdf").click()
        assert info.value.suggested_filename == f"case-{case_id}-postmortem.pdf"
        english = tmp_path / "en.pdf"
        info.value.save_as(english)
        reader = pypdf.PdfReader(english)
        assert len(reader.pages) >= 1
        text = " ".join(p.extract_text() for p in reader.pages)
        assert title in " ".join(text.split())
        assert "Response times" in text
        page.context.close()

        hebrew = _page(browser, "he-IL")
        _sign_in(hebrew, url, env.seeded.users["acme-responder"])
        hebrew.goto(f"{url}/w/acme/cases/{case_id}")
        expect(hebrew.locator("html")).to_have_attribute("dir", "rtl")
        with hebrew.expect_download() as info:
            hebrew.locator("#pm-pdf").click()
        target = tmp_path / "he.pdf"
        info.value.save_as(target)
        reader = pypdf.PdfReader(target)
        assert len(reader.pages) >= 1
        text = " ".join(p.extract_text() for p in reader.pages)
        assert "תחקיר" in text
        assert title in " ".join(text.split())
        hebrew.context.close()
    finally:
        http.shutdown()
        http.server_close()
