"""Re-scoring stored mentions as a background job (the web UI's "Re-score sentiment").

The same operation as `flarewatch workspace rescore` (`mentions.service`), run in steps of
`STEP` posts, each committed with the job's progress (`rescore_job` row): the page streams that
row over SSE, and a server that stops mid-job loses at most one step. A job whose row has not
moved for `STALE_AFTER` is taken over by the next server that looks at it (`resume_stale`), which
goes on after the last committed post. A post the model cannot score is counted (`failed`) and
skipped; an error outside the model (the database gone) fails the job with its message.
"""

from __future__ import annotations

import logging
import queue
import threading
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from flarewatch.accounts import service as accounts
from flarewatch.accounts.models import User
from flarewatch.db.base import utcnow
from flarewatch.errors import InputError, NotFoundError
from flarewatch.mentions.models import Mention, RescoreJob
from flarewatch.mentions.service import rescore_posts, rescore_scope
from flarewatch.workspaces.models import Topic, Workspace

log = logging.getLogger(__name__)
STEP = 50  # posts per committed step: e5 takes a few seconds for them on one core
STALE_AFTER = timedelta(minutes=2)  # a running job whose row is older was cut short
UNFINISHED = ("queued", "running")
KEEP_LISTED = 10  # jobs the page lists


def start_job(
    session: Session,
    workspace: Workspace,
    backend: str,
    *,
    topic_id: int | None,
    since: datetime | None,
    actor: User,
) -> RescoreJob:
    """A queued job over the scope, after checking that the backend can run here."""
    from flarewatch.enrich.sentiment import SENTIMENT_BACKENDS, backend_install_problem

    if backend not in SENTIMENT_BACKENDS:
        raise InputError(
            f"Unknown sentiment model {backend!r}; choose one of {', '.join(SENTIMENT_BACKENDS)}."
        )
    problem = backend_install_problem(backend)
    if problem:
        raise InputError(problem)
    if topic_id is not None:
        topic = session.get(Topic, topic_id)
        if topic is None or topic.workspace_id != workspace.id:
            raise NotFoundError(f"No topic {topic_id} in this workspace.")
    scope = rescore_scope(workspace.id, topic_id, since).distinct().subquery()
    total = len(session.scalars(select(scope.c.raw_post_id)).all())
    now = utcnow()
    job = RescoreJob(
        workspace_id=workspace.id,
        topic_id=topic_id,
        backend=backend,
        since=since,
        status="queued",
        total=total,
        done=0,
        failed=0,
        changed=0,
        last_raw_post_id=0,
        created_by=actor.email,
        created_at=now,
        updated_at=now,
    )
    session.add(job)
    session.flush()
    return job


def recent_jobs(session: Session, workspace_id: int, limit: int = KEEP_LISTED) -> list[RescoreJob]:
    return list(
        session.scalars(
            select(RescoreJob)
            .where(RescoreJob.workspace_id == workspace_id)
            .order_by(RescoreJob.id.desc())
            .limit(limit)
        )
    )


def run_job(sessions: sessionmaker[Session], job_id: int, step: int = STEP) -> None:
    """Run the job to its end, one committed step at a time, from where it stands."""
    while True:
        with sessions() as session:
            job = session.get(RescoreJob, job_id)
            if job is None or job.status not in UNFINISHED:
                return
            try:
                finished = _step(session, job, step)
                session.commit()
            except Exception as err:  # not the model's doing: the job cannot go on
                session.rollback()
                log.exception("re-scoring job %s failed", job_id)
                _fail(sessions, job_id, f"{type(err).__name__}: {err}")
                return
        if finished:
            return


def _step(session: Session, job: RescoreJob, step: int) -> bool:
    workspace = session.get_one(Workspace, job.workspace_id)
    ids = list(
        session.scalars(
            rescore_scope(job.workspace_id, job.topic_id, job.since)
            .where(Mention.raw_post_id > job.last_raw_post_id)
            .distinct()
            .order_by(Mention.raw_post_id)
            .limit(step)
        )
    )
    job.status, job.updated_at = "running", utcnow()
    if not ids:
        job.status = "done"
        accounts.record_audit(
            session,
            job.created_by,
            "mentions.rescore",
            workspace_id=job.workspace_id,
            target_type="topic" if job.topic_id is not None else "workspace",
            target_id=job.topic_id if job.topic_id is not None else job.workspace_id,
            details={
                "backend": job.backend,
                "since": job.since.isoformat() if job.since is not None else None,
                "posts": job.done,
                "mentions_changed": job.changed,
                "failed": job.failed,
                "job": job.id,
            },
        )
        return True
    report = rescore_posts(session, workspace, job.backend, ids)
    job.done += report.posts
    job.failed += report.failed
    job.changed += report.mentions_changed
    job.last_raw_post_id = ids[-1]
    return False


def _fail(sessions: sessionmaker[Session], job_id: int, error: str) -> None:
    with sessions() as session:
        session.execute(
            update(RescoreJob)
            .where(RescoreJob.id == job_id)
            .values(status="failed", error=error[:2000], updated_at=utcnow())
        )
        session.commit()


class RescoreJobs:
    """Runs the app's re-scoring jobs on one background thread (e5 keeps a core busy; two
    jobs at once would only share it). Held on `app.state`, not in a module global. The thread
    is a daemon: stopping the server must not wait for a long job, which the next server
    resumes after its last committed step."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self._queue: queue.Queue[int | None] = queue.Queue()
        self._mine: set[int] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, job_id: int) -> None:
        with self._lock:
            if job_id in self._mine:
                return
            self._mine.add(job_id)
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="rescore", daemon=True)
                self._thread.start()
        self._queue.put(job_id)

    def _work(self) -> None:
        while (job_id := self._queue.get()) is not None:
            try:
                run_job(self.sessions, job_id)
            except Exception:  # noqa: BLE001  (logged; the thread must serve the next job)
                log.exception("re-scoring job %s stopped", job_id)
            finally:
                with self._lock:
                    self._mine.discard(job_id)

    def resume_stale(self, session: Session, workspace_id: int) -> None:
        """Take over the workspace's unfinished jobs that nobody has moved for a while (the
        server that ran them stopped): claim each with a conditional update, then run it."""
        cutoff = utcnow() - STALE_AFTER
        stale = session.scalars(
            select(RescoreJob).where(
                RescoreJob.workspace_id == workspace_id,
                RescoreJob.status.in_(UNFINISHED),
                RescoreJob.updated_at < cutoff,
            )
        ).all()
        for job in stale:
            with self._lock:
                if job.id in self._mine:
                    continue
            claimed = session.execute(
                update(RescoreJob)
                .where(RescoreJob.id == job.id, RescoreJob.updated_at == job.updated_at)
                .values(updated_at=utcnow())
            )
            session.commit()
            if claimed.rowcount == 1:  # type: ignore[attr-defined]
                self.submit(job.id)

    def shutdown(self, wait: bool = False) -> None:
        """Stop after the queued jobs (`wait`: until they are done)."""
        self._queue.put(None)
        thread = self._thread
        if wait and thread is not None:
            thread.join()
