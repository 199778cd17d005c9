"""Signed-cookie sessions.

Like Starlette's SessionMiddleware, but the cookie gets the Secure flag whenever the request came
over HTTPS (directly or through a proxy that uvicorn trusts), so one configuration works both on a
laptop over plain http://127.0.0.1 and behind a TLS-terminating proxy in production.
"""

from __future__ import annotations

import json
from base64 import b64decode, b64encode
from typing import Any

import itsdangerous
from itsdangerous.exc import BadSignature
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE_NAME = "flarewatch_session"
MAX_AGE_SECONDS = 12 * 3600  # one working shift; the on-call person signs in again after it


class SessionMiddleware:
    def __init__(self, app: ASGIApp, secret_key: str, max_age: int = MAX_AGE_SECONDS) -> None:
        self.app = app
        self.signer = itsdangerous.TimestampSigner(secret_key, salt="flarewatch.session")
        self.max_age = max_age

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        initial: dict[str, Any] = {}
        raw = connection.cookies.get(COOKIE_NAME)
        if raw:
            try:
                data = self.signer.unsign(raw.encode(), max_age=self.max_age)
                initial = json.loads(b64decode(data))
            except (BadSignature, ValueError):
                initial = {}
        scope["session"] = dict(initial)
        secure = connection.url.scheme in ("https", "wss")

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                session: dict[str, Any] = scope["session"]
                headers = MutableHeaders(scope=message)
                flags = "; path=/; httponly; samesite=lax" + ("; secure" if secure else "")
                if session and session != initial:
                    payload = b64encode(json.dumps(session).encode())
                    value = self.signer.sign(payload).decode()
                    headers.append(
                        "Set-Cookie", f"{COOKIE_NAME}={value}; Max-Age={self.max_age}{flags}"
                    )
                elif not session and initial:
                    headers.append(
                        "Set-Cookie",
                        f"{COOKIE_NAME}=null; expires=Thu, 01 Jan 1970 00:00:00 GMT{flags}",
                    )
            await send(message)

        await self.app(scope, receive, send_wrapper)
