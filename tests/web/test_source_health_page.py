"""Coverage honesty on the web: the health page, its API, and an overview that is never "Calm"
while sources fail (the 18-of-26 case)."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from flarewatch.alerts.models import Alert
from flarewatch.db.base import utcnow
from flarewatch.sources.health import judged_hour
from flarewatch.sources.models import Source, SourceHourCount
from flarewatch.workspaces.models import Workspace

from .conftest import WebEnv, bearer, login

WEEK = timedelta(weeks=1)


def _workspace_id(session: Session, slug: str) -> int:
    return session.scalars(select(Workspace.id).where(Workspace.slug == slug)).one()


def _sources(web: WebEnv, slug: str, total: int, failing: int) -> None:
    """`total` sources in all (the seeded one included), `failing` of them failing."""
    now = utcnow()
    with Session(web.engine) as session:
        workspace_id = _workspace_id(session, slug)
        for i in range(total - 1):
            broken = i < failing
            session.add(
                Source(
                    workspace_id=workspace_id,
                    key=f"feed-{i:02d}",
                    kind="rss",
                    config={"key": f"feed-{i:02d}", "kind": "rss", "url": "https://x.test/f"},
                    consecutive_errors=3 if broken else 0,
                    failing_since=now - timedelta(hours=2) if broken else None,
                    last_error="HTTP 500 from https://x.test/f" if broken else None,
                    last_ok_at=now - timedelta(minutes=1),
                    last_polled_at=now - timedelta(minutes=1),
                    created_at=now - 5 * WEEK,
                )
            )
        session.commit()


def _close_topic_alerts(web: WebEnv, slug: str) -> None:
    with Session(web.engine) as session:
        workspace_id = _workspace_id(session, slug)
        session.execute(
            update(Alert).where(Alert.workspace_id == workspace_id).values(status="resolved")
        )
        session.commit()


def _plain(html: str) -> str:
    """The page without the isolates (<bdi>) that wrap values inside sentences."""
    return html.replace("<bdi>", "").replace("</bdi>", "")


def _acme_card(html: str) -> str:
    match = re.search(
        r'<li class="card brand-card level-(\w+)">\s*<a[^>]*href="/w/acme"(.*?)</li>', html, re.S
    )
    assert match, "no Acme card on the overview"
    return match.group(1) + match.group(2)


def test_overview_is_not_calm_with_18_of_26_sources_failing(
    web: WebEnv, client: TestClient
) -> None:
    _close_topic_alerts(web, "acme")
    _sources(web, "acme", total=26, failing=18)
    login(client, web.seeded.users["acme-viewer"])
    card = _acme_card(client.get("/").text)
    assert card.startswith("sources")
    assert "Calm" not in card
    assert "Sources failing (18 of 26)" in card
    assert 'href="/w/acme/sources"' in card


def test_overview_is_calm_again_when_the_sources_recover(web: WebEnv, client: TestClient) -> None:
    _close_topic_alerts(web, "acme")
    _sources(web, "acme", total=26, failing=18)
    with Session(web.engine) as session:
        session.execute(update(Source).values(consecutive_errors=0, failing_since=None))
        session.commit()
    login(client, web.seeded.users["acme-viewer"])
    card = _acme_card(client.get("/").text)
    assert card.startswith("calm") and "Calm" in card and "Sources failing" not in card


def test_a_topic_crisis_still_shows_the_failing_sources(web: WebEnv, client: TestClient) -> None:
    _sources(web, "acme", total=4, failing=2)
    login(client, web.seeded.users["acme-viewer"])
    card = _acme_card(client.get("/").text)
    assert not card.startswith(("calm", "sources"))  # the seeded topic alert sets the level
    assert "Sources failing (2 of 4)" in card


def _silent_source(web: WebEnv) -> None:
    """A source with five weeks of ~40 posts in this hour of the week, and none this week."""
    now = utcnow()
    hour = judged_hour(now)
    with Session(web.engine) as session:
        source = Source(
            workspace_id=_workspace_id(session, "acme"),
            key="x-search",
            kind="rss",
            config={"key": "x-search", "kind": "rss", "url": "https://x.test/f"},
            created_at=now - 5 * WEEK,
            last_ok_at=now,
            last_polled_at=now,
            newest_post_at=now - timedelta(hours=3),
            problems_total=7,
            posts_total=900,
            quota={
                "remaining": 9400,
                "limit": 10000,
                "unit": "units",
                "reset_at": "2031-01-01T00:00:00Z",
            },
        )
        session.add(source)
        session.flush()
        for week, posts in enumerate((38, 40, 44, 41), start=1):
            session.add(SourceHourCount(source_id=source.id, hour=hour - week * WEEK, posts=posts))
        session.commit()


def test_health_page_lists_every_source_with_its_figures(web: WebEnv, client: TestClient) -> None:
    _sources(web, "acme", total=3, failing=1)
    _silent_source(web)
    login(client, web.seeded.users["acme-viewer"])
    html = _plain(client.get("/w/acme/sources").text)
    rows = dict(re.findall(r'<tr id="source-([\w-]+)" data-state="(\w+)"', html))
    assert rows == {"feed": "learning", "feed-00": "failing", "feed-01": "ok", "x-search": "silent"}
    assert "HTTP 500 from https://x.test/f" in html
    assert "3 failed polls in a row" in html
    assert "1 of 4 sources are failing or stale" in html
    silent = html.split('id="source-x-search"')[1].split("</tr>")[0]
    assert "0 / 40.5" in silent  # seen in the hour, against the median of four weeks
    assert "9,400 of 10,000" in silent and "resets" in silent
    assert "3 hours" in silent  # behind the platform
    assert ">7<" in silent  # skipped records
    assert 'href="/w/acme/sources" aria-current="page"' in html


def test_health_page_in_hebrew_is_rtl_and_translated(web: WebEnv, client: TestClient) -> None:
    _sources(web, "acme", total=2, failing=1)
    csrf = login(client, web.seeded.users["acme-viewer"])
    client.post("/preferences", data={"language": "he", "next": "/", "csrf_token": csrf})
    html = client.get("/w/acme/sources").text
    assert '<html lang="he" dir="rtl">' in html
    assert "תקינות המקורות" in html  # "Source health"
    assert "Source health" not in html and "Last success" not in html
    client.post("/preferences", data={"language": "pl", "next": "/", "csrf_token": csrf})
    polish = client.get("/w/acme/sources").text
    assert "Stan źródeł" in polish and "Last success" not in polish


def test_api_lists_the_same_health(web: WebEnv, client: TestClient) -> None:
    _sources(web, "acme", total=2, failing=1)
    _silent_source(web)
    response = client.get("/api/v1/workspaces/acme/sources", headers=bearer(web, "acme-viewer"))
    assert response.status_code == 200, response.text
    by_key = {row["key"]: row for row in response.json()}
    assert by_key["feed-00"]["state"] == "failing"
    assert by_key["feed-00"]["consecutive_errors"] == 3
    assert by_key["feed-00"]["since"] is not None
    silent = by_key["x-search"]
    assert silent["state"] == "silent"
    assert silent["last_hour"]["posts"] == 0 and silent["last_hour"]["usual"] == 40.5
    assert silent["skipped_records"] == 7 and silent["quota"]["remaining"] == 9400
    assert 3 * 3600 <= silent["lag_seconds"] < 4 * 3600
    assert silent["interval_seconds"] == 300.0  # the rss kind's default, 5 min


def test_api_and_page_refuse_another_workspaces_member(web: WebEnv, client: TestClient) -> None:
    headers = bearer(web, "globex-admin")
    assert client.get("/api/v1/workspaces/acme/sources", headers=headers).status_code == 404
    login(client, web.seeded.users["globex-admin"])
    assert client.get("/w/acme/sources").status_code == 404


def test_openapi_documents_the_sources_route(web: WebEnv, client: TestClient) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    route = schema["paths"]["/api/v1/workspaces/{slug}/sources"]["get"]
    assert "skipped records, quota left" in route["description"]
    fields = schema["components"]["schemas"]["SourceHealthOut"]["properties"]
    assert {"state", "since", "lag_seconds", "skipped_records", "quota", "last_hour"} <= set(fields)


def test_a_source_alert_reads_sensibly_in_the_inbox_and_its_page(
    web: WebEnv, client: TestClient
) -> None:
    from flarewatch.alerts.notify import build_message
    from flarewatch.alerts.source_alerts import watch_sources

    _sources(web, "acme", total=2, failing=1)
    with Session(web.engine) as session:
        workspace = session.scalars(select(Workspace).where(Workspace.slug == "acme")).one()
        [alert] = watch_sources(session, workspace, utcnow())
        session.commit()
        alert_id = alert.id
        message = build_message(session, alert)
    assert "source alert" in message.body and "risk" not in message.body
    assert "Source feed-00 is failing" in message.title
    login(client, web.seeded.users["acme-viewer"])
    inbox = client.get("/w/acme/alerts").text
    row = inbox.split(f'id="alert-{alert_id}"')[1].split("</article>")[0]
    # The source's key is generated text inside a translated sentence: isolated.
    assert "Source <bdi>feed-00</bdi> is failing" in row and 'href="/w/acme/sources"' in row
    assert "risk" not in row
    detail = client.get(f"/w/acme/alerts/{alert_id}").text
    assert "Source alert" in detail and "Key posts" not in detail
    assert "HTTP 500 from https://x.test/f" in detail
