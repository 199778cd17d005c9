"""`/public/{token}`: the public update page, without sign-in.

The token is the only key: no session is read or written (the page's context has no CSRF
token, so no anonymous session cookie is set), and the page carries nothing of the case but
approved text and the chosen figures. Its own headers are stricter than the app's
(web/middleware.py keeps headers a route set): no scripts at all, no referrer, a short public
cache. An unknown token, a malformed one and a page taken offline all get the same 404.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from flarewatch.bidi import isolate
from flarewatch.comms.public_page.service import PublicView, public_view
from flarewatch.i18n.formatting import Formatter
from flarewatch.i18n.labels import LABELS
from flarewatch.i18n.languages import is_rtl, translations_for
from flarewatch.web.deps import get_db
from flarewatch.web.templating import env

router = APIRouter(tags=["pages"], include_in_schema=False)

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
# Nothing runs on the page: no script source at all; styles from our own stylesheet only.
PUBLIC_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
# Short, so a page taken offline or a changed entry is gone from shared caches within a minute.
CACHE_SECONDS = 60
DESCRIPTION_CHARS = 200


def public_headers(noindex: bool) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": PUBLIC_CSP,
        "Referrer-Policy": "no-referrer",
        "Cache-Control": f"public, max-age={CACHE_SECONDS}",
        "X-Content-Type-Options": "nosniff",
    }
    if noindex:
        headers["X-Robots-Tag"] = "noindex, nofollow"
    return headers


def description_of(view: PublicView) -> str:
    """The link preview's description: the newest entry's opening, on one line."""
    if not view.entries:
        return ""
    text = " ".join(view.entries[0].text.split())
    return text if len(text) <= DESCRIPTION_CHARS else text[: DESCRIPTION_CHARS - 1] + "…"


def public_context(view: PublicView | None, language: str) -> dict[str, Any]:
    """The template's context: the page's own language (not the visitor's), its zone's times."""
    translations = translations_for(language)

    def gettext(message: str, **values: Any) -> str | Markup:
        text = translations.gettext(message)
        if not values:
            return text
        return Markup(escape(text)) % {
            name: Markup(escape(isolate(v))) if isinstance(v, str) else v
            for name, v in values.items()
        }

    def ngettext(singular: str, plural: str, n: int, **values: Any) -> Markup:
        text = translations.ngettext(singular, plural, n)
        return Markup(escape(text)) % {"num": n, **values}

    return {
        "view": view,
        "lang": language,
        "dir": "rtl" if is_rtl(language) else "ltr",
        "fmt": Formatter(language, view.timezone if view else None),
        "_": gettext,
        "gettext": gettext,
        "ngettext": ngettext,
        "label": lambda code: gettext(LABELS[code]) if code in LABELS else code,
        "description": description_of(view) if view else "",
    }


def render_public(view: PublicView | None, language: str) -> str:
    return env.get_template("public/page.html").render(public_context(view, language))


@router.get("/public/{token}", response_class=HTMLResponse)
def public_page(request: Request, token: str, db: Session = Depends(get_db)) -> HTMLResponse:
    view = public_view(db, token) if TOKEN_RE.match(token) else None
    if view is None:
        # The visitor's language for the one sentence of the 404; the same for every cause.
        language = str(getattr(request.state, "language", "en"))
        return HTMLResponse(
            render_public(None, language), status_code=404, headers=public_headers(True)
        )
    return HTMLResponse(render_public(view, view.language), headers=public_headers(view.noindex))
