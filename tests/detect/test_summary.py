"""AI summary against a real local HTTP server replaying a recorded chat-completions answer."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from flarewatch.detect.summary import (
    SummaryError,
    SummaryPost,
    settings_from_env,
    summarize,
    validate_citations,
)

RECORDED = (Path(__file__).parent / "data" / "chat_completion.json").read_bytes()


class _Server:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 200
        self.body = RECORDED
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                server.requests.append(
                    {
                        "path": self.path,
                        "auth": self.headers.get("Authorization"),
                        "json": json.loads(self.rfile.read(length)),
                    }
                )
                self.send_response(server.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(server.body)))
                self.end_headers()
                self.wfile.write(server.body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def llm() -> Iterator[_Server]:
    server = _Server()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


POSTS = [
    SummaryPost(
        101,
        "Found a WORM in my burger at BurgerBar Haifa!!!",
        "facebook",
        "dana",
        datetime(2026, 3, 8, 10, 1, tzinfo=UTC),
    ),
    SummaryPost(102, "worm in a BurgerBar burger?? boycott", "facebook", "avi"),
    SummaryPost(103, "BurgerBar worm video is everywhere", "twitter", "news_il"),
]


def test_summary_cites_only_given_posts(llm: _Server) -> None:
    summary = summarize(
        POSTS,
        base_url=llm.url,
        api_key="sk-test",
        model="llama3.1:8b",
        title="BurgerBar: story 'worm burger' is growing",
    )
    assert summary.cited_post_ids == [101, 102, 103]
    assert "999" not in summary.text  # a post that was not given is not cited
    assert "[103]" in summary.text
    [request] = llm.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["auth"] == "Bearer sk-test"
    assert request["json"]["model"] == "llama3.1:8b"
    user = request["json"]["messages"][-1]["content"]
    assert "[101] (facebook, @dana, 2026-03-08 10:01 UTC)" in user


def test_failures_are_reported_not_raised_raw(llm: _Server) -> None:
    llm.status = 500
    with pytest.raises(SummaryError, match="500"):
        summarize(POSTS, base_url=llm.url, api_key=None, model="m")
    llm.status, llm.body = 200, b'{"unexpected": true}'
    with pytest.raises(SummaryError, match="chat-completions"):
        summarize(POSTS, base_url=llm.url, api_key=None, model="m")
    with pytest.raises(SummaryError, match="unreachable"):
        summarize(POSTS, base_url="http://127.0.0.1:9", api_key=None, model="m", timeout=2)


def test_uncited_summary_is_rejected() -> None:
    with pytest.raises(SummaryError):
        validate_citations("Everyone is angry [7].", {1, 2})


def test_disabled_without_settings() -> None:
    assert settings_from_env({}) is None
    s = settings_from_env(
        {
            "FLAREWATCH_LLM_BASE_URL": "http://localhost:11434/v1/",
            "FLAREWATCH_LLM_MODEL": "llama3.1",
        }
    )
    assert s is not None and s.base_url == "http://localhost:11434/v1" and s.api_key is None
