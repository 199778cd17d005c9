"""The on-call editor (/w/SLUG/oncall/setup): admins only, every edit audited, checked with the
workspace file's messages field by field, used by the rota page at once; contact URLs masked."""

from __future__ import annotations

from html import unescape

from fastapi.testclient import TestClient
from sqlalchemy import select

from flarewatch.accounts.models import AuditLog
from flarewatch.db.engine import session_scope
from flarewatch.web.i18n import LOCALE_COOKIE
from flarewatch.workspaces.models import Workspace

from .conftest import WebEnv, login
from .test_rota_page import plain, with_rota

ROTA_FORM = {
    "original": "duty",
    "key": "duty",
    "name": "Weekend duty",
    "timezone": "Asia/Jerusalem",
    "rotation": "daily",
    "handover": "07:00",
    "members": "piotr",
    "start": "2026-11-29",
    "layer_rotation": "",
    "layer_handover": "",
    "layer_members": "",
    "layer_days": "",
    "layer_hours": "",
    "layer_start": "",
}


def _stored(web: WebEnv) -> dict:
    with session_scope(web.engine) as session:
        workspace = session.scalars(select(Workspace).where(Workspace.slug == "acme")).one()
        return dict(workspace.config or {})


def test_only_admins_may_open_or_post_the_editor(web: WebEnv) -> None:
    with_rota(web)
    for role in ("analyst", "responder", "viewer"):
        client = TestClient(web.app)
        csrf = login(client, web.seeded.users[f"acme-{role}"])
        assert client.get("/w/acme/oncall/setup").status_code == 403
        posted = client.post("/w/acme/oncall/setup/rotas", data={**ROTA_FORM, "csrf_token": csrf})
        assert posted.status_code == 403
        assert 'data-action="setup"' not in client.get("/w/acme/oncall").text
    assert _stored(web)["rotas"][0]["members"] == ["dana", "piotr"]


def test_an_admin_edits_a_rota_and_the_calendar_follows(web: WebEnv) -> None:
    with_rota(web)
    client = TestClient(web.app)
    csrf = login(client, web.seeded.users["acme-admin"])
    page = client.get("/w/acme/oncall/setup")
    assert page.status_code == 200
    assert 'id="rotas-duty"' in page.text and 'data-origin="file"' in page.text
    assert 'data-person="dana"' in client.get("/w/acme/oncall").text
    saved = client.post("/w/acme/oncall/setup/rotas", data={**ROTA_FORM, "csrf_token": csrf})
    assert saved.status_code == 200
    [rota] = _stored(web)["rotas"]
    assert (rota["rotation"], rota["handover"], rota["members"]) == ("daily", "07:00", ["piotr"])
    assert rota["layers"] == []
    calendar = client.get("/w/acme/oncall").text
    assert 'data-person="piotr"' in calendar and 'data-person="dana"' not in calendar
    assert 'data-origin="web"' in client.get("/w/acme/oncall/setup").text
    with session_scope(web.engine) as session:
        entry = session.scalars(select(AuditLog).where(AuditLog.action == "oncall.rota.edit")).one()
        assert entry.details["before"]["members"] == ["dana", "piotr"]
        assert entry.details["after"]["members"] == ["piotr"]


def test_wrong_fields_are_named_one_by_one_and_nothing_is_saved(web: WebEnv) -> None:
    with_rota(web)
    client = TestClient(web.app)
    csrf = login(client, web.seeded.users["acme-admin"])
    form = {
        **ROTA_FORM,
        "timezone": "Europe/Nowhere",
        "members": "piotr, zoe",
        "layer_members": "dana",
        "layer_hours": "25:00-09:00",
        "csrf_token": csrf,
    }
    refused = client.post("/w/acme/oncall/setup/rotas", data=form)
    assert refused.status_code == 422
    text = plain(refused.text)
    assert "timezone: unknown timezone 'Europe/Nowhere'" in text
    assert "layers[0].hours: '25:00' is not a time of day" in text
    assert 'value="Europe/Nowhere"' in refused.text  # the form keeps what was typed
    form["timezone"], form["layer_hours"] = "Asia/Jerusalem", "18:00-09:00"
    refused = client.post("/w/acme/oncall/setup/rotas", data=form)
    assert refused.status_code == 422
    assert "members[1]: 'zoe' is not one of the people" in plain(refused.text)
    assert _stored(web)["rotas"][0]["members"] == ["dana", "piotr"]


def test_a_person_is_edited_without_showing_their_contact_urls(web: WebEnv) -> None:
    with_rota(web)
    client = TestClient(web.app)
    csrf = login(client, web.seeded.users["acme-admin"])
    page = client.get("/w/acme/oncall/setup").text
    assert "ntfy://piotr-alerts" not in page  # masked
    shown = page.split('id="person-piotr-notify"')[1].split(">", 1)[1].split("</textarea>")[0]
    form = {
        "original": "piotr",
        "key": "piotr",
        "name": "Piotr Nowak",
        "timezone": "Europe/Warsaw",
        "language": "pl",
        "notify": unescape(shown).strip()
        + "\nmailto://user:pw@agency.example?to=piotr@agency.example",
        "csrf_token": csrf,
    }
    assert client.post("/w/acme/oncall/setup/people", data=form).status_code == 200
    piotr = next(p for p in _stored(web)["people"] if p["key"] == "piotr")
    assert piotr["notify"][0] == "ntfy://piotr-alerts"
    assert piotr["language"] == "pl" and piotr["name"] == "Piotr Nowak"
    with session_scope(web.engine) as session:
        entry = session.scalars(
            select(AuditLog).where(AuditLog.action == "oncall.person.edit")
        ).one()
        assert "user:pw" not in str(entry.details)
    # Still a member of the rota: deleting is refused with where he is named.
    refused = client.post("/w/acme/oncall/setup/people/piotr/delete", data={"csrf_token": csrf})
    assert refused.status_code == 422
    assert "rotas[0].members[1]: 'piotr' is not one of the people" in plain(refused.text)
    assert "Not deleted: it is still named here." in plain(refused.text)


def test_a_policy_is_added_and_the_page_reads_in_hebrew(web: WebEnv) -> None:
    with_rota(web)
    client = TestClient(web.app)
    csrf = login(client, web.seeded.users["acme-admin"])
    client.post("/w/acme/oncall/setup/escalation/crisis/delete", data={"csrf_token": csrf})
    assert _stored(web)["escalation"] == []
    form = {
        "original": "",
        "severity": "warning",
        "page": "working_hours",
        "step_notify": ["rota:duty", "person:piotr", ""],
        "step_wait_minutes": ["30", "", ""],
        "step_repeat": ["", "2", ""],
        "remind_minutes": "30",
        "unacknowledge_minutes": "120",
        "ack_link_hours": "",
        "csrf_token": csrf,
    }
    assert client.post("/w/acme/oncall/setup/escalation", data=form).status_code == 200
    [policy] = _stored(web)["escalation"]
    assert policy["steps"] == [
        {"notify": "rota:duty", "wait_minutes": 30, "repeat": 1},
        {"notify": "person:piotr", "wait_minutes": 5, "repeat": 2},
    ]
    assert (policy["page"], policy["remind_minutes"], policy["ack_link_hours"]) == (
        "working_hours",
        30,
        24,
    )
    client.cookies.set(LOCALE_COOKIE, "he")
    hebrew = client.get("/w/acme/oncall/setup").text
    assert "הגדרת כוננות" in hebrew and "<bdi>Weekend duty</bdi>" in hebrew


def test_a_person_with_an_override_ahead_cannot_be_deleted(web: WebEnv) -> None:
    with_rota(web)
    client = TestClient(web.app)
    csrf = login(client, web.seeded.users["acme-admin"])
    noa = {"original": "", "key": "noa", "notify": "ntfy://noa-alerts", "csrf_token": csrf}
    assert client.post("/w/acme/oncall/setup/people", data=noa).status_code == 200
    override = {
        "rota": "duty",
        "person": "noa",
        "start": "2030-01-04T18:00",
        "end": "2030-01-05T09:00",
        "csrf_token": csrf,
    }
    assert client.post("/w/acme/oncall/overrides", data=override).status_code == 200
    refused = client.post("/w/acme/oncall/setup/people/noa/delete", data={"csrf_token": csrf})
    assert refused.status_code == 422
    assert "person 'noa' is named by overrides or swaps on the rota page" in plain(refused.text)
    assert any(p["key"] == "noa" for p in _stored(web)["people"])
