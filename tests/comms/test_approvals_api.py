"""The drafts API (comms/drafts_api.py): the whole approval path over HTTP, and the gate that
cannot be bypassed — no field or endpoint sets a status or approved version, a viewer or a
member the step does not ask gets 403, the author 403, a stale version 409."""

# ruff: noqa: F811 - the web tests' fixtures are imported below and named as parameters

from __future__ import annotations

from fastapi.testclient import TestClient

from flarewatch.cases.roles import assign_role
from flarewatch.db.engine import session_scope
from tests.web.conftest import (  # noqa: F401 - the web tests' fixtures, used here too
    WebEnv,
    _fast_password_hashing,
    _template,
    bearer,
    web,
)


def _roles(web: WebEnv) -> None:
    """Legal is the seeded approver, the spokesperson the seeded responder."""
    case_id, ws = web.seeded.cases["acme"], web.seeded.workspaces["acme"]
    with session_scope(web.engine) as session:
        assign_role(session, case_id, "legal", "approver@acme.test", "admin", workspace_id=ws)
        assign_role(
            session, case_id, "spokesperson", "responder@acme.test", "admin", workspace_id=ws
        )


def test_the_approval_path_and_its_gate(web: WebEnv) -> None:
    _roles(web)
    slug, case_id = web.seeded.slugs["acme"], web.seeded.cases["acme"]
    base = f"/api/v1/workspaces/{slug}/cases/{case_id}/drafts"
    writer, legal = bearer(web, "acme-analyst"), bearer(web, "acme-approver")
    spokes, viewer, admin = (
        bearer(web, "acme-responder"),
        bearer(web, "acme-viewer"),
        bearer(web, "acme-admin"),
    )
    body = {"text": "No comment. The customer misused the grill.", "platform": "x"}
    with TestClient(web.app) as client:
        # A status or approved version in the body is refused, not ignored.
        for field, value in (("status", "approved"), ("approved_version", 1)):
            sneaky = client.post(base, json={**body, field: value}, headers=writer)
            assert sneaky.status_code == 422 and "Extra inputs are not permitted" in sneaky.text
            assert sneaky.json()["detail"][0]["loc"] == ["body", field]
        assert client.post(base, json=body, headers=viewer).status_code == 403
        created = client.post(base, json=body, headers=writer)
        assert created.status_code == 201, created.text
        draft = created.json()
        url = f"{base}/{draft['id']}"
        assert (draft["status"], draft["publishable"]) == ("draft", False)
        for path, sent in (
            ("versions", {"text": "Hi", "status": "approved"}),
            ("approve", {"version": 1, "approved_version": 1}),
        ):
            refused = client.post(f"{url}/{path}", json=sent, headers=writer)
            assert refused.status_code == 422 and "Extra inputs are not permitted" in refused.text
        assert {"blame", "defensive"} <= {f["kind"] for f in draft["flags"]}
        fixed = client.post(
            f"{url}/versions",
            json={
                "text": "We are sorry. We are checking every grill and will update you by 18:00."
            },
            headers=writer,
        )
        assert fixed.status_code == 200 and fixed.json()["current_version"] == 2
        assert [v["number"] for v in fixed.json()["versions"]] == [1, 2]
        assert fixed.json()["flags"] == []
        # Nothing but the decisions can approve: no endpoint takes a status.
        for method in ("put", "patch"):
            assert (
                getattr(client, method)(url, json={"status": "approved"}, headers=admin).status_code
                == 405
            )
        early = client.post(f"{url}/approve", json={"version": 2}, headers=legal)
        assert early.status_code == 409 and "not waiting for approval" in early.text

        submitted = client.post(f"{url}/submit", headers=writer)
        assert submitted.status_code == 200, submitted.text
        approval = submitted.json()["approval"]
        assert submitted.json()["status"] == "in_review"
        assert approval["deciders"] == ["approver@acme.test"]
        assert [(s["name"], s["status"]) for s in approval["steps"]] == [
            ("legal", "pending"),
            ("spokesperson", "waiting"),
        ]
        assert client.post(f"{url}/approve", json={"version": 2}, headers=viewer).status_code == 403
        own = client.post(f"{url}/approve", json={"version": 2}, headers=writer)
        assert own.status_code == 403 and "four eyes" in own.text
        outsider = client.post(f"{url}/approve", json={"version": 2}, headers=admin)
        assert outsider.status_code == 403 and "only the approvers" in outsider.text
        later = client.post(f"{url}/approve", json={"version": 2}, headers=spokes)
        assert later.status_code == 403 and "waits for legal first" in later.text
        stale = client.post(f"{url}/approve", json={"version": 1}, headers=legal)
        assert stale.status_code == 409 and "read version 2" in stale.text
        no_reason = client.post(
            f"{url}/request-changes", json={"version": 2, "comment": "  "}, headers=legal
        )
        assert no_reason.status_code == 422 and "a comment is needed" in no_reason.text
        comment = client.post(f"{url}/comments", json={"text": "Looks right"}, headers=legal)
        assert comment.status_code == 201 and comment.json()["version"] == 2
        assert (
            client.post(f"{url}/comments", json={"text": "hi"}, headers=viewer).status_code == 403
        )

        first = client.post(f"{url}/approve", json={"version": 2, "comment": "OK"}, headers=legal)
        assert first.status_code == 200 and first.json()["status"] == "in_review"
        assert first.json()["approval"]["deciders"] == ["responder@acme.test"]
        done = client.post(f"{url}/approve", json={"version": 2}, headers=spokes)
        assert done.status_code == 200, done.text
        assert (done.json()["status"], done.json()["approved_version"]) == ("approved", 2)
        assert done.json()["publishable"] is True

        shown = client.get(url, headers=viewer).json()
        assert [c["text"] for c in shown["comments"]] == ["Looks right"]
        assert [a["status"] for s in shown["approval"]["steps"] for a in s["approvers"]] == [
            "approved",
            "approved",
        ]
        # Changing approved text: a new version, no longer publishable.
        again = client.post(f"{url}/versions", json={"text": "We are so sorry."}, headers=writer)
        assert (again.json()["status"], again.json()["publishable"]) == ("draft", False)
        assert again.json()["approved_version"] == 2
        listed = client.get(base, headers=viewer).json()
        assert [(d["id"], d["status"]) for d in listed] == [(draft["id"], "draft")]

        # Recall: only while in review, by its author; withdraw ends it.
        client.post(f"{url}/submit", headers=writer)
        assert client.post(f"{url}/recall", headers=spokes).status_code == 403
        recalled = client.post(f"{url}/recall", headers=writer)
        assert recalled.status_code == 200 and recalled.json()["status"] == "draft"
        gone = client.post(f"{url}/withdraw", headers=writer)
        assert gone.json()["status"] == "withdrawn"
        assert client.post(f"{url}/submit", headers=writer).status_code == 409

        # Another case's path or another workspace's draft: not found.
        other = client.get(
            f"/api/v1/workspaces/{slug}/cases/{case_id + 999}/drafts/{draft['id']}", headers=admin
        )
        assert other.status_code == 404


def test_a_step_naming_nobody_is_an_actionable_422(web: WebEnv) -> None:
    slug, case_id = web.seeded.slugs["acme"], web.seeded.cases["acme"]
    base = f"/api/v1/workspaces/{slug}/cases/{case_id}/drafts"
    writer = bearer(web, "acme-analyst")
    with TestClient(web.app) as client:
        draft = client.post(base, json={"text": "We are sorry.", "platform": "sms"}, headers=writer)
        refused = client.post(f"{base}/{draft.json()['id']}/submit", headers=writer)
        assert refused.status_code == 422
        assert "approval step 'legal' names nobody on this case (role:legal)" in refused.text
        assert f"flarewatch cases role {case_id} legal EMAIL" in refused.text
