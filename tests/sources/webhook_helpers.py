"""A workspace with a `webhook` source in a real database, the real app on it, and signing."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from flarewatch.config.settings import get_settings
from flarewatch.config.workspace import parse_workspace_toml
from flarewatch.db.engine import session_scope
from flarewatch.mentions.models import RawPost
from flarewatch.sources.models import Source, WebhookDelivery
from flarewatch.web.app import create_app
from flarewatch.workspaces.service import sync_workspace

SECRET = "hook-secret-for-tests"
SECRET_ENV = "ACME_HOOK_SECRET"
URL = "/hooks/acme/orders"
WORKSPACE = f"""
slug = "acme"
name = "Acme Burgers"
languages = ["en", "he", "pl"]

[[topics]]
key = "brand"
query = 'acme OR "אקמה"'

[[sources]]
key = "orders"
kind = "webhook"
secret_env = "{SECRET_ENV}"

[[sources]]
key = "export"
kind = "file"
path = "posts.jsonl"
"""


@dataclass
class Hook:
    engine: Engine
    app: FastAPI
    client: TestClient
    workspace_id: int
    source_id: int


def make_hook(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Hook:
    config = parse_workspace_toml(WORKSPACE, "acme.toml")
    with session_scope(engine) as session:
        workspace_id = sync_workspace(session, config, tmp_path).id
        source_id = session.scalars(select(Source.id).where(Source.key == "orders")).one()
    monkeypatch.setenv(SECRET_ENV, SECRET)
    get_settings.cache_clear()
    app = create_app(engine)
    return Hook(engine, app, TestClient(app), workspace_id, source_id)


def record(i: int, text: str = "Acme burger number {i} was great", **fields: Any) -> dict[str, Any]:
    return {
        "id": f"h{i}",
        "text": text.format(i=i),
        "author": f"user{i}",
        "platform": "twitter",
        "created_at": "2026-03-01T10:00:00Z",
        **fields,
    }


def jsonl(records: Iterable[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()


def signature(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(
    client: TestClient,
    body: bytes,
    *,
    content_type: str = "application/json",
    sign: str | None = None,
    url: str = URL,
) -> Any:
    headers = {"Content-Type": content_type}
    headers["X-Flarewatch-Signature"] = sign if sign is not None else signature(body)
    return client.post(url, content=body, headers=headers)


def deliveries(engine: Engine) -> list[WebhookDelivery]:
    with session_scope(engine) as session:
        rows = list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))
        session.expunge_all()
        return rows


def stored_posts(engine: Engine) -> int:
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count()).select_from(RawPost)) or 0)
