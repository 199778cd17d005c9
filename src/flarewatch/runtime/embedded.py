"""The embedded runtime: every stage in one process, on SQLite or PostgreSQL.

A cycle polls every enabled source that is due (its `every` passed, its backoff or the
platform's Retry-After over; never a paused or archived one) concurrently, each fetch with a
deadline, and sends every batch through the pipeline on the runner's own thread (committing
posts and checkpoint together), then runs detection, raises alerts, opens cases and delivers
notifications. A failing source is recorded on its health and never stops the others: a broken
feed must read as "broken", not as "no crisis".
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from flarewatch.alerts.notify import deliver_pending
from flarewatch.alerts.rescore_hook import finish_rescoring, rescore_candidates
from flarewatch.alerts.service import raise_alerts
from flarewatch.alerts.source_alerts import watch_sources
from flarewatch.cases.service import auto_open_cases
from flarewatch.config.workspace import SourceConfig
from flarewatch.db.engine import sessionmaker_for
from flarewatch.detect.service import run_detection
from flarewatch.detect.state_cache import DetectorStateCache
from flarewatch.mentions.models import RawPost
from flarewatch.mentions.relevance import model_stamp
from flarewatch.pipeline.batch import BatchReport
from flarewatch.pipeline.context import WorkspaceContext, build_context
from flarewatch.pipeline.isolate import RejectedPost, store_batch
from flarewatch.pipeline.memory import CacheSweeper
from flarewatch.sources.base import FetchResult, SourceError, SourceProblem
from flarewatch.sources.base import Source as SourceReader
from flarewatch.sources.hour_counts import already_stored, count_stored_batch
from flarewatch.sources.models import Source
from flarewatch.sources.registry import build_source, reads_inbox, uses_topics
from flarewatch.sources.secrets import Secrets
from flarewatch.sources.service import is_due, record_failure, record_success
from flarewatch.workspaces.models import Topic, Workspace

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
# One fetch of one source (all its pages) must end within this; a hanging or trickling server
# then costs only its own source. The grace covers a fetch that ignores its deadline.
POLL_DEADLINE_SECONDS = 120.0
DEADLINE_GRACE_SECONDS = 5.0
POLL_THREADS = 8


def wall_clock() -> datetime:
    return datetime.now(UTC)


def _problem_of(rejected: RejectedPost) -> SourceProblem:
    post = rejected.post
    return SourceProblem(
        post.where or f"post {post.external_id!r}",
        f"cannot be stored ({rejected.reason}); the record is skipped: remove control "
        "characters or out-of-range values from it and import it again",
    )


@dataclass(slots=True)
class SourceOutcome:
    workspace: str
    source: str
    ok: bool
    posts: int = 0
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass(slots=True)
class CycleReport:
    batch: BatchReport = field(default_factory=BatchReport)
    sources: list[SourceOutcome] = field(default_factory=list)
    alerts_raised: list[int] = field(default_factory=list)
    cases_opened: list[int] = field(default_factory=list)
    cases_reopened: list[int] = field(default_factory=list)  # by a relapse (cases/followup.py)
    deliveries_sent: int = 0

    @property
    def failed_sources(self) -> list[SourceOutcome]:
        return [s for s in self.sources if not s.ok]


@dataclass(slots=True)
class _Poll:
    """One source being polled in this cycle."""

    source_id: int
    workspace_id: int
    outcome: SourceOutcome
    reader: SourceReader | None
    checkpoint: dict[str, Any] | None
    every: float
    deadline: float


@dataclass(slots=True)
class IngestOutcome:
    source: SourceOutcome
    cycle: CycleReport


class EmbeddedRunner:
    def __init__(
        self,
        engine: Engine,
        *,
        clock: Clock = wall_clock,
        console: Console | None = None,
        batch_size: int = 1000,
        on_batch: Callable[[BatchReport], None] | None = None,
        poll_deadline: float = POLL_DEADLINE_SECONDS,
        poll_threads: int = POLL_THREADS,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.console = console
        self.batch_size = batch_size
        self.on_batch = on_batch
        self._sessions = sessionmaker_for(engine)
        self._contexts: dict[int, tuple[object, WorkspaceContext]] = {}
        self._readers: dict[int, tuple[dict[str, object], SourceReader]] = {}
        self.poll_deadline = poll_deadline
        # Fetch threads outlive a cycle: a fetch past its deadline is left to finish in the
        # background (its source stays "busy"), never waited for.
        self._pool = ThreadPoolExecutor(max_workers=poll_threads, thread_name_prefix="poll")
        self._busy: dict[int, Future[FetchResult]] = {}
        # Topics' detectors between cycles, so a cycle does not reload and resave them all
        # (None: every cycle loads and saves them, as one-off commands do).
        self.detector_states: DetectorStateCache | None = DetectorStateCache()
        # The stream's memo caches, emptied every few hours of this runner's clock so a runner
        # that lives for weeks holds only recent words and texts (pipeline/memory.py).
        self.sweep_caches = CacheSweeper()

    # -- contexts and readers are cached; rebuilt when topics, the relevance model, languages,
    # the sentiment backend or source config change

    def _context(self, session: Session, workspace: Workspace) -> WorkspaceContext:
        stamp = (
            session.scalar(
                select(func.max(Topic.updated_at)).where(Topic.workspace_id == workspace.id)
            ),
            model_stamp(session, workspace.id),
            tuple(workspace.languages or ()),
            workspace.sentiment_backend,
        )
        cached = self._contexts.get(workspace.id)
        if cached is None or cached[0] != stamp:
            cached = (stamp, build_context(session, workspace))
            self._contexts[workspace.id] = cached
        return cached[1]

    def _reader(self, session: Session, source: Source, base_dir: Path) -> SourceReader:
        config = SourceConfig(**source.config)
        topics: tuple[str, ...] = ()
        if uses_topics(config.kind):  # a firehose keeps what the topics match: rebuild on change
            topics = tuple(
                session.scalars(
                    select(Topic.query)
                    .where(Topic.workspace_id == source.workspace_id, Topic.active.is_(True))
                    .order_by(Topic.id)
                )
            )
        stamp: dict[str, object] = {"config": source.config, "topics": topics}
        cached = self._readers.get(source.id)
        if cached is None or cached[0] != stamp:
            inbox = None
            if reads_inbox(config.kind):  # the webhook kind reads the bodies the web app stored
                from flarewatch.sources.webhook import Inbox

                inbox = Inbox(self._sessions, source.id)
            reader = build_source(
                config, base_dir, self._secrets(source), topics=topics, inbox=inbox
            )
            cached = ({"config": dict(source.config), "topics": topics}, reader)
            self._readers[source.id] = cached
        return cached[1]

    def _secrets(self, source: Source) -> Secrets:
        from flarewatch.sources.credentials import workspace_secrets

        return workspace_secrets(self._sessions, source.workspace_id)

    # -- one cycle ------------------------------------------------------------------------

    def cycle(self, workspace_slugs: list[str] | None = None) -> CycleReport:
        """Poll every due source of the workspaces at once, then detect and alert in each."""
        report = CycleReport()
        with self._sessions() as session:
            query = select(Workspace).order_by(Workspace.id)
            if workspace_slugs:
                query = query.where(Workspace.slug.in_(workspace_slugs))
            workspace_ids = [w.id for w in session.scalars(query)]
            now = self.clock()
            due = [
                source.id
                for source in session.scalars(
                    select(Source)
                    .where(
                        Source.workspace_id.in_(workspace_ids),
                        Source.enabled.is_(True),
                        Source.paused_at.is_(None),
                        Source.archived_at.is_(None),
                    )
                    .order_by(Source.workspace_id, Source.id)
                )
                if is_due(source, now)
            ]
        report.sources.extend(self._poll_sources(due, report))
        for workspace_id in workspace_ids:
            self._watch_sources(workspace_id, report)
            self._detect(workspace_id, report)
            self._follow_up(workspace_id, report)
        self._run_escalations()
        with self._sessions() as session:
            delivery = deliver_pending(session, self.clock(), console=self.console)
            session.commit()
            report.deliveries_sent = delivery.sent
        for workspace_id in workspace_ids:
            self._finish_rescoring(workspace_id)
        self.sweep_caches(self.clock(), [context.matcher for _, context in self._contexts.values()])
        return report

    def _poll_sources(self, source_ids: list[int], report: CycleReport) -> list[SourceOutcome]:
        """Fetch concurrently (each fetch with its own deadline), store in this thread.

        Storing stays on one thread so that SQLite never sees two writers; a source whose fetch
        outlives its deadline is reported failing and skipped until its thread comes back.
        """
        polls: dict[Future[FetchResult], _Poll] = {}
        outcomes: list[SourceOutcome] = []
        for source_id in source_ids:
            poll = self._start(source_id)
            if isinstance(poll, SourceOutcome):
                outcomes.append(poll)
            else:
                polls[self._submit(poll)] = poll
        while polls:
            soonest = min(p.deadline for p in polls.values()) + DEADLINE_GRACE_SECONDS
            done, _ = wait(
                polls, timeout=max(0.0, soonest - time.monotonic()), return_when=FIRST_COMPLETED
            )
            for future in done:
                poll = polls.pop(future)
                self._busy.pop(poll.source_id, None)
                if self._finish(poll, future, report):
                    polls[self._submit(poll)] = poll
                else:
                    outcomes.append(poll.outcome)
            for future, poll in list(polls.items()):
                if time.monotonic() > poll.deadline + DEADLINE_GRACE_SECONDS:
                    del polls[future]
                    self._fail(
                        poll,
                        SourceError(
                            f"source {poll.outcome.source!r}: no answer within "
                            f"{self.poll_deadline:.0f} s; the poll is abandoned so the other "
                            "sources are not held, and retried once it returns"
                        ),
                    )
                    outcomes.append(poll.outcome)
        for outcome in outcomes:
            for problem in [*outcome.warnings, *outcome.problems]:
                log.warning("%s/%s: %s", outcome.workspace, outcome.source, problem)
            if outcome.error:
                log.error("%s/%s failed: %s", outcome.workspace, outcome.source, outcome.error)
        return outcomes

    def _start(self, source_id: int) -> _Poll | SourceOutcome:
        with self._sessions() as session:
            source = session.get_one(Source, source_id)
            workspace = session.get_one(Workspace, source.workspace_id)
            outcome = SourceOutcome(workspace.slug, source.key, ok=True)
            poll = _Poll(source_id, workspace.id, outcome, None, source.checkpoint, 0.0, 0.0)
            if source_id in self._busy:
                outcome.ok, outcome.error = False, "still busy with its previous poll"
                return outcome
            try:
                poll.every = SourceConfig(**source.config).every_seconds()
                base_dir = Path(workspace.config.get("base_dir", "."))
                poll.reader = self._reader(session, source, base_dir)
            except Exception as err:  # a bad config or a missing credential: this source only
                self._fail(poll, err)
                return outcome
        return poll

    def _submit(self, poll: _Poll) -> Future[FetchResult]:
        assert poll.reader is not None
        poll.deadline = time.monotonic() + self.poll_deadline
        future = self._pool.submit(
            poll.reader.fetch,
            poll.checkpoint,
            limit=self.batch_size,
            now=self.clock(),
            deadline=poll.deadline,
        )
        self._busy[poll.source_id] = future
        return future

    def _finish(self, poll: _Poll, future: Future[FetchResult], report: CycleReport) -> bool:
        """Store one fetched batch with its checkpoint; True when more is ready at once."""
        try:
            result = future.result()
        except Exception as err:
            self._fail(poll, err)
            return False
        with self._sessions() as session:
            try:
                source = session.get_one(Source, poll.source_id)
                workspace = session.get_one(Workspace, poll.workspace_id)
                context = self._context(session, workspace)
                now = self.clock()
                before = already_stored(session, source.id, result.posts)
                stored = store_batch(session, context, source.id, result.posts, now)
                if result.commit_with is not None:
                    result.commit_with(session, now)
                batch = stored.report
                count_stored_batch(session, source.id, result.posts, before, now)
                problems = [*result.problems, *map(_problem_of, stored.rejected)]
                described = [f"{p.where}: {p.message}" for p in problems]
                record_success(
                    source,
                    now,
                    every=poll.every,
                    stored=batch.stored,
                    posts=result.posts,
                    problems=described,
                    checkpoint=result.checkpoint,
                    quota=result.quota,
                    exhausted=result.exhausted or not result.posts,
                )
                session.commit()  # posts, hourly counts and checkpoint together, or neither
            except Exception as err:
                session.rollback()
                self._fail(poll, err)
                return False
        poll.checkpoint = result.checkpoint
        poll.outcome.problems.extend(described)
        poll.outcome.warnings.extend(f"{w.where}: {w.message}" for w in result.warnings)
        poll.outcome.posts += batch.stored
        report.batch.add(batch)
        if self.on_batch is not None:
            self.on_batch(batch)
        return not (result.exhausted or not result.posts)

    def _fail(self, poll: _Poll, err: BaseException) -> None:
        if isinstance(err, SourceError):
            message = str(err)
        else:  # a bug in one source must not stop the others
            log.error("source %s failed", poll.source_id, exc_info=err)
            message = f"{type(err).__name__}: {err}"
        poll.outcome.ok, poll.outcome.error = False, message
        with self._sessions() as session:
            source = session.get_one(Source, poll.source_id)
            record_failure(
                source,
                self.clock(),
                message,
                every=poll.every,
                retry_at=err.retry_at if isinstance(err, SourceError) else None,
            )
            session.commit()

    def _watch_sources(self, workspace_id: int, report: CycleReport) -> None:
        """Raise (once) or resolve the workspace's source alerts: failing, stale, silent.

        A fault here is logged and skipped: it must not keep detection from running.
        """
        with self._sessions() as session:
            try:
                workspace = session.get_one(Workspace, workspace_id)
                alerts = watch_sources(session, workspace, self.clock())
                session.commit()
            except Exception:
                session.rollback()
                log.exception("source alerts of workspace %s failed", workspace_id)
                return
            report.alerts_raised.extend(a.id for a in alerts)

    def _detect(self, workspace_id: int, report: CycleReport, *, hold: bool = True) -> None:
        """Detect and alert; `hold`: keep the topics' detectors for the next cycle (and save
        them at a cadence), else save them now (a one-off import's process ends after it)."""
        cache = self.detector_states if hold else None
        with self._sessions() as session:
            workspace = session.get_one(Workspace, workspace_id)
            until = session.scalar(
                select(func.max(RawPost.created_at)).where(RawPost.workspace_id == workspace_id)
            )
            if until is None:
                return
            try:
                candidates = run_detection(session, workspace, until, cache)
                # The accurate model's scores, within the workspace's time budget (docs/alerts.md).
                rescore_candidates(session, workspace, candidates)
                alerts = raise_alerts(session, workspace, candidates, self.clock())
                cases = auto_open_cases(session, workspace, alerts)
                session.commit()
            except BaseException:
                # The held detectors ran ahead of what was just rolled back: reload them.
                if cache is not None:
                    cache.clear()
                raise
            report.alerts_raised.extend(a.id for a in alerts)
            report.cases_opened.extend(c.id for c in cases)

    def _follow_up(self, workspace_id: int, report: CycleReport) -> None:
        """The case room's timed work: the follow-up watches of cases after their response (a
        relapse reopens its case with an alert, cases/followup.py) and routing requests left
        unanswered, escalated through on call (cases/routing.py), and so are draft approvals
        (comms/approvals.py); roles filled by the workspace's rules and task reminders
        (cases/roles.py); private contacts whose window is closing
        (comms/contact/service.py). A fault is logged; the next cycle checks
        again."""
        from flarewatch.cases.followup import check_followups
        from flarewatch.cases.roles import apply_rules_all, remind_tasks
        from flarewatch.cases.routing import escalate_unanswered
        from flarewatch.comms.approval_escalation import escalate_overdue
        from flarewatch.comms.contact.service import remind_closing

        with self._sessions() as session:
            try:
                workspace = session.get_one(Workspace, workspace_id)
                reopened = check_followups(session, workspace, self.clock())
                escalate_unanswered(session, workspace, self.clock())
                escalate_overdue(session, workspace, self.clock())  # drafts awaiting approval
                apply_rules_all(session, workspace, self.clock())
                remind_tasks(session, workspace, self.clock())
                remind_closing(session, workspace, self.clock())
                session.commit()
            except Exception:
                session.rollback()
                log.exception("follow-up watches of workspace %s failed", workspace_id)
                return
            report.cases_reopened.extend(c.id for c in reopened)

    def _run_escalations(self) -> None:
        """Queue the deliveries of the escalation rounds now due (oncall/service.py), in one
        transaction with their claim, then the reminders and lapses of acknowledged alerts left
        untouched (oncall/reminders.py), then the daily and weekly digests now due
        (digests/service.py), the stakeholder updates of open cases now due
        (comms/stakeholders/service.py), then the publications now due
        (comms/publishing/sender.py); a fault is logged and the work waits for the next
        cycle."""
        from flarewatch.comms.publishing.sender import publish_due
        from flarewatch.comms.stakeholders.service import run_due_stakeholder_updates
        from flarewatch.digests.service import run_due_digests
        from flarewatch.oncall.reminders import watch_acknowledged
        from flarewatch.oncall.service import run_due_steps

        for step, name in (
            (run_due_steps, "running due escalation steps"),
            (watch_acknowledged, "reminding about acknowledged alerts"),
            (run_due_digests, "sending due digests"),
            (run_due_stakeholder_updates, "sending due stakeholder updates"),
            (publish_due, "publishing due posts"),
        ):
            with self._sessions() as session:
                try:
                    step(session, self.clock())
                    session.commit()
                except Exception:
                    session.rollback()
                    log.exception("%s failed", name)

    def _finish_rescoring(self, workspace_id: int) -> None:
        """The follow-up of alerts whose re-scoring ran out of time: after the deliveries, so
        it never delays a notification. A fault is logged; the next cycle tries again."""
        with self._sessions() as session:
            try:
                workspace = session.get_one(Workspace, workspace_id)
                finish_rescoring(session, workspace, self.clock())
                session.commit()
            except Exception:
                session.rollback()
                log.exception("finishing alert re-scoring of workspace %s failed", workspace_id)

    def ingest_source(self, workspace_id: int, source_id: int) -> IngestOutcome:
        """Read one source to its end, due or not, then detect and alert for its workspace."""
        cycle = CycleReport()
        [outcome] = self._poll_sources([source_id], cycle)
        cycle.sources.append(outcome)
        self._watch_sources(workspace_id, cycle)
        self._detect(workspace_id, cycle, hold=False)
        self._follow_up(workspace_id, cycle)
        with self._sessions() as session:
            cycle.deliveries_sent = deliver_pending(
                session, self.clock(), console=self.console
            ).sent
            session.commit()
        self._finish_rescoring(workspace_id)
        return IngestOutcome(source=outcome, cycle=cycle)

    # -- forever --------------------------------------------------------------------------

    def run_forever(
        self,
        interval: float,
        stop: threading.Event,
        on_cycle: Callable[[CycleReport], None] | None = None,
    ) -> None:
        while not stop.is_set():
            try:
                cycle = self.cycle()
                if on_cycle is not None:
                    on_cycle(cycle)
            except Exception:  # keep watching: one bad cycle must not end monitoring
                log.exception("pipeline cycle failed; retrying in %.0f s", interval)
            stop.wait(interval)
