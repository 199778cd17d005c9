"""The case page's "Stakeholder updates" and "Advocates" sections and their API: the schedule,
send now (to a real local HTTP receiver), briefing with the approval gate, who may do it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from flarewatch.comms import drafts
from flarewatch.comms.advocates.models import AdvocateBriefing
from flarewatch.comms.stakeholders.models import StakeholderUpdate
from flarewatch.db.engine import session_scope
from flarewatch.workspaces.models import Workspace
from tests.alerts.conftest import HttpReceiver, start_http_receiver
from tests.web.conftest import (  # noqa: F401 - fixtures
    WebEnv,
    _fast_password_hashing,
    _template,
    bearer,
    client,
    login,
    web,
)


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    server, found = start_http_receiver()
    yield found
    server.shutdown()
    server.server_close()


def _configure(env: WebEnv, chat: str) -> tuple[int, int, int]:
    """The executives' table and two advocates on acme; (case, approved draft, pending)."""
    case_id = env.seeded.cases["acme"]
    with session_scope(env.engine) as session:
        workspace = session.get_one(Workspace, env.seeded.workspaces["acme"])
        workspace.config = {
            **(workspace.config or {}),
            "stakeholder_updates": [
                {
                    "audience": "executives",
                    "routes": [chat],
                    "cadence": {"crisis": 60, "warning": 120, "watch": 240},
                }
            ],
            "advocates": [
                {"key": "noa", "name": "נועה לוי", "contact": chat, "languages": ["he"]},
                {"key": "ali", "name": "Ali Grey"},
            ],
        }
        good = drafts.create_draft(
            session,
            case_id,
            "Every grill is checked.",
            "dana",
            workspace_id=workspace.id,
            platform="x",
        )
        drafts.mark_approved(session, good, "legal")
        pending = drafts.create_draft(
            session, case_id, "Not approved yet.", "dana", workspace_id=workspace.id, platform="x"
        )
        return case_id, good.id, pending.id


def test_the_api_schedules_sends_and_briefs(
    web: WebEnv,  # noqa: F811
    client: TestClient,  # noqa: F811
    receiver: HttpReceiver,
) -> None:
    case_id, good, pending = _configure(web, receiver.url("chat"))
    url = f"/api/v1/workspaces/acme/cases/{case_id}"
    responder = bearer(web, "acme-responder")
    [before] = client.get(f"{url}/stakeholder-updates", headers=responder).json()
    assert before["audience"] == "executives" and before["last"] is None
    assert before["every_minutes"] in (60, 120, 240) and before["due_at"]
    viewer = bearer(web, "acme-viewer")
    assert client.post(f"{url}/stakeholder-updates", json={}, headers=viewer).status_code == 403
    unknown = client.post(
        f"{url}/stakeholder-updates", json={"audience": "board"}, headers=responder
    )
    assert unknown.status_code == 422 and "its audiences: executives" in unknown.text
    sent = client.post(
        f"{url}/stakeholder-updates", json={"audience": "executives"}, headers=responder
    )
    assert sent.status_code == 200, sent.text
    [row] = sent.json()
    assert row["status"] == "sent" and row["trigger"] == "manual"
    assert row["results"] == {"url#0": {"status": "sent", "error": None, "language": "en"}}
    assert len(receiver.requests) == 1
    [after] = client.get(f"{url}/stakeholder-updates", headers=responder).json()
    assert after["last"]["id"] == row["id"]

    advocates = client.get("/api/v1/workspaces/acme/advocates", headers=responder).json()
    assert [(a["key"], a["contact"]) for a in advocates] == [("noa", "json"), ("ali", "by_hand")]
    refused = client.post(
        f"{url}/advocate-briefings", json={"drafts": [good, pending]}, headers=responder
    )
    assert refused.status_code == 409 and "not approved" in refused.text
    briefed = client.post(
        f"{url}/advocate-briefings",
        json={"drafts": [good], "advocates": ["noa", "ali"]},
        headers=responder,
    )
    assert briefed.status_code == 200, briefed.text
    assert [(b["advocate"], b["status"]) for b in briefed.json()] == [
        ("noa", "sent"),
        ("ali", "by_hand"),
    ]
    case_view = client.get(f"{url}/advocates", headers=responder).json()
    assert [b["advocate"] for b in case_view["briefings"]] == ["ali", "noa"]
    other = client.get(
        f"/api/v1/workspaces/globex/cases/{case_id}/stakeholder-updates",
        headers=bearer(web, "globex-admin"),
    )
    assert other.status_code == 404


def test_the_case_page_shows_the_sections_and_sends_from_its_forms(
    web: WebEnv,  # noqa: F811
    client: TestClient,  # noqa: F811
    receiver: HttpReceiver,
) -> None:
    case_id, good, _ = _configure(web, receiver.url("chat"))
    csrf = login(client, web.seeded.users["acme-responder"])
    page = client.get(f"/w/acme/cases/{case_id}").text
    assert 'id="stakeholders"' in page and 'data-audience="executives"' in page
    assert 'data-last="none"' in page and f'data-fact="{good}"' in page
    assert 'data-advocate="noa"' in page and "<bdi>נועה לוי</bdi>" in page
    posted = client.post(
        f"/w/acme/cases/{case_id}/stakeholders/send",
        data={"audience": "executives", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert posted.status_code == 303 and posted.headers["location"].endswith("#stakeholders")
    briefed = client.post(
        f"/w/acme/cases/{case_id}/advocates/brief",
        data={"draft": [str(good)], "advocate": ["ali"], "csrf_token": csrf},
        follow_redirects=False,
    )
    assert briefed.status_code == 303 and briefed.headers["location"].endswith("#advocates")
    with session_scope(web.engine) as session:
        assert session.scalars(select(StakeholderUpdate.status)).all() == ["sent"]
        assert session.scalars(select(AdvocateBriefing.advocate)).all() == ["ali"]
    hebrew = client.get(f"/w/acme/cases/{case_id}", headers={"Accept-Language": "he"}).text
    assert 'data-last="sent"' in hebrew and 'data-status="by_hand"' in hebrew
    assert "עדכונים לבעלי עניין" in hebrew
