"""Builders shared by the alert and case tests: real rows, validated workspace configs."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from flarewatch.config.workspace import WorkspaceConfig
from flarewatch.detect.types import AlertCandidate, Factor
from flarewatch.mentions.models import RawPost
from flarewatch.sources.models import Source
from flarewatch.workspaces.models import Topic, Workspace

T0 = datetime(2024, 5, 7, 14, 0, tzinfo=UTC)


def make_workspace(
    session: Session,
    slug: str = "acme",
    *,
    routes: list[dict[str, Any]] | None = None,
    auto_case_severity: str = "crisis",
    extra: dict[str, Any] | None = None,
) -> Workspace:
    config = WorkspaceConfig.model_validate(
        {
            "slug": slug,
            "name": slug.title() + " Burgers",
            "auto_case_severity": auto_case_severity,
            "alert_routes": routes or [],
        }
    ).model_dump()
    config.update(extra or {})
    workspace = Workspace(
        slug=slug,
        name=config["name"],
        auto_case_severity=auto_case_severity,
        config=config,
    )
    session.add(workspace)
    session.flush()
    return workspace


def make_topic(session: Session, workspace: Workspace, key: str = "brand") -> Topic:
    topic = Topic(workspace_id=workspace.id, key=key, name="Brand mentions", query="acme")
    session.add(topic)
    session.flush()
    return topic


def make_posts(session: Session, workspace: Workspace, count: int = 3) -> list[RawPost]:
    source = Source(workspace_id=workspace.id, key=f"file-{workspace.slug}", kind="file")
    session.add(source)
    session.flush()
    posts = []
    for i in range(count):
        text = f"Post {i}: the acme burger made my whole family sick, avoid it #{i}"
        post = RawPost(
            workspace_id=workspace.id,
            source_id=source.id,
            external_id=f"p{i}",
            platform="twitter",
            url=f"https://example.social/acme/{i}",
            text=text,
            content_hash=hashlib.sha256(text.encode()).hexdigest(),
            created_at=T0 + timedelta(minutes=i),
        )
        session.add(post)
        posts.append(post)
    session.flush()
    return posts


def candidate(
    workspace: Workspace,
    severity: str = "warning",
    *,
    group_key: str = "topic:brand",
    risk: float = 60.0,
    post_ids: list[int] | None = None,
    start: datetime = T0,
    minutes: int = 15,
    explanation: str = "Volume is 7.4σ above the Tuesday 14:00 baseline.",
    topic_id: int | None = None,
) -> AlertCandidate:
    return AlertCandidate(
        workspace_id=workspace.id,
        topic_id=topic_id,
        group_key=group_key,
        severity=severity,
        risk_score=risk,
        title=f"Negative spike about food safety ({severity})",
        explanation=explanation,
        window_start=start,
        window_end=start + timedelta(minutes=minutes),
        factors=[
            Factor("volume", "volume 7.4σ above the Tuesday 14:00 baseline", 120, 16, 30),
            Factor("negative_share", "82% negative (usually 20%)", 0.82, 0.2, 25),
        ],
        post_ids=post_ids or [],
    )
