"""Stored credentials on the web (admins only): store, replace, delete; encrypted, shown only
as a hint, audited without the secret; a clear message without FLAREWATCH_SECRET_KEY."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from flarewatch.accounts.models import AuditLog
from flarewatch.db.engine import session_scope
from flarewatch.sources.credentials import read_credential
from flarewatch.sources.models import Source, SourceCredential
from tests.sources.platform_server import (
    PlatformServer,
    Reply,
    platform,  # noqa: F401  (the local Graph API server)
)

from .conftest import WebEnv, login

PAGE = "/w/acme/settings/sources"
STORE = "/w/acme/settings/credentials"
SECRET = "EAAB-very-secret-page-token-7f3q"
REPLACEMENT = "EAAB-another-secret-token-9z1k"


def _audit(web: WebEnv) -> list[tuple[str, dict[str, object]]]:
    with session_scope(web.engine) as session:
        return [
            (entry.action, dict(entry.details or {}))
            for entry in session.scalars(
                select(AuditLog).where(AuditLog.action.like("credential.%")).order_by(AuditLog.id)
            )
        ]


def test_store_replace_delete_show_only_the_hint_and_audit(
    web: WebEnv, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLAREWATCH_SECRET_KEY", "a long passphrase for the tests")
    monkeypatch.delenv("ACME_FB_TOKEN", raising=False)
    with session_scope(web.engine) as session:
        session.add(
            Source(
                workspace_id=web.seeded.workspaces["acme"],
                key="page",
                kind="facebook",
                config={
                    "key": "page",
                    "kind": "facebook",
                    "page_id": "1",
                    "token_env": "ACME_FB_TOKEN",
                },
                origin="web",
            )
        )
    csrf = login(client, web.seeded.users["acme-admin"])
    before = client.get(PAGE).text
    assert "missing: store it here" in before  # the source names a variable nobody has set
    stored = client.post(STORE, data={"csrf_token": csrf, "name": "ACME_FB_TOKEN", "value": SECRET})
    assert stored.status_code == 200
    assert "…7f3q" in stored.text and SECRET not in stored.text and "stored here" in stored.text
    with session_scope(web.engine) as session:
        row = session.scalars(select(SourceCredential)).one()
        assert SECRET.encode() not in row.ciphertext
        assert read_credential(session, row.workspace_id, "ACME_FB_TOKEN") == SECRET
    client.post(STORE, data={"csrf_token": csrf, "name": "ACME_FB_TOKEN", "value": REPLACEMENT})
    page = client.get(PAGE).text
    assert "…9z1k" in page and "…7f3q" not in page
    deleted = client.post(f"{STORE}/ACME_FB_TOKEN/delete", data={"csrf_token": csrf})
    assert deleted.status_code == 200 and "No stored credentials." in deleted.text
    assert (
        client.post(f"{STORE}/ACME_FB_TOKEN/delete", data={"csrf_token": csrf}).status_code == 404
    )
    audit = _audit(web)
    assert [action for action, _ in audit] == [
        "credential.store",
        "credential.replace",
        "credential.delete",
    ]
    assert all(details == {"name": "ACME_FB_TOKEN"} for _, details in audit)
    assert "7f3q" not in str(audit) and "9z1k" not in str(audit)


def test_without_the_secret_key_the_page_says_how_to_fix_it(
    web: WebEnv, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FLAREWATCH_SECRET_KEY", raising=False)
    csrf = login(client, web.seeded.users["acme-admin"])
    page = client.get(PAGE).text
    assert "FLAREWATCH_SECRET_KEY is not set" in page
    refused = client.post(STORE, data={"csrf_token": csrf, "name": "TOKEN", "value": SECRET})
    assert refused.status_code == 422
    assert "FLAREWATCH_SECRET_KEY is not set" in refused.text and SECRET not in refused.text
    assert _audit(web) == []


def test_bad_names_and_empty_values_are_refused(
    web: WebEnv, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLAREWATCH_SECRET_KEY", "a long passphrase for the tests")
    csrf = login(client, web.seeded.users["acme-admin"])
    bad_name = client.post(STORE, data={"csrf_token": csrf, "name": "my token", "value": SECRET})
    assert bad_name.status_code == 422 and "MASTODON_TOKEN" in bad_name.text
    empty = client.post(STORE, data={"csrf_token": csrf, "name": "TOKEN", "value": "  "})
    assert empty.status_code == 422 and "empty" in empty.text
    with session_scope(web.engine) as session:
        assert session.scalars(select(SourceCredential)).all() == []


@pytest.mark.parametrize("who", ["acme-analyst", "acme-viewer", "acme-approver"])
def test_only_admins_manage_credentials(
    web: WebEnv, client: TestClient, monkeypatch: pytest.MonkeyPatch, who: str
) -> None:
    monkeypatch.setenv("FLAREWATCH_SECRET_KEY", "a long passphrase for the tests")
    csrf = login(client, web.seeded.users[who])
    assert 'id="credentials"' not in client.get(PAGE).text
    response = client.post(STORE, data={"csrf_token": csrf, "name": "TOKEN", "value": SECRET})
    assert response.status_code == 403
    assert client.post(f"{STORE}/TOKEN/delete", data={"csrf_token": csrf}).status_code == 403


def test_test_connection_uses_the_stored_credential_and_shows_its_rejection(
    web: WebEnv,
    client: TestClient,
    monkeypatch: pytest.MonkeyPatch,
    platform: PlatformServer,  # noqa: F811
) -> None:
    monkeypatch.setenv("FLAREWATCH_SECRET_KEY", "a long passphrase for the tests")
    monkeypatch.delenv("ACME_FB_TOKEN", raising=False)
    page_id = "104598372391234"
    answers = iter(
        [
            Reply.json(
                {
                    "data": [
                        {
                            "id": f"{page_id}_822913345566778",
                            "message": "Our new burger is here!",
                            "created_time": "2026-12-03T09:15:02+0000",
                            "from": {"name": "Acme Air", "id": page_id},
                        }
                    ]
                }
            ),
            Reply.json(
                {
                    "error": {
                        "message": "Error validating access token: Session has expired.",
                        "type": "OAuthException",
                        "code": 190,
                        "error_subcode": 463,
                        "fbtrace_id": "AbCdEfGh123",
                    }
                },
                400,
            ),
        ]
    )
    platform.route("GET", f"/v21.0/{page_id}/posts", lambda request: next(answers))
    platform.route("GET", f"/v21.0/{page_id}_822913345566778/comments", Reply.json({"data": []}))
    csrf = login(client, web.seeded.users["acme-admin"])
    client.post(STORE, data={"csrf_token": csrf, "name": "ACME_FB_TOKEN", "value": SECRET})
    form = {
        "csrf_token": csrf,
        "kind": "facebook",
        "key": "page",
        "page_id": page_id,
        "token_env": "ACME_FB_TOKEN",
        "endpoint": platform.url("/v21.0"),
        "history_days": "365",
    }
    accepted = client.post(f"{PAGE}/test", data=form)
    assert "1 post fetched, nothing stored." in accepted.text
    assert platform.requests[0].arg("access_token") == SECRET
    rejected = client.post(f"{PAGE}/test", data=form).text
    assert "The test fetch failed" in rejected and "ACME_FB_TOKEN" in rejected
    assert SECRET not in rejected
