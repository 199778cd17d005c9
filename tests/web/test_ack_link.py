"""The signed one-click acknowledgement link: GET only shows a confirmation page (a chat app's
link preview must not acknowledge), POST acknowledges that alert only; expired or forged links
are refused with what to do instead. The alert page shows the escalation and its timeline."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from flarewatch.alerts.models import Alert
from flarewatch.alerts.service import raise_alerts
from flarewatch.alerts.timeline import alert_events
from flarewatch.db.base import utcnow
from flarewatch.db.engine import session_scope
from flarewatch.oncall.acklink import make_token
from flarewatch.oncall.service import run_due_steps
from flarewatch.workspaces.models import Workspace
from tests.alerts.helpers import candidate

from .conftest import WebEnv, csrf_from, login

ONCALL = {
    "timezone": "Europe/Warsaw",
    "people": [{"key": "dana", "notify": ["json://127.0.0.1:9/dana"]}],
    "rotas": [
        {
            "key": "duty",
            "timezone": "Europe/Warsaw",
            "rotation": "daily",
            "handover": "09:00",
            "members": ["dana"],
        }
    ],
    "escalation": [
        {
            "severity": "crisis",
            "steps": [
                {"notify": "rota:duty", "wait_minutes": 10},
                {"notify": "person:dana", "wait_minutes": 10},
            ],
        }
    ],
}


def _paged_alert(web: WebEnv) -> int:
    """A crisis in the seeded workspace 'acme', its first round sent."""
    with session_scope(web.engine) as session:
        workspace = session.scalars(select(Workspace).where(Workspace.slug == "acme")).one()
        workspace.config = {**(workspace.config or {}), **ONCALL}
        now = utcnow()
        [alert] = raise_alerts(
            session, workspace, [candidate(workspace, "crisis", group_key="topic:ack")], now
        )
        run_due_steps(session, now)
        return alert.id


def _status(web: WebEnv, alert_id: int) -> tuple[str, str | None]:
    with session_scope(web.engine) as session:
        alert = session.get_one(Alert, alert_id)
        return alert.status, alert.acknowledged_by


def test_the_link_shows_a_page_and_only_its_button_acknowledges(web: WebEnv) -> None:
    alert_id = _paged_alert(web)
    token = make_token(web.app.state.secret_key, alert_id, "dana", hours=24)
    phone = TestClient(web.app)  # not signed in: the link is the credential
    page = phone.get(f"/ack/{token}")
    assert page.status_code == 200 and 'data-action="acknowledge"' in page.text
    assert _status(web, alert_id) == ("open", None)  # a preview fetch changes nothing
    done = phone.post(f"/ack/{token}", data={"csrf_token": csrf_from(page.text)})
    assert done.status_code == 200 and 'id="ack-result"' in done.text
    assert _status(web, alert_id) == ("acknowledged", "dana")
    with session_scope(web.engine) as session:
        texts = [event.text for event in alert_events(session, alert_id)]
    assert texts[-1] == f"Alert #{alert_id} acknowledged by dana with the link in a message"
    again = phone.get(f"/ack/{token}")
    assert "already acknowledged by" in again.text and 'data-action="acknowledge"' not in again.text


def test_a_post_without_the_page_token_is_refused(web: WebEnv) -> None:
    alert_id = _paged_alert(web)
    token = make_token(web.app.state.secret_key, alert_id, "dana", hours=24)
    response = TestClient(web.app).post(f"/ack/{token}")
    assert response.status_code == 403
    assert _status(web, alert_id) == ("open", None)


def test_expired_and_forged_links_say_what_to_do(web: WebEnv) -> None:
    alert_id = _paged_alert(web)
    client = TestClient(web.app)
    forged = make_token("some-other-servers-secret-key-000000", alert_id, "dana", hours=24)
    response = client.get(f"/ack/{forged}")
    assert response.status_code == 422 and "another Flarewatch server" in response.text
    # Signed 25 hours ago with a 24-hour life.
    from itsdangerous import TimestampSigner, URLSafeTimedSerializer

    class Past(TimestampSigner):
        def get_timestamp(self) -> int:
            return int((utcnow() - timedelta(hours=25)).timestamp())

    old = URLSafeTimedSerializer(
        web.app.state.secret_key, salt="flarewatch-ack", signer=Past
    ).dumps({"a": alert_id, "to": "dana", "h": 24})
    response = client.get(f"/ack/{old}")
    assert response.status_code == 422 and "expired" in response.text
    assert f"flarewatch alerts ack {alert_id}" in response.text
    assert _status(web, alert_id) == ("open", None)


def test_the_alert_page_shows_the_escalation_and_what_happens_next(web: WebEnv) -> None:
    alert_id = _paged_alert(web)
    client = TestClient(web.app)
    login(client, web.seeded.users["acme-admin"])
    page = client.get(f"/w/acme/alerts/{alert_id}")
    assert page.status_code == 200
    assert 'id="paging-next"' in page.text and "Next: step 2 notifies" in page.text
    assert 'id="paging-rounds"' in page.text and 'id="paging-deliveries"' in page.text
    assert "escalation step 1: notified" in page.text


def test_the_api_shows_the_escalation_and_the_deliveries(web: WebEnv) -> None:
    from .conftest import bearer

    alert_id = _paged_alert(web)
    client = TestClient(web.app)
    response = client.get(
        f"/api/v1/workspaces/acme/alerts/{alert_id}/paging", headers=bearer(web, "acme-admin")
    )
    assert response.status_code == 200, response.text
    paging = response.json()
    assert paging["next"]["step"] == 2 and paging["next"]["status"] == "pending"
    assert [r["status"] for r in paging["rounds"]] == ["sent", "pending"]
    [delivery] = paging["deliveries"]
    assert (delivery["recipient"], delivery["channel"], delivery["status"]) == (
        "dana",
        "json",
        "pending",
    )
    assert "url" not in delivery and "127.0.0.1" not in response.text
    assert paging["timeline"][0]["text"].endswith("escalation step 1: notified dana")
