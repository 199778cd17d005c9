"""Real loopback receivers for delivery tests: an HTTP server and an SMTP server (aiosmtpd)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class HttpReceiver:
    port: int
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def url(self, path: str = "hook") -> str:
        return f"json://127.0.0.1:{self.port}/{path}"


def start_http_receiver(port: int = 0) -> tuple[ThreadingHTTPServer, HttpReceiver]:
    received: list[tuple[str, dict[str, Any]]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            length = int(self.headers.get("Content-Length", 0))
            received.append((self.path, json.loads(self.rfile.read(length))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, HttpReceiver(server.server_port, received)


@pytest.fixture
def http_receiver() -> Iterator[HttpReceiver]:
    server, receiver = start_http_receiver()
    yield receiver
    server.shutdown()
    server.server_close()


@dataclass
class SmtpReceiver:
    port: int
    messages: list[Envelope] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        self.messages.append(envelope)
        return "250 Message accepted"

    def url(self, to: str = "ops@example.com") -> str:
        # Plain SMTP on a custom port: 'mailto://' (not mailtos) plus mode=insecure, so Apprise
        # neither wraps the socket in TLS nor tries STARTTLS; no user means no AUTH.
        return f"mailto://127.0.0.1:{self.port}?mode=insecure&from=alerts@flarewatch.test&to={to}"


@pytest.fixture
def smtp_receiver() -> Iterator[SmtpReceiver]:
    receiver = SmtpReceiver(free_port())
    controller = Controller(receiver, hostname="127.0.0.1", port=receiver.port)
    controller.start()
    yield receiver
    controller.stop()
