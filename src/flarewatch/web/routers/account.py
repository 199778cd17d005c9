"""The signed-in person's own page: language, timezone, notifications and API tokens."""

from __future__ import annotations

from types import SimpleNamespace

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from flarewatch.accounts import notifications
from flarewatch.accounts import service as accounts
from flarewatch.accounts.models import User
from flarewatch.errors import InputError
from flarewatch.i18n.formatting import zone
from flarewatch.i18n.languages import LANGUAGES
from flarewatch.web.deps import current_user, get_db
from flarewatch.web.pages import back_to, page
from flarewatch.web.params import TokenId
from flarewatch.web.routers.auth import set_language_cookie
from flarewatch.web.security import check_csrf

router = APIRouter(tags=["pages"], include_in_schema=False)


def _account_page(request: Request, db: Session, user: User, *, new_token: str | None) -> Response:
    """The account page; `new_token` is a token secret shown once, right after it was made."""
    return page(
        request,
        db,
        "account.html",
        user=user,
        tokens=accounts.tokens_of(db, user.id),
        new_token=new_token,
        # event_text() renders a stored message from `.data` and `.text`, as for the timeline.
        notifications=[
            (note, SimpleNamespace(data=note.message, text=note.text))
            for note in notifications.recent(db, user.id)
        ],
    )


@router.get("/account")
def account_page(
    request: Request, user: User = Depends(current_user), db: Session = Depends(get_db)
) -> Response:
    return _account_page(request, db, user, new_token=None)


@router.post("/account", dependencies=[Depends(check_csrf)])
def account_save(
    request: Request,
    name: str = Form(""),
    language: str = Form(""),
    timezone: str = Form(""),
    user: User = Depends(current_user),
    db: Session = Depends(get_db),
) -> Response:
    if timezone.strip() and zone(timezone).key != timezone.strip():
        raise InputError(f"'{timezone}' is not a timezone; use e.g. Asia/Jerusalem.")
    user.name = name.strip() or user.name
    user.locale = language if language in LANGUAGES else None
    user.timezone = timezone.strip() or None
    db.commit()
    response = back_to("/account")
    if user.locale:
        set_language_cookie(response, request, user.locale)
    return response


@router.post("/account/tokens", dependencies=[Depends(check_csrf)])
def token_create(
    request: Request,
    name: str = Form("api"),
    user: User = Depends(current_user),
    db: Session = Depends(get_db),
) -> Response:
    token, secret = accounts.create_token(db, user, name)
    accounts.record_audit(
        db,
        user,
        "token.create",
        target_type="token",
        target_id=token.id,
        details={"name": token.name, "prefix": token.prefix},
    )
    db.commit()
    # Shown on this response only; the database keeps just its hash.
    return _account_page(request, db, user, new_token=secret)


@router.post("/account/tokens/{token_id}/revoke", dependencies=[Depends(check_csrf)])
def token_revoke(
    token_id: TokenId, user: User = Depends(current_user), db: Session = Depends(get_db)
) -> Response:
    token = accounts.revoke_token(db, user.id, token_id)
    accounts.record_audit(
        db,
        user,
        "token.revoke",
        target_type="token",
        target_id=token.id,
        details={"prefix": token.prefix},
    )
    db.commit()
    return back_to("/account")


@router.post("/account/notifications/read", dependencies=[Depends(check_csrf)])
def notifications_read(
    user: User = Depends(current_user), db: Session = Depends(get_db)
) -> Response:
    notifications.mark_all_read(db, user.id)
    db.commit()
    return back_to("/account#notifications")
