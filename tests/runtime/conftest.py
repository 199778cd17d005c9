from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from flarewatch.config.workspace import parse_workspace_toml
from flarewatch.db.engine import session_scope
from flarewatch.workspaces.service import sync_workspace

WORKSPACE = """
slug = "acme"
name = "Acme Burgers"
languages = ["en", "he"]
timezone = "Asia/Jerusalem"
auto_case_severity = "warning"

[[topics]]
key = "brand"
query = 'acme OR "אקמה"'

[[sources]]
key = "export"
kind = "file"
path = "posts.jsonl"
{extra}
"""


def post_line(i: int, text: str, **fields: Any) -> str:
    return json.dumps(
        {
            "id": f"p{i}",
            "text": text,
            "author": f"user{i}",
            "platform": "twitter",
            "created_at": f"2026-03-01T10:{i % 60:02d}:00Z",
            **fields,
        },
        ensure_ascii=False,
    )


@pytest.fixture
def make_workspace(tmp_path: Path) -> Callable[..., int]:
    def make(engine: Engine, extra: str = "") -> int:
        config = parse_workspace_toml(WORKSPACE.format(extra=extra), "acme.toml")
        with session_scope(engine) as session:
            return sync_workspace(session, config, tmp_path).id

    return make


@contextmanager
def e5_backend_missing(engine: Engine, workspace_id: int, message: str) -> Iterator[None]:
    """The workspace scores with `e5`, whose package is missing at run time (as if the file was
    checked on a machine with the extra and run on one without it); the real backend comes back
    after the block."""
    from flarewatch.enrich import sentiment
    from flarewatch.enrich.sentiment.registry import build_backend
    from flarewatch.workspaces.models import Workspace

    with session_scope(engine) as session:
        ws = session.get_one(Workspace, workspace_id)
        ws.config = {**ws.config, "sentiment_backend": "e5"}

    def missing() -> sentiment.SentimentModel:
        raise ImportError(message)

    sentiment.register_sentiment_model("e5", missing)
    try:
        yield
    finally:
        sentiment.register_sentiment_model("e5", lambda: build_backend("e5"))
