"""The dashboard on the real demo data (the bundled scenario through every stage), in Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from flarewatch.alerts.models import Alert
from flarewatch.config.settings import get_settings
from flarewatch.db.engine import create_db_engine, session_scope
from flarewatch.db.migrate import upgrade
from flarewatch.demo.run import prepare_demo, replay_all
from flarewatch.web.app import create_app
from flarewatch.web.screenshots import live_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, object]]:
    folder = tmp_path_factory.mktemp("demo")
    engine = create_db_engine(f"sqlite:///{folder / 'demo.db'}")
    upgrade(engine)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FLAREWATCH_DATA_DIR", str(folder / "data"))
        get_settings.cache_clear()
        setup = prepare_demo(engine, speed=0)
        replay_all(engine, setup)
        app = create_app(engine, demo_user=setup.demo_user)
    get_settings.cache_clear()
    with live_server(app) as url:
        yield url, engine
    engine.dispose()


def test_dashboard_shows_the_demo_crisis_and_acknowledges(
    browser: Browser,  # noqa: F811
    demo_server: tuple[str, object],
    tmp_path: Path,
) -> None:
    url, engine = demo_server
    with session_scope(engine) as session:  # type: ignore[arg-type]
        live = select(Alert).where(Alert.status != "merged")  # a merged alert is not listed
        top = session.scalars(live.order_by(Alert.risk_score.desc())).first()
        assert top is not None and top.severity == "crisis"
        alert_id, title = top.id, top.title
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{url}/w/demo")  # the demo signs its user in by itself
    # The page isolates the topic's name inside the translated title with <bdi> elements,
    # which add no characters: the text reads as the stored title.
    expect(page.locator("#alert-list")).to_contain_text(title)
    expect(page.locator("#mention-list .mention").first).to_be_visible()
    expect(page.locator(".mention-text", has_text="גרילברי").first).to_have_attribute("dir", "auto")
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.getElementById('chart-volume'))"
    )
    alert = page.locator(f"#alert-{alert_id}")
    alert.get_by_role("button", name="Acknowledge").click()
    expect(alert.locator(".status-badge")).to_have_attribute("data-status", "acknowledged")
    page.goto(f"{url}/w/demo/cases")
    expect(page.locator("main")).to_contain_text(title.split(":")[0])
    page.screenshot(path=str(tmp_path / "demo-dashboard.png"), full_page=True)
    context.close()
    with session_scope(engine) as session:  # type: ignore[arg-type]
        assert session.get_one(Alert, alert_id).status == "acknowledged"
