"""Jinja2 environment and the `render` helper that every page uses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from flarewatch.accounts.permissions import Permission, can
from flarewatch.db.base import utcnow
from flarewatch.web.i18n import LANGUAGES, Formatter, is_rtl, translations_for
from flarewatch.web.labels import LABELS
from flarewatch.web.security import CSRF_FIELD, csrf_token

TEMPLATES_DIR = Path(__file__).parent / "templates"

env = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(["html"]),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
# Newstyle gettext autoescapes translations and formats %(name)s placeholders itself.
env.newstyle_gettext = True  # type: ignore[attr-defined]


def safe_url(url: str | None) -> str | None:
    """Links from posts only if they are web links: a `javascript:` URL in a post is an attack."""
    if url and url.lower().startswith(("https://", "http://")):
        return url
    return None


def language_of(request: Request) -> str:
    return str(getattr(request.state, "language", "en"))


def gettext_for(request: Request) -> Any:
    return translations_for(language_of(request)).gettext


def page_context(request: Request, **extra: Any) -> dict[str, Any]:
    language = language_of(request)
    translations = translations_for(language)
    access = extra.get("access")
    user = extra.get("user") or (access.user if access is not None else None)
    user = user or getattr(request.state, "user", None)
    timezone = (user.timezone if user is not None else None) or (
        access.workspace.timezone if access is not None else None
    )

    def gettext(message: str, **variables: Any) -> str:
        text = translations.gettext(message)
        return text % variables if variables else text

    def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
        text = translations.ngettext(singular, plural, n)
        return text % {"num": n, **variables}

    context: dict[str, Any] = {
        "request": request,
        "workspace": access.workspace if access is not None else None,
        "user": user,
        "lang": language,
        "dir": "rtl" if is_rtl(language) else "ltr",
        "languages": LANGUAGES,
        "fmt": Formatter(language, timezone),
        "now": utcnow(),
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(request),
        "gettext": gettext,
        "_": gettext,
        "ngettext": ngettext,
        "label": lambda code: gettext(LABELS[code]) if code in LABELS else code,
        "safe_url": safe_url,
        "can": (lambda permission: access is not None and can(access.role, Permission(permission))),
    }
    context.update(extra)
    return context


def render(request: Request, template: str, status_code: int = 200, **extra: Any) -> HTMLResponse:
    html = env.get_template(template).render(page_context(request, **extra))
    return HTMLResponse(html, status_code=status_code)
