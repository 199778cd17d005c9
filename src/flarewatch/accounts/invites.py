"""Invitation links: an admin adds a person by email, the person chooses their own password.

The link carries the new user's id and a fingerprint of their password state, signed with the
server's secret key, so nothing is stored for it: it works once (choosing a password changes
the fingerprint), for `INVITE_DAYS` days, and only on the server that made it.
"""

from __future__ import annotations

import hashlib

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from flarewatch.accounts.models import User
from flarewatch.accounts.service import DEMO_EMAIL, role_in, workspaces_of
from flarewatch.errors import InputError

INVITE_DAYS = 7
SALT = "flarewatch-invite"
EXPIRED = (
    "This invitation link has expired or was already used; ask a workspace admin for a new one."
)


def _fingerprint(user: User) -> str:
    state = f"{user.id}:{user.password_hash or ''}:{user.session_epoch}"
    return hashlib.sha256(state.encode()).hexdigest()[:24]


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def is_pending(user: User) -> bool:
    """Invited and not yet signed up: no password chosen. The demo's user has none by design
    (`flarewatch demo` signs it in) and is never pending."""
    return user.password_hash is None and user.email != DEMO_EMAIL


def invite_token(user: User, secret_key: str) -> str:
    if not is_pending(user):
        raise InputError(f"{user.email} has already chosen a password and can sign in.")
    return _serializer(secret_key).dumps({"uid": user.id, "fp": _fingerprint(user)})


def user_for_invite(session: Session, token: str, secret_key: str) -> User:
    """The invited user, or InputError when the link is wrong, expired or used."""
    try:
        data = _serializer(secret_key).loads(token, max_age=INVITE_DAYS * 24 * 3600)
    except (SignatureExpired, BadSignature):
        raise InputError(EXPIRED) from None
    user = session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or not user.active or _fingerprint(user) != data.get("fp"):
        raise InputError(EXPIRED)
    return user


def may_invite(session: Session, admin: User, user: User) -> bool:
    """Whether `admin` may hand out `user`'s invitation link: only for a pending user whose every
    workspace `admin` administers (a link sets the password, so it must not let one workspace's
    admin take over a person invited to another), and never for the demo's user."""
    if not is_pending(user):
        return False
    return all(
        role_in(session, admin.id, ws.id) == "admin" for ws, _ in workspaces_of(session, user.id)
    )
