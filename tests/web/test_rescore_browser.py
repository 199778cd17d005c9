"""Re-scoring from the web in headless Chromium: the job page follows the job over SSE."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from flarewatch.enrich.sentiment import registry
from flarewatch.web.screenshots import live_server

from .conftest import WebEnv, make_env
from .seed import Seeded
from .test_browser import page, sign_in  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


class SlowModel:
    """A test backend under the `use` name that takes a moment per step, so the page sees the
    job running before it ends."""

    def predict(self, texts: Sequence[str], languages: Sequence[str]) -> list[tuple[str, float]]:
        time.sleep(2.0)
        return [("negative", -0.5) for _ in texts]


@pytest.fixture
def server(tmp_path: Path, _template: tuple[Path, Seeded]) -> Iterator[tuple[str, WebEnv]]:
    registry.register_sentiment_model("use", SlowModel)
    env = make_env(tmp_path, _template)
    try:
        with live_server(env.app) as url:
            yield url, env
    finally:
        env.engine.dispose()
        registry.register_sentiment_model("use", lambda: registry.build_backend("use"))


def test_the_job_page_shows_progress_live_until_done(
    page: Page,  # noqa: F811
    server: tuple[str, WebEnv],
    browser: Browser,  # noqa: F811
) -> None:
    url, env = server
    sign_in(page, url, env.seeded.users["acme-analyst"])
    page.goto(f"{url}/w/acme/topics")
    page.get_by_role("link", name="Re-score sentiment").click()
    page.select_option("#rs-backend", "use")
    page.select_option("#rs-period", "")
    page.get_by_role("button", name="Start re-scoring").click()
    progress = page.locator("#rescore-progress")
    expect(progress).to_contain_text("Re-scoring #")
    # The page came while the job was still going (each step takes the model 2 s) ...
    assert progress.locator(".rescore-status").get_attribute("data-status") in ("queued", "running")
    # Only the SSE stream can change the block: the page is not reloaded.
    expect(progress).to_contain_text("is done", timeout=30_000)
    expect(progress.locator(".rescore-status")).to_have_attribute("data-status", "done")
    assert page.locator("#rescore-progress progress").get_attribute("value") == page.locator(
        "#rescore-progress progress"
    ).get_attribute("max")
