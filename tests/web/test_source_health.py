"""A failing source is announced on every page of its workspace, and only there."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from flarewatch.sources.models import Source
from flarewatch.workspaces.models import Workspace

from .conftest import WebEnv, login


def _failing_feed(web: WebEnv, slug: str) -> None:
    with Session(web.engine) as session:
        workspace = session.query(Workspace).filter_by(slug=slug).one()
        session.add(
            Source(
                workspace_id=workspace.id,
                key="google-alerts",
                kind="rss",
                config={},
                consecutive_errors=3,
                last_polled_at=datetime(2026, 3, 1, 12, 0, tzinfo=UTC),
                last_error="https://alerts.example/feed answered HTTP 500",
            )
        )
        session.commit()


def test_failing_source_banner_on_every_workspace_page(web: WebEnv, client: TestClient) -> None:
    _failing_feed(web, "acme")
    login(client, web.seeded.users["acme-viewer"])
    for path in ("/w/acme", "/w/acme/alerts", "/w/acme/mentions", "/w/acme/cases"):
        text = client.get(path).text
        assert "Source failing" in text, path
        assert "google-alerts" in text and "HTTP 500" in text
        assert "3 failed polls in a row" in text


def test_healthy_workspace_shows_no_banner(web: WebEnv, client: TestClient) -> None:
    login(client, web.seeded.users["acme-viewer"])
    assert "Source failing" not in client.get("/w/acme").text
