"""Account operations. Functions flush; the caller owns the transaction and commits."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from flarewatch.accounts.models import ApiToken, AuditLog, Membership, RevokedSession, User
from flarewatch.accounts.permissions import Role, parse_role
from flarewatch.db.base import utcnow
from flarewatch.errors import InputError, NotFoundError
from flarewatch.workspaces.models import Workspace

DEMO_EMAIL = "demo@flarewatch.local"
TOKEN_PREFIX = "fw_"
_hasher = PasswordHasher()
# Verifying against a real hash when the email is unknown keeps both paths equally slow, so
# response timing does not reveal which addresses have accounts.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def _normal_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise InputError(f"'{email}' is not an email address; use e.g. ana@agency.example.")
    return email


def hash_password(password: str) -> str:
    if len(password) < 8:
        raise InputError("Passwords need at least 8 characters.")
    return _hasher.hash(password)


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def create_user(
    session: Session,
    email: str,
    name: str | None = None,
    password: str | None = None,
    *,
    locale: str | None = None,
    timezone: str | None = None,
) -> User:
    email = _normal_email(email)
    if get_user_by_email(session, email) is not None:
        raise InputError(f"A user with the email {email} already exists.")
    user = User(
        email=email,
        name=(name or email.split("@")[0]).strip(),
        password_hash=hash_password(password) if password else None,
        locale=locale,
        timezone=timezone,
    )
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.session_epoch += 1  # a new password signs out every other session
    session.flush()


def new_session_id() -> str:
    """A random id for a browser session, so that one session can be ended on its own."""
    return secrets.token_urlsafe(32)


def revoke_session(session: Session, session_id: str, user_id: int, expires_at: datetime) -> None:
    """Ends one browser session for good; its cookie is refused from now on.

    Rows whose cookie has expired anyway are dropped on the way, so the table holds at most the
    sign-outs of one cookie lifetime.
    """
    now = utcnow()
    session.execute(delete(RevokedSession).where(RevokedSession.expires_at < now))
    if session.get(RevokedSession, session_id) is None:
        session.add(
            RevokedSession(
                session_id=session_id, user_id=user_id, revoked_at=now, expires_at=expires_at
            )
        )
    session.flush()


def is_session_revoked(session: Session, session_id: str) -> bool:
    return session.get(RevokedSession, session_id) is not None


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this email and password, or None (never says which part was wrong)."""
    user = get_user_by_email(session, email)
    stored = user.password_hash if user is not None and user.active else None
    try:
        _hasher.verify(stored or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or stored is None:
        return None
    if _hasher.check_needs_rehash(stored):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = utcnow()
    session.flush()
    return user


def add_member(session: Session, workspace: Workspace, user: User, role: str | Role) -> Membership:
    """Gives `user` the role in `workspace`, replacing any role they had there."""
    role = parse_role(str(role))
    membership = session.scalar(
        select(Membership).where(
            Membership.workspace_id == workspace.id, Membership.user_id == user.id
        )
    )
    if membership is None:
        membership = Membership(workspace_id=workspace.id, user_id=user.id, role=role.value)
        session.add(membership)
    else:
        membership.role = role.value
    session.flush()
    return membership


def remove_member(session: Session, workspace_id: int, user_id: int) -> None:
    membership = session.scalar(
        select(Membership).where(
            Membership.workspace_id == workspace_id, Membership.user_id == user_id
        )
    )
    if membership is None:
        raise NotFoundError("That person is not a member of this workspace.")
    session.delete(membership)
    session.flush()


def role_in(session: Session, user_id: int, workspace_id: int) -> str | None:
    return session.scalar(
        select(Membership.role).where(
            Membership.workspace_id == workspace_id, Membership.user_id == user_id
        )
    )


def workspaces_of(session: Session, user_id: int) -> list[tuple[Workspace, str]]:
    rows = session.execute(
        select(Workspace, Membership.role)
        .join(Membership, Membership.workspace_id == Workspace.id)
        .where(Membership.user_id == user_id)
        .order_by(Workspace.name)
    )
    return [(ws, role) for ws, role in rows]


def members_of(session: Session, workspace_id: int) -> list[tuple[User, str]]:
    rows = session.execute(
        select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.workspace_id == workspace_id)
        .order_by(User.name)
    )
    return [(user, role) for user, role in rows]


def member_by_email(session: Session, workspace_id: int, email: str) -> User:
    """An active member of the workspace, or an error that says how to choose one.

    Not found (404), like any other id that names nothing in the workspace: the request itself
    is well formed."""
    user = get_user_by_email(session, email.strip())
    is_member = user is not None and role_in(session, user.id, workspace_id) is not None
    if user is None or not is_member or not user.active:
        raise NotFoundError(
            f"{email.strip()[:200]!r} is not a member of this workspace; choose one of its "
            "members (Settings lists them)."
        )
    return user


def _token_hash(token: str) -> str:
    # Tokens are 256 random bits, so a fast hash is enough; argon2 would slow every API call.
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User, name: str = "api") -> tuple[ApiToken, str]:
    """A new API token: the row (hash only) and the secret, which is never retrievable again."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name.strip() or "api",
        token_hash=_token_hash(secret),
        prefix=secret[:10],
    )
    session.add(token)
    session.flush()
    return token, secret


def user_for_token(session: Session, secret: str) -> User | None:
    row = session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == _token_hash(secret), ApiToken.revoked_at.is_(None)
        )
    )
    if row is None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    now = utcnow()
    # Writing on every call would turn reads into writes; a minute's precision is plenty.
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        row.last_used_at = now
        session.flush()
    return user


def tokens_of(session: Session, user_id: int) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())
        )
    )


def revoke_token(session: Session, user_id: int, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id:
        raise NotFoundError(f"No API token {token_id} of yours exists.")
    token.revoked_at = token.revoked_at or utcnow()
    session.flush()
    return token


def record_audit(
    session: Session,
    actor: User | str,
    action: str,
    *,
    workspace_id: int | None = None,
    target_type: str | None = None,
    target_id: int | str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditLog:
    entry = AuditLog(
        workspace_id=workspace_id,
        user_id=actor.id if isinstance(actor, User) else None,
        actor=actor.email if isinstance(actor, User) else actor,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        details=details or {},
    )
    session.add(entry)
    session.flush()
    return entry


def audit_entries(
    session: Session, workspace_id: int, *, limit: int = 100, before: datetime | None = None
) -> list[AuditLog]:
    query = select(AuditLog).where(AuditLog.workspace_id == workspace_id)
    if before is not None:
        query = query.where(AuditLog.at < before)
    return list(session.scalars(query.order_by(AuditLog.id.desc()).limit(limit)))


def ensure_demo_user(session: Session, workspace: Workspace) -> User:
    """The demo's user: admin of the demo workspace, signed in automatically by `flarewatch demo`.

    It has no password, so it cannot sign in on a server that was not started as a demo.
    """
    user = get_user_by_email(session, DEMO_EMAIL)
    if user is None:
        user = create_user(session, DEMO_EMAIL, "Demo")
    add_member(session, workspace, user, Role.ADMIN)
    return user
