"""Workspace settings, members and the audit log."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flarewatch.accounts import service as accounts
from flarewatch.accounts.invites import invite_token, is_pending, may_invite
from flarewatch.accounts.models import User
from flarewatch.accounts.permissions import Permission, Role, parse_role
from flarewatch.alerts.route_settings import route_views
from flarewatch.detect.score import SENSITIVITY_SHIFT
from flarewatch.enrich.sentiment import SENTIMENT_BACKENDS, backend_install_problem
from flarewatch.errors import InputError, NotFoundError
from flarewatch.i18n.formatting import zone
from flarewatch.i18n.languages import LANGUAGES
from flarewatch.sources.models import Source
from flarewatch.web.deps import WorkspaceAccess, get_db, requires, workspace_access
from flarewatch.web.pages import back_to, page
from flarewatch.web.params import UserId
from flarewatch.web.security import check_csrf
from flarewatch.workspaces.create import WEEKENDS, weekend_code
from flarewatch.workspaces.models import Topic

router = APIRouter(tags=["pages"], include_in_schema=False)
# The detector's names, as in workspace files: fewer | balanced | more.
SENSITIVITIES = tuple(SENSITIVITY_SHIFT)
SEVERITY_ORDER = ("watch", "warning", "crisis")


def _setup_steps(db: Session, workspace_id: int, routes: int, members: int) -> dict[str, int]:
    """How far the workspace is set up: its topics, sources, alert routes and members."""
    topics = db.scalar(
        select(func.count()).select_from(Topic).where(Topic.workspace_id == workspace_id)
    )
    sources = db.scalar(
        select(func.count())
        .select_from(Source)
        .where(Source.workspace_id == workspace_id, Source.archived_at.is_(None))
    )
    return {
        "topics": int(topics or 0),
        "sources": int(sources or 0),
        "routes": routes,
        "members": members,
    }


@router.get("/w/{slug}/settings")
def settings_page(
    request: Request,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    return render_settings(request, access, db)


def render_settings(
    request: Request,
    access: WorkspaceAccess,
    db: Session,
    route_test: dict[str, Any] | None = None,
    invite: dict[str, str] | None = None,
) -> Response:
    """The settings page; `route_test`: the outcome of a test alert to show by its route;
    `invite`: an invitation link to show once (email, link)."""
    ws = access.workspace
    members = accounts.members_of(db, ws.id)
    routes = route_views(ws)
    return page(
        request,
        db,
        "settings.html",
        access=access,
        created=request.query_params.get("created") == "1",
        setup=_setup_steps(db, ws.id, len(routes), len(members)),
        routes=routes,
        route_test=route_test,
        invite=invite,
        pending={member.id for member, _ in members if is_pending(member)},
        severities=SEVERITY_ORDER,
        weekends=list(WEEKENDS),
        weekend=weekend_code((ws.config or {}).get("weekend")),
        notification_languages=LANGUAGES,
        members=members,
        audit=(
            accounts.audit_entries(db, ws.id, limit=100)
            if access.can(Permission.AUDIT_VIEW)
            else []
        ),
        roles=[r.value for r in Role],
        sensitivities=SENSITIVITIES,
        sentiment_backend=ws.sentiment_backend,
        # (code, why it cannot run here or None): a missing package greys the option out.
        sentiment_backends=[(b, backend_install_problem(b)) for b in SENTIMENT_BACKENDS],
    )


@router.post("/w/{slug}/settings", dependencies=[Depends(check_csrf)])
def settings_save(
    name: str = Form(""),
    timezone: str = Form(""),
    sensitivity: str = Form(""),
    sentiment_backend: str = Form(""),
    weekend: str = Form(""),
    access: WorkspaceAccess = Depends(requires(Permission.SETTINGS_EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    ws = access.workspace
    if not name.strip():
        raise InputError("The workspace needs a name.")
    if zone(timezone).key != timezone.strip():
        raise InputError(f"'{timezone}' is not a timezone; use e.g. Europe/Warsaw.")
    if sensitivity not in SENSITIVITIES:
        raise InputError(f"Sensitivity is one of: {', '.join(SENSITIVITIES)}.")
    backend = sentiment_backend.strip() or ws.sentiment_backend
    if backend not in SENTIMENT_BACKENDS:
        raise InputError(f"Sentiment model is one of: {', '.join(SENTIMENT_BACKENDS)}.")
    problem = backend_install_problem(backend)
    if problem:
        raise InputError(problem[0].upper() + problem[1:] + ".")
    # Left out (an older form): the weekend stays as it is.
    weekend = weekend.strip() or weekend_code((ws.config or {}).get("weekend"))
    if weekend not in WEEKENDS:
        raise InputError(f"Weekend is one of: {', '.join(WEEKENDS)}.")
    before = {
        "name": ws.name,
        "timezone": ws.timezone,
        "sensitivity": ws.sensitivity,
        "sentiment_backend": ws.sentiment_backend,
        "weekend": weekend_code((ws.config or {}).get("weekend")),
    }
    ws.name, ws.timezone, ws.sensitivity = name.strip(), timezone.strip(), sensitivity
    # A new dict, so SQLAlchemy sees the JSON column change; the pipeline picks the backend up
    # on its next batch (its cached context is keyed on it).
    # The detector reads the weekend from the config on its next run (detect/service.py).
    ws.config = {
        **(ws.config or {}),
        "sentiment_backend": backend,
        "weekend": WEEKENDS[weekend],
    }
    after = {
        "name": ws.name,
        "timezone": ws.timezone,
        "sensitivity": ws.sensitivity,
        "sentiment_backend": backend,
        "weekend": weekend,
    }
    accounts.record_audit(
        db,
        access.user,
        "settings.update",
        workspace_id=ws.id,
        target_type="workspace",
        target_id=ws.id,
        details={k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]},
    )
    db.commit()
    return back_to(f"/w/{ws.slug}/settings")


@router.post("/w/{slug}/members", dependencies=[Depends(check_csrf)])
def member_add(
    request: Request,
    email: str = Form(""),
    role: str = Form(""),
    access: WorkspaceAccess = Depends(requires(Permission.MEMBERS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Give a person a role; a person without an account is invited: the account is made
    without a password and the page shows, once, the link where they choose one."""
    parsed = parse_role(role)
    user = accounts.get_user_by_email(db, email)
    invited = user is None
    if user is None:
        user = accounts.create_user(db, email)
    accounts.add_member(db, access.workspace, user, parsed)
    accounts.record_audit(
        db,
        access.user,
        "member.invite" if invited else "member.set_role",
        workspace_id=access.workspace.id,
        target_type="user",
        target_id=user.id,
        details={"email": user.email, "role": parsed.value},
    )
    link = _invite_link(request, db, access, user)
    db.commit()
    if link is None:
        return back_to(f"/w/{access.workspace.slug}/settings#members")
    return render_settings(request, access, db, invite={"email": user.email, "link": link})


@router.post("/w/{slug}/members/{user_id}/invite", dependencies=[Depends(check_csrf)])
def member_invite_again(
    request: Request,
    user_id: UserId,
    access: WorkspaceAccess = Depends(requires(Permission.MEMBERS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """A new invitation link for a member who has not chosen a password yet."""
    user = db.get(User, user_id)
    if user is None or accounts.role_in(db, user_id, access.workspace.id) is None:
        raise NotFoundError(f"No member {user_id} in this workspace.")
    link = _invite_link(request, db, access, user)
    if link is None:
        raise InputError(
            f"No invitation link for {user.email}: they have chosen a password already (and sign "
            "in as usual), or they were invited to a workspace you do not administer (ask its "
            "admin for the link)."
        )
    db.commit()
    return render_settings(request, access, db, invite={"email": user.email, "link": link})


def _invite_link(request: Request, db: Session, access: WorkspaceAccess, user: User) -> str | None:
    """The invitation link for a pending member (audited), or None when there is none to give."""
    if not may_invite(db, access.user, user):
        return None
    accounts.record_audit(
        db,
        access.user,
        "member.invite_link",
        workspace_id=access.workspace.id,
        target_type="user",
        target_id=user.id,
        details={"email": user.email},
    )
    token = invite_token(user, request.app.state.secret_key)
    return f"{str(request.base_url).rstrip('/')}/invite/{token}"


@router.post("/w/{slug}/members/{user_id}/remove", dependencies=[Depends(check_csrf)])
def member_remove(
    user_id: UserId,
    access: WorkspaceAccess = Depends(requires(Permission.MEMBERS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    if user_id == access.user.id:
        raise InputError("You cannot remove yourself; ask another admin.")
    accounts.remove_member(db, access.workspace.id, user_id)
    accounts.record_audit(
        db,
        access.user,
        "member.remove",
        workspace_id=access.workspace.id,
        target_type="user",
        target_id=user_id,
    )
    db.commit()
    return back_to(f"/w/{access.workspace.slug}/settings#members")
