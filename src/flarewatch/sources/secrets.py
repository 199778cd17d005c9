"""Credentials for sources: a `*_env` key names a variable; the value comes from the process
environment, or from the workspace's encrypted credential store (web settings) when the
environment does not have it. Secrets are never in the workspace file."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Protocol

from flarewatch.sources.base import CredentialError


class Secrets(Protocol):
    def get(self, name: str) -> str | None: ...


class EnvironmentSecrets:
    """The process environment (or a given mapping, in tests)."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ

    def get(self, name: str) -> str | None:
        value = self._environ.get(name)
        return value if value else None


class LayeredSecrets:
    """The environment first, then a fallback lookup (the stored credentials)."""

    def __init__(self, first: Secrets, fallback: Callable[[str], str | None]) -> None:
        self._first = first
        self._fallback = fallback

    def get(self, name: str) -> str | None:
        return self._first.get(name) or self._fallback(name)


def require_secret(secrets: Secrets, source_key: str, option: str, variable: str | None) -> str:
    """The secret that `option` (e.g. `token_env`) names, or one clear line on what to do."""
    if not variable:
        raise CredentialError(
            f"source {source_key!r}: '{option}' is not set; name the environment variable that "
            f'holds the credential, e.g. {option} = "{source_key.upper().replace("-", "_")}_TOKEN"'
        )
    value = secrets.get(variable)
    if value is None:
        raise CredentialError(
            f"source {source_key!r}: the credential variable {variable} (named by '{option}') is "
            f"not set; export {variable}=… where Flarewatch runs, or store it under that name in "
            "the workspace settings → Credentials"
        )
    return value


def optional_secret(secrets: Secrets, variable: str | None) -> str | None:
    """The secret a variable names, or None when no variable is named (anonymous access)."""
    return secrets.get(variable) if variable else None
