"""The inbox: one row per post, filters, total, saved views, bulk actions and export."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.orm import Session

from flarewatch.accounts import service as accounts
from flarewatch.accounts.permissions import Permission
from flarewatch.cases import service as cases
from flarewatch.errors import InputError, NotFoundError
from flarewatch.i18n.labels import language_name
from flarewatch.mentions import inbox
from flarewatch.mentions.export import FORMATS, MEDIA_TYPES, export_lines
from flarewatch.mentions.service import mark_relevance
from flarewatch.mentions.stream import (
    SENTIMENTS,
    SINCE_CHOICES,
    PostFilters,
    count_posts,
    filter_choices,
    hidden_count,
    iter_posts,
    latest_key,
    post_row,
    post_stream,
)
from flarewatch.web import actions
from flarewatch.web.deps import WorkspaceAccess, get_db, requires, workspace_access
from flarewatch.web.pages import back_to, is_htmx, page
from flarewatch.web.params import MAX_DB_INT, MentionId, ViewId, id_cursor
from flarewatch.web.queries import topics_of
from flarewatch.web.security import check_csrf
from flarewatch.web.templating import language_of, render

router = APIRouter(tags=["pages"], include_in_schema=False)
PAGE_SIZE = 50
# A bigger export is a job for `flarewatch mentions export`, which streams to a file.
EXPORT_MAX = 50_000


def _inbox_url(access: WorkspaceAccess, filters: PostFilters | None = None) -> str:
    base = f"/w/{access.workspace.slug}/mentions"
    query = (filters or PostFilters()).as_query()
    return f"{base}?{urlencode(query)}" if query else base


@router.get("/w/{slug}/mentions")
def mentions_page(
    request: Request,
    filters: PostFilters = Depends(),
    before: int | None = id_cursor("Page back from this row (a post's first mention id)."),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    ws = access.workspace
    filters = filters.cleaned()
    rows = post_stream(db, ws.id, filters, limit=PAGE_SIZE, before_id=before)
    more = rows[-1].key if len(rows) == PAGE_SIZE else None
    if is_htmx(request) and before is not None:
        # "Load more" appends the next page to the list that is already there.
        return render(
            request,
            "partials/mention_page.html",
            access=access,
            rows=rows,
            more=more,
            filters=filters,
            bulk=access.can(Permission.ALERT_TRIAGE),
        )
    language = language_of(request)
    choices = filter_choices(db, ws.id)
    languages = sorted(
        ((code, language_name(code, language)) for code in choices["language"]),
        key=lambda pair: pair[1].casefold(),
    )
    return page(
        request,
        db,
        "mentions.html",
        access=access,
        rows=rows,
        more=more,
        filters=filters,
        total=count_posts(db, ws.id, filters),
        topics=topics_of(db, ws.id),
        choices=choices,
        language_choices=languages,
        members=[user for user, _ in accounts.members_of(db, ws.id)],
        sentiments=SENTIMENTS,
        since_choices=list(SINCE_CHOICES),
        views=inbox.saved_views(db, ws.id, access.user.id),
        open_cases=[c for c in cases.list_cases(db, ws.id) if c.status != "closed"],
        formats=FORMATS,
        bulk=access.can(Permission.ALERT_TRIAGE),
        # Live updates only make sense for the unfiltered newest-first view.
        live=not filters.as_query() and before is None,
        last_mention=latest_key(db, ws.id),
        hidden=0 if filters.hidden == "show" else hidden_count(db, ws.id, filters),
    )


@router.get("/w/{slug}/mentions/export")
def mentions_export(
    filters: PostFilters = Depends(),
    format: str = "csv",
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    """The filtered list as a file: one line per post, its topics as a list."""
    if format not in FORMATS:
        raise InputError(f"Unknown export format {format!r}; use one of {', '.join(FORMATS)}.")
    lines = list(
        export_lines(
            iter_posts(db, access.workspace.id, filters.cleaned(), limit=EXPORT_MAX), format
        )
    )
    name = f"{access.workspace.slug}-mentions.{format}"
    return StreamingResponse(
        iter(lines),
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/w/{slug}/mentions/{mention_id}/relevance", dependencies=[Depends(check_csrf)])
def mention_relevance(
    request: Request,
    mention_id: MentionId,
    relevant: bool | None = Form(None),
    access: WorkspaceAccess = Depends(requires(Permission.TOPIC_EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    """A person's relevance mark on the post: trains the workspace's filter (topic editors)."""
    if post_row(db, access.workspace.id, mention_id) is None:
        raise NotFoundError(f"No mention {mention_id} in this workspace.")
    if relevant is None:
        raise InputError("Say whether the post is relevant: relevant=true or relevant=false.")
    mark_relevance(db, mention_id, relevant, access.user, workspace_id=access.workspace.id)
    db.commit()
    if is_htmx(request):
        row = post_row(db, access.workspace.id, mention_id)
        return render(request, "partials/mention.html", access=access, row=row)
    return back_to(_inbox_url(access))


@router.post("/w/{slug}/mentions/bulk", dependencies=[Depends(check_csrf)])
def mentions_bulk(
    request: Request,
    action: str = Form(...),
    ids: list[int] = Form([]),
    tag: str = Form(""),
    assignee: str = Form(""),
    case_id: int | None = Form(None, ge=1, le=MAX_DB_INT),
    back: str = Form(""),
    access: WorkspaceAccess = Depends(requires(Permission.ALERT_TRIAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """One action on the selected posts: relevance, tag, untag, assign or add to a case."""
    actions.bulk_posts(db, access, action, ids, tag=tag, assignee=assignee or None, case_id=case_id)
    inbox_base = f"/w/{access.workspace.slug}/mentions"
    return back_to(back if back.startswith(inbox_base) else inbox_base)


@router.post("/w/{slug}/mentions/views", dependencies=[Depends(check_csrf)])
def save_view(
    name: str = Form(...),
    filters: PostFilters = Depends(),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    """Saves the filters the page shows under a name (the form carries them as hidden fields)."""
    inbox.save_view(db, access.workspace.id, access.user.id, name, filters)
    db.commit()
    return back_to(_inbox_url(access, filters.cleaned()))


@router.post("/w/{slug}/mentions/views/{view_id}/delete", dependencies=[Depends(check_csrf)])
def delete_view(
    view_id: ViewId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    inbox.delete_view(db, access.workspace.id, access.user.id, view_id)
    db.commit()
    return back_to(_inbox_url(access))
