"""Nobody sees or changes another workspace's data, on any route; anonymous API calls get 401.

The routes are taken from the app itself, so a route added later is covered without editing
this file; a path parameter this test does not know fails loudly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from flarewatch.accounts.models import User
from flarewatch.config.settings import get_settings
from flarewatch.db.engine import create_db_engine, session_scope
from flarewatch.web.app import create_app

from .conftest import WebEnv, login
from .routes import app_routes

PARAM_RE = re.compile(r"{(\w+)}")


def _routes() -> list[tuple[str, str]]:
    # Collected at import time, so no test database exists yet: an in-memory one and a fixed
    # key keep create_app away from the user's real data directory.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FLAREWATCH_SECRET_KEY", "route-listing")
        get_settings.cache_clear()
        routes = app_routes(create_app(create_db_engine("sqlite://")))
    get_settings.cache_clear()
    return routes


ROUTES = _routes()
WORKSPACE_ROUTES = [r for r in ROUTES if "{slug}" in r[1]]


def _values(env: WebEnv, owner: str) -> dict[str, str]:
    s = env.seeded
    with session_scope(env.engine) as session:
        admin_id = session.scalar(select(User.id).where(User.email == s.users[f"{owner}-admin"]))
    return {
        "slug": s.slugs[owner],
        "alert_id": str(s.alerts[owner][0]),
        "case_id": str(s.cases[owner]),
        "task_id": str(s.tasks[owner]),
        "topic_id": str(s.topics[owner]),
        "user_id": str(admin_id),
        "token_id": str(s.tokens[owner]),
        "action": "acknowledge",
        "mention_id": str(s.mentions[owner]),
        "source_id": str(s.sources[owner]),
        "job_id": str(s.rescore_jobs[owner]),
        "name": "FEED_TOKEN",
        "route_index": "0",
        "view_id": "1",  # any id: the workspace is refused before the view is looked up
        "routing_id": "1",  # likewise: the case is refused before the request is looked up
        "draft_id": "1",  # likewise: the workspace is refused before the draft is looked up
        "format": "pdf",
        "role": "legal",
        "key": "service-outage",  # a playbook
        "fmt": "csv",  # a timeline export
        "change_id": "1",  # likewise for an override or swap
        "table": "rotas",  # the on-call editor's tables
        "publication_id": "1",  # likewise for a publication
        "contact_id": "1",  # likewise for a private contact
        "post_id": str(s.mentions[owner]),  # a post in the reply queue
    }


def _fill(path: str, values: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in values, f"route {path}: teach this test a value for {{{name}}}"
        return values[name]

    return PARAM_RE.sub(value, path)


@pytest.fixture(scope="module")
def acme_admin(shared_web: WebEnv) -> Iterator[tuple[TestClient, str]]:
    with TestClient(shared_web.app) as client:
        csrf = login(client, shared_web.seeded.users["acme-admin"])
        yield client, csrf


def _call(client: TestClient, method: str, path: str, csrf: str | None = None) -> int:
    headers = {"X-CSRF-Token": csrf} if csrf else {}
    body = (
        {
            "status": "triage",
            "text": "x",
            "title": "x",
            "playbook": "service-outage",
            "where": "x",
            "kind": "first_response",
            "within_minutes": 60,
        }
        if path.startswith("/api/")
        else None
    )
    if method == "GET" and path.endswith("/events"):
        # A stream that is refused never starts; an allowed one would block this test.
        with client.stream("GET", path, headers=headers, follow_redirects=False) as response:
            return response.status_code
    response = client.request(
        method,
        path,
        headers=headers,
        json=body if method != "GET" else None,
        data={"status": "triage", "text": "x", "title": "x", "query": "x"}
        if body is None and method != "GET"
        else None,
        follow_redirects=False,
    )
    return response.status_code


def test_every_workspace_route_is_covered() -> None:
    assert len(WORKSPACE_ROUTES) >= 30
    assert any(p.startswith("/api/v1/") for _, p in WORKSPACE_ROUTES)


@pytest.mark.parametrize(("method", "path"), WORKSPACE_ROUTES)
def test_other_workspace_is_not_found(
    shared_web: WebEnv, acme_admin: tuple[TestClient, str], method: str, path: str
) -> None:
    client, csrf = acme_admin
    status = _call(client, method, _fill(path, _values(shared_web, "globex")), csrf)
    assert status in (403, 404), f"{method} {path} gave {status} for another workspace"


@pytest.mark.parametrize(("method", "path"), [r for r in WORKSPACE_ROUTES if "_id}" in r[1]])
def test_other_workspaces_ids_under_own_slug(
    shared_web: WebEnv, acme_admin: tuple[TestClient, str], method: str, path: str
) -> None:
    """Own workspace in the URL, another workspace's alert/case/task/topic id."""
    client, csrf = acme_admin
    values = {**_values(shared_web, "globex"), "slug": "acme"}
    status = _call(client, method, _fill(path, values), csrf)
    assert status in (403, 404), f"{method} {path} gave {status} for a foreign id"


@pytest.mark.parametrize(("method", "path"), [r for r in ROUTES if r[1].startswith("/api/")])
def test_anonymous_api_call_is_401(shared_web: WebEnv, method: str, path: str) -> None:
    with TestClient(shared_web.app) as client:
        status = _call(client, method, _fill(path, _values(shared_web, "acme")))
    assert status == 401, f"{method} {path} gave {status} without credentials"


# Authenticated otherwise than by a session: the webhook route by the HMAC signature of its
# body (no cookie is ever sent to it; tests/sources/test_webhook.py checks 401 for a missing,
# malformed or wrong signature, and the same 404 for every unknown address); the invitation page
# by its signed token (tests/web/test_invites.py checks a wrong, tampered or used one); the
# one-click acknowledgement page likewise (tests/web/test_ack_link.py: forged, expired, no CSRF);
# a case's public update page by its unguessable token (tests/comms/test_public_page_web.py:
# read-only, the same 404 for an unknown or offline one, nothing internal on it).
NOT_SESSION_ROUTES = (
    "/login",
    "/healthz",
    "/hooks/{workspace}/{key}",
    "/invite/{token}",
    "/ack/{token}",
    "/public/{token}",
)


@pytest.mark.parametrize(
    ("method", "path"),
    [r for r in ROUTES if not r[1].startswith("/api/") and r[1] not in NOT_SESSION_ROUTES],
)
def test_anonymous_page_needs_sign_in(shared_web: WebEnv, method: str, path: str) -> None:
    with TestClient(shared_web.app) as client:
        status = _call(client, method, _fill(path, _values(shared_web, "acme")))
    # 303 to /login for pages; 403 for a form post without the session's CSRF token.
    assert status in (303, 401, 403), f"{method} {path} gave {status} without a session"


def test_foreign_token_cannot_be_revoked(
    shared_web: WebEnv, acme_admin: tuple[TestClient, str]
) -> None:
    client, csrf = acme_admin
    token_id = shared_web.seeded.tokens["globex"]
    status = _call(client, "POST", f"/account/tokens/{token_id}/revoke", csrf)
    assert status == 404


def test_workspace_list_holds_only_own(
    shared_web: WebEnv, acme_admin: tuple[TestClient, str]
) -> None:
    client, _ = acme_admin
    slugs = [w["slug"] for w in client.get("/api/v1/workspaces").json()]
    assert slugs == ["acme"]
    assert "Globex" not in client.get("/").text
