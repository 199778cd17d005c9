"""The rota page: the 14-day calendar in the viewer's zone, swaps asked for and accepted by
another member, overrides, and the simulate view."""

from __future__ import annotations

import re
from html import unescape

from fastapi.testclient import TestClient
from sqlalchemy import select

from flarewatch.accounts import service as accounts
from flarewatch.db.engine import session_scope
from flarewatch.oncall.models import RotaChange
from flarewatch.workspaces.models import Workspace

from .conftest import WebEnv, login


def plain(html: str) -> str:
    """The page's text without tags and isolation marks."""
    return unescape(re.sub(r"<[^>]+>|[\u2066-\u2069]", "", html))


ONCALL = {
    "timezone": "Asia/Jerusalem",
    "weekend": ["fri", "sat"],
    "people": [
        {"key": "dana", "notify": ["json://127.0.0.1:9/dana"]},
        {"key": "piotr", "timezone": "Europe/Warsaw", "notify": ["ntfy://piotr-alerts"]},
    ],
    "rotas": [
        {
            "key": "duty",
            "name": "Weekend duty",
            "timezone": "Asia/Jerusalem",
            "rotation": "weekly",
            "handover": "sun 09:00",
            "members": ["dana", "piotr"],
            "start": "2026-11-29",
        }
    ],
    "escalation": [{"severity": "crisis", "steps": [{"notify": "rota:duty", "wait_minutes": 10}]}],
}


def with_rota(web: WebEnv) -> None:
    with session_scope(web.engine) as session:
        workspace = session.scalars(select(Workspace).where(Workspace.slug == "acme")).one()
        workspace.config = {**(workspace.config or {}), **ONCALL}


def _viewer_in(web: WebEnv, who: str, zone: str) -> None:
    with session_scope(web.engine) as session:
        user = accounts.get_user_by_email(session, web.seeded.users[who])
        assert user is not None
        user.timezone = zone


def test_the_calendar_lists_14_days_in_the_viewers_zone(web: WebEnv) -> None:
    with_rota(web)
    _viewer_in(web, "acme-admin", "Europe/Warsaw")
    client = TestClient(web.app)
    login(client, web.seeded.users["acme-admin"])
    html = client.get("/w/acme/oncall").text
    assert "Times are in your time zone, Europe/Warsaw." in plain(html)
    assert html.count("<tr data-day=") == 14
    assert 'data-person="dana"' in html or 'data-person="piotr"' in html
    # Sunday's 09:00 handover in Jerusalem reads 08:00 for a viewer in Warsaw.
    assert ">08:00</time>" in html


def test_a_swap_is_asked_for_then_accepted_by_another_member(web: WebEnv) -> None:
    with_rota(web)
    asker, other = TestClient(web.app), TestClient(web.app)
    csrf = login(asker, web.seeded.users["acme-responder"])
    form = {
        "rota": "duty",
        "replaces": "dana",
        "person": "piotr",
        "start": "2030-01-04T18:00",
        "end": "2030-01-05T09:00",
        "csrf_token": csrf,
    }
    assert asker.post("/w/acme/oncall/swaps", data=form).status_code == 200
    with session_scope(web.engine) as session:
        change = session.scalars(select(RotaChange)).one()
        assert (change.kind, change.status) == ("swap", "requested")
        change_id = change.id
    refused = asker.post(f"/w/acme/oncall/changes/{change_id}/accept", data={"csrf_token": csrf})
    assert refused.status_code == 422 and "you asked for this swap yourself" in refused.text
    other_csrf = login(other, web.seeded.users["acme-admin"])
    page = other.get("/w/acme/oncall").text
    assert f'data-change="{change_id}" data-status="requested"' in page
    other.post(f"/w/acme/oncall/changes/{change_id}/accept", data={"csrf_token": other_csrf})
    with session_scope(web.engine) as session:
        change = session.get_one(RotaChange, change_id)
        assert (change.status, change.decided_by) == ("accepted", web.seeded.users["acme-admin"])


def test_bad_override_input_says_what_to_fix(web: WebEnv) -> None:
    with_rota(web)
    client = TestClient(web.app)
    csrf = login(client, web.seeded.users["acme-admin"])
    form = {
        "rota": "duty",
        "person": "nobody",
        "start": "2030-01-04T18:00",
        "end": "2030-01-05T09:00",
        "csrf_token": csrf,
    }
    response = client.post("/w/acme/oncall/overrides", data=form)
    assert response.status_code == 422 and "'nobody' is not one of the workspace's people" in plain(
        response.text
    )
    form |= {"person": "piotr", "end": "2030-01-04T17:00"}
    response = client.post("/w/acme/oncall/overrides", data=form)
    assert response.status_code == 422 and "is not after the start" in plain(response.text)


def test_the_simulate_view_shows_the_paging_timeline_with_an_override(web: WebEnv) -> None:
    with_rota(web)
    _viewer_in(web, "acme-admin", "Asia/Jerusalem")
    client = TestClient(web.app)
    csrf = login(client, web.seeded.users["acme-admin"])
    # Saturday 5 December 2026 03:00 is Dana's week; an override gives the night to Piotr.
    sim = client.get("/w/acme/oncall?at=2026-12-05T03:00&severity=crisis").text
    assert 'id="sim-result"' in sim and "<bdi>dana</bdi>" in sim.split('id="sim-result"')[1]
    client.post(
        "/w/acme/oncall/overrides",
        data={
            "rota": "duty",
            "person": "piotr",
            "start": "2026-12-05T00:00",
            "end": "2026-12-05T08:00",
            "csrf_token": csrf,
        },
    )
    sim = client.get("/w/acme/oncall?at=2026-12-05T03:00&severity=crisis").text
    result = sim.split('id="sim-result"')[1]
    assert "<bdi>piotr</bdi>" in result and "ntfy" in result
