"""A webhook source added on the web: its page says where senders post and how to sign, in the
reader's language, and Test connection shows what is waiting in its stored deliveries."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from fastapi.testclient import TestClient

from .conftest import WebEnv, login

BASE = "/w/acme/settings/sources"
SECRET = "s3cret-for-the-test"


def _create_hook(client: TestClient, csrf: str) -> str:
    created = client.post(
        BASE,
        data={
            "csrf_token": csrf,
            "kind": "webhook",
            "key": "orders",
            "secret_env": "ACME_HOOK_SECRET",
            "enabled": "true",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    return created.headers["location"].split("?")[0]


def test_the_webhook_page_shows_the_address_and_the_signing(
    web: WebEnv, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACME_HOOK_SECRET", SECRET)
    csrf = login(client, web.seeded.users["acme-analyst"])
    page_url = _create_hook(client, csrf)
    html = client.get(page_url).text
    assert "http://testserver/hooks/acme/orders</code>" in html
    assert "X-Flarewatch-Signature" in html and "ACME_HOOK_SECRET" in html

    client.cookies.set("flarewatch_lang", "he")
    hebrew = client.get(page_url).text
    assert '<html lang="he" dir="rtl">' in hebrew
    assert (
        "לאן שולחים" in hebrew and '<code dir="ltr" class="mono">http://testserver/hooks/' in hebrew
    )
    # The variable's name sits isolated (<bdi>) inside the Hebrew sentence.
    assert "<bdi>ACME_HOOK_SECRET</bdi>" in hebrew

    # A delivery waits in the inbox; Test connection shows it without marking it read.
    body = json.dumps(
        {"id": "o-1", "text": "The order never came", "created_at": "2026-12-07T10:00:00Z"}
    )
    signature = hmac.new(SECRET.encode(), body.encode(), hashlib.sha256).hexdigest()
    answer = client.post(
        "/hooks/acme/orders",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Flarewatch-Signature": f"sha256={signature}",
        },
    )
    assert answer.status_code == 202, answer.text
    client.cookies.set("flarewatch_lang", "en")
    for _ in range(2):  # twice: the dry fetch leaves the delivery unread
        tested = client.post(f"{page_url}/test", data={"csrf_token": csrf})
        assert tested.status_code == 200
        assert "The order never came" in tested.text
