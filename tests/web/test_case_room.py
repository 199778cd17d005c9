"""The case room on the web and in /api/v1: originator, playbooks, goals, timeline."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient
from sqlalchemy import select

from flarewatch.alerts.models import Alert
from flarewatch.cases.models import Case
from flarewatch.db.engine import session_scope
from flarewatch.mentions.models import RawPost
from flarewatch.playbooks.library import shipped, to_toml

from .conftest import WebEnv, bearer, login


def _give_the_alert_posts(web: WebEnv) -> list[int]:
    """The seeded case's alert gets the workspace's newest posts as its key posts, and the
    second post answers the first one."""
    with session_scope(web.engine) as session:
        case = session.get_one(Case, web.seeded.cases["acme"])
        alert = session.get_one(Alert, case.alert_id)
        posts = session.scalars(
            select(RawPost)
            .where(RawPost.workspace_id == case.workspace_id)
            .order_by(RawPost.created_at.desc())
            .limit(4)
        ).all()
        ids = [p.id for p in posts]
        alert.post_ids = ids
        oldest, answer = posts[-1], posts[-2]
        answer.payload = {**(answer.payload or {}), "reply_to": oldest.external_id}
        return ids


def test_api_originator_playbooks_goals_and_timeline(web: WebEnv) -> None:
    ids = _give_the_alert_posts(web)
    slug, case_id = web.seeded.slugs["acme"], web.seeded.cases["acme"]
    admin = bearer(web, "acme-admin")
    base = f"/api/v1/workspaces/{slug}/cases/{case_id}"
    with TestClient(web.app) as client:
        origin = client.get(f"{base}/originator", headers=admin)
        assert origin.status_code == 200, origin.text
        body = origin.json()
        assert (
            body["first_post"]["id"] == min(ids, key=ids.index) or body["first_post"]["id"] in ids
        )
        assert body["posts"] >= 4 and body["participants"]
        assert any(link["kind"] == "reply" for link in body["cascade"])
        assert body["grievance"]["text"]

        listed = client.get(f"/api/v1/workspaces/{slug}/playbooks", headers=admin).json()
        assert sorted(p["key"] for p in listed) == sorted(shipped())
        one = client.get(f"/api/v1/workspaces/{slug}/playbooks/data-breach", headers=admin).json()
        assert one["version"] == 1 and one["title"]["he"]

        document = {k: v for k, v in one["document"].items() if k not in ("key", "version")}
        document["steps"] = document["steps"][:2]
        saved = client.put(
            f"/api/v1/workspaces/{slug}/playbooks/data-breach", json=document, headers=admin
        )
        assert saved.status_code == 200, saved.text
        assert (saved.json()["version"], saved.json()["origin"]) == (2, "workspace")
        viewer = bearer(web, "acme-viewer")
        refused = client.put(
            f"/api/v1/workspaces/{slug}/playbooks/data-breach", json=document, headers=viewer
        )
        assert refused.status_code == 403
        bad = client.put(
            f"/api/v1/workspaces/{slug}/playbooks/data-breach",
            json={**document, "steps": []},
            headers=admin,
        )
        assert bad.status_code == 422 and "steps" in bad.text

        applied = client.post(
            f"{base}/playbooks", json={"playbook": "data-breach", "language": "pl"}, headers=admin
        )
        assert applied.status_code == 201, applied.text
        assert applied.json()["version"] == 2 and len(applied.json()["steps"]) == 2
        again = client.post(f"{base}/playbooks", json={"playbook": "data-breach"}, headers=admin)
        assert again.status_code == 409 and "already applied" in again.text
        detail = client.get(base, headers=admin).json()
        assert document["steps"][0]["pl"] in [t["title"] for t in detail["tasks"]]

        goals = client.get(f"{base}/goals", headers=admin).json()
        assert [g["kind"] for g in goals] == ["first_response", "negative_share", "volume_baseline"]
        assert {g["state"] for g in goals} <= {"pending", "met", "missed"}
        answer = client.post(
            f"{base}/answers", json={"where": "https://example.com/statement"}, headers=admin
        )
        assert answer.status_code == 201 and answer.json()["kind"] == "response"
        goals = client.get(f"{base}/goals", headers=admin).json()
        assert goals[0]["state"] == "met" and goals[0]["at"]
        changed = client.post(
            f"{base}/goals",
            json={"kind": "negative_share", "within_minutes": 120, "target": 0.3},
            headers=admin,
        )
        assert changed.status_code == 201 and changed.json()["target"] == 0.3

        only = client.get(
            f"{base}/timeline", params={"kind": ["playbook", "response"]}, headers=admin
        )
        assert [e["kind"] for e in only.json()] == ["playbook", "response"]
        exported = client.get(f"{base}/timeline", params={"format": "csv"}, headers=admin)
        assert exported.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(exported.text)))
        assert rows[0][:3] == ["id", "at", "kind"] and {"note", "task", "playbook"} <= {
            r[2] for r in rows[1:]
        }
        # Another workspace's case is not there.
        other = web.seeded.cases["globex"]
        assert (
            client.get(
                f"/api/v1/workspaces/{slug}/cases/{other}/originator", headers=admin
            ).status_code
            == 404
        )


def test_case_page_shows_the_room_in_hebrew_and_applies_a_playbook(
    client: TestClient, web: WebEnv
) -> None:
    _give_the_alert_posts(web)
    token = login(client, web.seeded.users["acme-responder"])
    slug, case_id = web.seeded.slugs["acme"], web.seeded.cases["acme"]
    url = f"/w/{slug}/cases/{case_id}"
    hebrew = {"Accept-Language": "he"}
    page = client.get(url, headers=hebrew)
    assert page.status_code == 200
    assert 'id="originator"' in page.text and '<svg class="cascade"' in page.text
    done = client.post(
        f"{url}/playbooks",
        data={"playbook": "viral-complaint", "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    page = client.get(url, headers=hebrew)
    assert 'dir="rtl"' in page.text
    doc = shipped()["viral-complaint"]
    assert doc.steps[0].he in page.text  # the plan in the reader's language
    assert 'data-playbook="viral-complaint"' in page.text
    # The applier's address inside the translated sentence is isolated.
    assert f"<bdi>{web.seeded.users['acme-responder']}</bdi>" in page.text
    assert 'data-goal="first_response"' in page.text
    # The timeline filtered to notes shows the note and no task entry.
    notes = client.get(url, params={"kind": "note"})
    timeline = notes.text.split('id="timeline"', 1)[1].split("</section>", 1)[0]
    assert "tl-note" in timeline and "tl-task" not in timeline
    export = client.get(f"{url}/timeline.json", params={"kind": "playbook"})
    assert export.status_code == 200 and [e["kind"] for e in export.json()] == ["playbook"]
    assert "attachment" in export.headers["content-disposition"]


def test_playbook_pages_show_and_save_a_version(client: TestClient, web: WebEnv) -> None:
    token = login(client, web.seeded.users["acme-admin"])
    listing = client.get("/w/acme/playbooks", headers={"Accept-Language": "pl"})
    assert listing.status_code == 200
    assert listing.text.count("data-playbook=") == len(shipped())
    doc = shipped()["influencer-attack"]
    one = client.get("/w/acme/playbooks/influencer-attack", headers={"Accept-Language": "pl"})
    assert doc.steps[0].pl in one.text and 'id="playbook-document"' in one.text
    edited = to_toml(doc).replace(doc.steps[0].en, "Call the influencer's agent first")
    saved = client.post(
        "/w/acme/playbooks/influencer-attack",
        data={"document": edited, "csrf_token": token},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    page = client.get("/w/acme/playbooks/influencer-attack")
    assert "Call the influencer&#39;s agent first" in page.text and "Version 2 ·" in page.text
    wrong = client.post(
        "/w/acme/playbooks/influencer-attack",
        data={"document": to_toml(shipped()["data-breach"]), "csrf_token": token},
    )
    assert wrong.status_code == 422 and "keep key" in wrong.text
    broken = client.post(
        "/w/acme/playbooks/influencer-attack", data={"document": "key =", "csrf_token": token}
    )
    assert broken.status_code == 422 and "not valid TOML" in broken.text


def test_only_admins_save_playbooks(client: TestClient, web: WebEnv) -> None:
    token = login(client, web.seeded.users["acme-responder"])
    page = client.get("/w/acme/playbooks/data-breach")
    assert page.status_code == 200 and 'id="playbook-document"' not in page.text
    refused = client.post(
        "/w/acme/playbooks/data-breach",
        data={"document": to_toml(shipped()["data-breach"]), "csrf_token": token},
    )
    assert refused.status_code == 403
