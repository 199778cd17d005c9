"""A workspace as it stands in the database, written back as a workspace file.

The file stays the export and import format: what was set up in the web settings (topics,
sources, alert routes, weekend) is exported with the rest, so `flarewatch workspace add` on the
exported file recreates the workspace elsewhere. Stored credentials are not exported (sources
name them, the secrets stay in the database they were encrypted for).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.config.toml_writer import to_toml
from flarewatch.config.workspace import WorkspaceConfig, file_fields
from flarewatch.sources.models import Source
from flarewatch.workspaces.models import Topic, Workspace

# Row columns win over the copy of the file kept in `config` (the web settings edit the row).
ROW_FIELDS = ("slug", "name", "timezone", "languages", "auto_case_severity", "sensitivity")
# Source keys that name a file, made absolute so the exported file loads from anywhere.
PATH_KEYS = ("path",)


def _source_entry(source: Source, base_dir: Path | None) -> dict[str, Any]:
    entry = {k: v for k, v in (source.config or {}).items() if v is not None}
    entry.update(key=source.key, kind=source.kind, enabled=source.enabled)
    for name in PATH_KEYS:
        value = entry.get(name)
        if isinstance(value, str) and base_dir is not None and not Path(value).is_absolute():
            entry[name] = str(base_dir / value)
    return entry


def workspace_document(session: Session, workspace: Workspace) -> dict[str, Any]:
    """The workspace's file as a dict, validated by the same model the loader uses."""
    stored = dict(workspace.config or {})
    base = stored.pop("base_dir", None)
    base_dir = Path(base) if base else None
    document = file_fields(stored)
    document.update({name: getattr(workspace, name) for name in ROW_FIELDS})
    topics = session.scalars(
        select(Topic)
        .where(Topic.workspace_id == workspace.id, Topic.active.is_(True))
        .order_by(Topic.id)
    )
    document["topics"] = [{"key": t.key, "name": t.name, "query": t.query} for t in topics]
    sources = session.scalars(
        select(Source)
        .where(Source.workspace_id == workspace.id, Source.archived_at.is_(None))
        .order_by(Source.id)
    )
    document["sources"] = [_source_entry(s, base_dir) for s in sources]
    # Round-trip through the model: what is exported is what `workspace add` accepts.
    checked = WorkspaceConfig.model_validate(document)
    return checked.model_dump(mode="json", exclude_defaults=False)


def export_toml(session: Session, workspace: Workspace, now: datetime | None = None) -> str:
    when = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    header = (
        f"Workspace {workspace.slug!r}, exported by `flarewatch workspace export` on {when}.\n"
        "Load it with `flarewatch workspace add FILE`; every field: docs/configuration.md."
    )
    return to_toml(workspace_document(session, workspace), header=header)
