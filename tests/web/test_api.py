"""The JSON API: reads, triage, cases, roles enforced, audit entries, OpenAPI."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from flarewatch.accounts.models import AuditLog
from flarewatch.db.engine import session_scope

from .conftest import WebEnv, bearer


@pytest.fixture
def api(web: WebEnv) -> Iterator[TestClient]:
    with TestClient(web.app, base_url="http://testserver/api/v1") as client:
        yield client


def test_openapi_lists_the_api(api: TestClient) -> None:
    schema = api.get("/openapi.json").json()
    assert "/api/v1/workspaces/{slug}/alerts/{alert_id}/{action}" in schema["paths"]
    assert not any(p.startswith("/w/") for p in schema["paths"])


def test_reads(web: WebEnv, api: TestClient) -> None:
    h = bearer(web, "acme-viewer")
    assert api.get("/workspaces", headers=h).json()[0]["role"] == "viewer"
    assert [t["key"] for t in api.get("/workspaces/acme/topics", headers=h).json()]
    hebrew = api.get("/workspaces/acme/mentions", params={"language": "he"}, headers=h).json()
    assert hebrew and all(m["language"] == "he" for m in hebrew)
    found = api.get("/workspaces/acme/mentions", params={"q": "luggage"}, headers=h).json()
    assert found and all("luggage" in m["text"] for m in found)
    stats = api.get("/workspaces/acme/stats", headers=h).json()
    assert sum(stats["volume"]) == stats["total"] > 0 and stats["alerts"]
    case = api.get(f"/workspaces/acme/cases/{web.seeded.cases['acme']}", headers=h).json()
    assert case["timeline"] and case["tasks"]


def test_acknowledge_and_audit(web: WebEnv, api: TestClient) -> None:
    alert_id = web.seeded.alerts["acme"][0]
    response = api.post(
        f"/workspaces/acme/alerts/{alert_id}/acknowledge", headers=bearer(web, "acme-responder")
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "acknowledged"
    assert body["acknowledged_by"] == web.seeded.users["acme-responder"]
    with session_scope(web.engine) as session:
        entry = session.scalars(
            select(AuditLog).where(AuditLog.action == "alert.acknowledge")
        ).one()
        assert entry.actor == web.seeded.users["acme-responder"] and entry.target_id == str(
            alert_id
        )


def test_viewer_and_approver_cannot_triage(web: WebEnv, api: TestClient) -> None:
    alert_id = web.seeded.alerts["acme"][0]
    for who in ("acme-viewer", "acme-approver"):
        response = api.post(
            f"/workspaces/acme/alerts/{alert_id}/acknowledge", headers=bearer(web, who)
        )
        assert response.status_code == 403, who
    assert (
        api.get(f"/workspaces/acme/alerts/{alert_id}", headers=bearer(web, "acme-viewer")).json()[
            "status"
        ]
        == "open"
    )


def test_case_flow_roles_and_transitions(web: WebEnv, api: TestClient) -> None:
    responder, approver, viewer = (
        bearer(web, f"acme-{r}") for r in ("responder", "approver", "viewer")
    )
    alert_id = web.seeded.alerts["acme"][0]
    opened = api.post(f"/workspaces/acme/alerts/{alert_id}/case", headers=responder)
    assert opened.status_code == 201
    case_id = opened.json()["id"]
    base = f"/workspaces/acme/cases/{case_id}"
    assert api.post(f"{base}/status", json={"status": "triage"}, headers=responder).is_success
    assert api.post(f"{base}/status", json={"status": "new"}, headers=responder).status_code == 409
    assert (
        api.post(f"{base}/status", json={"status": "closed"}, headers=approver).status_code == 403
    )
    note = api.post(f"{base}/notes", json={"text": "Legal reviewed: OK"}, headers=approver)
    assert note.status_code == 201
    assert api.post(f"{base}/notes", json={"text": "x"}, headers=viewer).status_code == 403
    task = api.post(f"{base}/tasks", json={"title": "Call the CEO"}, headers=responder).json()
    done = api.post(f"{base}/tasks/{task['id']}/complete", headers=responder)
    assert done.json()["status"] == "done"
    with session_scope(web.engine) as session:
        actions = set(session.scalars(select(AuditLog.action)))
    assert {"case.open", "case.status", "case.note", "case.task", "case.task_done"} <= actions


def test_audit_log_needs_admin_or_approver(web: WebEnv, api: TestClient) -> None:
    assert api.get("/workspaces/acme/audit", headers=bearer(web, "acme-approver")).is_success
    assert api.get("/workspaces/acme/audit", headers=bearer(web, "acme-analyst")).status_code == 403


def test_session_cookie_api_post_needs_csrf(web: WebEnv) -> None:
    from .conftest import login

    with TestClient(web.app) as client:
        csrf = login(client, web.seeded.users["acme-admin"])
        url = f"/api/v1/workspaces/acme/alerts/{web.seeded.alerts['acme'][0]}/acknowledge"
        assert client.post(url).status_code == 403
        assert client.post(url, headers={"X-CSRF-Token": csrf}).status_code == 200
