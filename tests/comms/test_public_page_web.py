"""The public update page on the web: no sign-in, strict headers, nothing internal, the same
404 for an unknown or offline page, right-to-left in Hebrew; and its management on the case
page, in the API and on the command line."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from flarewatch.accounts.models import AuditLog
from flarewatch.cases import service as cases
from flarewatch.comms import drafts
from flarewatch.comms.public_page import service
from flarewatch.db.engine import session_scope
from flarewatch.mentions.models import Author, RawPost
from tests.web import conftest as web_fixtures
from tests.web.conftest import WebEnv, bearer, login

# The web tests' fixtures (a seeded app per test), used here by name.
_fast_password_hashing = web_fixtures._fast_password_hashing
_template = web_fixtures._template
web = web_fixtures.web
client = web_fixtures.client

STATEMENT = "We are sorry: 40 flights were delayed. Next update at 18:00."
HEBREW = "אנחנו מצטערים על העיכוב בטיסות של Acme Air. עדכון הבא ב-18:00."


def _approved(env: WebEnv, text: str, kind: str = "statement") -> int:
    with session_scope(env.engine) as session:
        case_id = env.seeded.cases["acme"]
        draft = drafts.create_draft(
            session,
            case_id,
            text,
            "responder@acme.test",
            workspace_id=env.seeded.workspaces["acme"],
            platform="facebook",
            kind=kind,
        )
        drafts.mark_approved(session, draft, "approver@acme.test")
        return draft.id


def _published(env: WebEnv, *texts: str, language: str = "en") -> str:
    """A public page on the seeded case with these approved statements; its token."""
    ids = [_approved(env, text) for text in texts]
    with session_scope(env.engine) as session:
        ws, case_id = env.seeded.workspaces["acme"], env.seeded.cases["acme"]
        page = service.publish_page(
            session,
            case_id,
            "responder@acme.test",
            workspace_id=ws,
            language=language,
            figures=["status", "posts_handled", "replies_sent", "first_response"],
        )
        for draft_id in ids:
            service.add_entry(session, case_id, draft_id, "responder@acme.test", workspace_id=ws)
        return page.token


def test_the_page_needs_no_sign_in_and_sends_strict_headers(
    web: WebEnv, client: TestClient
) -> None:
    token = _published(web, STATEMENT)
    response = client.get(f"/public/{token}")
    assert response.status_code == 200, response.text
    html = response.text
    assert STATEMENT.replace(":", ":") in html
    assert '<html lang="en" dir="ltr">' in html
    headers = response.headers
    csp = headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-robots-tag"] == "noindex, nofollow"
    assert headers["cache-control"] == "public, max-age=60"
    assert "set-cookie" not in headers  # no anonymous session for a visitor
    assert "<script" not in html and "<form" not in html
    assert '<meta property="og:title" content="Updates from' in html
    assert 'property="og:description" content="We are sorry: 40 flights' in html
    assert 'name="viewport"' in html and "/static/public.css" in html
    css = client.get("/static/public.css").text
    assert "@media print" in css and "left" not in css and "right" not in css


def test_nothing_internal_reaches_the_page(web: WebEnv, client: TestClient) -> None:
    ws, case_id = web.seeded.workspaces["acme"], web.seeded.cases["acme"]
    with session_scope(web.engine) as session:
        cases.add_note(
            session, case_id, "Internal: legal thinks we are liable", "x", workspace_id=ws
        )
        posts = session.scalars(
            select(RawPost.id).where(RawPost.workspace_id == ws).order_by(RawPost.id).limit(4)
        ).all()
        cases.add_posts(session, case_id, posts, "x", workspace_id=ws)
        cases.get_case(session, case_id).owner = "responder@acme.test"
        texts = session.scalars(select(RawPost.text).where(RawPost.id.in_(posts))).all()
        handles = session.scalars(select(Author.handle).where(Author.workspace_id == ws)).all()
        case_title = cases.get_case(session, case_id).title
    token = _published(web, STATEMENT)
    html = client.get(f"/public/{token}").text
    assert "liable" not in html and "holding statement" not in html  # notes
    for text in texts:
        assert text.split(" (")[0] not in html  # critics' posts
    for handle in handles:
        assert handle not in html  # critics' handles
    assert "@acme.test" not in html and "@example.com" not in html  # people
    assert case_title not in html and "Draft a reply" not in html  # case title, tasks
    assert f"#{case_id}" not in html and f"/cases/{case_id}" not in html  # internal ids
    # The figures are there, in words.
    assert 'data-figure="posts_handled"' in html and "Posts handled" in html


def test_an_unknown_or_offline_page_is_the_same_404(web: WebEnv, client: TestClient) -> None:
    token = _published(web, STATEMENT)
    unknown = client.get("/public/" + "A" * 43)
    malformed = client.get("/public/<script>")
    with session_scope(web.engine) as session:
        service.disable_page(
            session, web.seeded.cases["acme"], "x", workspace_id=web.seeded.workspaces["acme"]
        )
    offline = client.get(f"/public/{token}")
    assert unknown.status_code == malformed.status_code == offline.status_code == 404
    assert unknown.text == offline.text == malformed.text
    assert STATEMENT not in offline.text
    assert offline.headers["content-security-policy"] == unknown.headers["content-security-policy"]


def test_a_hebrew_page_is_right_to_left_with_mixed_text_isolated(
    web: WebEnv, client: TestClient
) -> None:
    token = _published(web, HEBREW, language="he")
    html = client.get(f"/public/{token}", headers={"Accept-Language": "en"}).text
    assert '<html lang="he" dir="rtl">' in html
    assert "עדכונים מאת" in html  # the page's own wording, in Hebrew
    assert re.search(r'lang="he" dir="auto"><p dir="auto">' + re.escape(HEBREW), html)
    # The brand's Latin name inside the Hebrew heading is isolated.
    assert "<bdi>Acme Air</bdi>" in html


def test_the_case_page_publishes_the_page_and_adds_an_approved_statement(
    web: WebEnv, client: TestClient
) -> None:
    case_id = web.seeded.cases["acme"]
    statement = _approved(web, STATEMENT)
    csrf = login(client, web.seeded.users["acme-responder"])
    page = client.get(f"/w/acme/cases/{case_id}").text
    assert 'id="public-page"' in page and "Publish a public update page" in page
    posted = client.post(
        f"/w/acme/cases/{case_id}/public-page",
        data={"csrf_token": csrf, "language": "en", "figures": ["status", "replies_sent"]},
        follow_redirects=False,
    )
    assert posted.status_code == 303 and posted.headers["location"].endswith("#public-page")
    page = client.get(f"/w/acme/cases/{case_id}").text
    link = re.search(r'id="public-link"[^>]*value="([^"]+)"', page)
    assert link and "/public/" in link.group(1)
    assert f'<option value="{statement}">' in page
    added = client.post(
        f"/w/acme/cases/{case_id}/public-page/entries",
        data={"csrf_token": csrf, "draft_id": str(statement)},
        follow_redirects=False,
    )
    assert added.status_code == 303
    path = "/public/" + link.group(1).split("/public/")[1]
    client.cookies.clear()
    assert STATEMENT in client.get(path).text
    with session_scope(web.engine) as session:
        actions = session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions[-2:] == ["public_page.publish", "public_page.add"]


def test_the_api_manages_the_page_and_refuses_unapproved_text(
    web: WebEnv, client: TestClient
) -> None:
    case_id = web.seeded.cases["acme"]
    url = f"/api/v1/workspaces/acme/cases/{case_id}/public-page"
    responder = bearer(web, "acme-responder")
    assert client.get(url, headers=responder).status_code == 404
    viewer = bearer(web, "acme-viewer")
    assert client.put(url, json={}, headers=viewer).status_code == 403
    made = client.put(url, json={"language": "pl", "figures": ["status"]}, headers=responder)
    assert made.status_code == 200, made.text
    body = made.json()
    assert body["enabled"] and body["language"] == "pl" and body["url"].endswith(body["token"])
    with session_scope(web.engine) as session:
        pending = drafts.create_draft(
            session,
            case_id,
            "Not approved",
            "x",
            workspace_id=web.seeded.workspaces["acme"],
            platform="x",
        ).id
    refused = client.post(f"{url}/entries", json={"draft_id": pending}, headers=responder)
    assert refused.status_code == 409 and "not approved" in refused.json()["detail"]
    statement = _approved(web, STATEMENT)
    added = client.post(f"{url}/entries", json={"draft_id": statement}, headers=responder)
    assert added.status_code == 201 and added.json()["entries"][0]["shown"] is True
    bad = client.put(url, json={"figures": ["sentiment"]}, headers=responder)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][:2] == ["body", "figures"]
    listed = client.put(url, json={"noindex": False}, headers=responder)
    assert listed.json()["noindex"] is False and listed.json()["language"] == "pl"
    public = client.get(f"/public/{body['token']}")
    assert "x-robots-tag" not in public.headers and 'name="robots"' not in public.text
    assert STATEMENT in public.text and 'lang="pl" dir="ltr"' in public.text
    assert client.delete(f"{url}/entries/{statement}", headers=responder).status_code == 204
    off = client.post(f"{url}/disable", headers=responder).json()
    assert off["enabled"] is False and off["entries"] == []
    assert client.get(f"/public/{body['token']}").status_code == 404


def test_the_command_line_creates_adds_shows_and_disables(
    web: WebEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flarewatch.cli.main import app
    from flarewatch.config.settings import get_settings

    database = web.engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("FLAREWATCH_DATABASE_URL", database)
    monkeypatch.setenv("FLAREWATCH_PUBLIC_URL", "https://status.acme.example")
    get_settings.cache_clear()
    case_id = str(web.seeded.cases["acme"])
    statement = _approved(web, STATEMENT)
    runner = CliRunner()
    made = runner.invoke(app, ["public-page", "create", case_id, "--figure", "status"])
    assert made.exit_code == 0, made.output
    assert "is online: https://status.acme.example/public/" in made.output
    added = runner.invoke(app, ["public-page", "add", case_id, str(statement)])
    assert added.exit_code == 0 and f"Draft #{statement} is on the public" in added.output
    shown = runner.invoke(app, ["public-page", "show", case_id, "--language", "he"])
    assert shown.exit_code == 0 and f"#{statement} (v1)" in shown.output
    assert "נתונים: סטטוס" in shown.output  # the figures by name, in the reader's language
    removed = runner.invoke(app, ["public-page", "remove", case_id, str(statement)])
    assert removed.exit_code == 0
    again = runner.invoke(app, ["public-page", "remove", case_id, str(statement)])
    assert again.exit_code == 1 and "is not on the public update page" in again.output
    off = runner.invoke(app, ["public-page", "disable", case_id])
    assert off.exit_code == 0 and "is offline" in off.output
    get_settings.cache_clear()
