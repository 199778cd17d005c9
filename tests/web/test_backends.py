"""The web app's queries on both storage backends (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from flarewatch.config.settings import get_settings
from flarewatch.web.app import create_app
from flarewatch.web.sessions import COOKIE_NAME

from .conftest import login
from .seed import Seeded, seed


@pytest.fixture
def seeded(any_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Seeded]:
    """The seeded workspaces on this backend, with the app's data folder in the test's own."""
    monkeypatch.setenv("FLAREWATCH_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield seed(any_engine)
    get_settings.cache_clear()


def test_pages_and_api_on_each_backend(any_engine: Engine, seeded: Seeded) -> None:
    with TestClient(create_app(any_engine)) as client:
        csrf = login(client, seeded.users["acme-responder"])
        assert "Acme Air" in client.get("/").text
        for path in (
            "/w/acme",
            "/w/acme/mentions?q=LUGGAGE&author=acme_dana&since=24h",
            f"/w/acme/cases/{seeded.cases['acme']}",
            "/w/acme/settings",
        ):
            assert client.get(path).status_code == 200, path
        found = client.get("/api/v1/workspaces/acme/mentions", params={"q": "luggage"}).json()
        assert found and all("luggage" in m["text"].lower() for m in found)
        alert_id = seeded.alerts["acme"][0]
        response = client.post(
            f"/api/v1/workspaces/acme/alerts/{alert_id}/acknowledge",
            headers={"X-CSRF-Token": csrf},
        )
        assert response.json()["status"] == "acknowledged"


def test_hostile_requests_on_each_backend(any_engine: Engine, seeded: Seeded) -> None:
    """Huge ids, NUL bytes in queries and a revoked session, on SQLite and PostgreSQL alike."""
    with TestClient(create_app(any_engine)) as client:
        csrf = login(client, seeded.users["acme-responder"])
        for path in (f"/api/v1/workspaces/acme/alerts/{2**63}", f"/w/acme/cases/{10**20}"):
            assert client.get(path).status_code == 422, path
        for path in (
            "/api/v1/workspaces/acme/mentions?q=a%00b",
            "/api/v1/workspaces/acme/mentions?author=%00",
            "/api/v1/workspaces/a%00cme",
            "/w/acme/mentions?topic=%00",
        ):
            assert client.get(path).status_code < 500, path
        saved = client.cookies.get(COOKIE_NAME)
        client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    with TestClient(create_app(any_engine), cookies={COOKIE_NAME: saved or ""}) as thief:
        assert thief.get("/api/v1/me").status_code == 401


def test_nul_characters_are_422_naming_the_field(any_engine: Engine, seeded: Seeded) -> None:
    with TestClient(create_app(any_engine)) as client:
        response = client.get("/api/v1/workspaces/acme/mentions?q=a%00b")
        assert response.status_code == 422  # before sign-in is even looked at
        assert response.json()["detail"][0]["loc"] == ["query", "q"]
        csrf = login(client, seeded.users["acme-responder"])
        case = seeded.cases["acme"]
        response = client.post(
            f"/api/v1/workspaces/acme/cases/{case}/notes",
            json={"text": "before\u0000after"},
            headers={"X-CSRF-Token": csrf},
        )
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["body", "text"]
        page = client.post(
            f"/w/acme/cases/{case}/notes", data={"text": "x\x00", "csrf_token": csrf}
        )
        assert page.status_code == 422 and "NUL" in page.text
        email = client.post(
            "/login", data={"email": "a\x00@x", "password": "p", "csrf_token": csrf}
        )
        assert email.status_code == 422
        ok = client.get(f"/api/v1/workspaces/acme/cases/{case}").json()
        assert all("\x00" not in event["text"] for event in ok["timeline"])


def test_inbox_api_on_each_backend(any_engine: Engine, seeded: Seeded) -> None:
    """Bulk tags, the tag counts and saved views through the API, on SQLite and PostgreSQL."""
    with TestClient(create_app(any_engine)) as client:
        csrf = login(client, seeded.users["acme-responder"])
        headers = {"X-CSRF-Token": csrf}
        rows = client.get("/api/v1/workspaces/acme/mentions", params={"limit": 2}).json()
        ids = [row["id"] for row in rows]
        tagged = client.post(
            "/api/v1/workspaces/acme/mentions/bulk",
            json={"action": "tag", "tag": "press", "ids": ids},
            headers=headers,
        )
        assert tagged.json() == {"posts": 2, "changed": 2}
        tags = client.get("/api/v1/workspaces/acme/tags").json()
        assert tags == [{"tag": "press", "posts": 2}]
        view = client.post(
            "/api/v1/workspaces/acme/views",
            json={"name": "Press", "filters": {"tag": "press"}},
            headers=headers,
        )
        assert view.status_code == 201
        assert client.get("/api/v1/workspaces/acme/views").json()[0]["filters"] == {"tag": "press"}
