"""The store-time safety net: a batch the database refuses for one record's data still stores
every other record, and the refused ones are reported, each on its own.

The readers already refuse what is known not to store (sources/ingest.py); this catches what
they did not foresee. Only *data* errors are isolated (the database or its driver refusing a
value); anything else (a lost connection, a missing model, a bug) still fails the whole batch,
so the source is marked failing and the batch is retried at the next poll with nothing lost.

It never uses savepoints: pysqlite's SAVEPOINT handling can commit the outer transaction, which
would split the posts from their checkpoint. Instead it probes halves of the batch, rolling each
probe back, until every failing record is alone, then stores the rest once for real. Each probe
shrinks, so it ends; a batch with k bad records costs about 2 · log2(n) · k extra passes.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import DataError, StatementError
from sqlalchemy.orm import Session

from flarewatch.mentions.post import Post
from flarewatch.pipeline.batch import BatchReport, process_batch
from flarewatch.pipeline.context import WorkspaceContext

log = logging.getLogger(__name__)

# Python-side errors that come from a value, not from the program or the environment: the
# driver cannot encode a string (lone surrogate), an integer does not fit its column, a stage
# meets a value it cannot handle.
VALUE_ERRORS = (UnicodeError, OverflowError, ValueError, RecursionError)


@dataclass(slots=True)
class RejectedPost:
    post: Post
    reason: str  # what the database or the stage said, on one line


@dataclass(slots=True)
class StoredBatch:
    report: BatchReport
    rejected: list[RejectedPost] = field(default_factory=list)


def is_record_error(err: BaseException) -> bool:
    """Whether `err` says a stored value was refused (so another record would have passed)."""
    if isinstance(err, DataError):
        return True
    if isinstance(err, StatementError):
        return isinstance(err.orig, VALUE_ERRORS)
    return isinstance(err, VALUE_ERRORS)


def describe(err: BaseException) -> str:
    """The cause in one line, without SQL or parameters (which may be megabytes of text)."""
    cause = err.orig if isinstance(err, StatementError) and err.orig is not None else err
    first_line = (str(cause).strip().splitlines() or [""])[0]
    return f"{type(cause).__name__}: {first_line[:300]}"


def store_batch(
    session: Session,
    context: WorkspaceContext,
    source_id: int,
    posts: Sequence[Post],
    now: datetime,
) -> StoredBatch:
    """`process_batch`, except that records refused for their data are left out and returned.

    The caller still owns the transaction and commits the result with the checkpoint.
    """
    try:
        return StoredBatch(process_batch(session, context, source_id, posts, now))
    except Exception as err:
        if not is_record_error(err):
            raise
        log.warning("batch of %d refused (%s); isolating the bad records", len(posts), err)
        session.rollback()
    rejected = _find_rejected(session, context, source_id, list(posts), now)
    refused = {id(r.post) for r in rejected}
    good = [post for post in posts if id(post) not in refused]
    # Should the rest still fail (a failure only two records together cause), this raises and
    # the whole batch is retried at the next poll: nothing is lost, nothing half-stored.
    return StoredBatch(process_batch(session, context, source_id, good, now), rejected)


def _find_rejected(
    session: Session,
    context: WorkspaceContext,
    source_id: int,
    posts: list[Post],
    now: datetime,
) -> list[RejectedPost]:
    rejected: list[RejectedPost] = []
    pending = [posts]
    while pending:
        chunk = pending.pop()
        try:
            process_batch(session, context, source_id, chunk, now)
        except Exception as err:
            session.rollback()
            if not is_record_error(err):
                raise
            if len(chunk) == 1:
                rejected.append(RejectedPost(chunk[0], describe(err)))
            else:
                middle = len(chunk) // 2
                pending.extend([chunk[middle:], chunk[:middle]])  # the first half next
            continue
        session.rollback()  # only a probe: the good records are stored together afterwards
    return rejected
