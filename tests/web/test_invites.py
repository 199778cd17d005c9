"""Inviting a person by email: a link, shown once, where they choose their own password."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from flarewatch.accounts import service as accounts
from flarewatch.accounts.models import AuditLog
from flarewatch.db.engine import session_scope

from .conftest import WebEnv, csrf_from, login

LINK_RE = re.compile(r"http://testserver(/invite/[A-Za-z0-9_.\-]+)")


def _invite(client: TestClient, csrf: str, email: str, role: str = "responder") -> str:
    page = client.post("/w/acme/members", data={"email": email, "role": role, "csrf_token": csrf})
    assert page.status_code == 200, page.text
    found = LINK_RE.search(page.text)
    assert found, "no invitation link on the page"
    return found.group(1)


def test_an_invited_person_chooses_a_password_and_joins(web: WebEnv) -> None:
    admin = TestClient(web.app)
    csrf = login(admin, web.seeded.users["acme-admin"])
    path = _invite(admin, csrf, "Noa@Agency.example")
    members = admin.get("/w/acme/settings").text
    assert "noa@agency.example" in members and "invited" in members
    assert "/invite/" not in members  # the link is shown once, not kept on the page
    with session_scope(web.engine) as session:
        noa = accounts.get_user_by_email(session, "noa@agency.example")
        assert noa is not None and noa.password_hash is None
        noa_id = noa.id
    again = admin.post(f"/w/acme/members/{noa_id}/invite", data={"csrf_token": csrf})
    assert again.status_code == 200 and LINK_RE.search(again.text)

    guest = TestClient(web.app)
    form = guest.get(path)
    assert form.status_code == 200 and "noa@agency.example" in form.text
    differ = guest.post(
        path,
        data={
            "name": "נועה",
            "password": "long-enough-1",
            "password_again": "other-thing-1",
            "csrf_token": csrf_from(form.text),
        },
    )
    assert differ.status_code == 422 and "differ" in differ.text
    joined = guest.post(
        path,
        data={
            "name": "נועה",
            "password": "long-enough-1",
            "password_again": "long-enough-1",
            "csrf_token": csrf_from(form.text),
        },
        follow_redirects=False,
    )
    assert joined.status_code == 303
    me = guest.get("/api/v1/me").json()
    assert me["email"] == "noa@agency.example" and me["name"] == "נועה"
    assert guest.get("/w/acme").status_code == 200
    # The link worked once: the password it set has changed its fingerprint.
    assert TestClient(web.app).get(path).status_code == 422
    with session_scope(web.engine) as session:
        actions = set(session.scalars(select(AuditLog.action)))
    assert {"member.invite", "member.invite_link", "member.joined"} <= actions


def test_a_link_is_given_only_for_pending_people_of_the_admins_own_workspaces(
    web: WebEnv,
) -> None:
    acme = TestClient(web.app)
    acme_csrf = login(acme, web.seeded.users["acme-admin"])
    # Someone with a password is added as before, with no link.
    existing = acme.post(
        "/w/acme/members",
        data={
            "email": web.seeded.users["globex-viewer"],
            "role": "viewer",
            "csrf_token": acme_csrf,
        },
    )
    assert existing.status_code == 200 and "/invite/" not in existing.text
    # Globex's admin invites a person; acme's admin then adds the same person to acme, but may
    # not get a link that would set the password of someone invited to another client.
    globex = TestClient(web.app)
    globex_csrf = login(globex, web.seeded.users["globex-admin"])
    globex.post(
        "/w/globex/members",
        data={"email": "ola@agency.example", "role": "viewer", "csrf_token": globex_csrf},
    )
    added = acme.post(
        "/w/acme/members",
        data={"email": "ola@agency.example", "role": "viewer", "csrf_token": acme_csrf},
    )
    assert added.status_code == 200 and "/invite/" not in added.text


def test_a_wrong_or_tampered_link_says_to_ask_for_a_new_one(web: WebEnv) -> None:
    with session_scope(web.engine) as session:
        accounts.create_user(session, "pending@agency.example")
    guest = TestClient(web.app)
    page = guest.get("/invite/" + "x" * 40)
    assert page.status_code == 422 and "ask a workspace admin for a new one" in page.text


def test_the_demo_user_is_never_pending_nor_invited(web: WebEnv) -> None:
    from flarewatch.accounts.invites import is_pending, may_invite

    with session_scope(web.engine) as session:
        ws = session.scalars(select(accounts.Workspace)).first()
        assert ws is not None
        demo = accounts.ensure_demo_user(session, ws)
        admin = accounts.get_user_by_email(session, web.seeded.users["acme-admin"])
        assert admin is not None
        assert not is_pending(demo) and not may_invite(session, admin, demo)
