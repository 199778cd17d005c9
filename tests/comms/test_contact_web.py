"""Private contact in /api/v1 and on the case page: open, record, close; permissions; the
window as "may message until …" in the reader's language and zone, right-to-left safe."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from flarewatch.cases.models import Case, Task
from flarewatch.comms.contact.models import PrivateContact
from flarewatch.db.base import utcnow
from flarewatch.db.engine import session_scope
from flarewatch.i18n.formatting import Formatter
from flarewatch.mentions.models import Author, RawPost
from tests.web.conftest import (  # noqa: F401  (the seeded template and fast hashing)
    WebEnv,
    _fast_password_hashing,
    _template,
    bearer,
    login,
    make_env,
)


@pytest.fixture
def web(tmp_path: Path, _template: tuple[Path, Any]) -> Iterator[WebEnv]:  # noqa: F811
    """The seeded web app of tests/web (a copy of its migrated, seeded template)."""
    env = make_env(tmp_path, _template)
    yield env
    env.engine.dispose()


def facebook_post(web: WebEnv, days_ago: float = 2, handle: str = "דנה_כהן") -> int:
    """One of the acme case's workspace posts, made a Facebook comment from `days_ago`, by an
    author with a Hebrew name."""
    with session_scope(web.engine) as session:
        case = session.get_one(Case, web.seeded.cases["acme"])
        post = session.scalars(
            select(RawPost)
            .where(RawPost.workspace_id == case.workspace_id, RawPost.author_id.is_not(None))
            .order_by(RawPost.id)
        ).first()
        assert post is not None
        post.platform = "facebook"
        post.created_at = utcnow() - timedelta(days=days_ago)
        author = session.get_one(Author, post.author_id)
        author.handle = handle
        return post.id


def test_api_open_record_and_close(web: WebEnv) -> None:
    post_id = facebook_post(web)
    slug, case_id = web.seeded.slugs["acme"], web.seeded.cases["acme"]
    admin = bearer(web, "acme-admin")
    base = f"/api/v1/workspaces/{slug}/cases/{case_id}/contacts"
    with TestClient(web.app) as client:
        refused = client.post(base, json={"post_id": post_id}, headers=bearer(web, "acme-viewer"))
        assert refused.status_code == 403
        opened = client.post(
            base,
            json={"post_id": post_id, "assignee": web.seeded.users["acme-responder"]},
            headers=admin,
        )
        assert opened.status_code == 201, opened.text
        body = opened.json()
        contact_id = body["id"]
        assert (body["channel"], body["status"], body["handle"]) == (
            "facebook",
            "to_contact",
            "דנה_כהן",
        )
        assert body["window"]["state"] == "open" and body["window"]["rule"] == "private_reply"
        assert body["window"]["reasons"][0]["text"].startswith("One private reply")
        assert [w["channel"] for w in body["other_channels"]] == ["email", "phone"]
        assert body["deadline"] == body["window"]["until"]
        again = client.post(base, json={"post_id": post_id}, headers=admin)
        assert again.status_code == 409 and "still open" in again.text
        missing = client.post(base, json={"post_id": 10**9}, headers=admin)
        assert missing.status_code == 404

        sent = client.post(f"{base}/{contact_id}/sent", json={"note": "DM sent"}, headers=admin)
        assert sent.status_code == 200, sent.text
        assert sent.json()["window"]["state"] == "closed"
        second = client.post(f"{base}/{contact_id}/sent", json={}, headers=admin)
        assert second.status_code == 409 and "only one is allowed" in second.text
        by_mail = client.post(f"{base}/{contact_id}/sent", json={"channel": "email"}, headers=admin)
        assert by_mail.status_code == 200 and len(by_mail.json()["attempts"]) == 2

        at = (utcnow() - timedelta(hours=2)).isoformat()
        answered = client.post(f"{base}/{contact_id}/answered", json={"at": at}, headers=admin)
        assert answered.status_code == 200, answered.text
        window = answered.json()["window"]
        assert (window["state"], window["rule"]) == ("open", "messaging_window")
        naive = client.post(
            f"{base}/{contact_id}/answered", json={"at": "2026-01-01T10:00"}, headers=admin
        )
        assert naive.status_code in (400, 422) and "timezone" in naive.text, naive.text

        patched = client.patch(f"{base}/{contact_id}", json={"follows": "yes"}, headers=admin)
        assert patched.status_code == 200 and patched.json()["follows"] == "yes"
        assert client.get(base, headers=admin).json()[0]["id"] == contact_id
        bad = client.post(f"{base}/{contact_id}/close", json={"outcome": "happy"}, headers=admin)
        assert bad.status_code == 422
        closed = client.post(
            f"{base}/{contact_id}/close", json={"outcome": "resolved"}, headers=admin
        )
        assert closed.status_code == 200
        assert (closed.json()["status"], closed.json()["window"]) == ("closed", None)
        other_case = f"/api/v1/workspaces/{slug}/cases/{case_id + 1000}/contacts/{contact_id}"
        assert client.get(other_case, headers=admin).status_code == 404
        globex = f"/api/v1/workspaces/globex/cases/{case_id}/contacts/{contact_id}"
        assert client.get(globex, headers=bearer(web, "globex-admin")).status_code == 404
    with session_scope(web.engine) as session:
        row = session.get_one(PrivateContact, contact_id)
        task = session.get_one(Task, row.task_id)
        assert (task.status, task.assignee) == ("done", web.seeded.users["acme-responder"])


def test_the_case_page_shows_the_window_in_the_readers_language(web: WebEnv) -> None:
    post_id = facebook_post(web, days_ago=6.5)
    case_id = web.seeded.cases["acme"]
    with TestClient(web.app) as client:
        token = login(client, web.seeded.users["acme-responder"])
        empty = client.get(f"/w/acme/cases/{case_id}")
        assert 'id="contact"' in empty.text and 'id="contact-open-form"' in empty.text
        opened = client.post(
            f"/w/acme/cases/{case_id}/contacts",
            data={"post": str(post_id), "csrf_token": token},
            follow_redirects=False,
        )
        assert opened.status_code == 303 and opened.headers["location"].endswith("#contact")
        english = client.get(f"/w/acme/cases/{case_id}").text
        assert "May message until" in english and "(in 12 hours)" in english
        assert (
            "opened with <bdi>דנה_כהן</bdi> on <bdi>Facebook Messenger</bdi>" in english
        )  # timeline
        assert '<span dir="auto">דנה_כהן</span>' in english
        client.cookies.set("flarewatch_lang", "he")
        hebrew = client.get(f"/w/acme/cases/{case_id}").text
        with session_scope(web.engine) as session:
            deadline = session.get_one(PrivateContact, 1).deadline
        assert deadline is not None
        local = Formatter("he", "Asia/Jerusalem").datetime(deadline)
        assert f"<strong>אפשר לשלוח הודעה עד {local} (בעוד 12 שעות)</strong>" in hebrew
        assert 'lang="he" dir="rtl"' in hebrew
        assert '<div class="tl-meta"><span class="badge">פנייה פרטית</span>' in hebrew
        assert "נפתחה פנייה פרטית #1 אל <bdi>דנה_כהן</bdi>" in hebrew
        assert 'data-window="open"' in hebrew and "data-until=" in hebrew
        sent = client.post(
            f"/w/acme/cases/{case_id}/contacts/1/sent",
            data={"channel": "facebook", "note": "", "csrf_token": token},
            follow_redirects=False,
        )
        assert sent.status_code == 303
        after = client.get(f"/w/acme/cases/{case_id}").text
        assert 'data-window="closed"' in after
        closed = client.post(
            f"/w/acme/cases/{case_id}/contacts/1/close",
            data={"outcome": "no_answer", "note": "שלחנו פעמיים", "csrf_token": token},
            follow_redirects=False,
        )
        assert closed.status_code == 303
        final = client.get(f"/w/acme/cases/{case_id}").text
        assert 'data-window="done"' in final and "שלחנו פעמיים" in final


def _section(html: str) -> str:
    start = html.index('<section class="card" id="contact"')
    return html[start : html.index("</section>", start)]
