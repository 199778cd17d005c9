"""The web application: server-rendered pages, the JSON API under /api/v1 and live updates."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from markupsafe import Markup, escape
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from flarewatch.bidi import isolate
from flarewatch.config.settings import get_settings
from flarewatch.db.engine import get_engine, sessionmaker_for
from flarewatch.errors import (
    FlarewatchError,
    InputError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
)
from flarewatch.web.deps import LoginRequired, refuse_nul_characters
from flarewatch.web.middleware import (
    BodySizeLimitMiddleware,
    LanguageMiddleware,
    SecurityHeadersMiddleware,
)
from flarewatch.web.security import LoginRateLimiter, load_secret_key
from flarewatch.web.sessions import SessionMiddleware
from flarewatch.web.templating import gettext_for, render

STATIC_DIR = Path(__file__).parent / "static"
ERROR_STATUS: dict[type[FlarewatchError], int] = {
    NotFoundError: 404,
    PermissionDeniedError: 403,
    InvalidTransitionError: 409,
    InputError: 422,
}


def _is_api(request: Request) -> bool:
    # Webhook senders are programs too: their errors are JSON, never an HTML page.
    return request.url.path.startswith(("/api/", "/hooks/"))


def _sentence(translated: str, **values: str) -> Markup:
    """A translated sentence with generated or request text isolated (FSI…PDI) and its own
    bidi controls shown as markers; Markup, so the templates' bidi filter keeps our isolates."""
    return Markup(escape(translated)) % {name: isolate(value) for name, value in values.items()}


def _error_page(
    request: Request, status: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    if _is_api(request):
        detail = message.unescape() if isinstance(message, Markup) else message
        return JSONResponse({"detail": detail}, status_code=status, headers=headers)
    if request.headers.get("hx-request"):
        # HTMX swaps the message into the page's notice area instead of the clicked element.
        response = render(request, "partials/notice.html", status, message=message, level="error")
        response.headers["HX-Retarget"] = "#notice"
        response.headers["HX-Reswap"] = "innerHTML"
    else:
        response = render(request, "error.html", status, status=status, message=message)
    response.headers.update(headers or {})
    return response


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(FlarewatchError)
    async def flarewatch_error(request: Request, exc: FlarewatchError) -> Response:
        status = next((code for cls, code in ERROR_STATUS.items() if isinstance(exc, cls)), 400)
        return _error_page(request, status, str(exc))

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if _is_api(request):
            return JSONResponse(
                {"detail": str(exc) or "Authentication required."},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        target = "/login?next=" + quote(
            request.url.path + (f"?{request.url.query}" if request.url.query else "")
        )
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        _ = gettext_for(request)
        if exc.status_code == 413:
            limit = app.state.max_body_bytes
            message = _(
                "The request is larger than the %(limit)s bytes this server accepts"
                " (FLAREWATCH_MAX_BODY_BYTES); send a shorter text."
            ) % {"limit": limit}
        elif exc.status_code == 405:
            message = _sentence(
                _("This address does not accept the %(method)s method."), method=request.method
            )
        elif exc.status_code == 404 and not _is_api(request):
            message = _("This page does not exist.")
        else:
            message = str(exc.detail)
        # Keeps Allow on 405, Retry-After and the like: clients act on them.
        return _error_page(request, exc.status_code, message, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)
        _ = gettext_for(request)
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'][1:])}: {err['msg']}" for err in exc.errors()
        )
        message = _sentence(
            _(
                "The address or form has a value that is not allowed: %(problems)s."
                " Check the link, or go back and try again."
            ),
            problems=problems,
        )
        return _error_page(request, 422, message)


NO_NUL_PATTERN = "^[^\\u0000]*$"


def _document_nul_refusal(app: FastAPI) -> None:
    """Say in the OpenAPI document what `refuse_nul_characters` enforces for every route: a text
    path or query parameter never holds U+0000 (JSON fields say it through `schemas.Text`)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for parameter in operation.get("parameters", []):
                    _no_nul(parameter.get("schema", {}))
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _no_nul(schema: dict[str, Any]) -> None:
    if schema.get("type") == "string" and "pattern" not in schema and "format" not in schema:
        schema["pattern"] = NO_NUL_PATTERN
    for option in schema.get("anyOf", []):
        _no_nul(option)
    if isinstance(schema.get("items"), dict):
        _no_nul(schema["items"])


def create_app(engine: Engine | None = None, *, demo_user: str | None = None) -> FastAPI:
    """The application on `engine` (default: the configured database).

    `demo_user` (an email) signs in every request that has no session as that user; only
    `flarewatch demo` passes it.
    """
    from flarewatch.comms.ai_drafting.pages import router as ai_drafting_router
    from flarewatch.comms.public_page.pages import router as public_page_admin_router
    from flarewatch.comms.public_page.public import router as public_page_router
    from flarewatch.mentions.rescore_jobs import RescoreJobs
    from flarewatch.web.api import router as api_router
    from flarewatch.web.routers import page_routers
    from flarewatch.web.routers.hooks import HOOK_PREFIX
    from flarewatch.web.routers.hooks import router as hooks_router

    engine = engine or get_engine()
    settings = get_settings()
    app = FastAPI(
        title="Flarewatch",
        version="1",
        summary="Social listening and crisis management: workspaces, mentions, alerts, cases.",
        # Swagger UI loads its assets from a CDN; the schema itself is served locally.
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
        dependencies=[Depends(refuse_nul_characters)],
    )
    app.state.engine = engine
    app.state.sessionmaker = sessionmaker_for(engine)
    app.state.demo_user = demo_user.strip().lower() if demo_user else None
    app.state.login_limiter = LoginRateLimiter()
    app.state.max_body_bytes = settings.max_body_bytes
    app.state.max_hook_bytes = settings.max_hook_bytes
    # Background re-scoring (web/routers/rescore.py): one worker thread, started on first use.
    app.state.rescore_jobs = RescoreJobs(app.state.sessionmaker)

    _install_error_handlers(app)
    app.add_middleware(LanguageMiddleware)
    # Also signs invitation links (accounts/invites.py, with its own salt).
    app.state.secret_key = load_secret_key()
    app.add_middleware(SessionMiddleware, secret_key=app.state.secret_key)
    app.add_middleware(SecurityHeadersMiddleware)
    # One limit for JSON and form bodies, also when they arrive chunked without a length;
    # webhooks carry batches of posts and have their own.
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        limits_by_prefix={HOOK_PREFIX: settings.max_hook_bytes},
    )
    if settings.trusted_proxies:
        # Outermost, so the session cookie's Secure flag and the sign-in limiter see the real
        # client; headers from any other peer are ignored (a client cannot pick its address).
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(api_router)
    app.include_router(hooks_router)  # signed by the sender: no session, no CSRF (hooks.py)
    for router in page_routers:
        app.include_router(router)
    # The token is the credential: no session, no CSRF (comms/public_page/public.py).
    app.include_router(public_page_router)
    app.include_router(public_page_admin_router)
    app.include_router(ai_drafting_router)

    _document_nul_refusal(app)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
