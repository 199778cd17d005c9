"""An admin sets up a new client from the browser: the workspace, its alert routes with a real
test send, and the setup steps; the creator sees the workspace it made."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from sqlalchemy import select

from flarewatch.accounts import service as accounts
from flarewatch.accounts.models import AuditLog
from flarewatch.config.workspace import check_workspace_text
from flarewatch.db.engine import session_scope
from flarewatch.web.app import create_app
from flarewatch.workspaces.export import export_toml
from flarewatch.workspaces.models import Workspace
from tests.sources.platform_server import (
    PlatformServer,
    Reply,
    platform,  # noqa: F401  (a real local HTTP server: the route's webhook)
)

from .conftest import WebEnv, csrf_from, login

NEW = {
    "name": "Kiosk Kolorowy",
    "slug": "kiosk",
    "languages": ["pl", "en"],
    "other_languages": "uk",
    "timezone": "Europe/Warsaw",
    "weekend": "sat-sun",
}


def _create(client: TestClient, csrf: str, **changes: object) -> object:
    return client.post(
        "/workspaces", data={**NEW, **changes, "csrf_token": csrf}, follow_redirects=False
    )


def test_an_admin_creates_a_workspace_and_becomes_its_admin(
    web: WebEnv, client: TestClient
) -> None:
    csrf = login(client, web.seeded.users["acme-admin"])
    overview = client.get("/")
    assert 'href="/workspaces/new"' in overview.text
    form = client.get("/workspaces/new")
    assert form.status_code == 200 and 'name="weekend"' in form.text
    assert "Friday and Saturday (Israel)" in form.text
    response = _create(client, csrf, weekend="fri-sat", timezone="Asia/Jerusalem")
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith("/w/kiosk/settings")
    with session_scope(web.engine) as session:
        ws = session.scalar(select(Workspace).where(Workspace.slug == "kiosk"))
        assert ws is not None
        assert ws.name == "Kiosk Kolorowy" and ws.languages == ["pl", "en", "uk"]
        assert ws.timezone == "Asia/Jerusalem" and ws.config["weekend"] == ["fri", "sat"]
        assert accounts.role_in(session, _user_id(web, session), ws.id) == "admin"
        assert session.scalar(select(AuditLog).where(AuditLog.action == "workspace.create"))
    settings = client.get(response.headers["location"])
    assert "Workspace created" in settings.text and 'id="setup"' in settings.text
    assert "Kiosk Kolorowy" in client.get("/").text  # on the creator's overview at once
    # The workspace file stays the exchange format: the new workspace exports and loads.
    with session_scope(web.engine) as session:
        ws = session.scalar(select(Workspace).where(Workspace.slug == "kiosk"))
        assert ws is not None
        exported = check_workspace_text(export_toml(session, ws), "kiosk.toml")
    assert exported.problems == [] and exported.config is not None
    assert exported.config.weekend == ["fri", "sat"] and exported.config.name == "Kiosk Kolorowy"


def _user_id(web: WebEnv, session: object) -> int:
    user = accounts.get_user_by_email(session, web.seeded.users["acme-admin"])  # type: ignore[arg-type]
    assert user is not None
    return user.id


def test_bad_answers_are_refused_with_the_fix(web: WebEnv, client: TestClient) -> None:
    csrf = login(client, web.seeded.users["acme-admin"])
    taken = _create(client, csrf, slug="acme")
    assert taken.status_code == 422 and "taken" in taken.text
    zone = _create(client, csrf, timezone="Mars/Olympus")
    assert zone.status_code == 422 and "Asia/Jerusalem" in zone.text
    slug = _create(client, csrf, slug="Kiosk Kolorowy!")
    assert slug.status_code == 422 and "lower-case" in slug.text
    language = _create(client, csrf, languages=[], other_languages="xx")
    assert language.status_code == 422 and "xx" in language.text
    with session_scope(web.engine) as session:
        assert session.scalar(select(Workspace).where(Workspace.slug == "kiosk")) is None


def test_only_admins_create_workspaces(web: WebEnv, client: TestClient) -> None:
    csrf = login(client, web.seeded.users["acme-viewer"])
    assert 'href="/workspaces/new"' not in client.get("/").text
    assert client.get("/workspaces/new").status_code == 403
    assert _create(client, csrf).status_code == 403


def test_the_demo_admin_sees_the_workspaces_it_creates(web: WebEnv) -> None:
    with session_scope(web.engine) as session:
        ws = session.scalar(select(Workspace).where(Workspace.slug == "acme"))
        assert ws is not None
        accounts.ensure_demo_user(session, ws)
    with TestClient(create_app(web.engine, demo_user=accounts.DEMO_EMAIL)) as client:
        csrf = csrf_from(client.get("/").text)
        assert _create(client, csrf).status_code == 303
        assert "Kiosk Kolorowy" in client.get("/").text
        assert client.get("/w/kiosk").status_code == 200


def _route(path: str, server: PlatformServer) -> str:
    return f"json://{urlsplit(server.base).netloc}{path}"


def test_alert_routes_are_added_tested_for_real_and_removed(
    web: WebEnv,
    client: TestClient,
    platform: PlatformServer,  # noqa: F811
) -> None:
    platform.route("POST", "/hook", Reply.json({"ok": True}))
    csrf = login(client, web.seeded.users["acme-admin"])
    base = "/w/acme/settings/routes"
    added = client.post(
        base,
        data={
            "csrf_token": csrf,
            "url": _route("/hook", platform),
            "min_severity": "warning",
            "language": "he",
            "name": "צוות משמרת",
        },
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    page = client.get("/w/acme/settings")
    assert "Send a test alert" in page.text and "צוות משמרת" in page.text
    sent = client.post(f"{base}/0/test", data={"csrf_token": csrf}, headers={"HX-Request": "true"})
    assert sent.status_code == 200 and "Test alert sent" in sent.text
    body = json.loads(platform.requests[-1].body)
    assert "Flarewatch" in body["title"] and "התראת" in body["title"]  # the route's language
    # A route whose service refuses: the page says so, with the service's reason.
    platform.route("POST", "/hook", Reply.json({"error": "nope"}, 500))
    refused = client.post(f"{base}/0/test", data={"csrf_token": csrf})
    assert refused.status_code == 200 and "Not sent" in refused.text
    with session_scope(web.engine) as session:
        tests = session.scalars(
            select(AuditLog.details).where(AuditLog.action == "alert_route.test")
        ).all()
        assert [t["sent"] for t in tests] == [True, False]
    removed = client.post(f"{base}/0/remove", data={"csrf_token": csrf}, follow_redirects=False)
    assert removed.status_code == 303
    with session_scope(web.engine) as session:
        ws = session.scalar(select(Workspace).where(Workspace.slug == "acme"))
        assert ws is not None and ws.config.get("alert_routes") == []


def test_a_bad_route_is_refused_without_repeating_its_secret(
    web: WebEnv, client: TestClient
) -> None:
    csrf = login(client, web.seeded.users["acme-admin"])
    bad = client.post(
        "/w/acme/settings/routes",
        data={"csrf_token": csrf, "url": "nosuch://user:s3cret@host", "min_severity": "watch"},
    )
    assert bad.status_code == 422 and "nosuch://" in bad.text and "s3cret" not in bad.text
    viewer = TestClient(web.app)
    viewer_csrf = login(viewer, web.seeded.users["acme-viewer"])
    denied = viewer.post(
        "/w/acme/settings/routes",
        data={"csrf_token": viewer_csrf, "url": "console", "min_severity": "watch"},
    )
    assert denied.status_code == 403


def test_the_weekend_is_changed_on_the_settings_page(web: WebEnv, client: TestClient) -> None:
    csrf = login(client, web.seeded.users["acme-admin"])
    form = {"name": "Acme Air", "timezone": "Asia/Jerusalem", "sensitivity": "balanced"}
    saved = client.post(
        "/w/acme/settings",
        data={**form, "weekend": "fri-sat", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    page = client.get("/w/acme/settings").text
    assert '<option value="fri-sat" selected>' in page
    # A form without the field (an older page) keeps the weekend as it is.
    client.post("/w/acme/settings", data={**form, "csrf_token": csrf})
    bad = client.post("/w/acme/settings", data={**form, "weekend": "mon", "csrf_token": csrf})
    assert bad.status_code == 422 and "sat-sun" in bad.text
    with session_scope(web.engine) as session:
        ws = session.scalar(select(Workspace).where(Workspace.slug == "acme"))
        assert ws is not None and ws.config["weekend"] == ["fri", "sat"]
