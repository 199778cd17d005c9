"""Pure ASGI middleware (no response buffering, so Server-Sent Events stream through)."""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from flarewatch.i18n.languages import LANGUAGES
from flarewatch.web.i18n import LOCALE_COOKIE, negotiate

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'"
)


class LanguageMiddleware:
    """Picks the UI language: the reader's choice (cookie), else the browser's Accept-Language."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            connection = HTTPConnection(scope)
            chosen = connection.cookies.get(LOCALE_COOKIE)
            language = (
                chosen
                if chosen in LANGUAGES
                else negotiate(connection.headers.get("accept-language"))
            )
            scope.setdefault("state", {})["language"] = language
        await self.app(scope, receive, send)


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", CSP)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "same-origin")
            await send(message)

        await self.app(scope, receive, send_wrapper)


class BodyTooLargeError(HTTPException):
    """Raised while the app reads a body past the limit; the app's handlers render it as 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=f"The request body is over {limit} bytes.")


class BodySizeLimitMiddleware:
    """Refuses request bodies over `max_bytes`, announced (Content-Length) or chunked.

    `limits_by_prefix` gives paths their own limit (webhooks carry batches of posts); the
    route reading such a body answers the 413 itself.

    The limit is enforced where the app reads the body, as an HTTPException, so the answer is the
    app's own 413: JSON on the API, an error page in the browser. Starlette's middleware for this
    replaces any response to an over-long Content-Length with plain text, which loses both.
    """

    def __init__(
        self, app: ASGIApp, max_bytes: int, limits_by_prefix: dict[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.limits_by_prefix = limits_by_prefix or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        limit = next(
            (size for prefix, size in self.limits_by_prefix.items() if path.startswith(prefix)),
            self.max_bytes,
        )
        announced = Headers(scope=scope).get("content-length", "")
        too_long_announced = announced.isdigit() and int(announced) > limit
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if too_long_announced:
                raise BodyTooLargeError(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLargeError(limit)
            return message

        await self.app(scope, limited_receive, send)
