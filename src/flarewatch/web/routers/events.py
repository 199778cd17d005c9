"""Live updates over Server-Sent Events.

The stream polls the database for rows newer than the last one sent instead of listening to an
in-process bus, so it sees what a pipeline in another process or on another machine writes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from anyio import to_thread
from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from sse_starlette import EventSourceResponse, ServerSentEvent

from flarewatch.accounts.permissions import Permission
from flarewatch.alerts.models import Alert
from flarewatch.cases.service import cases_for_alerts
from flarewatch.mentions.stream import post_stream
from flarewatch.web.deps import WorkspaceAccess, get_db, workspace_access
from flarewatch.web.params import last_seen_id
from flarewatch.web.templating import env, page_context

router = APIRouter(tags=["pages"], include_in_schema=False)
POLL_SECONDS = 1.0
BATCH = 20
KINDS = ("mention", "alert")


def _render(request: Request, access: WorkspaceAccess, template: str, **extra: Any) -> str:
    return env.get_template(template).render(page_context(request, access=access, **extra))


def _poll(
    request: Request, access: WorkspaceAccess, kinds: set[str], last_mention: int, last_alert: int
) -> tuple[list[ServerSentEvent], int, int]:
    events: list[ServerSentEvent] = []
    with request.app.state.sessionmaker() as db:
        # Oldest first, so the page prepends them in order and ends with the newest on top.
        rows = (
            post_stream(db, access.workspace.id, after_id=last_mention, limit=BATCH)
            if "mention" in kinds
            else []
        )
        # The inbox (mentions only) has the bulk form: its new rows get their check box too.
        bulk = kinds == {"mention"} and access.can(Permission.ALERT_TRIAGE)
        for row in reversed(rows):
            last_mention = max(last_mention, row.key)
            html = _render(request, access, "partials/mention.html", row=row, bulk=bulk)
            events.append(ServerSentEvent(data=html, event="mention"))
        alerts = (
            []
            if "alert" not in kinds
            else db.scalars(
                select(Alert)
                .where(
                    Alert.workspace_id == access.workspace.id,
                    Alert.id > last_alert,
                    # Folded into an older alert of the same incident, which the page shows.
                    Alert.status != "merged",
                )
                .order_by(Alert.id)
                .limit(BATCH)
            ).all()
        )
        # The pipeline opens a case in the same transaction as its alert: link it at once.
        case_of = cases_for_alerts(db, [alert.id for alert in alerts])
        for alert in alerts:
            last_alert = max(last_alert, alert.id)
            html = _render(request, access, "partials/alert_row.html", alert=alert, case_of=case_of)
            events.append(ServerSentEvent(data=html, event="alert"))
    return events, last_mention, last_alert


@router.get("/w/{slug}/events")
async def workspace_events(
    request: Request,
    m: int = last_seen_id("The newest row the page shows (a post's first mention id)."),
    a: int = last_seen_id("The newest alert id the page shows."),
    only: str | None = None,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> EventSourceResponse:
    """`m` and `a`: the newest mention and alert ids the page already shows; `only`: one kind."""
    # A stream lives for hours; it must not hold a pooled connection between polls.
    db.close()

    kinds = {only} if only in KINDS else set(KINDS)

    async def stream() -> AsyncIterator[ServerSentEvent]:
        last_mention, last_alert = m, a
        while not await request.is_disconnected():
            events, last_mention, last_alert = await to_thread.run_sync(
                _poll, request, access, kinds, last_mention, last_alert
            )
            for event in events:
                yield event
            await asyncio.sleep(POLL_SECONDS)

    return EventSourceResponse(stream(), ping=15)
