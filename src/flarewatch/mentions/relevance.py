"""The workspace's relevance filter: stored as a `workspace_model` row, read by the pipeline.

A person's "not relevant" / "relevant" marks train a `RelevanceFilter`; the pipeline scores every
new mention with it (`enrichment['relevance']`). A mention counts in the rollups detection reads
unless it is spam, marked not relevant by a person, or filtered (P(relevant) below
`FILTERED_BELOW`) without a person having marked it relevant.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.db.base import utcnow
from flarewatch.enrich import RelevanceFilter
from flarewatch.mentions.models import WorkspaceModel

RELEVANCE_KIND = "relevance"
FILTERED_BELOW = 0.5


def relevance_of(enrichment: dict[str, Any] | None) -> float:
    """The filter's P(relevant) stored on a mention (1.0 when it was never scored)."""
    value = (enrichment or {}).get("relevance")
    return 1.0 if value is None else float(value)


def is_filtered(relevant: bool | None, enrichment: dict[str, Any] | None) -> bool:
    """Hidden as not relevant: marked so by a person, or scored so and not marked relevant."""
    if relevant is not None:
        return not relevant
    return relevance_of(enrichment) < FILTERED_BELOW


def counts_in_rollups(is_spam: bool, relevant: bool | None, relevance: float) -> bool:
    if is_spam:
        return False
    if relevant is not None:
        return relevant
    return relevance >= FILTERED_BELOW


def _row(session: Session, workspace_id: int, kind: str) -> WorkspaceModel | None:
    return session.scalar(
        select(WorkspaceModel).where(
            WorkspaceModel.workspace_id == workspace_id, WorkspaceModel.kind == kind
        )
    )


def load_relevance(session: Session, workspace_id: int) -> RelevanceFilter | None:
    """The workspace's trained filter, or None when nobody has marked anything yet."""
    row = _row(session, workspace_id, RELEVANCE_KIND)
    if row is None or not row.data:
        return None
    return RelevanceFilter.from_dict(row.data)


def store_relevance(session: Session, workspace_id: int, model: RelevanceFilter) -> None:
    row = _row(session, workspace_id, RELEVANCE_KIND)
    if row is None:
        row = WorkspaceModel(workspace_id=workspace_id, kind=RELEVANCE_KIND)
        session.add(row)
    row.data = model.to_dict()  # a new dict, so the JSON column is written
    row.updated_at = utcnow()
    session.flush()


def model_stamp(session: Session, workspace_id: int) -> datetime | None:
    """When any of the workspace's models last changed: runners rebuild their context then."""
    rows = session.scalars(
        select(WorkspaceModel.updated_at).where(WorkspaceModel.workspace_id == workspace_id)
    ).all()
    return max(rows, default=None)
