"""Issue 17's points in headless Chromium, one test each where the other browser tests do not
already drive them: a Polish reader's alert and case pages, a post of two topics as one row,
the dashboard's chart with its partial interval and its table, a new client from the browser."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from flarewatch.db.engine import session_scope
from flarewatch.web.screenshots import live_server
from flarewatch.workspaces.models import Topic, Workspace

from .conftest import WebEnv, make_env
from .seed import Seeded
from .test_browser import page, sign_in  # noqa: F401  (shared fixtures)
from .test_inbox import _also_in_topic
from .test_reader_language import ENGLISH, KEYS, _alert_with_every_factor

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def points_server(
    tmp_path_factory: pytest.TempPathFactory, _template: tuple[Path, Seeded]
) -> Iterator[tuple[str, WebEnv]]:
    env = make_env(tmp_path_factory.mktemp("points-browser"), _template)
    with live_server(env.app) as url:
        yield url, env
    env.engine.dispose()


def test_a_polish_reader_sees_polish_reasons_and_no_stored_keys(
    page: Page,  # noqa: F811
    points_server: tuple[str, WebEnv],
) -> None:
    url, env = points_server
    alert_id, case_id = _alert_with_every_factor(env)
    sign_in(page, url, env.seeded.users["acme-viewer"])
    page.goto(f"{url}/w/acme/alerts")
    page.select_option("#lang-select", "pl")
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    for path in (f"/w/acme/alerts/{alert_id}", f"/w/acme/cases/{case_id}"):
        page.goto(f"{url}{path}")
        text = page.locator("main").inner_text()
        assert "חרם" in text, path  # the reasons are there, in Polish sentences ...
        for key in KEYS:  # ... with no factor key and no English reason
            assert not re.search(rf"\b{key}\b", text), (path, key)
        for words in ENGLISH:
            assert words not in text, (path, words)


def test_a_post_of_two_topics_is_one_row_with_both_topics(
    page: Page,  # noqa: F811
    points_server: tuple[str, WebEnv],
) -> None:
    url, env = points_server
    newest = env.seeded.mentions["acme"]
    _also_in_topic(env, newest, "service")
    with session_scope(env.engine) as session:
        names = set(
            session.scalars(
                select(Topic.name)
                .join(Workspace, Workspace.id == Topic.workspace_id)
                .where(Workspace.slug == "acme", Topic.key.in_(["brand", "service"]))
            )
        )
    sign_in(page, url, env.seeded.users["acme-viewer"])
    page.goto(f"{url}/w/acme/mentions")
    row = page.locator(f"#mention-{newest}")
    expect(row).to_have_count(1)
    chips = {name.strip() for name in row.locator(".topic-name").all_inner_texts()}
    assert chips == names and len(names) == 2


def test_the_volume_chart_has_its_table(
    page: Page,  # noqa: F811
    points_server: tuple[str, WebEnv],
) -> None:
    url, env = points_server
    sign_in(page, url, env.seeded.users["acme-viewer"])
    page.goto(f"{url}/w/acme")
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.getElementById('chart-volume'))"
    )
    table = page.locator("details.chart-table").first
    table.locator("summary").click()
    rows = table.locator("tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 40
    # The chart's own data says whether its last interval is partial; when it is, the page says
    # so in words and the chart draws that interval differently from the others.
    partial = page.evaluate(
        "() => JSON.parse(document.getElementById('chart-data').textContent).partial"
    )
    expect(page.locator(".partial-note")).to_have_count(1 if partial else 0)
    expect(table.locator("tbody tr.partial")).to_have_count(1 if partial else 0)


def test_an_admin_creates_a_client_workspace_in_the_browser(
    page: Page,  # noqa: F811
    points_server: tuple[str, WebEnv],
) -> None:
    url, env = points_server
    sign_in(page, url, env.seeded.users["acme-admin"])
    page.goto(f"{url}/")
    page.locator('a[href="/workspaces/new"]').first.click()
    page.fill("#nw-name", "Kiosk Kolorowy")
    page.fill("#nw-slug", "kiosk")
    page.fill("#nw-tz", "Europe/Warsaw")
    page.select_option("#nw-weekend", "sat-sun")
    page.get_by_role("button", name="Create workspace").click()
    page.wait_for_url(re.compile(r"/w/kiosk/settings"))
    expect(page.locator("main")).to_contain_text("Kiosk Kolorowy")
    page.goto(f"{url}/")
    # The creator sees the workspace it made on the overview, as a card linking to it.
    expect(page.locator('a.brand-card-link[href="/w/kiosk"]')).to_have_count(1)
    expect(page.locator("main")).to_contain_text("Kiosk Kolorowy")
