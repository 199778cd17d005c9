"""Workspace service: apply a workspace file to the database, list and reset workspaces."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from flarewatch.config.workspace import WorkspaceConfig
from flarewatch.enrich import Enricher
from flarewatch.errors import NotFoundError
from flarewatch.sources.models import ORIGIN_FILE, Source
from flarewatch.workspaces.models import Topic, Workspace
from flarewatch.workspaces.notes import SyncNote, sync_notes


def workspace_enricher(workspace: Workspace) -> Enricher:
    """The enrichment for this workspace's posts: its languages and its sentiment backend
    (``sentiment_backend`` in the workspace file, "default" when unset)."""
    return Enricher(
        languages=list(workspace.languages or ["en"]),
        sentiment_backend=workspace.sentiment_backend,
    )


# A source whose identity changes must start reading from the beginning again.
SOURCE_IDENTITY_FIELDS = ("kind", "path", "url")


def sync_workspace(
    session: Session, config: WorkspaceConfig, base_dir: Path, notes: list[SyncNote] | None = None
) -> Workspace:
    """Create or update a workspace, its topics and its sources from a validated file.

    Topics and sources removed from the file are deactivated, not deleted, so their history
    stays readable; a source keeps its checkpoint unless what it reads from has changed.
    Sources added in the web settings (origin "web") are not the file's to switch off; when
    the file defines the same key, the file wins and the source becomes the file's. A pause
    is a person's decision and is kept either way.

    People, rotas and escalation policies follow the same rule (`oncall.editing.merge_oncall`):
    those added or changed on the web and not in the file are kept; where the file defines the
    same key, the file wins. Each of these is appended to `notes` (for `workspace add` to
    print) and written to the audit log, so no web edit is replaced silently.
    """
    from flarewatch.accounts.service import record_audit
    from flarewatch.oncall.editing import merge_oncall

    workspace = session.scalar(select(Workspace).where(Workspace.slug == config.slug))
    if workspace is None:
        workspace = Workspace(slug=config.slug, name=config.name)
        session.add(workspace)
    workspace.name = config.name
    workspace.timezone = config.timezone
    workspace.languages = list(config.languages)
    workspace.auto_case_severity = config.auto_case_severity
    workspace.sensitivity = config.sensitivity
    from_file = config.model_dump(mode="json")
    merged = merge_oncall(workspace.config, from_file)
    workspace.config = {**from_file, **merged.config, "base_dir": str(base_dir.resolve())}
    session.flush()
    said = sync_notes(merged)
    if merged.replaced or merged.kept:
        record_audit(
            session,
            "workspace file",
            "oncall.file_sync",
            workspace_id=workspace.id,
            target_type="workspace",
            target_id=workspace.id,
            details={"kept": merged.kept, "replaced": merged.replaced},
        )
    if notes is not None:
        notes.extend(said)

    topics = {
        t.key: t for t in session.scalars(select(Topic).where(Topic.workspace_id == workspace.id))
    }
    for topic_config in config.topics:
        topic = topics.pop(topic_config.key, None)
        if topic is None:
            topic = Topic(workspace_id=workspace.id, key=topic_config.key)
            session.add(topic)
        topic.name = topic_config.name or topic_config.key
        topic.query = topic_config.query
        topic.active = True
    for leftover in topics.values():
        leftover.active = False

    sources = {
        s.key: s for s in session.scalars(select(Source).where(Source.workspace_id == workspace.id))
    }
    for source_config in config.sources:
        wanted = source_config.model_dump(mode="json")
        source = sources.pop(source_config.key, None)
        if source is None:
            source = Source(workspace_id=workspace.id, key=source_config.key)
            session.add(source)
        elif any(source.config.get(f) != wanted.get(f) for f in SOURCE_IDENTITY_FIELDS):
            source.checkpoint = None
        source.kind = source_config.kind
        source.config = wanted
        source.enabled = source_config.enabled
        source.origin = ORIGIN_FILE
        source.archived_at = None  # the file defines it again: it is read again
    for leftover_source in sources.values():
        if leftover_source.origin == ORIGIN_FILE:
            leftover_source.enabled = False
    session.flush()
    return workspace


def active_topic_queries(session: Session, workspace_id: int) -> list[str]:
    """The queries of the workspace's active topics (what a firehose kind keeps), oldest first."""
    return list(
        session.scalars(
            select(Topic.query)
            .where(Topic.workspace_id == workspace_id, Topic.active.is_(True))
            .order_by(Topic.id)
        )
    )


def get_workspace(session: Session, slug: str) -> Workspace:
    workspace = session.scalar(select(Workspace).where(Workspace.slug == slug))
    if workspace is None:
        known = (
            ", ".join(session.scalars(select(Workspace.slug).order_by(Workspace.slug))) or "none"
        )
        raise NotFoundError(
            f"no workspace {slug!r} (known: {known}); add one with 'flarewatch workspace add FILE'"
        )
    return workspace


def list_workspaces(session: Session) -> list[Workspace]:
    return list(session.scalars(select(Workspace).order_by(Workspace.name)))


def delete_workspace_data(session: Session, workspace: Workspace) -> None:
    """Remove a workspace with everything in it (used to replay the demo from a clean slate)."""
    session.execute(delete(Workspace).where(Workspace.id == workspace.id))
    session.flush()
