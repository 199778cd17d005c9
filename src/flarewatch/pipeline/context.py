"""What a runner keeps in memory per workspace between batches: compiled topics and models."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.enrich import Enricher, NearDuplicateIndex, RelevanceFilter
from flarewatch.mentions.relevance import load_relevance
from flarewatch.query import Matcher, QuerySyntaxError
from flarewatch.workspaces.models import Topic, Workspace
from flarewatch.workspaces.service import workspace_enricher

log = logging.getLogger(__name__)


@dataclass(slots=True)
class WorkspaceContext:
    workspace_id: int
    slug: str
    languages: list[str]
    topic_names: dict[int, str]
    matcher: Matcher
    enricher: Enricher
    near_duplicates: NearDuplicateIndex
    # Trained by the workspace's relevance marks; None until someone marks a post.
    relevance: RelevanceFilter | None = None


def build_matcher(topics: list[Topic], workspace_slug: str) -> Matcher:
    """Every topic's query compiled; a stored query the parser now refuses (saved before a rule
    was tightened, e.g. `title:-word`) is logged with its problem and left out, so the
    workspace's other topics keep matching."""
    matcher = Matcher()
    for topic in topics:
        try:
            matcher.add(topic.id, topic.query, workspace=workspace_slug)
        except QuerySyntaxError as err:
            log.error(
                "workspace %s: topic %r is not matched until its query is fixed (topic editor "
                "or workspace file): %s",
                workspace_slug,
                topic.key,
                err.message,
            )
    return matcher


def build_context(session: Session, workspace: Workspace) -> WorkspaceContext:
    topics = list(
        session.scalars(
            select(Topic).where(Topic.workspace_id == workspace.id, Topic.active.is_(True))
        )
    )
    return WorkspaceContext(
        workspace_id=workspace.id,
        slug=workspace.slug,
        languages=list(workspace.languages or ["en"]),
        topic_names={t.id: t.name for t in topics},
        matcher=build_matcher(topics, workspace.slug),
        enricher=workspace_enricher(workspace),
        near_duplicates=NearDuplicateIndex(),
        relevance=load_relevance(session, workspace.id),
    )
