"""Credentials stored from the web settings, encrypted at rest with Fernet.

The key comes from `FLAREWATCH_SECRET_KEY` (any string: it is stretched to a Fernet key with
SHA-256, so an operator can use a long passphrase as well as `Fernet.generate_key()`). A stored
value is never shown again: only its last four characters (`hint`). A source names a stored
credential exactly like an environment variable (`token_env = "MASTODON_TOKEN"`); the
environment wins when both have it.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Callable
from contextlib import AbstractContextManager

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.sources.base import CredentialError
from flarewatch.sources.models import SourceCredential
from flarewatch.sources.secrets import EnvironmentSecrets, LayeredSecrets, Secrets

SECRET_KEY_VARIABLE = "FLAREWATCH_SECRET_KEY"
NAME_MAX = 100


class CredentialStoreError(ValueError):
    """The store cannot be used (no key set, or the key does not open what is stored)."""


def _fernet(secret_key: str | None = None) -> Fernet:
    key = secret_key if secret_key is not None else os.environ.get(SECRET_KEY_VARIABLE, "")
    if not key:
        raise CredentialStoreError(
            f"{SECRET_KEY_VARIABLE} is not set, so stored credentials cannot be encrypted or "
            f'read; set it to a long random string (e.g. `python -c "import secrets; '
            f'print(secrets.token_urlsafe(32))"`) where Flarewatch runs, or use *_env '
            "variables instead"
        )
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest()))


def hint_of(value: str) -> str:
    return "…" + value[-4:] if len(value) > 8 else "…"


def store_credential(
    session: Session,
    workspace_id: int,
    name: str,
    value: str,
    *,
    by: str | None,
    secret_key: str | None = None,
) -> SourceCredential:
    """Encrypt and store (or replace) a credential; the caller audits the change."""
    if not name or len(name) > NAME_MAX or not name.replace("_", "").isalnum():
        raise ValueError(
            "a credential's name is like an environment variable: letters, digits and "
            "underscores, e.g. MASTODON_TOKEN"
        )
    if not value.strip():
        raise ValueError("the credential is empty; paste the token or key itself")
    token = _fernet(secret_key).encrypt(value.strip().encode())
    row = session.scalars(
        select(SourceCredential).where(
            SourceCredential.workspace_id == workspace_id, SourceCredential.name == name
        )
    ).one_or_none()
    if row is None:
        row = SourceCredential(workspace_id=workspace_id, name=name)
        session.add(row)
    row.ciphertext = token
    row.hint = hint_of(value.strip())
    row.updated_by = by
    session.flush()
    return row


def delete_credential(session: Session, workspace_id: int, name: str) -> bool:
    row = session.scalars(
        select(SourceCredential).where(
            SourceCredential.workspace_id == workspace_id, SourceCredential.name == name
        )
    ).one_or_none()
    if row is None:
        return False
    session.delete(row)
    return True


def read_credential(
    session: Session, workspace_id: int, name: str, *, secret_key: str | None = None
) -> str | None:
    row = session.scalars(
        select(SourceCredential).where(
            SourceCredential.workspace_id == workspace_id, SourceCredential.name == name
        )
    ).one_or_none()
    if row is None:
        return None
    try:
        fernet = _fernet(secret_key)
    except CredentialStoreError as err:
        raise CredentialError(f"stored credential {name}: {err}") from None
    try:
        return fernet.decrypt(row.ciphertext).decode()
    except InvalidToken:
        raise CredentialError(
            f"stored credential {name} cannot be decrypted: {SECRET_KEY_VARIABLE} is not the "
            "key it was stored with; restore that key or store the credential again"
        ) from None


def workspace_secrets(
    sessions: Callable[[], AbstractContextManager[Session]], workspace_id: int
) -> Secrets:
    """The environment, then the workspace's stored credentials (read when asked for)."""

    def stored(name: str) -> str | None:
        with sessions() as session:
            return read_credential(session, workspace_id, name)

    return LayeredSecrets(EnvironmentSecrets(), stored)
