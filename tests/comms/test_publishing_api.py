"""Publishing through the API and the pages: the approval gate cannot be bypassed, the kill
switch is one call (or one click) and audited, roles are enforced, moderation goes through the
guard."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import select

from flarewatch.accounts import service as accounts_service
from flarewatch.accounts.models import AuditLog
from flarewatch.comms import drafts
from flarewatch.comms.models import Publication
from flarewatch.comms.publishing.sender import publish_due
from flarewatch.db.engine import session_scope
from flarewatch.workspaces.models import Workspace
from tests.comms.platform_server import PlatformServer, Reply, platform_server
from tests.comms.publishing_setup import SECRETS, channels
from tests.web import conftest as web_setup
from tests.web.conftest import WebEnv, bearer, login
from tests.web.seed import Seeded


@pytest.fixture
def server() -> Iterator[PlatformServer]:
    with platform_server() as running:
        yield running


@pytest.fixture(autouse=True, scope="module")
def _fast_hashing() -> Iterator[None]:
    """Real argon2 with test-sized cost, as the web tests have it."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(accounts_service, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))
        yield


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Seeded]:
    """The web tests' seeded database, built once for this module and copied per test."""
    return web_setup._build_template(tmp_path_factory.mktemp("publishing"))


@pytest.fixture
def env(
    tmp_path: Path,
    seeded_db: tuple[Path, Seeded],
    server: PlatformServer,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[WebEnv]:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    web = web_setup.make_env(tmp_path, seeded_db)
    with session_scope(web.engine) as session:
        ws = session.get_one(Workspace, web.seeded.workspaces["acme"])
        ws.config = {**(ws.config or {}), "channels": channels(server.url)}
    yield web
    web.engine.dispose()


@pytest.fixture
def client(env: WebEnv) -> Iterator[TestClient]:
    with TestClient(env.app) as test_client:
        yield test_client


def make_draft(env: WebEnv, *, approve: bool = True, platform: str = "mastodon") -> int:
    with session_scope(env.engine) as session:
        draft = drafts.create_draft(
            session,
            env.seeded.cases["acme"],
            "We are sorry. We are checking every flight and will update you by 18:00.",
            "dana@acme.test",
            workspace_id=env.seeded.workspaces["acme"],
            platform=platform,
        )
        if approve:
            drafts.mark_approved(session, draft, "legal@acme.test")
        return draft.id


BASE = "/api/v1/workspaces/acme"
TOMORROW = datetime.now(UTC) + timedelta(days=1)


def test_an_unapproved_draft_cannot_be_scheduled_through_the_api(
    env: WebEnv, client: TestClient, server: PlatformServer
) -> None:
    draft_id = make_draft(env, approve=False)
    headers = bearer(env, "acme-responder")
    answer = client.post(
        f"{BASE}/publications", json={"draft": draft_id, "channel": "masto"}, headers=headers
    )
    assert answer.status_code == 409, answer.text
    assert "not approved" in answer.json()["detail"]
    answer = client.post(
        f"{BASE}/publications",
        json={"draft": draft_id, "channel": "masto", "send_now": True},
        headers=headers,
    )
    assert answer.status_code == 409
    assert server.received == []


def test_schedule_send_now_and_list_with_the_link(
    env: WebEnv, client: TestClient, server: PlatformServer
) -> None:
    server.on("POST", "/api/v1/statuses", Reply(200, {"id": "77", "url": "https://m.example/77"}))
    draft_id = make_draft(env)
    headers = bearer(env, "acme-responder")
    answer = client.post(
        f"{BASE}/publications",
        json={"draft": draft_id, "channel": "masto", "send_now": True},
        headers=headers,
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert (body["status"], body["url"], body["remote_id"]) == (
        "published",
        "https://m.example/77",
        "77",
    )
    listed = client.get(f"{BASE}/publications", params={"draft": draft_id}, headers=headers)
    assert [p["id"] for p in listed.json()] == [body["id"]]
    cancel = client.post(f"{BASE}/publications/{body['id']}/cancel", json={}, headers=headers)
    assert cancel.status_code == 409
    viewer = client.post(
        f"{BASE}/publications",
        json={"draft": draft_id, "channel": "masto"},
        headers=bearer(env, "acme-viewer"),
    )
    assert viewer.status_code == 403


def test_a_draft_revised_after_scheduling_is_not_sent(
    env: WebEnv, client: TestClient, server: PlatformServer
) -> None:
    draft_id = make_draft(env)
    headers = bearer(env, "acme-responder")
    answer = client.post(
        f"{BASE}/publications",
        json={"draft": draft_id, "channel": "masto", "at": "2020-01-01T00:00:00Z"},
        headers=headers,
    )
    assert answer.status_code == 201
    with session_scope(env.engine) as session:
        drafts.revise_draft(
            session, draft_id, "Changed.", "eve", workspace_id=env.seeded.workspaces["acme"]
        )
    with session_scope(env.engine) as session:
        report = publish_due(session, datetime.now(UTC))
    assert report.failed == [answer.json()["id"]]
    assert server.received == []


def test_the_kill_switch_through_the_api_is_audited_and_resumed(
    env: WebEnv, client: TestClient
) -> None:
    draft_id = make_draft(env)
    headers = bearer(env, "acme-responder")
    scheduled = client.post(
        f"{BASE}/publications",
        json={"draft": draft_id, "channel": "masto", "at": TOMORROW.isoformat()},
        headers=headers,
    ).json()
    stop = client.post(
        f"{BASE}/kill-switch", json={"reason": "CEO statement pending"}, headers=headers
    )
    assert stop.status_code == 200, stop.text
    assert stop.json()["engaged"] is True
    assert stop.json()["affected"] == [scheduled["id"]]
    again = client.post(f"{BASE}/kill-switch", json={"reason": "x"}, headers=headers)
    assert again.status_code == 409
    empty = client.post(f"{BASE}/kill-switch", json={"reason": ""}, headers=headers)
    assert empty.status_code == 422
    held = client.get(f"{BASE}/publications/{scheduled['id']}", headers=headers).json()
    assert (held["status"], held["reason"]) == ("suspended", "CEO statement pending")
    viewer = client.post(f"{BASE}/kill-switch/resume", headers=bearer(env, "acme-viewer"))
    assert viewer.status_code == 403
    approver = client.post(f"{BASE}/resume", headers=bearer(env, "acme-approver"))
    assert approver.status_code == 200, approver.text
    assert approver.json()["engaged"] is False
    assert [h["action"] for h in approver.json()["history"]] == ["lifted", "engaged"]
    with session_scope(env.engine) as session:
        row = session.get_one(Publication, scheduled["id"])
        assert row.status == "scheduled"
        actions = session.scalars(
            select(AuditLog.action).where(AuditLog.action.like("publishing.kill_switch%"))
        ).all()
    assert actions == ["publishing.kill_switch.engaged", "publishing.kill_switch.lifted"]


def test_channels_say_which_secrets_are_missing(
    env: WebEnv, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("X_TOKEN")
    listed = client.get(f"{BASE}/channels", headers=bearer(env, "acme-viewer")).json()
    by_key = {c["key"]: c for c in listed}
    assert by_key["masto"]["ready"] is True
    assert (by_key["xacct"]["ready"], by_key["xacct"]["missing"]) == (False, ["X_TOKEN"])


def test_the_guard_refuses_to_delete_unknown_criticism_without_a_reason(
    env: WebEnv, client: TestClient, server: PlatformServer
) -> None:
    server.on("DELETE", "/104_1", Reply(200, {"success": True}))
    headers = bearer(env, "acme-responder")
    refused = client.post(
        f"{BASE}/moderation",
        json={"channel": "page", "post": "104_1", "action": "delete"},
        headers=headers,
    )
    assert refused.status_code == 409
    assert "answering beats deleting" in refused.json()["detail"]
    assert server.received == []
    done = client.post(
        f"{BASE}/moderation",
        json={
            "channel": "page",
            "post": "104_1",
            "action": "delete",
            "reason": "Personal data of a customer",
            "confirm": True,
        },
        headers=headers,
    )
    assert done.status_code == 200, done.text
    [deleted] = server.received
    assert (deleted.method, deleted.path, deleted.query["access_token"]) == (
        "DELETE",
        "/104_1",
        ["fb-secret"],
    )


def test_the_publishing_page_and_the_one_click_kill_switch(env: WebEnv, client: TestClient) -> None:
    token = login(client, env.seeded.users["acme-responder"])
    draft_id = make_draft(env)
    page = client.get("/w/acme/publishing")
    assert page.status_code == 200
    assert 'id="engage-kill-switch"' in page.text
    assert 'data-channel="masto"' in page.text
    body = client.get(f"/w/acme/drafts/{draft_id}/publishing")
    assert 'id="publish-form"' in body.text
    scheduled = client.post(
        f"/w/acme/drafts/{draft_id}/publish",
        data={
            "channel": "masto",
            "when": "at",
            "at": TOMORROW.strftime("%Y-%m-%dT%H:%M"),
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert scheduled.status_code == 303, scheduled.text
    stop = client.post(
        "/w/acme/publishing/kill-switch",
        data={"reason": "Hold everything", "csrf_token": token},
        follow_redirects=False,
    )
    assert stop.status_code == 303
    page = client.get("/w/acme/publishing")
    assert 'id="resume-publishing"' in page.text
    assert 'data-status="suspended"' in page.text
    case_page = client.get(f"/w/acme/cases/{env.seeded.cases['acme']}")
    assert 'id="kill-switch-slot"' in case_page.text
    card = client.get(
        f"/w/acme/publishing/kill-switch?back=/w/acme/cases/{env.seeded.cases['acme']}"
    )
    assert "Hold everything" in card.text
    resumed = client.post(
        "/w/acme/publishing/resume", data={"csrf_token": token}, follow_redirects=False
    )
    assert resumed.status_code == 303
    unapproved = make_draft(env, approve=False)
    body = client.get(f"/w/acme/drafts/{unapproved}/publishing")
    assert "needs approval" in body.text
