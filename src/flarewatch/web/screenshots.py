"""Screenshots of the main pages, left-to-right (English) and right-to-left (Hebrew).

    python -m flarewatch.web.screenshots [--out docs/screenshots] [--workspace SLUG]

runs the app on the configured database (e.g. after `flarewatch demo --no-serve`) signed in as
the demo user, and drives the Debian Chromium (/usr/bin/chromium) through Playwright. The
browser tests call `capture` on their own seeded server.
"""

from __future__ import annotations

import argparse
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import select

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGES = ("dashboard", "alerts", "case", "mentions")


def chromium_path() -> str:
    if not CHROMIUM.exists():
        raise RuntimeError(
            f"{CHROMIUM} is missing; install the Debian package with 'apt-get install -y chromium'"
        )
    return str(CHROMIUM)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def live_server(app: object) -> Iterator[str]:
    """The app served by uvicorn in a thread on a free loopback port; yields its base URL."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(
        app,  # type: ignore[arg-type]
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
        # Open event streams would otherwise hold shutdown until the browser goes away.
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the web server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def _sign_in(page: Any, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{base_url}/")


def capture(
    base_url: str,
    out_dir: Path,
    slug: str,
    case_id: int | None,
    *,
    email: str | None = None,
    password: str | None = None,
    browser: Any = None,
) -> list[Path]:
    """PAGES in English and Hebrew, and the alert inbox on a phone; signs in first if `email`.

    Uses `browser` (a Playwright Browser) when given, else launches the Debian Chromium.
    """
    if browser is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            launched = pw.chromium.launch(
                executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
            )
            try:
                return _capture(launched, base_url, out_dir, slug, case_id, email, password)
            finally:
                launched.close()
    return _capture(browser, base_url, out_dir, slug, case_id, email, password)


def _capture(
    browser: Any,
    base_url: str,
    out_dir: Path,
    slug: str,
    case_id: int | None,
    email: str | None,
    password: str | None,
) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "dashboard": f"/w/{slug}",
        "alerts": f"/w/{slug}/alerts",
        "case": f"/w/{slug}/cases/{case_id}" if case_id else f"/w/{slug}/cases",
        "mentions": f"/w/{slug}/mentions",
    }
    written: list[Path] = []
    for language in ("en", "he"):
        context = browser.new_context(
            viewport={"width": 1360, "height": 900},
            locale=language,
            extra_http_headers={"Accept-Language": language},
        )
        page = context.new_page()
        if email and password:
            _sign_in(page, base_url, email, password)
        for name in PAGES:
            page.goto(base_url + paths[name])
            # Charts animate in; wait until they have settled.
            page.wait_for_timeout(1000 if name == "dashboard" else 200)
            target = out_dir / f"{name}-{language}.png"
            page.screenshot(path=str(target), full_page=True)
            written.append(target)
        context.close()
    # The on-call person's view: a phone, at 3 a.m.
    phone = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="en",
        extra_http_headers={"Accept-Language": "en"},
    )
    page = phone.new_page()
    if email and password:
        _sign_in(page, base_url, email, password)
    page.goto(base_url + paths["alerts"])
    page.wait_for_timeout(300)
    target = out_dir / "alerts-phone-en.png"
    page.screenshot(path=str(target))
    written.append(target)
    phone.close()
    return written


def main() -> None:
    from flarewatch.accounts.service import DEMO_EMAIL
    from flarewatch.cases.models import Case
    from flarewatch.db.engine import get_engine, session_scope
    from flarewatch.web.app import create_app
    from flarewatch.workspaces.models import Workspace

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--workspace", help="workspace slug [the demo user's first]")
    args = parser.parse_args()
    engine = get_engine()
    with session_scope(engine) as session:
        query = select(Workspace).order_by(Workspace.id)
        if args.workspace:
            query = query.where(Workspace.slug == args.workspace)
        workspace = session.scalars(query).first()
        if workspace is None:
            raise SystemExit("no workspace; run 'flarewatch demo --no-serve' first")
        case_id = session.scalar(
            select(Case.id).where(Case.workspace_id == workspace.id).order_by(Case.id.desc())
        )
        slug = workspace.slug
    with live_server(create_app(engine, demo_user=DEMO_EMAIL)) as url:
        for path in capture(url, args.out, slug, case_id):
            print(path)


if __name__ == "__main__":
    main()
