"""The optional AI summary on the alert page and in the CLI, against a real local HTTP server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.alerts.models import Alert
from flarewatch.alerts.summary import summarize_alert
from flarewatch.errors import InputError
from flarewatch.mentions.models import RawPost

from .conftest import WebEnv, csrf_from, login


class ChatServer:
    """Answers /v1/chat/completions in the OpenAI format with a summary citing `cite`."""

    def __init__(self) -> None:
        self.cite: list[int] = []
        self.requests: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                outer.requests.append(json.loads(self.rfile.read(length)))
                refs = " ".join(f"[{post_id}]" for post_id in outer.cite)
                body = json.dumps(
                    {
                        "id": "chatcmpl-1",
                        "object": "chat.completion",
                        "choices": [
                            {
                                "index": 0,
                                "message": {
                                    "role": "assistant",
                                    "content": f"Customers report lost luggage {refs}.",
                                },
                                "finish_reason": "stop",
                            }
                        ],
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def chat(monkeypatch: pytest.MonkeyPatch) -> Iterator[ChatServer]:
    server = ChatServer()
    monkeypatch.setenv("FLAREWATCH_LLM_BASE_URL", server.url)
    monkeypatch.setenv("FLAREWATCH_LLM_MODEL", "llama3.1:8b")
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def _alert_with_posts(web: WebEnv) -> tuple[int, list[int]]:
    with Session(web.engine) as session:
        alert = session.get_one(Alert, web.seeded.alerts["acme"][0])
        post_ids = list(
            session.scalars(
                select(RawPost.id).where(RawPost.workspace_id == alert.workspace_id).limit(3)
            )
        )
        assert post_ids, "the seeded workspace needs stored posts"
        alert.post_ids = post_ids
        session.commit()
        return alert.id, post_ids


def test_summary_button_cites_the_alerts_posts(
    web: WebEnv, client: TestClient, chat: ChatServer
) -> None:
    alert_id, post_ids = _alert_with_posts(web)
    chat.cite = post_ids[:2]
    login(client, web.seeded.users["acme-responder"])
    page = client.get(f"/w/acme/alerts/{alert_id}")
    assert "Summarize" in page.text
    response = client.post(
        f"/w/acme/alerts/{alert_id}/summary",
        data={"csrf_token": csrf_from(page.text)},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200, response.text
    assert "Customers report lost luggage" in response.text
    for post_id in post_ids[:2]:
        assert f"#{post_id}" in response.text
    sent = chat.requests[0]
    assert sent["model"] == "llama3.1:8b"


def test_viewer_cannot_request_a_summary(web: WebEnv, client: TestClient, chat: ChatServer) -> None:
    alert_id, _ = _alert_with_posts(web)
    login(client, web.seeded.users["acme-viewer"])
    page = client.get(f"/w/acme/alerts/{alert_id}")
    assert "Summarize" not in page.text
    response = client.post(
        f"/w/acme/alerts/{alert_id}/summary", data={"csrf_token": csrf_from(page.text)}
    )
    assert response.status_code == 403
    assert chat.requests == []


def test_without_an_endpoint_the_page_says_how_to_enable_it(
    web: WebEnv, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FLAREWATCH_LLM_BASE_URL", raising=False)
    alert_id, _ = _alert_with_posts(web)
    login(client, web.seeded.users["acme-responder"])
    page = client.get(f"/w/acme/alerts/{alert_id}")
    assert "Summarize" not in page.text
    assert "FLAREWATCH_LLM_BASE_URL" in page.text
    with Session(web.engine) as session, pytest.raises(InputError, match="no AI endpoint"):
        summarize_alert(session, alert_id)


def test_cli_summary(web: WebEnv, chat: ChatServer, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from flarewatch.alerts.cli import app
    from flarewatch.config.settings import get_settings

    alert_id, post_ids = _alert_with_posts(web)
    chat.cite = post_ids[:1]
    monkeypatch.setenv("FLAREWATCH_DATABASE_URL", web.engine.url.render_as_string())
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["summary", str(alert_id)])
    assert result.exit_code == 0, result.output
    assert "Customers report lost luggage" in result.output
    assert f"#{post_ids[0]}" in result.output
    monkeypatch.delenv("FLAREWATCH_LLM_BASE_URL")
    missing = CliRunner().invoke(app, ["summary", str(alert_id)])
    assert missing.exit_code == 2
    assert "FLAREWATCH_LLM_BASE_URL" in missing.output
