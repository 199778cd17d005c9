"""Sources managed from the web settings: add, edit, pause, resume, delete, restore.

A source from the workspace file (origin "file") belongs to the file: here it can only be
paused and resumed, because the next `flarewatch workspace add` would undo any other change.
A source added on the web (origin "web") is edited here, and the file wins as soon as it
defines the same key (`sync_workspace`). Deleting never deletes history: a source with stored
posts is archived (never polled again, its mentions kept); only one without posts is removed.
The caller audits and commits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flarewatch.config.workspace import SourceConfig
from flarewatch.errors import InputError
from flarewatch.mentions.models import RawPost
from flarewatch.sources.models import ORIGIN_FILE, ORIGIN_WEB, Source, WebhookDelivery
from flarewatch.sources.registry import source_kinds
from flarewatch.workspaces.service import SOURCE_IDENTITY_FIELDS

# Kinds that read files on the server's own disk: whoever may edit sources on the web must not
# be able to point the server at its own files, so these come from the workspace file only.
SERVER_FILE_KINDS = frozenset({"file", "scenario"})


def web_source_kinds() -> list[str]:
    """The kinds that can be added from the web settings."""
    return [kind for kind in source_kinds() if kind not in SERVER_FILE_KINDS]


def stored_posts(session: Session, source_id: int) -> int:
    count = session.scalar(
        select(func.count()).select_from(RawPost).where(RawPost.source_id == source_id)
    )
    return int(count or 0)


def has_history(session: Session, source_id: int) -> bool:
    """Whether removing the row would lose data: stored posts (and with them mentions), or
    webhook bodies received and not yet read (both cascade with the source)."""
    if stored_posts(session, source_id):
        return True
    deliveries = session.scalar(
        select(func.count())
        .select_from(WebhookDelivery)
        .where(WebhookDelivery.source_id == source_id)
    )
    return bool(deliveries)


def _check_kind(kind: str) -> None:
    if kind in SERVER_FILE_KINDS:
        raise InputError(
            f"A '{kind}' source reads files on the server, so it can only be defined in the "
            "workspace file; add it there and run 'flarewatch workspace add FILE'."
        )


def create_web_source(session: Session, workspace_id: int, config: SourceConfig) -> Source:
    _check_kind(config.kind)
    existing = session.scalar(
        select(Source).where(Source.workspace_id == workspace_id, Source.key == config.key)
    )
    if existing is not None:
        if existing.archived_at is not None:
            raise InputError(
                f"A deleted source still keeps the key '{config.key}' (with its mentions); "
                "restore it from the list of deleted sources, or choose another key."
            )
        raise InputError(f"A source with the key '{config.key}' already exists; choose another.")
    source = Source(
        workspace_id=workspace_id,
        key=config.key,
        kind=config.kind,
        config=config.model_dump(mode="json"),
        enabled=config.enabled,
        origin=ORIGIN_WEB,
    )
    session.add(source)
    session.flush()
    return source


def check_editable(source: Source) -> None:
    """InputError unless the web may change the source's settings (not pause: any source)."""
    if source.origin == ORIGIN_FILE:
        raise InputError(
            f"The source '{source.key}' comes from the workspace file; change it there and run "
            "'flarewatch workspace add FILE' (here it can only be paused or resumed)."
        )
    if source.archived_at is not None:
        raise InputError(f"The source '{source.key}' is deleted; restore it first.")


def update_web_source(source: Source, config: SourceConfig) -> dict[str, Any]:
    """Apply an edit; the changed keys as {key: {"from": …, "to": …}} for the audit log.

    The key and kind stay (another key or kind is another source). A change of what the
    source reads from starts it from the beginning again, as a file sync does.
    """
    check_editable(source)
    if config.key != source.key or config.kind != source.kind:
        raise InputError("The key and kind of a source cannot change; add a new source instead.")
    wanted = config.model_dump(mode="json")
    before = source.config or {}
    changes = {
        name: {"from": before.get(name), "to": wanted.get(name)}
        for name in sorted(set(before) | set(wanted))
        if before.get(name) != wanted.get(name)
    }
    if any(name in changes for name in SOURCE_IDENTITY_FIELDS):
        source.checkpoint = None
    source.config = wanted
    source.enabled = config.enabled
    return changes


def pause_source(source: Source, by: str, now: datetime) -> None:
    if source.archived_at is not None:
        raise InputError(f"The source '{source.key}' is deleted; restore it first.")
    if source.paused_at is None:
        source.paused_at, source.paused_by = now, by


def resume_source(source: Source) -> None:
    source.paused_at, source.paused_by = None, None


def delete_web_source(session: Session, source: Source, now: datetime) -> bool:
    """Remove a web source without history (True), or archive one that has some (False)."""
    if source.origin == ORIGIN_FILE:
        raise InputError(
            f"The source '{source.key}' comes from the workspace file; remove it there and run "
            "'flarewatch workspace add FILE' (its mentions are kept), or pause it here."
        )
    if has_history(session, source.id):
        source.archived_at = now
        return False
    session.delete(source)
    session.flush()
    return True


def restore_source(source: Source) -> None:
    source.archived_at = None
