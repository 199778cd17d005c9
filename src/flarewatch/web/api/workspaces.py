"""API: the caller, their workspaces, topics, mentions, chart figures and the audit log."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from flarewatch.accounts import service as accounts
from flarewatch.accounts.models import User
from flarewatch.accounts.permissions import Permission
from flarewatch.i18n.formatting import Formatter
from flarewatch.mentions.export import MEDIA_TYPES, export_lines
from flarewatch.mentions.stream import PostFilters, PostRow, count_posts, iter_posts, post_stream
from flarewatch.web.api.schemas import (
    OWN_READ,
    READ,
    AuditOut,
    MentionCountOut,
    MentionOut,
    TopicOut,
    UserOut,
    WorkspaceOut,
    error_responses,
)
from flarewatch.web.charts import build_dashboard
from flarewatch.web.deps import WorkspaceAccess, current_user, get_db, requires, workspace_access
from flarewatch.web.params import id_cursor
from flarewatch.web.queries import topics_of
from flarewatch.web.templating import language_of

router = APIRouter(tags=["workspaces"])
EXPORT_MAX = 50_000


def workspace_out(access: WorkspaceAccess) -> WorkspaceOut:
    ws = access.workspace
    return WorkspaceOut(
        id=ws.id,
        slug=ws.slug,
        name=ws.name,
        timezone=ws.timezone,
        languages=list(ws.languages or []),
        sensitivity=ws.sensitivity,
        role=access.role,
    )


def mention_out(row: PostRow) -> MentionOut:
    m = row.mention
    return MentionOut(
        id=m.id,
        post_id=row.post.id,
        topic=row.topics[0].key if row.topics else "",
        topics=[t.key for t in row.topics],
        tags=list(row.tags),
        assignee=row.assignee.email if row.assignee is not None else None,
        platform=m.platform,
        created_at=m.created_at,
        language=m.language,
        sentiment=m.sentiment,
        sentiment_score=m.sentiment_score,
        author=row.author.handle if row.author is not None else None,
        url=row.post.url,
        title=row.post.title,
        text=row.post.text,
        reach=m.reach,
        engagement=m.engagement,
        engagement_velocity=m.engagement_velocity,
        emotion=m.emotion,
        emotion_intensity=m.emotion_intensity,
        is_spam=m.is_spam,
        spam_score=m.spam_score,
        spam_signals=dict((m.enrichment or {}).get("spam_signals") or {}),
        relevant=m.relevant,
        relevance=row.relevance,
        filtered=row.filtered,
        near_dup_of=m.near_dup_of,
        copies=row.copies,
        copy_authors=row.copy_authors,
    )


@router.get("/me", response_model=UserOut, responses=OWN_READ)
def me(user: User = Depends(current_user)) -> User:
    return user


@router.get("/workspaces", response_model=list[WorkspaceOut], responses=OWN_READ)
def list_workspaces(
    user: User = Depends(current_user), db: Session = Depends(get_db)
) -> list[WorkspaceOut]:
    return [
        workspace_out(WorkspaceAccess(ws, user, role))
        for ws, role in accounts.workspaces_of(db, user.id)
    ]


@router.get("/workspaces/{slug}", response_model=WorkspaceOut, responses=READ)
def get_workspace(access: WorkspaceAccess = Depends(workspace_access)) -> WorkspaceOut:
    return workspace_out(access)


@router.get("/workspaces/{slug}/topics", response_model=list[TopicOut], responses=READ)
def list_topics(
    access: WorkspaceAccess = Depends(workspace_access), db: Session = Depends(get_db)
) -> list[Any]:
    return topics_of(db, access.workspace.id)


@router.get("/workspaces/{slug}/mentions", response_model=list[MentionOut], responses=READ)
def list_mentions(
    filters: PostFilters = Depends(),
    limit: int = Query(50, ge=1, le=500),
    before: int | None = id_cursor("Only posts with a smaller id (paging)."),
    after: int | None = id_cursor("Only posts with a larger id (polling)."),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> list[MentionOut]:
    """One item per post, newest first; a post that matched several topics lists them all in
    `topics`. `id` is the post's first mention id: the cursor for `before` and `after`."""
    rows = post_stream(
        db, access.workspace.id, filters, limit=limit, before_id=before, after_id=after
    )
    return [mention_out(row) for row in rows]


@router.get("/workspaces/{slug}/mentions/count", response_model=MentionCountOut, responses=READ)
def count_mentions(
    filters: PostFilters = Depends(),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> MentionCountOut:
    """How many posts match the filters (each post once, whatever its number of topics)."""
    return MentionCountOut(posts=count_posts(db, access.workspace.id, filters))


@router.get(
    "/workspaces/{slug}/mentions/export",
    responses={
        **READ,
        200: {
            "description": "One line per post (CSV with a header line, or JSON Lines).",
            "content": {"text/csv": {}, "application/x-ndjson": {}},
        },
    },
    response_class=StreamingResponse,
)
def export_mentions(
    filters: PostFilters = Depends(),
    format: Literal["csv", "jsonl"] = Query("csv", description="csv or jsonl."),
    limit: int = Query(EXPORT_MAX, ge=1, le=EXPORT_MAX, description="At most this many posts."),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> StreamingResponse:
    """The filtered posts as a file, the same records as `flarewatch mentions export`."""
    rows = iter_posts(db, access.workspace.id, filters, limit=limit)
    lines = list(export_lines(rows, format))
    name = f"{access.workspace.slug}-mentions.{format}"
    return StreamingResponse(
        iter(lines),
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/workspaces/{slug}/stats", responses=READ)
def workspace_stats(
    request: Request,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """The dashboard's figures: volume with its baseline band, sentiment, share of voice."""
    fmt = Formatter(language_of(request), access.user.timezone or access.workspace.timezone)
    dash = build_dashboard(db, access.workspace.id, fmt)
    data = dash.chart_json()
    data["total"] = dash.total
    data["authors"] = [
        {"handle": row["author"].handle, "platform": row["author"].platform, "count": row["count"]}
        for row in dash.authors
    ]
    return data


@router.get(
    "/workspaces/{slug}/audit",
    response_model=list[AuditOut],
    responses=error_responses(401, 403, 404, 422),
)
def list_audit(
    limit: int = Query(100, ge=1, le=1000),
    access: WorkspaceAccess = Depends(requires(Permission.AUDIT_VIEW)),
    db: Session = Depends(get_db),
) -> list[Any]:
    return accounts.audit_entries(db, access.workspace.id, limit=limit)
