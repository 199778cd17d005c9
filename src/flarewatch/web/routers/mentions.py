"""The mention stream with filters and search."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from flarewatch.accounts.permissions import Permission
from flarewatch.errors import InputError, NotFoundError
from flarewatch.mentions.service import mark_relevance
from flarewatch.web.deps import WorkspaceAccess, get_db, requires, workspace_access
from flarewatch.web.pages import back_to, is_htmx, page
from flarewatch.web.params import MentionId, id_cursor
from flarewatch.web.queries import (
    SENTIMENTS,
    SINCE_CHOICES,
    MentionFilters,
    filter_choices,
    hidden_count,
    latest_ids,
    mention_row,
    mention_stream,
    topics_of,
)
from flarewatch.web.security import check_csrf
from flarewatch.web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)
PAGE_SIZE = 50


@router.get("/w/{slug}/mentions")
def mentions_page(
    request: Request,
    filters: MentionFilters = Depends(),
    before: int | None = id_cursor("Page back from this mention id."),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    ws = access.workspace
    filters = filters.cleaned()
    rows = mention_stream(db, ws.id, filters, limit=PAGE_SIZE, before_id=before)
    more = rows[-1].mention.id if len(rows) == PAGE_SIZE else None
    if is_htmx(request) and before is not None:
        # "Load more" appends the next page to the list that is already there.
        return render(
            request,
            "partials/mention_page.html",
            access=access,
            rows=rows,
            more=more,
            filters=filters,
        )
    last_mention, _ = latest_ids(db, ws.id)
    return page(
        request,
        db,
        "mentions.html",
        access=access,
        rows=rows,
        more=more,
        filters=filters,
        topics=topics_of(db, ws.id),
        choices=filter_choices(db, ws.id),
        sentiments=SENTIMENTS,
        since_choices=list(SINCE_CHOICES),
        # Live updates only make sense for the unfiltered newest-first view.
        live=not filters.as_query() and before is None,
        last_mention=last_mention,
        hidden=0 if filters.hidden == "show" else hidden_count(db, ws.id, filters),
    )


@router.post("/w/{slug}/mentions/{mention_id}/relevance", dependencies=[Depends(check_csrf)])
def mention_relevance(
    request: Request,
    mention_id: MentionId,
    relevant: bool | None = Form(None),
    access: WorkspaceAccess = Depends(requires(Permission.TOPIC_EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    """A person's relevance mark: trains the workspace's filter (roles that edit topics)."""
    if mention_row(db, access.workspace.id, mention_id) is None:
        raise NotFoundError(f"No mention {mention_id} in this workspace.")
    if relevant is None:
        raise InputError("Say whether the mention is relevant: relevant=true or relevant=false.")
    mark_relevance(db, mention_id, relevant, access.user, workspace_id=access.workspace.id)
    db.commit()
    if is_htmx(request):
        row = mention_row(db, access.workspace.id, mention_id)
        return render(request, "partials/mention.html", access=access, row=row)
    return back_to(f"/w/{access.workspace.slug}/mentions")
