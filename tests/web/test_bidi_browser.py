"""Mixed Hebrew and Latin text keeps its visual order in headless Chromium, in the English and
the Hebrew UI: each crisis word keeps its count beside it, and a saved query reads as written.

The checks measure where Chromium drew each word (the bounding box of its characters), so they
test what a reader sees, not the markup: without the isolate around "חרם", an English line
would pull "(84)" to the left of the Hebrew word.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import update

from flarewatch.alerts.models import Alert
from flarewatch.db.engine import session_scope
from flarewatch.detect import explain
from flarewatch.detect.score import said
from flarewatch.web.i18n import LOCALE_COOKIE
from flarewatch.web.screenshots import live_server
from flarewatch.workspaces.models import Topic

from .conftest import WebEnv, make_env
from .seed import Seeded, add_alert
from .test_browser import page, sign_in  # noqa: F401  (shared fixtures)

pytestmark = pytest.mark.browser

QUERY = "(grillberry* OR גרילברי) AND boycott"
TERMS = [["חרם", 84], ["boycott", 51]]

# Where each needle was drawn: the box of its characters in the first text node holding it,
# inside the first element matching the selector whose text holds the first needle.
BOXES_JS = """
([selector, needles]) => {
  const root = [...document.querySelectorAll(selector)]
    .find((element) => element.textContent.includes(needles[0]));
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) nodes.push(node);
  const boxes = {};
  for (const needle of needles) {
    for (const node of nodes) {
      const at = node.data.indexOf(needle);
      if (at < 0) continue;
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + needle.length);
      const box = range.getBoundingClientRect();
      boxes[needle] = {left: box.left, right: box.right, top: box.top, bottom: box.bottom};
      break;
    }
  }
  return boxes;
}
"""


@pytest.fixture(scope="module")
def mixed_server(
    tmp_path_factory: pytest.TempPathFactory, _template: tuple[Path, Seeded]
) -> Iterator[tuple[str, WebEnv, int]]:
    env = make_env(tmp_path_factory.mktemp("bidi-browser"), _template)
    alert_id = add_alert(env.engine, env.seeded, "acme", "Boycott calls")
    terms = said("crisis_terms", explain.CRISIS_TERMS, {"terms": TERMS}, 135, None, 10.0)
    with session_scope(env.engine) as session:
        session.execute(update(Alert).where(Alert.id == alert_id).values(factors=[terms.as_dict()]))
        session.execute(
            update(Topic).where(Topic.id == env.seeded.topics["acme"]).values(query=QUERY)
        )
    with live_server(env.app) as url:
        yield url, env, alert_id
    env.engine.dispose()


def _boxes(tab: Page, selector: str, needles: list[str]) -> dict[str, dict[str, float]]:
    boxes: dict[str, Any] = tab.evaluate(BOXES_JS, [selector, needles])
    assert set(boxes) == set(needles), f"not drawn: {set(needles) - set(boxes)}"
    return boxes


def _in(tab: Page, url: str, language: str) -> None:
    tab.context.add_cookies([{"name": LOCALE_COOKIE, "value": language, "url": url}])


def _left_of(a: dict[str, float], b: dict[str, float]) -> bool:
    """`a` is drawn wholly to the left of `b` on the same line."""
    same_line = a["top"] < b["bottom"] and b["top"] < a["bottom"]
    return same_line and a["right"] <= b["left"] + 0.5


@pytest.mark.parametrize("language", ["en", "he"])
def test_each_crisis_word_keeps_its_count_beside_it(
    page: Page,  # noqa: F811
    browser: Browser,  # noqa: F811
    mixed_server: tuple[str, WebEnv, int],
    language: str,
) -> None:
    url, env, alert_id = mixed_server
    sign_in(page, url, env.seeded.users["acme-viewer"])
    _in(page, url, language)
    page.goto(f"{url}/w/acme/alerts/{alert_id}")
    expect(page.locator("html")).to_have_attribute("lang", language)
    reason = page.locator("ul.factors li").first
    expect(reason).to_contain_text("חרם")
    box = _boxes(page, "ul.factors li", ["חרם", "84", "boycott", "51"])
    if language == "en":
        # Left to right: חרם (84), then boycott (51), each count right after its word.
        assert _left_of(box["חרם"], box["84"]), box
        assert _left_of(box["84"], box["boycott"]), box
        assert _left_of(box["boycott"], box["51"]), box
    else:
        # Right to left: חרם at the right with (84) to its left, then boycott with (51).
        assert _left_of(box["84"], box["חרם"]), box
        assert _left_of(box["boycott"], box["84"]), box
        assert _left_of(box["51"], box["boycott"]), box


@pytest.mark.parametrize("language", ["en", "he"])
def test_a_mixed_saved_query_reads_as_written(
    page: Page,  # noqa: F811
    browser: Browser,  # noqa: F811
    mixed_server: tuple[str, WebEnv, int],
    language: str,
) -> None:
    url, env, _ = mixed_server
    sign_in(page, url, env.seeded.users["acme-viewer"])
    _in(page, url, language)
    page.goto(f"{url}/w/acme/topics")
    expect(page.locator("html")).to_have_attribute("lang", language)
    code = page.locator("code.query-code", has_text="grillberry").first
    expect(code).to_have_text(QUERY)
    # The query's own order, left to right, whatever the page's direction.
    order = ["(grillberry*", "OR", "גרילברי", ")", "AND", "boycott"]
    box = _boxes(page, "code.query-code", order)
    for before, after in zip(order, order[1:], strict=False):
        assert _left_of(box[before], box[after]), (before, after, box)
