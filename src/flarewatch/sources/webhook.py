"""Kind "webhook": posts that another system pushes to `POST /hooks/{workspace}/{key}`.

The web app stores each signed body in the inbox (`webhook_inbox.py`) before answering 2xx and
does nothing else; this kind reads the pending bodies on the runner's cycle and turns their
records into posts. Which deliveries a batch finished is marked in the very transaction that
stores the batch's posts and checkpoint (`FetchResult.commit_with`), and the checkpoint only
says how far into a delivery a batch stopped, so a runner killed at any point neither loses
nor doubles a post.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import Field
from sqlalchemy.orm import Session

from flarewatch.mentions.post import Post
from flarewatch.sources.base import FetchResult, SourceError, SourceProblem
from flarewatch.sources.date_columns import date_column_warning, unused_date_column
from flarewatch.sources.ingest import RecordError, post_from_record
from flarewatch.sources.options import KindOptions
from flarewatch.sources.webhook_inbox import (
    BodyEntry,
    HookError,
    Sessions,
    body_records,
    delivery_body,
    mark_processed,
    pending_deliveries,
)

if TYPE_CHECKING:
    from flarewatch.config.workspace import SourceConfig
    from flarewatch.sources.secrets import Secrets

# A batch also ends after this many deliveries (each may hold no good record), which bounds
# the list of deliveries marked with it.
MAX_DELIVERIES_PER_BATCH = 1000
MAX_PROBLEMS_PER_BATCH = 100


class WebhookOptions(KindOptions):
    # The variable holding the HMAC secret the sender signs bodies with (environment, or the
    # workspace's stored credentials).
    secret_env: str = Field(min_length=1, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class Inbox:
    """Where a webhook source's deliveries are: the database and the source's row."""

    sessions: Sessions
    source_id: int


class WebhookSource:
    kind = "webhook"
    Options = WebhookOptions
    # Every runner cycle: reading the inbox is one indexed query, and a delivery waits at most
    # one cycle (FLAREWATCH_POLL_INTERVAL_SECONDS) before it is in the pipeline.
    default_every = "0"
    reads_inbox = True

    def __init__(self, key: str, inbox: Inbox | None, *, platform: str | None = None) -> None:
        self.key = key
        self.inbox = inbox
        self.platform = platform or "webhook"
        # The entries of the delivery the last batch stopped inside: the next batch goes on
        # from there without loading and parsing a large body again (the runner keeps this
        # reader between polls, and never runs two polls of one source at once).
        self._stopped_inside: tuple[int, list[BodyEntry]] | None = None

    @classmethod
    def from_config(
        cls,
        config: SourceConfig,
        base_dir: Path,
        secrets: Secrets,
        *,
        inbox: Inbox | None = None,
    ) -> WebhookSource:
        config.options()  # a bad secret_env fails when the workspace loads
        return cls(config.key, inbox, platform=config.platform)

    def fetch(
        self,
        checkpoint: dict[str, Any] | None,
        *,
        limit: int = 1000,
        now: datetime | None = None,
        deadline: float | None = None,
    ) -> FetchResult:
        if self.inbox is None:
            raise SourceError(
                f"source {self.key!r}: a webhook source reads the deliveries stored in the "
                "database; run it from a workspace in the database (flarewatch sources test "
                "KEY --workspace SLUG, or the runner), not from a workspace file"
            )
        state = dict(checkpoint or {})
        partial_id = state.get("delivery")
        skip = int(state.get("record", 0)) if isinstance(partial_id, int) else 0
        posts: list[Post] = []
        problems: list[SourceProblem] = []
        warnings: list[SourceProblem] = []
        finished: list[int] = []
        stopped: dict[str, Any] = {}
        with self.inbox.sessions() as session:
            for delivery in pending_deliveries(session, self.inbox.source_id, first=partial_id):
                start = skip if delivery.id == partial_id else 0
                entries = self._entries_of(session, delivery.id, delivery.content_type)
                if start == 0:  # once per delivery, when its reading starts
                    warnings.extend(_date_warnings(delivery.id, entries))
                taken = self._read(delivery.id, entries, start, limit - len(posts), posts, problems)
                if start + taken < len(entries):
                    stopped = {"delivery": delivery.id, "record": start + taken}
                    self._stopped_inside = (delivery.id, entries)
                    break
                finished.append(delivery.id)
                if len(finished) >= MAX_DELIVERIES_PER_BATCH or len(posts) >= limit:
                    break
        if not stopped:
            self._stopped_inside = None
        more = bool(stopped) or len(finished) >= MAX_DELIVERIES_PER_BATCH or len(posts) >= limit
        return FetchResult(
            posts=posts,
            checkpoint=stopped,
            problems=problems,
            exhausted=not more,
            commit_with=_marker(finished) if finished else None,
            warnings=warnings,
        )

    def _entries_of(self, session: Session, delivery_id: int, content_type: str) -> list[BodyEntry]:
        """The entries of a stored body, in body order."""
        if self._stopped_inside is not None and self._stopped_inside[0] == delivery_id:
            return self._stopped_inside[1]
        body = delivery_body(session, delivery_id)
        try:
            return body_records(body, content_type).entries
        except HookError as err:  # checked at receipt; only a hand-edited row gets here
            return [BodyEntry(None, None, None, str(err))]

    def _read(
        self,
        delivery_id: int,
        entries: list[BodyEntry],
        start: int,
        room: int,
        posts: list[Post],
        problems: list[SourceProblem],
    ) -> int:
        """Reads entries from `start` until `room` posts were taken; how many entries it used."""
        used = 0
        taken = 0
        for entry in entries[start:]:
            if taken >= room or len(problems) >= MAX_PROBLEMS_PER_BATCH:
                break
            used += 1
            where = _where(delivery_id, entry)
            if entry.record is None:
                problems.append(SourceProblem(where, f"{entry.problem}; this record is skipped"))
                continue
            try:
                post = post_from_record(
                    entry.record, default_platform=self.platform, source_key=self.key
                )
            except RecordError as err:
                problems.append(SourceProblem(where, f"{err}; this record is skipped"))
                continue
            post.where = where
            posts.append(post)
            taken += 1
        return used


def _where(delivery_id: int, entry: BodyEntry) -> str:
    return f"webhook delivery {delivery_id} {entry.where}"


def _date_warnings(delivery_id: int, entries: list[BodyEntry]) -> list[SourceProblem]:
    for entry in entries:
        column = unused_date_column(entry.record) if entry.record is not None else None
        if column is not None:
            return [SourceProblem(_where(delivery_id, entry), date_column_warning(column))]
    return []


def _marker(delivery_ids: list[int]) -> Callable[[Session, datetime], None]:
    """What the runner runs in the batch's transaction: the finished deliveries marked read."""

    def mark(session: Session, now: datetime) -> None:
        mark_processed(session, delivery_ids, now.astimezone(UTC))

    return mark
