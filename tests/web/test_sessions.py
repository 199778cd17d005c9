"""Sessions end server-side; the sign-in limiter keys on address and account; proxies."""

from __future__ import annotations

import json
import time
from base64 import b64encode
from datetime import timedelta
from pathlib import Path

import itsdangerous
import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select

from flarewatch.accounts import service as accounts
from flarewatch.accounts.models import RevokedSession
from flarewatch.config.settings import Settings, get_settings
from flarewatch.db.base import utcnow
from flarewatch.db.engine import create_db_engine, session_scope
from flarewatch.db.migrate import alembic_config, upgrade
from flarewatch.web.app import create_app
from flarewatch.web.security import LoginLimits, LoginRateLimiter
from flarewatch.web.sessions import COOKIE_NAME, MAX_AGE_SECONDS

from .conftest import WebEnv, csrf_from, login
from .seed import PASSWORD

PEER = "192.0.2.10"  # the address every request of these tests comes from


def _saved_cookie(client: TestClient) -> str:
    value = client.cookies.get(COOKIE_NAME)
    assert value
    return value


def test_logout_revokes_the_saved_cookie(web: WebEnv, client: TestClient) -> None:
    csrf = login(client, web.seeded.users["acme-viewer"])
    saved = _saved_cookie(client)
    assert client.get("/api/v1/me").status_code == 200
    client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    with TestClient(web.app, cookies={COOKIE_NAME: saved}) as thief:
        response = thief.get("/api/v1/me")
        assert response.status_code == 401
        assert thief.get("/w/acme", follow_redirects=False).status_code == 303
    with session_scope(web.engine) as session:
        assert len(session.scalars(select(RevokedSession)).all()) == 1


def test_logout_ends_only_that_session(web: WebEnv) -> None:
    email = web.seeded.users["acme-viewer"]
    with TestClient(web.app) as laptop, TestClient(web.app) as phone:
        csrf = login(laptop, email)
        login(phone, email)
        laptop.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
        assert laptop.get("/api/v1/me").status_code == 401
        assert phone.get("/api/v1/me").status_code == 200


def test_password_change_signs_out_every_session(web: WebEnv, client: TestClient) -> None:
    login(client, web.seeded.users["acme-viewer"])
    with session_scope(web.engine) as session:
        user = accounts.get_user_by_email(session, web.seeded.users["acme-viewer"])
        assert user is not None
        accounts.set_password(session, user, "another-horse-2")
    assert client.get("/api/v1/me").status_code == 401


def _signed_cookie(env: WebEnv, data: dict[str, object]) -> str:
    """A cookie signed with the app's key, as SessionMiddleware signs it."""
    key = (Path(env.engine.url.database or "").parent / "data" / "secret_key").read_text()
    signer = itsdangerous.TimestampSigner(key.strip(), salt="flarewatch.session")
    return signer.sign(b64encode(json.dumps(data).encode())).decode()


def test_cookie_without_session_id_is_refused(web: WebEnv, client: TestClient) -> None:
    """A cookie signed before sessions had ids does not sign anyone in (sign in once more)."""
    login(client, web.seeded.users["acme-viewer"])
    assert client.get("/api/v1/me").status_code == 200  # the key file is the app's
    with session_scope(web.engine) as session:
        user = accounts.get_user_by_email(session, web.seeded.users["acme-viewer"])
        assert user is not None
        uid, epoch = user.id, user.session_epoch
    old_style = _signed_cookie(web, {"uid": uid, "epoch": epoch})
    with TestClient(web.app, cookies={COOKIE_NAME: old_style}) as old:
        assert old.get("/api/v1/me").status_code == 401


def test_session_older_than_its_lifetime_is_refused(web: WebEnv) -> None:
    """Re-signing keeps a cookie fresh, so its age is checked from sign-in (`iat`)."""
    with session_scope(web.engine) as session:
        user = accounts.get_user_by_email(session, web.seeded.users["acme-viewer"])
        assert user is not None
        uid, epoch = user.id, user.session_epoch
    issued = int(time.time()) - MAX_AGE_SECONDS - 5
    stale = _signed_cookie(web, {"uid": uid, "epoch": epoch, "sid": "s", "iat": issued})
    fresh = _signed_cookie(web, {"uid": uid, "epoch": epoch, "sid": "s", "iat": issued + 60})
    with TestClient(web.app, cookies={COOKIE_NAME: stale}) as old:
        assert old.get("/api/v1/me").status_code == 401
    with TestClient(web.app, cookies={COOKIE_NAME: fresh}) as ok:
        assert ok.get("/api/v1/me").status_code == 200


def test_revoked_rows_of_expired_cookies_are_dropped(web: WebEnv) -> None:
    with session_scope(web.engine) as session:
        user = accounts.get_user_by_email(session, web.seeded.users["acme-viewer"])
        assert user is not None
        accounts.revoke_session(session, "old", user.id, utcnow() - timedelta(seconds=1))
        accounts.revoke_session(session, "new", user.id, utcnow() + timedelta(hours=1))
        kept = session.scalars(select(RevokedSession.session_id)).all()
    assert kept == ["new"]


def test_migration_0006_adds_and_removes_the_table(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine)
    assert "revoked_session" in inspect(engine).get_table_names()
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0005")
    assert "revoked_session" not in inspect(engine).get_table_names()
    engine.dispose()


# -- the sign-in limiter ------------------------------------------------------------------------


def _attempt(client: TestClient, email: str, password: str, **headers: str) -> int:
    csrf = csrf_from(client.get("/login").text)
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf},
        headers=headers,
        follow_redirects=False,
    )
    return response.status_code


def test_one_persons_failures_do_not_lock_out_their_office(web: WebEnv, client: TestClient) -> None:
    clumsy, colleague = web.seeded.users["acme-viewer"], web.seeded.users["acme-admin"]
    assert [_attempt(client, clumsy, "wrong") for _ in range(5)] == [401] * 5
    assert _attempt(client, clumsy, PASSWORD) == 429  # that account, from that address
    assert _attempt(client, colleague, PASSWORD) == 303  # same address, other account


def test_limiter_scopes() -> None:
    limiter = LoginRateLimiter(LoginLimits(per_account_and_address=2, per_account=3, per_address=4))
    for _ in range(2):
        limiter.failed("10.0.0.1", "a@x")
    assert limiter.retry_after("10.0.0.1", "a@x") > 0  # the pair
    assert limiter.retry_after("10.0.0.2", "a@x") == 0  # same account elsewhere: not yet
    limiter.failed("10.0.0.2", "a@x")
    # Three failures against one account from two addresses: limited from a third one too.
    assert limiter.retry_after("10.0.0.3", "A@X ") > 0
    for account in ("b@x", "c@x"):
        limiter.failed("10.0.0.9", account)
    assert limiter.retry_after("10.0.0.9", "d@x") == 0
    for account in ("e@x", "f@x"):
        limiter.failed("10.0.0.9", account)
    # Four failures from one address over four accounts: a fifth account is limited there.
    assert limiter.retry_after("10.0.0.9", "g@x") > 0
    assert limiter.retry_after("10.0.0.8", "g@x") == 0


def test_limiter_success_forgets_only_own_failures() -> None:
    limiter = LoginRateLimiter(LoginLimits(per_account_and_address=2, per_account=3, per_address=9))
    limiter.failed("10.0.0.1", "a@x")
    limiter.failed("10.0.0.2", "a@x")
    limiter.failed("10.0.0.2", "a@x")
    limiter.succeeded("10.0.0.1", "a@x")
    assert limiter.retry_after("10.0.0.2", "a@x") > 0
    limiter.failed("10.0.0.1", "a@x")
    assert limiter.retry_after("10.0.0.1", "a@x") > 0  # account-wide: 3 of 3


def test_limiter_table_is_swept() -> None:
    limiter = LoginRateLimiter(LoginLimits(window=0.0))
    limiter.SWEEP_ABOVE = 10
    for i in range(50):
        limiter.failed("10.0.0.1", f"made-up-{i}@x")
    assert len(limiter._failures) <= 10 + 3


# -- forwarded headers --------------------------------------------------------------------------


def _app_with_proxies(web: WebEnv, monkeypatch: pytest.MonkeyPatch, proxies: str) -> TestClient:
    monkeypatch.setenv(
        "FLAREWATCH_DATA_DIR", str(Path(web.engine.url.database or "").parent / "data")
    )
    monkeypatch.setenv("FLAREWATCH_TRUSTED_PROXIES", proxies)
    get_settings.cache_clear()
    try:
        app = create_app(web.engine)
    finally:
        get_settings.cache_clear()
    return TestClient(app, client=(PEER, 50000))


def _lock_out_via_forwarded(client: TestClient, email: str, forwarded: str) -> None:
    for _ in range(5):
        assert _attempt(client, email, "wrong", **{"X-Forwarded-For": forwarded}) == 401


def test_forwarded_for_from_an_untrusted_peer_is_ignored(
    web: WebEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no trusted proxy, rotating X-Forwarded-For does not buy fresh attempts."""
    email = web.seeded.users["acme-viewer"]
    with _app_with_proxies(web, monkeypatch, "") as client:
        for i in range(5):
            assert _attempt(client, email, "wrong", **{"X-Forwarded-For": f"198.51.100.{i}"}) == 401
        assert _attempt(client, email, PASSWORD, **{"X-Forwarded-For": "198.51.100.99"}) == 429


def test_forwarded_for_from_a_trusted_proxy_names_the_client(
    web: WebEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Behind a trusted proxy each real client has its own count."""
    email = web.seeded.users["acme-viewer"]
    with _app_with_proxies(web, monkeypatch, "192.0.2.0/24") as client:
        _lock_out_via_forwarded(client, email, "198.51.100.1")
        assert _attempt(client, email, PASSWORD, **{"X-Forwarded-For": "198.51.100.1"}) == 429
        assert _attempt(client, email, PASSWORD, **{"X-Forwarded-For": "198.51.100.2"}) == 303


def test_trusted_proxies_setting_is_checked() -> None:
    with pytest.raises(ValueError, match="FLAREWATCH_TRUSTED_PROXIES: 'proxy.local'"):
        Settings(trusted_proxies="10.0.0.0/8, proxy.local")  # type: ignore[arg-type]
    assert Settings(trusted_proxies="10.0.0.0/8, ::1").trusted_proxies == ["10.0.0.0/8", "::1"]  # type: ignore[arg-type]
