"""The embedded runtime: every stage in one process, on SQLite or PostgreSQL.

A cycle polls each enabled source until it has nothing more, sends every batch through the
pipeline (committing posts and checkpoint together), then runs detection, raises alerts, opens
cases and delivers notifications. A failing source is recorded on its health and never stops
the others: a broken feed must read as "broken", not as "no crisis".
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from flarewatch.alerts.notify import deliver_pending
from flarewatch.alerts.service import raise_alerts
from flarewatch.cases.service import auto_open_cases
from flarewatch.config.workspace import SourceConfig
from flarewatch.db.engine import sessionmaker_for
from flarewatch.detect.service import run_detection
from flarewatch.mentions.models import RawPost
from flarewatch.mentions.relevance import model_stamp
from flarewatch.pipeline.batch import BatchReport
from flarewatch.pipeline.context import WorkspaceContext, build_context
from flarewatch.pipeline.isolate import RejectedPost, store_batch
from flarewatch.sources.base import Source as SourceReader
from flarewatch.sources.base import SourceError, SourceProblem, build_source
from flarewatch.sources.models import Source
from flarewatch.workspaces.models import Topic, Workspace

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


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
    error: str | None = None


@dataclass(slots=True)
class CycleReport:
    batch: BatchReport = field(default_factory=BatchReport)
    sources: list[SourceOutcome] = field(default_factory=list)
    alerts_raised: list[int] = field(default_factory=list)
    cases_opened: list[int] = field(default_factory=list)
    deliveries_sent: int = 0

    @property
    def failed_sources(self) -> list[SourceOutcome]:
        return [s for s in self.sources if not s.ok]


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
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.console = console
        self.batch_size = batch_size
        self.on_batch = on_batch
        self._sessions = sessionmaker_for(engine)
        self._contexts: dict[int, tuple[object, WorkspaceContext]] = {}
        self._readers: dict[int, tuple[dict[str, object], SourceReader]] = {}

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

    def _reader(self, source: Source, base_dir: Path) -> SourceReader:
        cached = self._readers.get(source.id)
        if cached is None or cached[0] != source.config:
            cached = (dict(source.config), build_source(SourceConfig(**source.config), base_dir))
            self._readers[source.id] = cached
        return cached[1]

    # -- one cycle ------------------------------------------------------------------------

    def cycle(self, workspace_slugs: list[str] | None = None) -> CycleReport:
        report = CycleReport()
        with self._sessions() as session:
            query = select(Workspace).order_by(Workspace.id)
            if workspace_slugs:
                query = query.where(Workspace.slug.in_(workspace_slugs))
            workspace_ids = [w.id for w in session.scalars(query)]
        for workspace_id in workspace_ids:
            self._cycle_workspace(workspace_id, report)
        with self._sessions() as session:
            delivery = deliver_pending(session, self.clock(), console=self.console)
            session.commit()
            report.deliveries_sent = delivery.sent
        return report

    def _cycle_workspace(self, workspace_id: int, report: CycleReport) -> None:
        with self._sessions() as session:
            workspace = session.get(Workspace, workspace_id)
            if workspace is None:
                return
            base_dir = Path(workspace.config.get("base_dir", "."))
            source_ids = list(
                session.scalars(
                    select(Source.id).where(
                        Source.workspace_id == workspace_id, Source.enabled.is_(True)
                    )
                )
            )
        for source_id in source_ids:
            report.sources.append(self._poll_source(workspace_id, source_id, base_dir, report))
        self._detect(workspace_id, report)

    def _poll_source(
        self, workspace_id: int, source_id: int, base_dir: Path, report: CycleReport
    ) -> SourceOutcome:
        with self._sessions() as session:
            workspace = session.get_one(Workspace, workspace_id)
            source = session.get_one(Source, source_id)
            outcome = SourceOutcome(workspace.slug, source.key, ok=True)
            try:
                reader = self._reader(source, base_dir)
                context = self._context(session, workspace)
                while True:
                    now = self.clock()
                    result = reader.fetch(source.checkpoint, limit=self.batch_size, now=now)
                    stored = store_batch(session, context, source.id, result.posts, now)
                    batch = stored.report
                    problems = [*result.problems, *map(_problem_of, stored.rejected)]
                    source.checkpoint = result.checkpoint
                    source.posts_total += batch.stored
                    source.last_polled_at = now
                    source.last_ok_at = now
                    source.consecutive_errors = 0
                    source.last_error = None
                    if problems:
                        outcome.problems.extend(f"{p.where}: {p.message}" for p in problems)
                        source.last_error = (
                            f"{len(problems)} record(s) skipped; first: " + outcome.problems[0]
                        )
                    session.commit()  # posts and checkpoint together, or neither
                    report.batch.add(batch)
                    outcome.posts += batch.stored
                    if self.on_batch is not None:
                        self.on_batch(batch)
                    if result.exhausted or not result.posts:
                        break
            except SourceError as err:
                session.rollback()
                outcome.ok, outcome.error = False, str(err)
                self._record_failure(session, source_id, str(err))
            except Exception as err:  # a bug in one source must not stop the others
                log.exception("source %s failed", source_id)
                session.rollback()
                outcome.ok, outcome.error = False, f"{type(err).__name__}: {err}"
                self._record_failure(session, source_id, outcome.error)
        for problem in outcome.problems:
            log.warning("%s/%s: %s", outcome.workspace, outcome.source, problem)
        if outcome.error:
            log.error("%s/%s failed: %s", outcome.workspace, outcome.source, outcome.error)
        return outcome

    def _record_failure(self, session: Session, source_id: int, message: str) -> None:
        source = session.get_one(Source, source_id)
        source.last_polled_at = self.clock()
        source.last_error = message
        source.consecutive_errors += 1
        session.commit()

    def _detect(self, workspace_id: int, report: CycleReport) -> None:
        with self._sessions() as session:
            workspace = session.get_one(Workspace, workspace_id)
            until = session.scalar(
                select(func.max(RawPost.created_at)).where(RawPost.workspace_id == workspace_id)
            )
            if until is None:
                return
            candidates = run_detection(session, workspace, until)
            alerts = raise_alerts(session, workspace, candidates, self.clock())
            cases = auto_open_cases(session, workspace, alerts)
            session.commit()
            report.alerts_raised.extend(a.id for a in alerts)
            report.cases_opened.extend(c.id for c in cases)

    def ingest_source(self, workspace_id: int, source_id: int) -> IngestOutcome:
        """Read one source to its end, then run detection and alerting for its workspace."""
        cycle = CycleReport()
        with self._sessions() as session:
            workspace = session.get_one(Workspace, workspace_id)
            base_dir = Path(workspace.config.get("base_dir", "."))
        outcome = self._poll_source(workspace_id, source_id, base_dir, cycle)
        cycle.sources.append(outcome)
        self._detect(workspace_id, cycle)
        with self._sessions() as session:
            cycle.deliveries_sent = deliver_pending(
                session, self.clock(), console=self.console
            ).sent
            session.commit()
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
