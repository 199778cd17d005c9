"""The web app's queries on both storage backends (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from flarewatch.config.settings import get_settings
from flarewatch.web.app import create_app

from .conftest import login
from .seed import seed


def test_pages_and_api_on_each_backend(
    any_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeded = seed(any_engine)
    monkeypatch.setenv("FLAREWATCH_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
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
