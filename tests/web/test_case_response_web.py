"""The post-mortem on the case page and in the API: downloads, the lessons-learned fields,
who may edit them, and the timeline entry each change writes."""

from __future__ import annotations

import io

import pypdf
from fastapi.testclient import TestClient
from sqlalchemy import select

from flarewatch.cases.models import CaseEvent
from flarewatch.config.workspace import WorkspaceConfig
from flarewatch.db.engine import session_scope
from flarewatch.workspaces.models import Workspace
from tests.alerts.conftest import start_http_receiver

from .conftest import WebEnv, bearer, login


def test_the_case_page_saves_lessons_learned_and_downloads_the_postmortem(
    web: WebEnv, client: TestClient
) -> None:
    case_id = web.seeded.cases["acme"]
    csrf = login(client, web.seeded.users["acme-responder"])
    page = client.get(f"/w/acme/cases/{case_id}").text
    assert 'id="postmortem"' in page and 'id="review-lessons"' in page
    assert f'href="/w/acme/cases/{case_id}/postmortem.pdf"' in page
    saved = client.post(
        f"/w/acme/cases/{case_id}/review",
        data={"lessons": "לענות תוך שעה", "compensation": "Refunds", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"].endswith("#postmortem")
    page = client.get(f"/w/acme/cases/{case_id}", headers={"Accept-Language": "he"}).text
    assert "לענות תוך שעה</textarea>" in page
    assert "תחקיר: „לקחים” עודכן" in page  # the timeline entry, in the reader's language

    html = client.get(f"/w/acme/cases/{case_id}/postmortem.html")
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "attachment" in html.headers["content-disposition"]
    assert "לענות תוך שעה" in html.text and "Refunds" in html.text
    pdf = client.get(f"/w/acme/cases/{case_id}/postmortem.pdf", headers={"Accept-Language": "he"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(pdf.content))
    assert "זמני תגובה" in "".join(p.extract_text() for p in reader.pages)
    docx = client.get(f"/w/acme/cases/{case_id}/postmortem.docx")
    assert docx.status_code == 422 and "use html or pdf" in docx.text


def test_the_api_reads_and_writes_the_review_and_serves_the_file(
    web: WebEnv, client: TestClient
) -> None:
    case_id = web.seeded.cases["acme"]
    url = f"/api/v1/workspaces/acme/cases/{case_id}"
    responder = bearer(web, "acme-responder")
    assert client.get(f"{url}/review", headers=responder).json()["lessons"] == ""
    put = client.put(f"{url}/review", json={"went_well": "Fast first answer"}, headers=responder)
    assert put.status_code == 200 and put.json()["went_well"] == "Fast first answer"
    assert client.put(f"{url}/review", json={"went_well": "Fast first answer"}, headers=responder)
    with session_scope(web.engine) as session:
        fields = session.scalars(
            select(CaseEvent.data).where(CaseEvent.case_id == case_id, CaseEvent.kind == "review")
        ).all()
    assert [f["field"] for f in fields] == ["went_well"]  # saving the same again wrote nothing
    viewer = client.put(f"{url}/review", json={"lessons": "x"}, headers=bearer(web, "acme-viewer"))
    assert viewer.status_code == 403
    nul = client.put(f"{url}/review", json={"lessons": "a\x00b"}, headers=responder)
    assert nul.status_code == 422
    html = client.get(f"{url}/postmortem?format=html&language=pl", headers=responder)
    assert html.status_code == 200 and "Czasy reakcji" in html.text
    pdf = client.get(f"{url}/postmortem", headers=responder)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    other = client.get(
        f"/api/v1/workspaces/globex/cases/{case_id}/postmortem", headers=bearer(web, "globex-admin")
    )
    assert other.status_code == 404


def test_moving_to_monitoring_starts_the_watch_seen_in_the_api_and_the_page(
    web: WebEnv, client: TestClient
) -> None:
    case_id = web.seeded.cases["acme"]
    url = f"/api/v1/workspaces/acme/cases/{case_id}"
    responder = bearer(web, "acme-responder")
    before = client.get(f"{url}/followup", headers=responder).json()
    assert before["watch"] is None and [p["key"] for p in before["phases"]] == ["before", "during"]
    moved = client.post(f"{url}/status", json={"status": "monitoring"}, headers=responder)
    assert moved.status_code == 200
    got = client.get(f"{url}/followup", headers=bearer(web, "acme-viewer")).json()
    watch = got["watch"]
    assert watch["status"] == "watching" and watch["relapse"] is None
    assert watch["settled"]["hours"] == 6
    assert [p["key"] for p in got["phases"]] == ["before", "during", "after"]
    login(client, web.seeded.users["acme-viewer"])
    page = client.get(f"/w/acme/cases/{case_id}", headers={"Accept-Language": "he"}).text
    assert "חזרה לשגרה" in page and 'data-watch="watching"' in page
    assert "החל מעקב של" in page  # the timeline entry in Hebrew
    other = client.get(
        f"/api/v1/workspaces/globex/cases/{case_id}/followup", headers=bearer(web, "globex-admin")
    )
    assert other.status_code == 404


def test_routing_from_the_page_and_the_api(web: WebEnv, client: TestClient) -> None:
    server, receiver = start_http_receiver()
    try:
        with session_scope(web.engine) as session:
            ws = session.get_one(Workspace, web.seeded.workspaces["acme"])
            ws.config = WorkspaceConfig.model_validate(
                {
                    "slug": "acme",
                    "name": "Acme Air",
                    "owners": [
                        {"key": "ops", "name": "Ground operations", "contacts": [receiver.url()]}
                    ],
                    "case_types": [{"key": "service_failure", "owner": "ops"}, {"key": "legal"}],
                }
            ).model_dump(mode="json")
        case_id = web.seeded.cases["acme"]
        csrf = login(client, web.seeded.users["acme-responder"])
        page = client.get(f"/w/acme/cases/{case_id}", headers={"Accept-Language": "he"}).text
        assert 'id="routing"' in page and "תקלה בשירות → Ground operations" in page
        sent = client.post(
            f"/w/acme/cases/{case_id}/routing",
            data={
                "case_type": "service_failure",
                "note": "Was flight 12 late?",
                "csrf_token": csrf,
            },
            follow_redirects=False,
        )
        assert sent.status_code == 303 and len(receiver.requests) == 1
        no_owner = client.post(
            f"/w/acme/cases/{case_id}/routing", data={"case_type": "legal", "csrf_token": csrf}
        )
        assert no_owner.status_code == 422 and "has no owner" in no_owner.text

        url = f"/api/v1/workspaces/acme/cases/{case_id}/routing"
        responder = bearer(web, "acme-responder")
        [listed] = client.get(url, headers=responder).json()
        assert listed["owner_name"] == "Ground operations" and listed["status"] == "requested"
        assert listed["facts"].startswith("Was flight 12 late?")
        answered = client.post(
            f"{url}/{listed['id']}/findings",
            json={"findings": "Yes, 3 hours: a crew shortage"},
            headers=responder,
        )
        assert answered.status_code == 200 and answered.json()["status"] == "answered"
        viewer = client.post(
            url, json={"case_type": "service_failure"}, headers=bearer(web, "acme-viewer")
        )
        assert viewer.status_code == 403
        created = client.post(url, json={"case_type": "service_failure"}, headers=responder)
        assert created.status_code == 201 and len(receiver.requests) == 2
        types = client.get("/api/v1/workspaces/acme/case-types", headers=responder).json()
        assert [(t["key"], t["owner"]) for t in types] == [
            ("service_failure", "ops"),
            ("legal", None),
        ]
        page = client.get(f"/w/acme/cases/{case_id}").text
        assert "Findings from" in page and "a crew shortage" in page
    finally:
        server.shutdown()
        server.server_close()


def test_roles_on_the_page_and_in_the_api(web: WebEnv, client: TestClient) -> None:
    analyst = web.seeded.users["acme-analyst"]
    with session_scope(web.engine) as session:
        ws = session.get_one(Workspace, web.seeded.workspaces["acme"])
        ws.config = WorkspaceConfig.model_validate(
            {
                "slug": "acme",
                "name": "Acme Air",
                "roles": [
                    {"key": "spokesperson", "checklist": ["Holding statement"]},
                    {"key": "legal"},
                ],
                "role_rules": [{"role": "legal", "person": analyst}],
            }
        ).model_dump(mode="json")
    case_id = web.seeded.cases["acme"]
    responder = web.seeded.users["acme-responder"]
    csrf = login(client, responder)
    page = client.get(f"/w/acme/cases/{case_id}", headers={"Accept-Language": "he"}).text
    assert 'id="roles"' in page and "דובר/ת" in page
    assigned = client.post(
        f"/w/acme/cases/{case_id}/roles",
        data={"role": "spokesperson", "person": responder, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert assigned.status_code == 303
    url = f"/api/v1/workspaces/acme/cases/{case_id}/roles"
    headers = bearer(web, "acme-responder")
    roles = {r["role"]: r for r in client.get(url, headers=headers).json()}
    assert roles["spokesperson"]["person"] == responder and roles["spokesperson"]["open_tasks"] == 1
    assert roles["legal"]["person"] is None
    applied = client.post(f"{url}/apply", headers=headers).json()
    assert {r["role"]: r["person"] for r in applied} == {
        "spokesperson": responder,
        "legal": analyst,
    }
    cleared = client.put(f"{url}/spokesperson", json={"person": None}, headers=headers)
    assert cleared.status_code == 200 and cleared.json()[0]["person"] is None
    outsider = client.put(
        f"{url}/legal", json={"person": web.seeded.users["globex-admin"]}, headers=headers
    )
    assert outsider.status_code == 404
    viewer = client.put(f"{url}/legal", json={"person": None}, headers=bearer(web, "acme-viewer"))
    assert viewer.status_code == 403
    page = client.get(f"/w/acme/cases/{case_id}").text
    assert f'data-role="legal"><span dir="auto" class="holder">{analyst}</span>' in page
    assert "now holds the role: spokesperson" in page and "Holding statement" in page
