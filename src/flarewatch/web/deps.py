"""Request dependencies: database session, who is asking, and their role in the workspace.

Access to a workspace is decided here, once, for every page and API route: a workspace the user
is not a member of answers 404, so its existence is not revealed either.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.accounts import service as accounts
from flarewatch.accounts.models import User
from flarewatch.accounts.permissions import Permission, can, require
from flarewatch.errors import NotFoundError
from flarewatch.web.sessions import MAX_AGE_SECONDS
from flarewatch.workspaces.models import Workspace


def _nul_problem(loc: tuple[str | int, ...]) -> dict[str, Any]:
    return {
        "type": "string_nul",
        "loc": loc,
        "msg": "Text must not contain the NUL character (U+0000); remove it and send again",
        "input": None,
    }


def _nul_places(value: Any, loc: tuple[str | int, ...]) -> Iterator[tuple[str | int, ...]]:
    if isinstance(value, str):
        if "\x00" in value:
            yield loc
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _nul_places(key, (*loc, str(key)))
            yield from _nul_places(item, (*loc, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_places(item, (*loc, index))


async def refuse_nul_characters(request: Request) -> None:
    """422 for a NUL character anywhere in the path, query or form (JSON fields: schemas.Text).

    PostgreSQL cannot store or even compare text with U+0000 (psycopg raises DataError, an HTTP
    500); SQLite would store it and cut it off in other tools. No field has a use for it, so it is
    refused, naming the field, before any SQL runs, on both databases alike.
    """
    places: list[tuple[str | int, ...]] = []
    places += _nul_places(dict(request.path_params), ("path",))
    places += _nul_places({k: v for k, v in request.query_params.multi_items()}, ("query",))
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()  # parsed once per request; routes reuse it
        places += _nul_places(
            {k: v for k, v in form.multi_items() if isinstance(v, str)}, ("body",)
        )
    if places:
        raise RequestValidationError([_nul_problem(loc) for loc in places])


class LoginRequired(Exception):
    """No valid session or token: pages redirect to /login, the API answers 401."""


def get_db(request: Request) -> Iterator[Session]:
    with request.app.state.sessionmaker() as session:
        yield session


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def sign_in(request: Request, user: User) -> None:
    """Starts a fresh session (a new CSRF token too, so a pre-login token cannot be reused).

    `sid` names this one session so sign-out can end it server-side; `iat` bounds its life to
    MAX_AGE_SECONDS from sign-in, however often the cookie is re-signed since.
    """
    request.session.clear()
    request.session.update(
        {
            "uid": user.id,
            "epoch": user.session_epoch,
            "sid": accounts.new_session_id(),
            "iat": int(time.time()),
        }
    )


def _session_user(request: Request, db: Session) -> User | None:
    """The user of a live session cookie: not expired, not signed out, password not changed."""
    uid, sid, issued = (request.session.get(k) for k in ("uid", "sid", "iat"))
    if not (isinstance(uid, int) and isinstance(sid, str) and isinstance(issued, int)):
        return None  # also a cookie from before sessions had ids: sign in again
    if time.time() - issued > MAX_AGE_SECONDS:
        return None
    user = db.get(User, uid)
    if user is None or not user.active or request.session.get("epoch") != user.session_epoch:
        return None
    if accounts.is_session_revoked(db, sid):
        return None
    return user


def sign_out(request: Request, db: Session) -> None:
    """Ends this session server-side, so a saved copy of the cookie stops working too."""
    uid, sid, issued = (request.session.get(k) for k in ("uid", "sid", "iat"))
    signed_in = isinstance(uid, int) and isinstance(sid, str) and isinstance(issued, int)
    if signed_in and db.get(User, uid) is not None:
        expires = datetime.fromtimestamp(issued + MAX_AGE_SECONDS, UTC)
        accounts.revoke_session(db, sid, uid, expires)
        db.commit()
    request.session.clear()


def optional_user(request: Request, db: Session = Depends(get_db)) -> User | None:
    cached = getattr(request.state, "user", None)
    if cached is not None:
        return cached
    user: User | None = None
    token = _bearer(request)
    if token is not None:
        user = accounts.user_for_token(db, token)
        if user is None:
            # A wrong token is an error, not an anonymous call: the caller meant to authenticate.
            raise LoginRequired("The API token is unknown or revoked.")
        db.commit()  # keeps last_used_at
    else:
        if "uid" in request.session:
            user = _session_user(request, db)
            if user is None:
                request.session.clear()
        demo_email: str | None = request.app.state.demo_user
        if user is None and demo_email and not request.session.get("signed_out"):
            user = accounts.get_user_by_email(db, demo_email)
            if user is not None:
                sign_in(request, user)
    request.state.user = user
    return user


def current_user(user: User | None = Depends(optional_user)) -> User:
    if user is None:
        raise LoginRequired("Sign in first.")
    return user


@dataclass
class WorkspaceAccess:
    workspace: Workspace
    user: User
    role: str

    def can(self, permission: Permission | str) -> bool:
        return can(self.role, Permission(permission))

    def require(self, permission: Permission) -> None:
        require(self.role, permission)


def workspace_access(
    slug: str, user: User = Depends(current_user), db: Session = Depends(get_db)
) -> WorkspaceAccess:
    workspace = db.scalar(select(Workspace).where(Workspace.slug == slug))
    role = accounts.role_in(db, user.id, workspace.id) if workspace is not None else None
    if workspace is None or role is None:
        raise NotFoundError(f"No workspace '{slug}' that you are a member of.")
    return WorkspaceAccess(workspace=workspace, user=user, role=role)


def requires(permission: Permission) -> Callable[..., WorkspaceAccess]:
    """A dependency that gives the workspace access only if the role has `permission`."""

    def dependency(access: WorkspaceAccess = Depends(workspace_access)) -> WorkspaceAccess:
        access.require(permission)
        return access

    return dependency
