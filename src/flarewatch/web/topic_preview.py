"""What a topic query would match among the workspace's recently stored posts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flarewatch.mentions.models import Author, RawPost
from flarewatch.mentions.post import Post
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


def to_post(row: RawPost, author: Author | None) -> Post:
    payload = row.payload or {}
    language = payload.get("language")
    return Post(
        external_id=row.external_id,
        text=row.text,
        title=row.title,
        author=author.handle if author is not None else None,
        author_name=author.name if author is not None else None,
        platform=row.platform,
        url=row.url,
        language=language if isinstance(language, str) else None,
        created_at=row.created_at,
    )


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
        if matches(query, to_post(row, author)):
            result.matched += 1
            if len(result.samples) < samples:
                result.samples.append(row)
    return result
