"""Sign-in, sessions, CSRF, rate limiting, API tokens and the demo's automatic sign-in."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from flarewatch.accounts import service as accounts
from flarewatch.accounts.models import ApiToken, AuditLog, User
from flarewatch.db.engine import session_scope
from flarewatch.web.app import create_app
from flarewatch.web.sessions import COOKIE_NAME

from .conftest import WebEnv, csrf_from, login


def test_password_sign_in_and_out(web: WebEnv, client: TestClient) -> None:
    assert client.get("/w/acme", follow_redirects=False).headers["location"].startswith("/login")
    csrf = login(client, web.seeded.users["acme-viewer"])
    assert "Acme Air" in client.get("/w/acme").text
    response = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303
    assert client.get("/w/acme", follow_redirects=False).status_code == 303


def test_session_cookie_is_http_only_and_same_site(web: WebEnv, client: TestClient) -> None:
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "email": web.seeded.users["acme-admin"],
            "password": "correct-horse-1",
            "csrf_token": csrf_from(page.text),
        },
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(COOKIE_NAME) and "httponly" in cookie and "samesite=lax" in cookie


def test_secure_cookie_over_https(web: WebEnv) -> None:
    with TestClient(web.app, base_url="https://flarewatch.example") as client:
        page = client.get("/login")
        assert "secure" in page.headers["set-cookie"].lower()


def test_wrong_password_and_rate_limit(web: WebEnv, client: TestClient) -> None:
    csrf = csrf_from(client.get("/login").text)
    email = web.seeded.users["acme-admin"]
    for _ in range(5):
        wrong = client.post(
            "/login", data={"email": email, "password": "nope-nope", "csrf_token": csrf}
        )
        assert wrong.status_code == 401
    limited = client.post(
        "/login", data={"email": email, "password": "correct-horse-1", "csrf_token": csrf}
    )
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 0


def test_form_without_csrf_token_is_refused(web: WebEnv, client: TestClient) -> None:
    client.get("/login")
    response = client.post(
        "/login", data={"email": web.seeded.users["acme-admin"], "password": "correct-horse-1"}
    )
    assert response.status_code == 403
    csrf = login(client, web.seeded.users["acme-admin"])
    alert_id = web.seeded.alerts["acme"][0]
    forged = client.post(f"/w/acme/alerts/{alert_id}/acknowledge", data={"csrf_token": "x"})
    assert forged.status_code == 403
    ok = client.post(f"/w/acme/alerts/{alert_id}/acknowledge", data={"csrf_token": csrf})
    assert ok.status_code == 200


def test_open_redirect_after_sign_in_is_refused(web: WebEnv, client: TestClient) -> None:
    csrf = csrf_from(client.get("/login").text)
    response = client.post(
        "/login",
        data={
            "email": web.seeded.users["acme-admin"],
            "password": "correct-horse-1",
            "csrf_token": csrf,
            "next": "//evil.example/x",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_api_token_bearer_and_anonymous_401(web: WebEnv, client: TestClient) -> None:
    anonymous = client.get("/api/v1/workspaces")
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"
    with session_scope(web.engine) as session:
        user = accounts.get_user_by_email(session, web.seeded.users["acme-analyst"])
        assert user is not None
        row, secret = accounts.create_token(session, user, "script")
        token_id = row.id
    with session_scope(web.engine) as session:
        stored = session.get_one(ApiToken, token_id)
        assert stored.token_hash != secret and secret not in stored.token_hash
    headers = {"Authorization": f"Bearer {secret}"}
    me = client.get("/api/v1/me", headers=headers)
    assert me.json()["email"] == web.seeded.users["acme-analyst"]
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer fw_wrong"}).status_code == 401
    with session_scope(web.engine) as session:
        accounts.revoke_token(session, session.get_one(ApiToken, token_id).user_id, token_id)
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_token_created_on_account_page_is_shown_once_and_audited(
    web: WebEnv, client: TestClient
) -> None:
    csrf = login(client, web.seeded.users["acme-responder"])
    page = client.post("/account/tokens", data={"name": "laptop", "csrf_token": csrf})
    assert page.status_code == 200
    secret = page.text.split('id="new-token">')[1].split("<")[0]
    assert secret.startswith("fw_")
    assert secret not in client.get("/account").text
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).is_success
    with session_scope(web.engine) as session:
        actions = session.scalars(select(AuditLog.action)).all()
    assert "token.create" in actions


def test_demo_user_is_signed_in_automatically(web: WebEnv) -> None:
    with session_scope(web.engine) as session:
        ws = session.scalars(select(accounts.Workspace)).first()
        assert ws is not None
        demo = accounts.ensure_demo_user(session, ws)
        assert demo.password_hash is None
    demo_app = create_app(web.engine, demo_user=accounts.DEMO_EMAIL)
    with TestClient(demo_app) as client:
        assert client.get("/api/v1/me").json()["email"] == accounts.DEMO_EMAIL
        assert client.get("/w/acme").status_code == 200
    with TestClient(web.app) as client:  # the same data served normally: no automatic sign-in
        assert client.get("/api/v1/me").status_code == 401


def test_authenticate_rejects_unknown_and_passwordless(web: WebEnv) -> None:
    with session_scope(web.engine) as session:
        assert accounts.authenticate(session, "nobody@x.test", "whatever-1") is None
        ws = session.scalars(select(accounts.Workspace)).first()
        assert ws is not None
        accounts.ensure_demo_user(session, ws)
        assert accounts.authenticate(session, accounts.DEMO_EMAIL, "") is None
        user = session.scalar(select(User).where(User.email == web.seeded.users["acme-admin"]))
        assert user is not None and user.password_hash.startswith("$argon2")


def test_demo_sign_out_says_how_to_sign_in_again(web: WebEnv) -> None:
    with session_scope(web.engine) as session:
        ws = session.scalars(select(accounts.Workspace)).first()
        assert ws is not None
        accounts.ensure_demo_user(session, ws)
    demo_app = create_app(web.engine, demo_user=accounts.DEMO_EMAIL)
    with TestClient(demo_app) as client:
        token = csrf_from(client.get("/").text)
        client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
        page = client.get("/login")
        assert "You are signed out of the demo." in page.text
        assert 'action="/login/demo"' in page.text
        assert client.get("/api/v1/me").status_code == 401  # signed out stays signed out
        back = client.post(
            "/login/demo",
            data={"csrf_token": csrf_from(page.text), "next": "/w/acme"},
            follow_redirects=False,
        )
        assert back.status_code == 303 and back.headers["location"] == "/w/acme"
        assert client.get("/api/v1/me").json()["email"] == accounts.DEMO_EMAIL
    with TestClient(web.app) as client:  # a normal server has no demo way in
        page = client.get("/login")
        assert "/login/demo" not in page.text
        refused = client.post("/login/demo", data={"csrf_token": csrf_from(page.text)})
        assert refused.status_code == 404
