"""Accepting an invitation: the invited person chooses a name and password, and is signed in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from flarewatch.accounts import service as accounts
from flarewatch.accounts.invites import user_for_invite
from flarewatch.errors import InputError
from flarewatch.web.deps import get_db, sign_in
from flarewatch.web.security import check_csrf
from flarewatch.web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)
InviteToken = Annotated[
    str, Path(min_length=20, max_length=400, description="The invitation link's signed token.")
]


@router.get("/invite/{token}")
def invite_page(request: Request, token: InviteToken, db: Session = Depends(get_db)) -> Response:
    user = user_for_invite(db, token, request.app.state.secret_key)
    return render(request, "invite.html", invited=user, token=token)


@router.post("/invite/{token}", dependencies=[Depends(check_csrf)])
def invite_accept(
    request: Request,
    token: InviteToken,
    name: str = Form(""),
    password: str = Form(""),
    password_again: str = Form(""),
    db: Session = Depends(get_db),
) -> Response:
    user = user_for_invite(db, token, request.app.state.secret_key)
    if password != password_again:
        raise InputError("The two passwords differ; type the same password twice.")
    if name.strip():
        user.name = name.strip()[:200]
    accounts.set_password(db, user, password)  # also ends the link: its fingerprint changes
    accounts.record_audit(db, user, "member.joined", target_type="user", target_id=user.id)
    db.commit()
    sign_in(request, user)
    return RedirectResponse("/", status_code=303)
