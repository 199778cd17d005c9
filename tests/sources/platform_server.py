"""A real HTTP server on 127.0.0.1 for connector tests: routes answer in the platform's
documented shape with the test's own content (never the live network).

    server.route("GET", "/api/v1/timelines/tag/acme", lambda req: Reply.json([...]))

A handler gets the `Request` (method, path, query, headers, body) and returns a `Reply`;
`Reply.trickle` sends its body one chunk at a time with a pause (a hanging or slow server).
Every request is recorded in `server.requests`.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass(slots=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default


@dataclass(slots=True)
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    trickle_seconds: float = 0.0  # pause between bytes: a slow server
    cut_after: int | None = None  # send this many body bytes, then close (truncated answer)

    @classmethod
    def json(cls, data: Any, status: int = 200, **headers: str) -> Reply:
        body = json.dumps(data, ensure_ascii=False).encode()
        return cls(status, body, {"Content-Type": "application/json; charset=utf-8", **headers})

    @classmethod
    def raw(
        cls, body: bytes | str, status: int = 200, content_type: str = "text/plain", **h: str
    ) -> Reply:
        data = body.encode() if isinstance(body, str) else body
        return cls(status, data, {"Content-Type": content_type, **h})


Handler = Callable[[Request], Reply]


@dataclass
class PlatformServer:
    base: str = ""
    routes: dict[tuple[str, str], Handler] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)

    def url(self, path: str = "") -> str:
        return f"{self.base}{path}"

    def route(self, method: str, path: str, handler: Handler | Reply) -> None:
        self.routes[(method.upper(), path)] = (
            handler if callable(handler) else (lambda _request, reply=handler: reply)
        )

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]


def _serve(state: PlatformServer) -> tuple[ThreadingHTTPServer, threading.Thread]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            request = Request(
                self.command,
                parts.path,
                parse_qs(parts.query, keep_blank_values=True),
                {k.lower(): v for k, v in self.headers.items()},
                self.rfile.read(length) if length else b"",
            )
            state.requests.append(request)
            handler = state.routes.get((self.command, parts.path))
            reply = handler(request) if handler else Reply.json({"error": "not found"}, 404)
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            if reply.cut_after is not None:
                self.send_header("Connection", "close")
            self.end_headers()
            body = reply.body if reply.cut_after is None else reply.body[: reply.cut_after]
            if reply.trickle_seconds:
                for index in range(len(body)):
                    self.wfile.write(body[index : index + 1])
                    self.wfile.flush()
                    time.sleep(reply.trickle_seconds)
            else:
                self.wfile.write(body)
            if reply.cut_after is not None:
                self.close_connection = True

        do_GET = do_POST = do_PUT = do_DELETE = _handle  # noqa: N815 (http.server's naming)

        def log_message(self, format: str, *args: object) -> None:  # keep test output clean
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    return httpd, thread


@pytest.fixture
def platform() -> Iterator[PlatformServer]:
    state = PlatformServer()
    httpd, thread = _serve(state)
    yield state
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)
