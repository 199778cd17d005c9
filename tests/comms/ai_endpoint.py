"""A local OpenAI-compatible endpoint for the AI drafting tests: an HTTP server in a thread
that checks the request's shape and answers like /v1/chat/completions (or fails as told)."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class FakeEndpoint:
    port: int
    answer: str = "We are sorry. We are checking every grill and will update you by 18:00."
    mode: str = "ok"  # ok, 401, 404, 429, 500, malformed, slow
    requests: list[dict[str, Any]] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"


def _handler(endpoint: FakeEndpoint) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length))
            endpoint.requests.append(
                {"path": self.path, "headers": dict(self.headers), "body": body}
            )
            if self.path != "/v1/chat/completions":
                return self._send(404, {"error": {"message": "no such route"}})
            mode = endpoint.mode
            if mode == "slow":
                time.sleep(1.5)
                return self._send(200, {})
            if mode in ("401", "404", "429", "500"):
                headers = {"Retry-After": "20"} if mode == "429" else {}
                return self._send(int(mode), {"error": {"message": f"fake {mode}"}}, headers)
            if mode == "malformed":
                return self._send(200, {"result": endpoint.answer})
            # The shape every OpenAI-compatible server answers with.
            self._send(
                200,
                {
                    "id": "chatcmpl-test",
                    "object": "chat.completion",
                    "created": 1765000000,
                    "model": body["model"],
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": endpoint.answer},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30},
                },
            )

        def _send(
            self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
        ) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(data)  # the timeout test's client has gone by now

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    return Handler


@pytest.fixture
def ai_endpoint() -> Iterator[FakeEndpoint]:
    endpoint = FakeEndpoint(port=0)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(endpoint))
    server.daemon_threads = True
    endpoint.port = server.server_port
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield endpoint
    server.shutdown()
    server.server_close()
