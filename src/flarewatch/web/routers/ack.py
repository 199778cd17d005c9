"""The signed one-click acknowledgement link of an escalation message (oncall/acklink.py).

The link itself is the credential, so no sign-in is asked for: it acknowledges one alert and
expires. GET only shows what the link would do and a button; POST (the button, with the
page's CSRF token) acknowledges. Chat apps and mail scanners that open links to preview them
send GET, so they never acknowledge an alert that nobody has seen.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from flarewatch.alerts import service as alerts
from flarewatch.cases.triage import triage_alert
from flarewatch.db.base import utcnow
from flarewatch.errors import InputError
from flarewatch.oncall.acklink import AckClaim, AckLinkError, read_token
from flarewatch.web.deps import get_db
from flarewatch.web.security import check_csrf
from flarewatch.web.templating import render
from flarewatch.workspaces.models import Workspace

router = APIRouter(tags=["pages"], include_in_schema=False)
AckToken = Annotated[
    str, Path(min_length=20, max_length=600, description="The link's signed token.")
]
# Who acknowledged, when the message went to a plain route (no person, no route name).
LINK_ACTOR = "link"


def _claim(request: Request, token: str) -> AckClaim:
    try:
        return read_token(request.app.state.secret_key, token, utcnow())
    except AckLinkError as err:
        raise InputError(str(err)) from None


def _page(request: Request, db: Session, token: str, claim: AckClaim, done: bool) -> Response:
    alert = alerts.get_alert(db, claim.alert_id)
    workspace = db.get(Workspace, alert.workspace_id)
    return render(
        request,
        "ack.html",
        alert=alert,
        alert_workspace=workspace,
        token=token,
        claim=claim,
        done=done,
    )


@router.get("/ack/{token}")
def ack_page(request: Request, token: AckToken, db: Session = Depends(get_db)) -> Response:
    return _page(request, db, token, _claim(request, token), done=False)


@router.post("/ack/{token}", dependencies=[Depends(check_csrf)])
def ack_confirm(request: Request, token: AckToken, db: Session = Depends(get_db)) -> Response:
    claim = _claim(request, token)
    alert = alerts.get_alert(db, claim.alert_id)
    if alert.status == "open":
        triage_alert(
            db, alert.id, "acknowledge", claim.recipient or LINK_ACTOR, now=utcnow(), via_link=True
        )
        db.commit()
    return _page(request, db, token, claim, done=True)
