"""Every main page renders with the seeded data for a signed-in admin."""

from __future__ import annotations

from fastapi.testclient import TestClient

from .conftest import WebEnv, login


def test_main_pages_render(web: WebEnv, client: TestClient) -> None:
    s = web.seeded
    login(client, s.users["acme-admin"])
    for path in (
        "/",
        "/w/acme",
        "/w/acme?topic=brand",
        "/w/acme/mentions",
        "/w/acme/mentions?q=luggage&sentiment=negative&since=24h",
        "/w/acme/alerts",
        f"/w/acme/alerts/{s.alerts['acme'][0]}",
        "/w/acme/cases",
        f"/w/acme/cases/{s.cases['acme']}",
        "/w/acme/topics",
        f"/w/acme/topics?edit={s.topics['acme']}",
        "/w/acme/settings",
        "/account",
    ):
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[:2000])
