"""The pages in Hebrew and Polish: a source alert's title, an alert's title, and the case
timeline the system wrote, each in the reader's language; old rows show their stored text."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from flarewatch.alerts.models import Alert
from flarewatch.alerts.source_alerts import watch_sources
from flarewatch.db.base import utcnow
from flarewatch.workspaces.models import Workspace

from .conftest import WebEnv, login
from .test_source_health_page import _sources

HEBREW = {"Accept-Language": "he"}
POLISH = {"Accept-Language": "pl"}


def _source_alert(web: WebEnv) -> int:
    _sources(web, "acme", total=2, failing=1)
    with Session(web.engine) as session:
        workspace = session.scalars(select(Workspace).where(Workspace.slug == "acme")).one()
        [alert] = watch_sources(session, workspace, utcnow())
        session.commit()
        return alert.id


def test_a_source_alert_title_in_hebrew_and_polish(web: WebEnv, client: TestClient) -> None:
    alert_id = _source_alert(web)
    login(client, web.seeded.users["acme-viewer"])
    hebrew = client.get(f"/w/acme/alerts/{alert_id}", headers=HEBREW).text
    assert "המקור <bdi>feed-00</bdi> נכשל" in hebrew
    polish = client.get("/w/acme/alerts", headers=POLISH).text
    row = polish.split(f'id="alert-{alert_id}"')[1].split("</article>")[0]
    assert "Źródło <bdi>feed-00</bdi> nie działa" in row
    assert "is failing" not in row


def test_the_case_timeline_in_hebrew_and_polish(web: WebEnv, client: TestClient) -> None:
    alert_id, case_id = web.seeded.alerts["acme"][1], web.seeded.cases["acme"]
    login(client, web.seeded.users["acme-admin"])
    hebrew = client.get(f"/w/acme/cases/{case_id}", headers=HEBREW).text
    assert f"התיק נפתח מהתראה #{alert_id}" in hebrew
    assert f"Case opened from alert #{alert_id}" not in hebrew
    polish = client.get(f"/w/acme/cases/{case_id}", headers=POLISH).text
    assert f"Sprawa otwarta z alertu #{alert_id}" in polish


def test_rows_from_before_messages_show_their_stored_english(
    web: WebEnv, client: TestClient
) -> None:
    alert_id = _source_alert(web)
    with Session(web.engine) as session:
        session.execute(update(Alert).where(Alert.id == alert_id).values(title_message=None))
        session.commit()
    login(client, web.seeded.users["acme-viewer"])
    hebrew = client.get(f"/w/acme/alerts/{alert_id}", headers=HEBREW).text
    assert "Source feed-00 is failing" in hebrew
