"""Re-scoring stored mentions with another sentiment model from the web, as a background job.

The same operation as `flarewatch workspace rescore` (mentions/rescore_jobs.py runs it in
committed steps); the job page follows its progress over SSE by polling the job's row, so it
works whichever process runs the job. Admins and analysts (topic.edit) may start one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from sse_starlette import EventSourceResponse, ServerSentEvent

from flarewatch.accounts.permissions import Permission
from flarewatch.db.base import utcnow
from flarewatch.enrich.sentiment import SENTIMENT_BACKENDS, backend_install_problem
from flarewatch.errors import InputError, NotFoundError
from flarewatch.mentions.models import RescoreJob
from flarewatch.mentions.rescore_jobs import UNFINISHED, RescoreJobs, recent_jobs, start_job
from flarewatch.web.deps import WorkspaceAccess, get_db, requires, workspace_access
from flarewatch.web.pages import back_to, page
from flarewatch.web.params import MAX_DB_INT
from flarewatch.web.queries import topics_of
from flarewatch.web.security import check_csrf
from flarewatch.web.templating import env, page_context

router = APIRouter(tags=["pages"], include_in_schema=False)
JobId = Annotated[int, Path(ge=1, le=MAX_DB_INT, description="The re-scoring job's id.")]
POLL_SECONDS = 0.5
# The periods the form offers (the CLI's --since takes any); "" is every stored mention.
PERIODS: dict[str, timedelta | None] = {
    "1h": timedelta(hours=1),
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
    "": None,
}


def _jobs(request: Request) -> RescoreJobs:
    return request.app.state.rescore_jobs  # type: ignore[no-any-return]


@router.get("/w/{slug}/rescore")
def rescore_page(
    request: Request,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    _jobs(request).resume_stale(db, access.workspace.id)
    return page(
        request,
        db,
        "rescore.html",
        access=access,
        topics=topics_of(db, access.workspace.id),
        backends=[(b, backend_install_problem(b)) for b in SENTIMENT_BACKENDS],
        chosen=access.workspace.config.get("alert_sentiment_backend") or "e5",
        periods=list(PERIODS),
        jobs=recent_jobs(db, access.workspace.id),
        job=None,
    )


@router.post("/w/{slug}/rescore", dependencies=[Depends(check_csrf)])
def rescore_start(
    request: Request,
    backend: str = Form(""),
    topic_id: str = Form(""),
    period: str = Form("24h"),
    access: WorkspaceAccess = Depends(requires(Permission.TOPIC_EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    if period not in PERIODS:
        raise InputError(f"Unknown period {period!r}; choose one of 1h, 24h, 7d, 30d or all.")
    try:
        topic = int(topic_id) if topic_id.strip() else None
    except ValueError:
        raise InputError(
            f"Topic {topic_id!r} is not a topic id; choose a topic from the list."
        ) from None
    span = PERIODS[period]
    job = start_job(
        db,
        access.workspace,
        backend.strip(),
        topic_id=topic,
        since=utcnow() - span if span is not None else None,
        actor=access.user,
    )
    db.commit()
    _jobs(request).submit(job.id)
    return back_to(f"/w/{access.workspace.slug}/rescore/{job.id}")


def _job(db: Session, access: WorkspaceAccess, job_id: int) -> RescoreJob:
    job = db.get(RescoreJob, job_id)
    if job is None or job.workspace_id != access.workspace.id:
        raise NotFoundError(f"No re-scoring job {job_id} in this workspace.")
    return job


@router.get("/w/{slug}/rescore/{job_id}")
def rescore_job_page(
    request: Request,
    job_id: JobId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    job = _job(db, access, job_id)
    _jobs(request).resume_stale(db, access.workspace.id)
    return page(
        request,
        db,
        "rescore.html",
        access=access,
        topics=topics_of(db, access.workspace.id),
        backends=[(b, backend_install_problem(b)) for b in SENTIMENT_BACKENDS],
        chosen=job.backend,
        periods=list(PERIODS),
        jobs=recent_jobs(db, access.workspace.id),
        job=job,
    )


def _progress(request: Request, access: WorkspaceAccess, job_id: int) -> tuple[str, bool]:
    with request.app.state.sessionmaker() as db:
        job = _job(db, access, job_id)
        context: dict[str, Any] = page_context(request, access=access, job=job)
        html = env.get_template("partials/rescore_progress.html").render(context)
        return html, job.status not in UNFINISHED


@router.get("/w/{slug}/rescore/{job_id}/events")
async def rescore_events(
    request: Request,
    job_id: JobId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> EventSourceResponse:
    """`event: progress` with the rendered progress whenever it changes; `event: done` (the
    same HTML) once the job has ended, after which the stream closes."""
    _job(db, access, job_id)
    db.close()  # a stream must not hold a pooled connection between polls

    async def stream() -> AsyncIterator[ServerSentEvent]:
        last = ""
        while not await request.is_disconnected():
            html, finished = await to_thread.run_sync(_progress, request, access, job_id)
            if finished:
                yield ServerSentEvent(data=html, event="done")
                return
            if html != last:
                yield ServerSentEvent(data=html, event="progress")
                last = html
            await asyncio.sleep(POLL_SECONDS)

    return EventSourceResponse(stream(), ping=15)
