"""What a topic query would match among the workspace's recently stored posts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flarewatch.mentions.models import Author, RawPost
from flarewatch.mentions.service import post_from_raw
from flarewatch.query import QueryProblem, matches, validate

PREVIEW_WINDOW = timedelta(days=7)
# Bounds the work per keystroke-driven request; the editor reports when it stopped early.
MAX_SCANNED = 5000


@dataclass
class Preview:
    problems: list[QueryProblem]
    scanned: int = 0
    matched: int = 0
    truncated: bool = False
    samples: list[RawPost] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


def preview(session: Session, workspace_id: int, query: str, *, samples: int = 5) -> Preview:
    result = Preview(problems=validate(query))
    if not query.strip() or not result.ok:
        return result
    newest = session.scalar(
        select(func.max(RawPost.created_at)).where(RawPost.workspace_id == workspace_id)
    )
    if newest is None:
        return result
    rows = session.execute(
        select(RawPost, Author)
        .outerjoin(Author, Author.id == RawPost.author_id)
        .where(
            RawPost.workspace_id == workspace_id,
            RawPost.created_at >= newest - PREVIEW_WINDOW,
            RawPost.duplicate_of_id.is_(None),
        )
        .order_by(RawPost.created_at.desc())
        .limit(MAX_SCANNED + 1)
    ).all()
    result.truncated = len(rows) > MAX_SCANNED
    for row, author in rows[:MAX_SCANNED]:
        result.scanned += 1
        if matches(query, post_from_raw(row, author)):
            result.matched += 1
            if len(result.samples) < samples:
                result.samples.append(row)
    return result
