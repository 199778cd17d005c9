"""Sign-in, sign-out and the language/timezone preference (which works before sign-in too)."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from flarewatch.accounts import service as accounts
from flarewatch.accounts.models import User
from flarewatch.i18n.languages import LANGUAGES
from flarewatch.web.deps import get_db, optional_user, sign_in, sign_out
from flarewatch.web.i18n import LOCALE_COOKIE
from flarewatch.web.security import check_csrf, client_address
from flarewatch.web.templating import gettext_for, render

router = APIRouter(tags=["pages"], include_in_schema=False)
ONE_YEAR = 365 * 24 * 3600


def safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect after sign-in is a phishing tool."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def set_language_cookie(response: Response, request: Request, language: str) -> None:
    response.set_cookie(
        LOCALE_COOKIE,
        language,
        max_age=ONE_YEAR,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


@router.get("/login")
def login_page(
    request: Request, next: str | None = None, user: User | None = Depends(optional_user)
) -> Response:
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", next=safe_next(next), error=None, email="")


@router.post("/login", dependencies=[Depends(check_csrf)])
def login(
    request: Request,
    email: str = Form(""),
    password: str = Form(""),
    next: str = Form("/"),
    db: Session = Depends(get_db),
) -> Response:
    _ = gettext_for(request)
    limiter = request.app.state.login_limiter
    keys = (client_address(request), email)
    wait = limiter.retry_after(*keys)
    if wait:
        message = _("Too many failed sign-ins. Try again in %(seconds)s seconds.") % {
            "seconds": wait
        }
        response = render(
            request, "login.html", 429, next=safe_next(next), error=message, email=email
        )
        response.headers["Retry-After"] = str(wait)
        return response
    user = accounts.authenticate(db, email, password)
    if user is None:
        limiter.failed(*keys)
        db.rollback()
        message = _("The email or password is not right.")
        return render(request, "login.html", 401, next=safe_next(next), error=message, email=email)
    limiter.succeeded(*keys)
    db.commit()
    sign_in(request, user)
    response = RedirectResponse(safe_next(next), status_code=303)
    if user.locale in LANGUAGES:
        set_language_cookie(response, request, user.locale)
    return response


@router.post("/logout", dependencies=[Depends(check_csrf)])
def logout(request: Request, db: Session = Depends(get_db)) -> Response:
    sign_out(request, db)
    # Without this the demo's automatic sign-in would sign the person straight back in.
    request.session["signed_out"] = True
    return RedirectResponse("/login", status_code=303)


@router.post("/preferences", dependencies=[Depends(check_csrf)])
def preferences(
    request: Request,
    language: str = Form(...),
    next: str = Form("/"),
    user: User | None = Depends(optional_user),
    db: Session = Depends(get_db),
) -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    if language == "auto":
        response.delete_cookie(LOCALE_COOKIE)
        chosen: str | None = None
    elif language in LANGUAGES:
        set_language_cookie(response, request, language)
        chosen = language
    else:
        return response
    if user is not None:
        user.locale = chosen
        db.commit()
    return response
