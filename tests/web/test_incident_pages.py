"""One incident on the web: the alert links its case, the case shows the alert as it is now,
and triage from the pages and the API is written on the case timeline with who."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from flarewatch.alerts.models import Alert
from flarewatch.alerts.service import raise_alerts
from flarewatch.cases import service as cases
from flarewatch.cases.models import CaseEvent
from flarewatch.db.engine import session_scope
from flarewatch.detect.types import AlertCandidate, Factor
from flarewatch.mentions.models import Mention
from flarewatch.workspaces.models import Workspace

from .conftest import WebEnv, bearer, login


def _triage_lines(web: WebEnv, case_id: int) -> list[tuple[str, str]]:
    with session_scope(web.engine) as session:
        events = session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
        )
        return [(e.actor, e.text) for e in events if e.kind == "alert" and "status" in e.data]


def test_alert_page_links_its_case_instead_of_offering_a_new_one(
    web: WebEnv, client: TestClient
) -> None:
    login(client, web.seeded.users["acme-admin"])
    without, with_case = web.seeded.alerts["acme"]
    case_id = web.seeded.cases["acme"]
    page = client.get(f"/w/acme/alerts/{with_case}").text
    assert f'href="/w/acme/cases/{case_id}" data-case-id="{case_id}"' in page
    assert f"Case #{case_id}" in page and 'data-action="case"' not in page
    assert 'data-action="case"' in client.get(f"/w/acme/alerts/{without}").text
    inbox = client.get("/w/acme/alerts").text
    assert inbox.count(f'data-case-id="{case_id}"') == 1
    hebrew = client.get(f"/w/acme/alerts/{with_case}", headers={"Accept-Language": "he"}).text
    assert f"תיק #{case_id}" in hebrew


def test_triage_from_pages_and_api_is_on_the_case_timeline(web: WebEnv, client: TestClient) -> None:
    alert_id, case_id = web.seeded.alerts["acme"][1], web.seeded.cases["acme"]
    analyst, admin = web.seeded.users["acme-analyst"], web.seeded.users["acme-admin"]
    csrf = login(client, analyst)
    response = client.post(
        f"/w/acme/alerts/{alert_id}/acknowledge",
        headers={"HX-Request": "true", "X-CSRF-Token": csrf},
    )
    assert response.status_code == 200 and f'data-case-id="{case_id}"' in response.text
    with TestClient(web.app, base_url="http://testserver/api/v1") as api:
        resolved = api.post(
            f"/workspaces/acme/alerts/{alert_id}/resolve", headers=bearer(web, "acme-admin")
        )
        assert resolved.status_code == 200, resolved.text
        noise = api.post(
            f"/workspaces/acme/alerts/{alert_id}/noise", headers=bearer(web, "acme-admin")
        )
        assert noise.status_code == 200, noise.text
        detail = api.get(f"/workspaces/acme/cases/{case_id}", headers=bearer(web, "acme-viewer"))
    assert _triage_lines(web, case_id) == [
        (analyst, f"Alert #{alert_id} acknowledged by {analyst}"),
        (admin, f"Alert #{alert_id} resolved by {admin}"),
        (admin, f"Alert #{alert_id} marked as noise by {admin}"),
    ]
    body = detail.json()
    assert body["alert"]["id"] == alert_id and body["alert"]["status"] == "noise"
    assert [e["actor"] for e in body["timeline"]][-3:] == [analyst, admin, admin]
    page = client.get(f"/w/acme/cases/{case_id}").text
    assert f"Alert #{alert_id} marked as noise by" in page and 'data-status="noise"' in page


def test_case_page_shows_the_alert_now_after_escalation(web: WebEnv, client: TestClient) -> None:
    with session_scope(web.engine) as session:
        ws = session.get_one(Workspace, web.seeded.workspaces["acme"])
        topic_id = web.seeded.topics["acme"]
        now = web.seeded.now

        def signal(severity: str, risk: float, why: str) -> AlertCandidate:
            return AlertCandidate(
                workspace_id=ws.id,
                topic_id=topic_id,
                group_key=f"topic:{topic_id}:incident",
                severity=severity,
                risk_score=risk,
                title="Lost luggage",
                explanation=why,
                window_start=now - timedelta(minutes=30),
                window_end=now,
                factors=[Factor("volume", f"volume at {risk:.0f}", risk, 10, 30)],
            )

        [alert] = raise_alerts(session, ws, [signal("warning", 55, "Rising: 3× usual.")], now)
        case = cases.open_case_from_alert(session, alert.id, "system", workspace_id=ws.id)
        escalated = raise_alerts(session, ws, [signal("crisis", 97, "Surging: 9× usual.")], now)
        cases.auto_open_cases(session, ws, escalated)
        alert_id, case_id = alert.id, case.id
    login(client, web.seeded.users["acme-viewer"])
    page = client.get(f"/w/acme/cases/{case_id}").text
    now_card = page.split('id="case-alert"', 1)[1].split("</section>", 1)[0]
    assert 'data-severity="crisis"' in now_card and "Surging: 9× usual." in now_card
    assert "<span data-risk>97</span>" in now_card and "volume at 97" in now_card
    assert "Rising: 3× usual." not in now_card
    assert f"Alert #{alert_id} escalated from warning to crisis (risk 97)" in page
    with session_scope(web.engine) as session:
        assert session.get_one(Alert, alert_id).severity == "crisis"


def test_a_merged_alert_points_to_the_alert_that_stands_for_it(
    web: WebEnv, client: TestClient
) -> None:
    with session_scope(web.engine) as session:
        ws = session.get_one(Workspace, web.seeded.workspaces["acme"])
        now = web.seeded.now
        mention = session.get_one(Mention, web.seeded.mentions["acme"])

        def signal(group: str, start: int, end: int) -> AlertCandidate:
            return AlertCandidate(
                workspace_id=ws.id,
                topic_id=web.seeded.topics["acme"],
                group_key=group,
                severity="warning",
                risk_score=70,
                title=f"Signal {group}",
                explanation="Same posts.",
                window_start=now + timedelta(minutes=start),
                window_end=now + timedelta(minutes=end),
                post_ids=[mention.raw_post_id],
            )

        # Two signals on the same post, too far apart to be one episode...
        [first] = raise_alerts(session, ws, [signal("incident:a", -30, 0)], now)
        [second] = raise_alerts(session, ws, [signal("incident:b", 90, 120)], now)
        assert first.id != second.id
        # ...until a signal in between shows them to be one incident.
        raise_alerts(session, ws, [signal("incident:c", 20, 80)], now)
        assert (second.status, second.merged_into_id) == ("merged", first.id)
        first_id, second_id = first.id, second.id
    login(client, web.seeded.users["acme-analyst"])
    page = client.get(f"/w/acme/alerts/{second_id}").text
    assert f'href="/w/acme/alerts/{first_id}"' in page and f"alert #{first_id}" in page
    assert 'data-action="acknowledge"' not in page
    assert f'id="alert-{second_id}"' not in client.get("/w/acme/alerts").text
    assert f'id="alert-{second_id}"' in client.get("/w/acme/alerts?status=merged").text
