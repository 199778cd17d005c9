"""Cases: an owner and task assignees from the workspace's members; closing a new case takes a
note; closing offers to resolve the case's alert."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from flarewatch.alerts.models import Alert
from flarewatch.cases.models import Case, CaseEvent, Task
from flarewatch.db.engine import session_scope

from .conftest import WebEnv, bearer, login


def _case(web: WebEnv) -> tuple[int, int]:
    case_id = web.seeded.cases["acme"]
    with session_scope(web.engine) as session:
        case = session.get_one(Case, case_id)
        assert case.status == "new" and case.alert_id is not None
        return case_id, case.alert_id


def test_the_owner_is_a_member_and_the_timeline_says_so(web: WebEnv, client: TestClient) -> None:
    case_id, _ = _case(web)
    csrf = login(client, web.seeded.users["acme-responder"])
    analyst = web.seeded.users["acme-analyst"]
    page = client.get(f"/w/acme/cases/{case_id}").text
    assert f'<option value="{analyst}"' in page and 'id="owner-select"' in page
    set_owner = client.post(
        f"/w/acme/cases/{case_id}/owner",
        data={"owner": analyst, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert set_owner.status_code == 303
    outsider = client.post(
        f"/w/acme/cases/{case_id}/owner",
        data={"owner": web.seeded.users["globex-admin"], "csrf_token": csrf},
    )
    assert outsider.status_code == 404 and "not a member of this workspace" in outsider.text
    page = client.get(f"/w/acme/cases/{case_id}").text
    assert f'<option value="{analyst}" selected>' in page
    assert "Owner set to" in page and analyst in page
    hebrew = client.get(f"/w/acme/cases/{case_id}", headers={"Accept-Language": "he"}).text
    assert "הבעלים הוגדר:" in hebrew

    api = client.post(
        f"/api/v1/workspaces/acme/cases/{case_id}/owner",
        json={"owner": None},
        headers=bearer(web, "acme-responder"),
    )
    assert api.status_code == 200 and api.json()["owner"] is None
    with session_scope(web.engine) as session:
        kinds = session.scalars(
            select(CaseEvent.data).where(CaseEvent.case_id == case_id, CaseEvent.kind == "owner")
        ).all()
    assert [k["owner"] for k in kinds] == [analyst, None]


def test_task_assignees_are_members(web: WebEnv, client: TestClient) -> None:
    case_id, _ = _case(web)
    csrf = login(client, web.seeded.users["acme-responder"])
    unknown = client.post(
        f"/w/acme/cases/{case_id}/tasks",
        data={"title": "Call the press office", "assignee": "eli", "csrf_token": csrf},
    )
    assert unknown.status_code == 404 and "&#39;eli&#39; is not a member" in unknown.text
    analyst = web.seeded.users["acme-analyst"]
    added = client.post(
        f"/w/acme/cases/{case_id}/tasks",
        data={"title": "Call the press office", "assignee": analyst, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert added.status_code == 303
    with session_scope(web.engine) as session:
        task = session.scalars(select(Task).where(Task.title == "Call the press office")).one()
        assert task.assignee == analyst


def test_closing_a_new_case_needs_a_note_and_can_resolve_its_alert(
    web: WebEnv, client: TestClient
) -> None:
    case_id, alert_id = _case(web)
    csrf = login(client, web.seeded.users["acme-responder"])
    page = client.get(f"/w/acme/cases/{case_id}").text
    assert "Why (needed to close a new case)" in page
    assert f"When closing, also resolve alert #{alert_id}" in page
    bare = client.post(
        f"/w/acme/cases/{case_id}/status",
        data={"status": "closed", "resolve_alert": "true", "csrf_token": csrf},
    )
    assert bare.status_code == 422 and "needs a note" in bare.text
    with session_scope(web.engine) as session:
        assert session.get_one(Case, case_id).status == "new"
        assert session.get_one(Alert, alert_id).status == "open"
    closed = client.post(
        f"/w/acme/cases/{case_id}/status",
        data={
            "status": "closed",
            "note": "False alarm: a competitor's campaign",
            "resolve_alert": "true",
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert closed.status_code == 303
    with session_scope(web.engine) as session:
        assert session.get_one(Case, case_id).status == "closed"
        assert session.get_one(Alert, alert_id).status == "resolved"


def test_closing_without_resolving_leaves_the_alert_open(web: WebEnv) -> None:
    case_id, alert_id = _case(web)
    api = TestClient(web.app, base_url="http://testserver/api/v1")
    headers = bearer(web, "acme-responder")
    moved = api.post(
        f"/workspaces/acme/cases/{case_id}/status", json={"status": "triage"}, headers=headers
    )
    assert moved.status_code == 200
    closed = api.post(
        f"/workspaces/acme/cases/{case_id}/status", json={"status": "closed"}, headers=headers
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    with session_scope(web.engine) as session:
        assert session.get_one(Alert, alert_id).status == "open"


def test_the_assignee_is_notified_and_reads_it(web: WebEnv, client: TestClient) -> None:
    case_id, _ = _case(web)
    responder, analyst = web.seeded.users["acme-responder"], web.seeded.users["acme-analyst"]
    csrf = login(client, responder)
    for title, who in (("Call the press office", analyst), ("Draft the statement", responder)):
        client.post(
            f"/w/acme/cases/{case_id}/tasks",
            data={"title": title, "assignee": who, "csrf_token": csrf},
        )
    # Assigning oneself tells nobody.
    assert 'class="badge unread-count"' not in client.get("/account").text

    other = TestClient(web.app)
    other_csrf = login(other, analyst)
    home = other.get("/").text
    assert 'class="badge unread-count" href="/account#notifications"' in home
    # Fragments are isolated: <bdi> in pages (FSI/PDI only inside attributes).
    account = re.sub(r"</?bdi>|[\u2068\u2069]", "", other.get("/account").text)
    assert f"{responder} assigned you task #" in account
    assert f"on case #{case_id}: Call the press office" in account
    assert f'href="/w/acme/cases/{case_id}#tasks"' in account
    assert "Draft the statement" not in account
    hebrew = other.get("/account", headers={"Accept-Language": "he"}).text
    assert "הקצה לך את המשימה" in hebrew
    read = other.post(
        "/account/notifications/read", data={"csrf_token": other_csrf}, follow_redirects=False
    )
    assert read.status_code == 303
    assert 'class="badge unread-count"' not in other.get("/").text
