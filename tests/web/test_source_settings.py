"""Source settings on the web: add, edit, pause, resume, delete, restore and test a source;
the form is built from the kind's schema and every error shows next to its field."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from flarewatch.accounts.models import AuditLog
from flarewatch.db.engine import session_scope
from flarewatch.mentions.models import RawPost
from flarewatch.sources.models import Source, WebhookDelivery
from tests.sources.platform_server import (
    PlatformServer,
    Reply,
    platform,  # noqa: F401  (the local Algolia HN server)
)

from .conftest import WebEnv, login

BASE = "/w/acme/settings/sources"


def _hn_form(csrf: str, **fields: str) -> dict[str, str]:
    return {
        "csrf_token": csrf,
        "kind": "hackernews",
        "key": "hn",
        "query": "acme",
        "stories": "true",
        "comments": "true",
        "history_days": "3",
        "enabled": "true",
        **fields,
    }


def _source(web: WebEnv, key: str) -> Source | None:
    with session_scope(web.engine) as session:
        source = session.scalar(
            select(Source).where(
                Source.workspace_id == web.seeded.workspaces["acme"], Source.key == key
            )
        )
        if source is not None:
            session.expunge(source)
        return source


def _audit(web: WebEnv, action: str) -> list[dict[str, object]]:
    with session_scope(web.engine) as session:
        return [
            dict(entry.details or {})
            for entry in session.scalars(select(AuditLog).where(AuditLog.action == action))
        ]


def _error_of(html: str, field: str) -> str:
    found = re.search(rf'<p class="field-error" id="err-{field}">(.*?)</p>', html, re.S)
    assert found, f"no error shown next to {field}"
    return found.group(1)


def test_the_form_is_built_from_the_kinds_schema(web: WebEnv, client: TestClient) -> None:
    login(client, web.seeded.users["acme-analyst"])
    page = client.get(f"{BASE}/new?kind=hackernews")
    assert page.status_code == 200
    html = page.text
    assert 'name="query"' in html and "required" in html
    assert re.search(r'name="history_days"[^>]*type="number"', html, re.S)
    assert 'min="0"' in html and 'max="365"' in html
    # The Options field's description is its help text, marked as English.
    assert '<span lang="en" dir="ltr">How many days back the first poll reads.</span>' in html
    assert re.search(r'type="checkbox" id="f-stories" name="stories" value="true"\s+checked', html)
    bluesky = client.get(f"{BASE}/new?kind=bluesky").text
    assert re.search(r'<select id="f-mode" name="mode"', bluesky)
    assert "settings/sources#credentials" not in bluesky  # analysts cannot store secrets
    assert "never the secret itself" in bluesky  # *_env fields say what they hold
    web_kind = client.get(f"{BASE}/new?kind=web").text
    assert re.search(r'<textarea id="f-urls" name="urls"', web_kind)
    assert client.get(f"{BASE}/new?kind=file").status_code == 422  # reads the server's disk


def test_create_edit_and_the_audit_log(web: WebEnv, client: TestClient) -> None:
    csrf = login(client, web.seeded.users["acme-analyst"])
    created = client.post(BASE, data=_hn_form(csrf), follow_redirects=False)
    assert created.status_code == 303, created.text
    source = _source(web, "hn")
    assert source is not None and source.origin == "web" and source.enabled
    assert source.config["query"] == "acme" and source.config["history_days"] == 3
    assert _audit(web, "source.create") == [{"key": "hn", "kind": "hackernews"}]
    form = client.get(created.headers["location"]).text
    assert 'value="acme"' in form and "Saved." in form
    unchecked = _hn_form(csrf, key="renamed", query="acme OR globex")
    del unchecked["comments"]  # a browser sends nothing for an unchecked box
    edited = client.post(f"{BASE}/{source.id}", data=unchecked, follow_redirects=False)
    assert edited.status_code == 303
    source = _source(web, "hn")  # the key cannot change
    assert source is not None and source.config["query"] == "acme OR globex"
    assert source.config["comments"] is False
    [update] = _audit(web, "source.update")
    assert update["changes"] == {
        "comments": {"from": True, "to": False},
        "query": {"from": "acme", "to": "acme OR globex"},
    }
    again = client.post(BASE, data=_hn_form(csrf), follow_redirects=False)
    assert again.status_code == 422
    assert "already exists" in _error_of(again.text, "key")


def test_every_error_is_shown_next_to_its_field(web: WebEnv, client: TestClient) -> None:
    csrf = login(client, web.seeded.users["acme-admin"])
    response = client.post(
        BASE,
        data=_hn_form(csrf, key="Bad Key", query="", history_days="999", every="fast"),
    )
    assert response.status_code == 422
    html = response.text
    assert "lower-case letters" in _error_of(html, "key")
    assert "required" in _error_of(html, "query")
    assert "365" in _error_of(html, "history_days")
    assert "duration" in _error_of(html, "every")
    assert "4 fields need a change" in html
    assert 'value="Bad Key"' in html  # what was typed is kept
    # A pydantic message inside a translated sentence is isolated (<bdi>).
    assert "<bdi>" in _error_of(html, "history_days")
    assert _source(web, "bad-key") is None


def test_a_file_source_is_read_only_but_can_be_paused(web: WebEnv, client: TestClient) -> None:
    csrf = login(client, web.seeded.users["acme-analyst"])
    feed_id = web.seeded.sources["acme"]
    page = client.get(f"{BASE}/{feed_id}").text
    assert "defined in the workspace file" in page and "<fieldset disabled" in page
    assert 'name="key" value="feed"' in page
    refused = client.post(f"{BASE}/{feed_id}", data={"csrf_token": csrf, "path": "/etc/passwd"})
    assert refused.status_code == 422 and "workspace file" in refused.text
    assert client.post(f"{BASE}/{feed_id}/delete", data={"csrf_token": csrf}).status_code == 422
    paused = client.post(f"{BASE}/{feed_id}/pause", data={"csrf_token": csrf})
    assert paused.status_code == 200
    source = _source(web, "feed")
    assert source is not None and source.paused_at is not None
    assert source.paused_by == web.seeded.users["acme-analyst"]
    assert 'data-state="paused"' in client.get(BASE).text
    client.post(f"{BASE}/{feed_id}/resume", data={"csrf_token": csrf})
    source = _source(web, "feed")
    assert source is not None and source.paused_at is None
    assert len(_audit(web, "source.pause")) == len(_audit(web, "source.resume")) == 1


def test_delete_removes_an_unused_source_and_archives_one_with_posts(
    web: WebEnv, client: TestClient
) -> None:
    csrf = login(client, web.seeded.users["acme-admin"])
    client.post(BASE, data=_hn_form(csrf, key="unused"))
    client.post(BASE, data=_hn_form(csrf, key="used"))
    unused, used = _source(web, "unused"), _source(web, "used")
    assert unused is not None and used is not None
    with session_scope(web.engine) as session:
        session.add(
            RawPost(
                workspace_id=web.seeded.workspaces["acme"],
                source_id=used.id,
                external_id="1",
                platform="hackernews",
                text="acme",
                content_hash="0" * 64,
                payload={},
                created_at=datetime(2026, 12, 1, tzinfo=UTC),
            )
        )
    assert "no stored posts, so deleting removes it" in client.get(f"{BASE}/{unused.id}").text
    assert "1 stored post: deleting stops polling" in client.get(f"{BASE}/{used.id}").text
    removed = client.post(f"{BASE}/{unused.id}/delete", data={"csrf_token": csrf})
    assert removed.status_code == 200 and "was removed" in removed.text
    assert _source(web, "unused") is None
    archived = client.post(f"{BASE}/{used.id}/delete", data={"csrf_token": csrf})
    assert "Deleted sources" in archived.text
    kept = _source(web, "used")
    assert kept is not None and kept.archived_at is not None and not kept.is_polled
    with session_scope(web.engine) as session:
        posts = session.scalar(select(func.count()).where(RawPost.source_id == used.id))
    assert posts == 1
    client.post(BASE, data=_hn_form(csrf, key="hooked"))
    hooked = _source(web, "hooked")
    assert hooked is not None
    with session_scope(web.engine) as session:
        session.add(
            WebhookDelivery(
                source_id=hooked.id,
                body_sha256="1" * 64,
                content_type="application/json",
                body=b"{}",
            )
        )
    assert "webhook deliveries" in client.get(f"{BASE}/{hooked.id}").text
    client.post(f"{BASE}/{hooked.id}/delete", data={"csrf_token": csrf})
    unread = _source(web, "hooked")
    assert unread is not None and unread.archived_at is not None  # its inbox is kept
    same_key = client.post(BASE, data=_hn_form(csrf, key="used"))
    assert same_key.status_code == 422 and "restore it" in _error_of(same_key.text, "key")
    client.post(f"{BASE}/{used.id}/restore", data={"csrf_token": csrf})
    restored = _source(web, "used")
    assert restored is not None and restored.is_polled
    assert [d["archived"] for d in _audit(web, "source.delete")] == [False, True, True]


def test_test_connection_shows_the_count_and_a_sample(
    web: WebEnv,
    client: TestClient,
    platform: PlatformServer,  # noqa: F811
) -> None:
    at = datetime.now(UTC) - timedelta(minutes=10)  # within the source's history_days
    hit = {
        "objectID": "42",
        "created_at_i": int(at.timestamp()),
        "created_at": at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "author": "pg",
        "title": "Acme Air ships a new app",
        "_tags": ["story", "author_pg", "story_42"],
    }
    platform.route(
        "GET", "/api/v1/search_by_date", Reply.json({"hits": [hit], "nbPages": 1, "page": 0})
    )
    csrf = login(client, web.seeded.users["acme-analyst"])
    response = client.post(
        f"{BASE}/test", data=_hn_form(csrf, endpoint=platform.url()), headers={"HX-Request": "1"}
    )
    assert response.status_code == 200
    assert "1 post fetched, nothing stored." in response.text
    assert "Acme Air ships a new app" in response.text
    assert _source(web, "hn") is None  # nothing saved
    with session_scope(web.engine) as session:
        assert (
            session.scalar(
                select(func.count()).select_from(RawPost).where(RawPost.platform == "hackernews")
            )
            == 0
        )


def test_test_connection_shows_the_one_line_error(
    web: WebEnv,
    client: TestClient,
    platform: PlatformServer,  # noqa: F811
) -> None:
    platform.route("GET", "/api/v1/search_by_date", Reply.json({"message": "down"}, status=503))
    csrf = login(client, web.seeded.users["acme-analyst"])
    failed = client.post(f"{BASE}/test", data=_hn_form(csrf, endpoint=platform.url()))
    assert "The test fetch failed" in failed.text and "503" in failed.text
    facebook = {"csrf_token": csrf, "kind": "facebook", "key": "page", "page_id": "1"}
    missing = client.post(f"{BASE}/test", data={**facebook, "token_env": "ACME_FB_TOKEN"})
    assert "ACME_FB_TOKEN" in missing.text and "not set" in missing.text
    invalid = client.post(f"{BASE}/test", data=facebook)
    assert "Fix the form first" in invalid.text and "token_env" in invalid.text


@pytest.mark.parametrize("who", ["acme-viewer", "acme-responder", "acme-approver"])
def test_roles_without_sources_edit_cannot_change_sources(
    web: WebEnv, client: TestClient, who: str
) -> None:
    csrf = login(client, web.seeded.users[who])
    feed_id = web.seeded.sources["acme"]
    page = client.get(BASE)
    assert page.status_code == 200 and "/settings/sources/new" not in page.text
    assert 'id="credentials"' not in page.text
    assert client.get(f"{BASE}/new?kind=rss").status_code == 403
    assert client.post(BASE, data=_hn_form(csrf)).status_code == 403
    assert client.post(f"{BASE}/{feed_id}/pause", data={"csrf_token": csrf}).status_code == 403
    assert client.post(f"{BASE}/{feed_id}/test", data={"csrf_token": csrf}).status_code == 403
    assert _source(web, "hn") is None


def test_the_form_in_hebrew_is_right_to_left_and_translated(
    web: WebEnv, client: TestClient
) -> None:
    csrf = login(client, web.seeded.users["acme-analyst"])
    client.cookies.set("flarewatch_lang", "he")
    page = client.get(f"{BASE}/new?kind=hackernews").text
    assert '<html lang="he" dir="rtl">' in page
    assert "בדיקת חיבור" in page and "הוספת המקור" in page
    invalid = client.post(BASE, data=_hn_form(csrf, key="Bad", history_days="999")).text
    assert "השתמשו באותיות לטיניות קטנות" in _error_of(invalid, "key")  # the form's own words
    error = _error_of(invalid, "history_days")
    # The translated sentence around the model's English message, which is isolated.
    assert error.startswith("לא התקבל: <bdi>") and error.endswith("</bdi>")


def test_a_paused_source_is_not_announced_as_failing(web: WebEnv, client: TestClient) -> None:
    csrf = login(client, web.seeded.users["acme-analyst"])
    feed_id = web.seeded.sources["acme"]
    with session_scope(web.engine) as session:
        feed = session.get_one(Source, feed_id)
        feed.consecutive_errors, feed.last_error = 2, "posts.jsonl: no such file"
    assert "Source failing" in client.get("/w/acme").text
    client.post(f"{BASE}/{feed_id}/pause", data={"csrf_token": csrf})
    assert "Source failing" not in client.get("/w/acme").text
