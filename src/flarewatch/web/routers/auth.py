"""Sign-in, sign-out and the language/timezone preference (which works before sign-in too)."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from flarewatch.accounts import service as accounts
from flarewatch.accounts.models import User
from flarewatch.errors import NotFoundError
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


def _login_page(request: Request, status_code: int = 200, **extra: object) -> Response:
    """The sign-in form; on a demo server with the way back in as the demo's user."""
    return render(
        request,
        "login.html",
        status_code,
        demo_user=request.app.state.demo_user,
        signed_out=bool(request.session.get("signed_out")),
        **extra,
    )


@router.get("/login")
def login_page(
    request: Request, next: str | None = None, user: User | None = Depends(optional_user)
) -> Response:
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(
        request,
        next=safe_next(next),
        error=None,
        email="",
    )


@router.post("/login/demo", dependencies=[Depends(check_csrf)])
def login_demo(request: Request, next: str = Form("/"), db: Session = Depends(get_db)) -> Response:
    """Sign in again as the demo's user after signing out (it has no password to type).
    Only on a server started by `flarewatch demo`; elsewhere there is no such page."""
    demo_email: str | None = request.app.state.demo_user
    user = accounts.get_user_by_email(db, demo_email) if demo_email else None
    if user is None:
        raise NotFoundError("There is no demo on this server; sign in with your email.")
    request.session.pop("signed_out", None)
    sign_in(request, user)
    return RedirectResponse(safe_next(next), status_code=303)


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
        response = _login_page(request, 429, next=safe_next(next), error=message, email=email)
        response.headers["Retry-After"] = str(wait)
        return response
    user = accounts.authenticate(db, email, password)
    if user is None:
        limiter.failed(*keys)
        db.rollback()
        message = _("The email or password is not right.")
        return _login_page(request, 401, next=safe_next(next), error=message, email=email)
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
