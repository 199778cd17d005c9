"""What each workspace role may do. Every route checks one of these; the UI only mirrors them."""

from __future__ import annotations

from enum import StrEnum

from flarewatch.errors import InputError, PermissionDeniedError


class Role(StrEnum):
    ADMIN = "admin"
    ANALYST = "analyst"
    RESPONDER = "responder"
    APPROVER = "approver"  # legal: signs off responses, reads the audit log
    VIEWER = "viewer"


class Permission(StrEnum):
    VIEW = "view"
    ALERT_TRIAGE = "alert.triage"  # acknowledge, mark as noise, resolve
    CASE_EDIT = "case.edit"  # open cases, change status, tasks
    CASE_NOTE = "case.note"
    CASE_APPROVE = "case.approve"
    TOPIC_EDIT = "topic.edit"
    SETTINGS_EDIT = "settings.edit"
    SOURCES_EDIT = "sources.edit"  # add, edit, pause, delete and test sources
    CREDENTIALS_MANAGE = "credentials.manage"  # store, replace, delete stored secrets
    MEMBERS_MANAGE = "members.manage"
    AUDIT_VIEW = "audit.view"


P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    # Analysts tune what is listened to (topics and sources); secrets stay with admins.
    Role.ANALYST: frozenset(
        {P.VIEW, P.ALERT_TRIAGE, P.CASE_EDIT, P.CASE_NOTE, P.TOPIC_EDIT, P.SOURCES_EDIT}
    ),
    Role.RESPONDER: frozenset({P.VIEW, P.ALERT_TRIAGE, P.CASE_EDIT, P.CASE_NOTE}),
    Role.APPROVER: frozenset({P.VIEW, P.CASE_NOTE, P.CASE_APPROVE, P.AUDIT_VIEW}),
    Role.VIEWER: frozenset({P.VIEW}),
}


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise InputError(f"Unknown role '{value}'; use one of: {choices}.") from None


def can(role: str | Role | None, permission: Permission) -> bool:
    if role is None:
        return False
    try:
        return permission in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False


def require(role: str | Role | None, permission: Permission) -> None:
    if not can(role, permission):
        raise PermissionDeniedError(
            f"Your role ({role or 'none'}) may not do this ({permission.value}); "
            "ask a workspace admin for a role that can."
        )
