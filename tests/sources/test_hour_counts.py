"""The hourly-count upsert adds (never overwrites) on SQLite and PostgreSQL, and health reads it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select

from flarewatch.db.engine import session_scope
from flarewatch.sources.health import judged_hour, workspace_health
from flarewatch.sources.hour_counts import add_hour_counts
from flarewatch.sources.models import Source, SourceHourCount
from flarewatch.workspaces.models import Workspace

NOW = datetime(2026, 3, 9, 14, 20, tzinfo=UTC)
WEEK = timedelta(weeks=1)


def _source(engine: Engine) -> tuple[int, int]:
    with session_scope(engine) as session:
        workspace = Workspace(slug="acme", name="Acme", timezone="UTC", languages=["en"])
        session.add(workspace)
        session.flush()
        source = Source(
            workspace_id=workspace.id,
            key="feed",
            kind="rss",
            config={"key": "feed", "kind": "rss", "url": "https://x.test/f", "every": "10m"},
            created_at=NOW - 6 * WEEK,
            last_ok_at=NOW,
        )
        session.add(source)
        session.flush()
        return workspace.id, source.id


def test_upsert_adds_to_the_stored_hour(any_engine: Engine) -> None:
    _, source_id = _source(any_engine)
    ten, eleven = datetime(2026, 3, 9, 10, tzinfo=UTC), datetime(2026, 3, 9, 11, tzinfo=UTC)
    with session_scope(any_engine) as session:
        add_hour_counts(session, source_id, {ten: 3, eleven: 1})
    with session_scope(any_engine) as session:
        add_hour_counts(session, source_id, {ten: 2, eleven: 0})
        add_hour_counts(session, source_id, {})
    with session_scope(any_engine) as session:
        rows = session.execute(select(SourceHourCount.hour, SourceHourCount.posts)).all()
    assert sorted((hour, posts) for hour, posts in rows) == [(ten, 5), (eleven, 1)]


def test_health_reads_the_counts_and_calls_a_quiet_hour_silent(any_engine: Engine) -> None:
    workspace_id, source_id = _source(any_engine)
    hour = judged_hour(NOW)
    with session_scope(any_engine) as session:
        add_hour_counts(session, source_id, {hour - w * WEEK: 30 for w in range(1, 5)})
        add_hour_counts(session, source_id, {hour: 2})
    with session_scope(any_engine) as session:
        [health] = workspace_health(session, workspace_id, NOW)
    assert (health.state, health.since) == ("silent", hour)
    assert (health.rate.seen, health.rate.usual, health.rate.history_weeks) == (2, 30.0, 4)
    with session_scope(any_engine) as session:
        add_hour_counts(session, source_id, {hour: 20})  # late posts of that hour arrive
    with session_scope(any_engine) as session:
        [health] = workspace_health(session, workspace_id, NOW)
    assert health.state == "ok" and health.rate.seen == 22
