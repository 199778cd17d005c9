"""The drafts' pages (comms/drafts_pages.py): the case page's Communication section, the live
tone check, the draft page's approval panel for each person, Hebrew drafts right to left."""

# ruff: noqa: F811 - the web tests' fixtures are imported below and named as parameters

from __future__ import annotations

from fastapi.testclient import TestClient

from flarewatch.cases.roles import assign_role
from flarewatch.db.engine import session_scope
from tests.web.conftest import (  # noqa: F401 - the web tests' fixtures, used here too
    WebEnv,
    _fast_password_hashing,
    _template,
    login,
    web,
)


def test_write_check_submit_and_approve_on_the_pages(web: WebEnv) -> None:
    slug, case_id = web.seeded.slugs["acme"], web.seeded.cases["acme"]
    with session_scope(web.engine) as session:
        ws = web.seeded.workspaces["acme"]
        assign_role(session, case_id, "legal", "approver@acme.test", "admin", workspace_id=ws)
        assign_role(
            session, case_id, "spokesperson", "responder@acme.test", "admin", workspace_id=ws
        )
    case_url = f"/w/{slug}/cases/{case_id}"
    with TestClient(web.app) as client:
        token = login(client, "analyst@acme.test")
        case_page = client.get(case_url)
        assert 'id="communication"' in case_page.text and "No drafts yet." in case_page.text
        assert f'href="{case_url}/drafts/new"' in case_page.text
        new = client.get(f"{case_url}/drafts/new")
        assert new.status_code == 200 and 'id="tone-check"' in new.text
        flags = client.post(
            f"{case_url}/drafts/tone",
            data={"text": "The customer misused the grill.", "platform": "x"},
            headers={"X-CSRF-Token": token, "HX-Request": "true"},
        )
        assert flags.status_code == 200 and 'data-flag="blame"' in flags.text
        assert "misused" in flags.text
        created = client.post(
            f"{case_url}/drafts",
            data={
                "csrf_token": token,
                "text": "We are sorry. We are checking every grill and will update you by 18:00.",
                "platform": "x",
                "kind": "statement",
            },
            follow_redirects=False,
        )
        assert created.status_code == 303
        draft_url = created.headers["location"]
        page = client.get(draft_url)
        assert 'data-status="draft"' in page.text and 'id="submit-draft"' in page.text
        assert 'dir="ltr"' in page.text
        client.post(f"{draft_url}/submit", data={"csrf_token": token})
        waiting = client.get(draft_url)
        assert 'data-status="in_review"' in waiting.text
        assert 'id="approve-draft"' not in waiting.text  # the author is not asked
        assert 'data-approver="approver@acme.test" data-status="pending"' in waiting.text
        listed = client.get(case_url)
        assert 'data-status="in_review"' in listed.text

    with TestClient(web.app) as client:
        token = login(client, "approver@acme.test")
        told = client.get("/account")
        assert "waits for your approval" in told.text and f'href="{draft_url}"' in told.text
        mine = client.get(draft_url)
        assert 'id="approve-draft"' in mine.text
        refused = client.post(
            f"{draft_url}/decision",
            data={"csrf_token": token, "decision": "approve", "version": "9"},
        )
        assert refused.status_code == 409
        client.post(
            f"{draft_url}/decision",
            data={"csrf_token": token, "decision": "approve", "version": "1", "comment": "OK"},
        )
        after = client.get(draft_url)
        assert 'data-approver="approver@acme.test" data-status="approved"' in after.text
        assert 'id="approve-draft"' not in after.text

    with TestClient(web.app) as client:
        token = login(client, "responder@acme.test")
        client.post(
            f"{draft_url}/decision",
            data={"csrf_token": token, "decision": "approve", "version": "1"},
        )
        done = client.get(draft_url)
        assert 'data-status="approved"' in done.text and 'id="draft-locked"' in done.text

    with TestClient(web.app) as client:
        token = login(client, "viewer@acme.test")
        seen = client.get(draft_url)
        assert seen.status_code == 200 and 'id="revise-form"' not in seen.text
        denied = client.post(f"{draft_url}/comments", data={"csrf_token": token, "text": "hi"})
        assert denied.status_code == 403


def test_a_hebrew_draft_reads_right_to_left(web: WebEnv) -> None:
    slug, case_id = web.seeded.slugs["acme"], web.seeded.cases["acme"]
    case_url = f"/w/{slug}/cases/{case_id}"
    with TestClient(web.app) as client:
        token = login(client, "analyst@acme.test")
        created = client.post(
            f"{case_url}/drafts",
            data={"csrf_token": token, "text": "אנחנו מצטערים ובודקים את זה", "platform": "sms"},
            follow_redirects=False,
        )
        page = client.get(created.headers["location"])
        assert 'lang="he" dir="rtl" id="draft-current"' in page.text
        assert 'lang="he" dir="rtl" required' in page.text  # the editor
        missing = client.post(
            f"{case_url}/drafts", data={"csrf_token": token, "text": "Hi"}, follow_redirects=False
        )
        assert missing.status_code == 422 and "Choose where the draft goes" in missing.text
