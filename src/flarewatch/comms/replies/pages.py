"""Pages: a case's reply queue (`/w/{slug}/cases/{case_id}/replies`) with its filters and
figures, the figures' card for the case page (loaded by HTMX), and the queue's actions:
assign (in bulk), claim, "no answer needed", reopen, answered elsewhere, and Reply (a reply
draft, then its page). After an action the queue is shown again with the same filters."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from flarewatch.accounts import service as accounts
from flarewatch.accounts.permissions import Permission, can
from flarewatch.cases.service import get_case
from flarewatch.comms.replies import actions, service
from flarewatch.comms.replies.queue import STATE_NAMES, STATES, QueueRow, only
from flarewatch.comms.replies.selection import REASONS
from flarewatch.errors import InputError
from flarewatch.i18n.formatting import zone
from flarewatch.web.deps import WorkspaceAccess, get_db, workspace_access
from flarewatch.web.pages import back_to, is_htmx, page
from flarewatch.web.params import MAX_DB_INT, CaseId
from flarewatch.web.security import check_csrf
from flarewatch.web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)
PostId = Annotated[int, Path(ge=1, le=MAX_DB_INT, description="The post's id.")]
FILTERS = ("state", "assignee", "reason", "language")


def queue_url(access: WorkspaceAccess, case_id: int, view: dict[str, str] | None = None) -> str:
    base = f"/w/{access.workspace.slug}/cases/{case_id}/replies"
    query = urlencode({k: v for k, v in (view or {}).items() if v})
    return f"{base}?{query}" if query else base


def view_of(values: dict[str, str]) -> dict[str, str]:
    """The queue's filters from a query string or a form's `view` field, unknown ones dropped."""
    view = {k: values[k].strip() for k in FILTERS if (values.get(k) or "").strip()}
    if view.get("state") not in STATES:
        view.pop("state", None)
    if view.get("reason") not in REASONS:
        view.pop("reason", None)
    return view


def _filtered(rows: list[QueueRow], view: dict[str, str]) -> list[QueueRow]:
    return only(
        rows,
        state=view.get("state", "open"),
        assignee=view.get("assignee"),
        reason=view.get("reason"),
        language=view.get("language"),
    )


def responders(db: Session, workspace_id: int) -> list[Any]:
    """The members who may answer posts (their role can edit cases)."""
    return [
        user
        for user, role in accounts.members_of(db, workspace_id)
        if user.active and can(role, Permission.CASE_EDIT)
    ]


@router.get("/w/{slug}/cases/{case_id}/replies")
def reply_queue(
    request: Request,
    case_id: CaseId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    case = get_case(db, case_id, workspace_id=access.workspace.id)
    rows = service.queue(db, case.id, workspace_id=access.workspace.id)
    view = view_of(dict(request.query_params))
    shown = _filtered(rows, view)
    return page(
        request,
        db,
        "comms/replies.html",
        access=access,
        case=case,
        rows=shown,
        view=view,
        view_query=urlencode(view),
        state=view.get("state", "open"),
        states=STATE_NAMES,
        state_counts=Counter(row.state for row in rows),
        total=len(rows),
        reasons=REASONS,
        post_languages=sorted({row.selected.language for row in rows}),
        assignees=sorted({row.assignee for row in rows if row.assignee}),
        members=responders(db, access.workspace.id),
        figures=service.figures(db, case.id, workspace_id=access.workspace.id, rows=rows),
    )


@router.get("/w/{slug}/cases/{case_id}/replies/figures")
def reply_figures(
    request: Request,
    case_id: CaseId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    """The figures' card of the case page (its body, swapped in by HTMX)."""
    case = get_case(db, case_id, workspace_id=access.workspace.id)
    figures = service.figures(db, case.id, workspace_id=access.workspace.id)
    return render(
        request,
        "comms/_reply_figures.html",
        access=access,
        workspace=access.workspace,
        case=case,
        figures=figures,
        with_link=True,
    )


def _back(request: Request, access: WorkspaceAccess, case_id: int, view: str) -> Response:
    """The queue again with its filters; HTMX follows the redirect and swaps the queue."""
    return back_to(queue_url(access, case_id, view_of(dict(parse_qsl(view)))))


@router.post("/w/{slug}/cases/{case_id}/replies/assign", dependencies=[Depends(check_csrf)])
def assign(
    request: Request,
    case_id: CaseId,
    post_id: list[int] = Form(default=[]),
    to: str = Form(""),
    view: str = Form(""),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    get_case(db, case_id, workspace_id=access.workspace.id)
    if not post_id:
        raise InputError("Tick the posts to assign first, then choose who answers them.")
    actions.assign(db, access, case_id, post_id, to.strip() or None)
    return _back(request, access, case_id, view)


@router.post(
    "/w/{slug}/cases/{case_id}/replies/{post_id}/{action}", dependencies=[Depends(check_csrf)]
)
def post_action(
    request: Request,
    case_id: CaseId,
    post_id: PostId,
    action: str,
    reason: str = Form(""),
    where: str = Form(""),
    at: str = Form(""),
    text: str = Form(""),
    view: str = Form(""),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    get_case(db, case_id, workspace_id=access.workspace.id)
    if action == "claim":
        actions.assign(db, access, case_id, [post_id], access.user.email)
    elif action == "skip":
        actions.skip(db, access, case_id, post_id, reason)
    elif action == "reopen":
        actions.reopen(db, access, case_id, post_id)
    elif action == "answered":
        actions.answered_elsewhere(db, access, case_id, post_id, where, _moment(access, at))
    elif action == "reply":
        draft = actions.answer(db, access, case_id, post_id, text or None)
        target = actions.draft_url(access, case_id, draft.id)
        if is_htmx(request):
            return Response(status_code=204, headers={"HX-Redirect": target})
        return back_to(target)
    else:
        raise InputError(
            f"Unknown action '{action[:40]}'; use claim, skip, reopen, answered or reply."
        )
    return _back(request, access, case_id, view)


def _moment(access: WorkspaceAccess, at: str) -> datetime | None:
    """A time typed in the page (the reader's zone), or None for now."""
    if not at.strip():
        return None
    try:
        local = datetime.fromisoformat(at.strip())
    except ValueError:
        raise InputError("The time of the answer is not a date; pick one in the field.") from None
    if local.tzinfo is not None:
        return local
    return local.replace(tzinfo=zone(access.user.timezone or access.workspace.timezone))
