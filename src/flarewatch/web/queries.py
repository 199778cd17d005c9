"""Overview figures for pages and the API: risk per workspace, topics, where live updates start.

The post stream, its filters, counts and export live in `flarewatch.mentions.stream`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import Session

from flarewatch.alerts.models import Alert
from flarewatch.db.base import utcnow
from flarewatch.mentions.models import Mention
from flarewatch.mentions.stream import latest_key
from flarewatch.sources.health import HealthSummary, summarize, workspace_health
from flarewatch.workspaces.models import Topic, Workspace

SEVERITY_RANK = {"watch": 1, "warning": 2, "crisis": 3}


def topics_of(session: Session, workspace_id: int) -> list[Topic]:
    return list(
        session.scalars(
            select(Topic).where(Topic.workspace_id == workspace_id).order_by(Topic.name)
        )
    )


def latest_ids(session: Session, workspace_id: int) -> tuple[int, int]:
    """The newest row key (a mention id) and alert id: where a live stream starts."""
    alert = session.scalar(select(func.max(Alert.id)).where(Alert.workspace_id == workspace_id))
    return latest_key(session, workspace_id), int(alert or 0)


@dataclass
class WorkspaceRisk:
    workspace: Workspace
    role: str
    open_alerts: int
    top_severity: str | None
    top_risk: float
    mentions_24h: int
    negative_24h: int
    sources: HealthSummary = field(default_factory=lambda: HealthSummary(0, 0, 0))

    @property
    def level(self) -> str:
        """crisis, warning or watch (the worst topic alert); else "sources" while any source is
        failing or stale; else calm. Never calm with a broken source: missing mentions are not
        a quiet day."""
        if self.top_severity:
            return self.top_severity
        return "calm" if self.sources.coverage_ok else "sources"

    @property
    def negative_share(self) -> float:
        return self.negative_24h / self.mentions_24h if self.mentions_24h else 0.0


def workspace_risk(
    session: Session, workspace: Workspace, role: str, now: datetime | None = None
) -> WorkspaceRisk:
    now = now or utcnow()
    live = session.execute(
        select(Alert.severity, Alert.risk_score, Alert.kind).where(
            Alert.workspace_id == workspace.id, Alert.status.in_(("open", "acknowledged"))
        )
    ).all()
    # The brand's risk is its topics'; source alerts speak through `sources` instead.
    topical = [row for row in live if row[2] != "source"]
    top = max(topical, key=lambda row: (SEVERITY_RANK.get(row[0], 0), row[1]), default=None)
    since = now - timedelta(hours=24)
    # Posts, not post × topic pairs: a post of two topics is one mention of the brand.
    negative_post = case((Mention.sentiment == "negative", Mention.raw_post_id), else_=None)
    total, negative = session.execute(
        select(
            func.count(distinct(Mention.raw_post_id)), func.count(distinct(negative_post))
        ).where(Mention.workspace_id == workspace.id, Mention.created_at >= since)
    ).one()
    return WorkspaceRisk(
        workspace=workspace,
        role=role,
        open_alerts=len(live),
        top_severity=top[0] if top else None,
        top_risk=float(top[1]) if top else 0.0,
        mentions_24h=int(total or 0),
        negative_24h=int(negative or 0),
        sources=summarize(workspace_health(session, workspace.id, now)),
    )
