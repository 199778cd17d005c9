"""Posts stored per source per UTC hour (`source_hour_count`): what "usual" means for silence.

The runner adds a batch's counts in the transaction that stores its posts, so the counts and
the posts are committed together: a restart neither loses nor counts a batch twice. A post is
counted in the hour it was published (the platform's rhythm, not the poll's), a post dated in
the future in the current hour.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from flarewatch.mentions.models import RawPost
from flarewatch.mentions.post import Post
from flarewatch.pipeline.store import existing_external_ids
from flarewatch.sources.models import SourceHourCount

HOUR = timedelta(hours=1)
# Silence compares an hour with the same hour of the previous 4 weeks; rows older than that
# (plus the week in progress) are deleted as new ones are written, so the table stays bounded:
# at most 5 × 168 rows per source.
HISTORY_WEEKS = 4
KEPT = timedelta(weeks=HISTORY_WEEKS + 1)
ID_CHUNK = 500  # external ids per IN (…) query: well under every database's parameter limit


def hour_of(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def hour_buckets(published: Iterable[datetime], now: datetime) -> dict[datetime, int]:
    """How many of the posts fall in each UTC hour (a future date counts in now's hour)."""
    return dict(Counter(hour_of(min(moment, now)) for moment in published))


def add_hour_counts(session: Session, source_id: int, buckets: Mapping[datetime, int]) -> None:
    """Add `buckets` to the source's hourly counts (insert or add, atomically on both databases).

    ON CONFLICT … DO UPDATE adds to the stored row in one statement, so two writers (the
    pipeline and `flarewatch sources run`) never overwrite each other's counts.
    """
    rows = [
        {"source_id": source_id, "hour": hour, "posts": posts}
        for hour, posts in sorted(buckets.items())
        if posts
    ]
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(SourceHourCount).values(rows)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["source_id", "hour"],
            set_={"posts": SourceHourCount.posts + statement.excluded.posts},
        )
    )


def already_stored(session: Session, source_id: int, posts: Sequence[Post]) -> set[str]:
    """The batch's external ids the source had stored before (read before storing the batch)."""
    return existing_external_ids(session, source_id, posts)


def count_stored_batch(
    session: Session, source_id: int, posts: Sequence[Post], before: set[str], now: datetime
) -> None:
    """Count what storing `posts` added: their rows that were not there `before`.

    Read back by (source, external id), the unique key, so a post refused for its data, a
    repeat already stored or a second copy in the batch is never counted.
    """
    new_ids = sorted({p.external_id for p in posts} - before)
    published: list[datetime] = []
    for start in range(0, len(new_ids), ID_CHUNK):
        published.extend(
            session.scalars(
                select(RawPost.created_at).where(
                    RawPost.source_id == source_id,
                    RawPost.external_id.in_(new_ids[start : start + ID_CHUNK]),
                )
            )
        )
    oldest_kept = hour_of(now) - KEPT
    buckets = hour_buckets(published, now)
    add_hour_counts(session, source_id, {h: n for h, n in buckets.items() if h >= oldest_kept})
    session.execute(
        delete(SourceHourCount).where(
            SourceHourCount.source_id == source_id, SourceHourCount.hour < oldest_kept
        )
    )


def counts_at(
    session: Session, source_ids: Iterable[int], hours: Iterable[datetime]
) -> dict[tuple[int, datetime], int]:
    """Stored counts for every (source, hour) asked for; an hour without a row is absent."""
    ids, wanted = list(source_ids), sorted(set(hours))
    if not ids or not wanted:
        return {}
    rows = session.execute(
        select(SourceHourCount.source_id, SourceHourCount.hour, SourceHourCount.posts).where(
            SourceHourCount.source_id.in_(ids), SourceHourCount.hour.in_(wanted)
        )
    )
    return {(source_id, hour): posts for source_id, hour, posts in rows}


def first_counted_hours(session: Session, source_ids: Iterable[int]) -> dict[int, datetime]:
    """Each source's earliest counted hour: where its history starts when it predates the row."""
    ids = list(source_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(SourceHourCount.source_id, func.min(SourceHourCount.hour))
        .where(SourceHourCount.source_id.in_(ids))
        .group_by(SourceHourCount.source_id)
    )
    return {source_id: hour for source_id, hour in rows if hour is not None}
