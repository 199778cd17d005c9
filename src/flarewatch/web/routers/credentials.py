"""Stored credentials (admins only): store, replace and delete the secrets that sources name
in their `*_env` keys, encrypted at rest (`sources/credentials.py`). A stored value is never
shown again, only its hint; every change is audited without the secret."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi import Path as PathParam
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.accounts import service as accounts
from flarewatch.accounts.permissions import Permission
from flarewatch.errors import InputError, NotFoundError
from flarewatch.sources.credentials import (
    NAME_MAX,
    SECRET_KEY_VARIABLE,
    delete_credential,
    store_credential,
)
from flarewatch.sources.models import Source, SourceCredential
from flarewatch.web.deps import WorkspaceAccess, get_db, requires
from flarewatch.web.pages import back_to
from flarewatch.web.security import check_csrf

router = APIRouter(tags=["pages"], include_in_schema=False)
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")
CredentialName = Annotated[
    str,
    PathParam(
        min_length=1,
        max_length=NAME_MAX,
        pattern=NAME_RE.pattern,
        description="The credential's name, as a source's *_env key names it.",
    ),
]


@dataclass(frozen=True, slots=True)
class NeededVariable:
    """A variable that a source's `*_env` key names, and where its value would come from."""

    name: str
    sources: tuple[str, ...]
    state: str  # "environment" (wins), "stored" or "missing"


@dataclass(slots=True)
class CredentialsView:
    stored: list[SourceCredential]
    key_configured: bool
    needed: list[NeededVariable] = field(default_factory=list)


def _named_variables(sources: Iterable[Source]) -> dict[str, list[str]]:
    named: dict[str, list[str]] = {}
    for source in sources:
        if source.archived_at is not None:
            continue
        for option, value in (source.config or {}).items():
            if option.endswith("_env") and isinstance(value, str) and value:
                named.setdefault(value, []).append(source.key)
    return named


def credentials_view(db: Session, workspace_id: int, sources: list[Source]) -> CredentialsView:
    stored = list(
        db.scalars(
            select(SourceCredential)
            .where(SourceCredential.workspace_id == workspace_id)
            .order_by(SourceCredential.name)
        )
    )
    names = {row.name for row in stored}
    needed = [
        NeededVariable(
            name,
            tuple(keys),
            "environment" if os.environ.get(name) else "stored" if name in names else "missing",
        )
        for name, keys in sorted(_named_variables(sources).items())
    ]
    return CredentialsView(stored, bool(os.environ.get(SECRET_KEY_VARIABLE)), needed)


def _back(access: WorkspaceAccess) -> Response:
    return back_to(f"/w/{access.workspace.slug}/settings/sources#credentials")


@router.post("/w/{slug}/settings/credentials", dependencies=[Depends(check_csrf)])
def credential_store(
    name: str = Form("", max_length=NAME_MAX),
    value: str = Form("", max_length=10_000),
    access: WorkspaceAccess = Depends(requires(Permission.CREDENTIALS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    name = name.strip()
    if not NAME_RE.match(name):
        raise InputError(
            "A credential's name is like an environment variable: letters, digits and "
            "underscores, not starting with a digit, e.g. MASTODON_TOKEN."
        )
    replaced = (
        db.scalar(
            select(SourceCredential.id).where(
                SourceCredential.workspace_id == access.workspace.id,
                SourceCredential.name == name,
            )
        )
        is not None
    )
    try:
        row = store_credential(db, access.workspace.id, name, value, by=access.user.email)
    except ValueError as err:  # CredentialStoreError too: no FLAREWATCH_SECRET_KEY
        raise InputError(f"The credential was not stored: {err}.") from None
    accounts.record_audit(
        db,
        access.user,
        "credential.replace" if replaced else "credential.store",
        workspace_id=access.workspace.id,
        target_type="credential",
        target_id=row.id,
        details={"name": name},  # never the value, nor its hint
    )
    db.commit()
    return _back(access)


@router.post("/w/{slug}/settings/credentials/{name}/delete", dependencies=[Depends(check_csrf)])
def credential_delete(
    name: CredentialName,
    access: WorkspaceAccess = Depends(requires(Permission.CREDENTIALS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    row_id = db.scalar(
        select(SourceCredential.id).where(
            SourceCredential.workspace_id == access.workspace.id, SourceCredential.name == name
        )
    )
    if row_id is None or not delete_credential(db, access.workspace.id, name):
        raise NotFoundError(f"No stored credential {name} in this workspace.")
    accounts.record_audit(
        db,
        access.user,
        "credential.delete",
        workspace_id=access.workspace.id,
        target_type="credential",
        target_id=row_id,
        details={"name": name},
    )
    db.commit()
    return _back(access)
