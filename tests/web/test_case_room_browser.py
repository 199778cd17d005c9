"""The case room in headless Chromium: open a case, see who started it, apply a playbook,
complete one of its tasks, filter the timeline."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from flarewatch.playbooks.library import shipped
from flarewatch.web.screenshots import live_server

from .conftest import WebEnv, make_env
from .seed import PASSWORD, Seeded
from .test_case_room import _give_the_alert_posts

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, _template: tuple[Path, Seeded]
) -> Iterator[tuple[str, WebEnv]]:
    env = make_env(tmp_path_factory.mktemp("case-room"), _template)
    _give_the_alert_posts(env)
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


def test_open_a_case_see_the_originator_apply_a_playbook_complete_a_task_filter(
    page: Page, server: tuple[str, WebEnv]
) -> None:
    url, env = server
    page.goto(f"{url}/login")
    page.fill("#email", env.seeded.users["acme-responder"])
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/")
    case_id = env.seeded.cases["acme"]
    page.goto(f"{url}/w/acme/cases")
    page.locator(f"a[href='/w/acme/cases/{case_id}']").first.click()
    page.wait_for_url(f"{url}/w/acme/cases/{case_id}")

    origin = page.locator("#originator")
    expect(origin.get_by_role("heading", name="Who started it")).to_be_visible()
    expect(origin.locator(".first-post")).not_to_be_empty()
    expect(origin.locator("svg.cascade circle.node.first")).to_have_count(1)
    assert origin.locator("svg.cascade circle.node").count() >= 4
    expect(origin.locator("svg.cascade line.link-reply")).to_have_count(1)
    expect(origin.locator(".grievance")).not_to_be_empty()

    playbooks = page.locator("#playbooks")
    playbooks.locator("#playbook-select").select_option("service-outage")
    playbooks.get_by_role("button", name="Apply playbook").click()
    plan = page.locator("[data-playbook='service-outage']")
    expect(plan).to_be_visible()
    first_step = shipped()["service-outage"].stages()[0][1][0].en
    step = plan.locator("li.task", has_text=first_step)
    expect(step).to_have_class("task task-open")
    step.get_by_role("button", name="Done").click()
    step = page.locator("[data-playbook='service-outage'] li.task", has_text=first_step)
    expect(step).to_have_class("task task-done")
    expect(page.locator("#goals [data-goal='first_response']")).to_be_visible()

    page.locator("#timeline-filter input[value='playbook']").check()
    page.locator("#timeline-filter").get_by_role("button", name="Filter").click()
    page.wait_for_url("**kind=playbook**")
    items = page.locator("#timeline li.tl-item")
    expect(items).to_have_count(1)
    expect(items.first).to_have_class("tl-item tl-playbook")
    expect(items.first).to_contain_text("Service outage")


def test_cascade_chart_reads_left_to_right_in_the_hebrew_ui(
    browser: Browser, server: tuple[str, WebEnv]
) -> None:
    url, env = server
    context = browser.new_context(
        locale="he-IL",
        viewport={"width": 1280, "height": 900},
        extra_http_headers={"Accept-Language": "he"},
    )
    page = context.new_page()
    page.goto(f"{url}/login")
    page.fill("#email", env.seeded.users["acme-viewer"])
    page.fill("#password", PASSWORD)
    page.locator("#password").press("Enter")
    page.wait_for_url(f"{url}/")
    page.goto(f"{url}/w/acme/cases/{env.seeded.cases['acme']}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    chart = page.locator("#originator svg.cascade")
    box = chart.bounding_box()
    assert box is not None
    for label in chart.locator("text").all():
        drawn = label.bounding_box()
        assert drawn is not None and drawn["width"] > 0
        # Inside the chart: in a right-to-left page the labels must not run off its left edge.
        assert box["x"] <= drawn["x"] and drawn["x"] + drawn["width"] <= box["x"] + box["width"]
    # The first post is the leftmost circle: time runs left to right in every language.
    first = chart.locator("circle.node.first").bounding_box()
    xs = [c.bounding_box()["x"] for c in chart.locator("circle.node").all()]  # type: ignore[index]
    assert first is not None and first["x"] <= min(xs) + 0.5
    context.close()
