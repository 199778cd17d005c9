"""Stored credentials are encrypted and never read back in the clear; `*_env` secrets give one
clear line when missing; a kind's own keys are checked field by field, with their line."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from flarewatch.config.workspace import SourceConfig, check_workspace_text
from flarewatch.db.engine import session_scope
from flarewatch.sources.base import CredentialError
from flarewatch.sources.credentials import (
    CredentialStoreError,
    delete_credential,
    read_credential,
    store_credential,
    workspace_secrets,
)
from flarewatch.sources.models import SourceCredential
from flarewatch.sources.options import format_every, parse_every
from flarewatch.sources.registry import describe_kinds, schema_of, source_kinds
from flarewatch.sources.secrets import EnvironmentSecrets, require_secret
from flarewatch.workspaces.models import Workspace

TOKEN = "mastodon-token-0123456789abcdef"


@pytest.fixture
def workspace_id(any_engine: Engine) -> int:
    with session_scope(any_engine) as session:
        workspace = Workspace(slug="acme", name="Acme", config={})
        session.add(workspace)
        session.flush()
        return workspace.id


def test_a_stored_credential_is_encrypted_and_shown_only_by_its_hint(
    any_engine: Engine, workspace_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLAREWATCH_SECRET_KEY", "a long passphrase for the tests")
    with session_scope(any_engine) as session:
        row = store_credential(session, workspace_id, "ACME_TOKEN", TOKEN, by="dana@acme.test")
        assert row.hint == "…cdef"
    with session_scope(any_engine) as session:
        stored = session.scalars(select(SourceCredential)).one()
        assert TOKEN.encode() not in stored.ciphertext
        assert read_credential(session, workspace_id, "ACME_TOKEN") == TOKEN
        assert read_credential(session, workspace_id, "OTHER") is None
    secrets = workspace_secrets(lambda: session_scope(any_engine), workspace_id)
    assert secrets.get("ACME_TOKEN") == TOKEN
    monkeypatch.setenv("ACME_TOKEN", "from-the-environment")
    assert secrets.get("ACME_TOKEN") == "from-the-environment"  # the environment wins
    monkeypatch.setenv("FLAREWATCH_SECRET_KEY", "another key")
    with session_scope(any_engine) as session, pytest.raises(CredentialError, match="not the key"):
        read_credential(session, workspace_id, "ACME_TOKEN")
    with session_scope(any_engine) as session:
        assert delete_credential(session, workspace_id, "ACME_TOKEN")
        assert not delete_credential(session, workspace_id, "ACME_TOKEN")


def test_storing_needs_a_key_and_a_proper_name(
    any_engine: Engine, workspace_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FLAREWATCH_SECRET_KEY", raising=False)
    with session_scope(any_engine) as session:
        with pytest.raises(CredentialStoreError, match="FLAREWATCH_SECRET_KEY is not set"):
            store_credential(session, workspace_id, "ACME_TOKEN", TOKEN, by=None)
        with pytest.raises(ValueError, match="like an environment variable"):
            store_credential(session, workspace_id, "bad name!", TOKEN, by=None, secret_key="k")
        with pytest.raises(ValueError, match="empty"):
            store_credential(session, workspace_id, "ACME_TOKEN", "  ", by=None, secret_key="k")


def test_a_missing_secret_is_one_line_naming_source_option_and_variable() -> None:
    secrets = EnvironmentSecrets({"SET": "value"})
    assert require_secret(secrets, "brand", "token_env", "SET") == "value"
    with pytest.raises(CredentialError) as info:
        require_secret(secrets, "brand", "token_env", "ACME_MASTODON_TOKEN")
    message = str(info.value)
    assert "'brand'" in message and "ACME_MASTODON_TOKEN" in message and "token_env" in message
    assert "\n" not in message
    with pytest.raises(CredentialError, match="'token_env' is not set"):
        require_secret(secrets, "brand", "token_env", None)


def test_every_durations() -> None:
    assert parse_every("2m") == 120 and parse_every("30s") == 30 and parse_every("1h") == 3600
    assert parse_every(45) == 45 and parse_every("0") == 0
    assert format_every(120) == "2m" and format_every(90) == "90s"
    for bad in ("soon", "1w", "5s", "9d", True):
        with pytest.raises(ValueError):
            parse_every(bad)


WORKSPACE = """slug = "acme"
name = "Acme"

[[sources]]
key = "feed"
kind = "rss"
every = "often"
urll = "https://example.com/feed"

[[sources]]
key = "bad"
kind = "rsss"
"""


def test_a_kinds_keys_are_checked_field_by_field_with_their_line() -> None:
    check = check_workspace_text(WORKSPACE, "acme.toml")
    found = {(p.location, p.line) for p in check.errors}
    assert ("sources[0].every", 7) in found
    assert ("sources[0].urll", 8) in found  # unknown for an rss source
    assert "sources[0].url" in {p.location for p in check.errors}  # required, missing
    assert ("sources[1].kind", 12) in found
    messages = " ".join(p.message for p in check.errors)
    assert "unknown field for a 'rss' source" in messages and "docs/sources.md#rss" in messages
    assert "unknown kind 'rsss'" in messages


def test_the_registry_lists_kinds_without_importing_them() -> None:
    assert {"file", "rss", "scenario"} <= set(source_kinds())
    assert all(reads for _kind, reads in describe_kinds())
    assert "url" in schema_of("rss")["properties"]
    config = SourceConfig(key="f", kind="file", path="x.jsonl")
    assert config.options().path == "x.jsonl" and config.every_seconds() == 0
    assert SourceConfig(key="r", kind="rss", url="https://a.example/f").every_seconds() == 300
