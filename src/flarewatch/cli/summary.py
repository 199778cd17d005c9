"""A workspace's state in figures, shared by `flarewatch report` and `flarewatch demo`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flarewatch.alerts.models import Alert
from flarewatch.cases.models import Case
from flarewatch.mentions.models import Mention, RawPost
from flarewatch.sources.models import Source
from flarewatch.workspaces.models import Workspace


@dataclass(slots=True)
class WorkspaceSummary:
    slug: str
    name: str
    posts: int
    mentions: int
    alerts: int
    open_alerts: int
    top_severity: str | None
    cases: int
    open_cases: int
    # (source key, its last error) of each source whose last polls failed
    failing_sources: list[tuple[str, str]]
    newest_post: datetime | None = None
    timezone: str = "UTC"
    languages: list[str] = field(default_factory=list)

    def failing_lines(self) -> list[str]:
        return [f"{key}: {error}" for key, error in self.failing_sources]


def summarise(session: Session, workspace: Workspace) -> WorkspaceSummary:
    def count(model: type, *where: object) -> int:
        query = select(func.count()).select_from(model).where(model.workspace_id == workspace.id)  # type: ignore[attr-defined]
        return int(session.scalar(query.where(*where)) or 0)  # type: ignore[arg-type]

    severities = set(
        session.scalars(select(Alert.severity).where(Alert.workspace_id == workspace.id))
    )
    top = next((s for s in ("crisis", "warning", "watch") if s in severities), None)
    failing = [
        (s.key, s.last_error or "")
        for s in session.scalars(
            select(Source).where(Source.workspace_id == workspace.id, Source.consecutive_errors > 0)
        )
    ]
    return WorkspaceSummary(
        slug=workspace.slug,
        name=workspace.name,
        posts=count(RawPost),
        mentions=count(Mention),
        alerts=count(Alert, Alert.status != "merged"),
        open_alerts=count(Alert, Alert.status == "open"),
        top_severity=top,
        cases=count(Case),
        open_cases=count(Case, Case.status != "closed"),
        failing_sources=failing,
        newest_post=session.scalar(
            select(func.max(RawPost.created_at)).where(RawPost.workspace_id == workspace.id)
        ),
        timezone=workspace.timezone or "UTC",
        languages=list(workspace.languages or []),
    )
