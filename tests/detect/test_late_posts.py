"""Late posts (a backfill, a slow source) are scored into the minutes they belong to."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from flarewatch.alerts.models import Alert
from flarewatch.alerts.service import raise_alerts
from flarewatch.db.engine import create_db_engine, sessionmaker_for
from flarewatch.db.migrate import upgrade
from flarewatch.detect.late import CHECKPOINT_MINUTES, LATE_MINUTES, checkpoint_minute
from flarewatch.detect.models import DetectorState
from flarewatch.detect.runner import PostRow
from flarewatch.detect.service import run_detection
from flarewatch.detect.synthetic import demo_scenario
from flarewatch.detect.types import AlertCandidate
from flarewatch.mentions.models import Mention

from .helpers import make_workspace, store_posts

LATE_SPAN = timedelta(minutes=30)


@pytest.fixture
def other_session(tmp_path: Path) -> Iterator[Session]:
    """A second, independent database: the run where every post came on time."""
    engine = create_db_engine(f"sqlite:///{tmp_path / 'reference.db'}")
    upgrade(engine)
    with sessionmaker_for(engine)() as session:
        yield session
    engine.dispose()


def _scenario() -> tuple[list[PostRow], datetime]:
    scenario = demo_scenario(seed=3)
    assert scenario.onset is not None
    return scenario.posts, scenario.onset


def _verdicts(candidates: list[AlertCandidate]) -> list[tuple[object, ...]]:
    return [
        (c.severity, c.window_start, c.window_end, c.risk_score, c.explanation, c.group_key)
        for c in candidates
    ]


def _state(session: Session) -> DetectorState:
    state = session.scalar(select(DetectorState))
    assert state is not None
    return state


def test_a_backfill_is_judged_exactly_as_if_it_had_come_on_time(
    session: Session, other_session: Session
) -> None:
    posts, onset = _scenario()
    early = [p for p in posts if p.created_at < onset]
    burst = [p for p in posts if onset <= p.created_at < onset + LATE_SPAN]
    assert len(burst) >= 10
    until = onset + LATE_SPAN

    # On time: the burst is stored before detection reaches its minutes.
    workspace, topic, source = make_workspace(other_session)
    store_posts(other_session, workspace, topic, source, early)
    assert run_detection(other_session, workspace, onset) == []
    store_posts(other_session, workspace, topic, source, burst)
    on_time = run_detection(other_session, workspace, until)
    assert on_time, "the burst alone is an alert"

    # Late: detection evaluates those minutes empty first; then the burst is backfilled.
    workspace, topic, source = make_workspace(session)
    store_posts(session, workspace, topic, source, early)
    assert run_detection(session, workspace, onset) == []
    quiet = run_detection(session, workspace, until)
    assert quiet == []  # nothing was there yet
    store_posts(session, workspace, topic, source, burst)
    late = run_detection(session, workspace, until)

    assert _verdicts(late) == _verdicts(on_time)
    assert _state(session).last_minute == _state(other_session).last_minute
    unseen = session.scalar(
        select(func.count()).select_from(Mention).where(Mention.story_key.is_(None))
    )
    assert unseen == 0  # every backfilled post was clustered into a story
    # Nothing new, nothing replayed: the next call is quiet and cheap.
    assert run_detection(session, workspace, until) == []


def test_late_posts_in_an_alerted_episode_update_it_and_never_open_a_second_alert(
    session: Session,
) -> None:
    posts, onset = _scenario()
    held_back = {
        id(p)
        for p in posts
        if onset + timedelta(minutes=15) <= p.created_at < onset + timedelta(minutes=25)
    }
    until = onset + timedelta(minutes=45)
    workspace, topic, source = make_workspace(session)
    store_posts(session, workspace, topic, source, [p for p in posts if id(p) not in held_back])
    run_detection(session, workspace, onset)
    first = run_detection(session, workspace, until)
    raise_alerts(session, workspace, first, until)
    alerts_before = session.scalars(select(Alert)).all()
    assert len(alerts_before) == 1

    store_posts(session, workspace, topic, source, [p for p in posts if id(p) in held_back])
    replayed = run_detection(session, workspace, until)
    assert replayed, "the replayed minutes are judged again"
    raise_alerts(session, workspace, replayed, until)
    alerts_after = session.scalars(select(Alert)).all()
    assert [a.id for a in alerts_after] == [a.id for a in alerts_before]


def test_replay_reaches_back_a_bounded_time_and_keeps_few_checkpoints(session: Session) -> None:
    posts, onset = _scenario()
    workspace, topic, source = make_workspace(session)
    store_posts(session, workspace, topic, source, [p for p in posts if p.created_at < onset])
    run_detection(session, workspace, onset)
    t = onset
    for _ in range(30):  # five hours of calls, one every ten minutes
        t += timedelta(minutes=10)
        run_detection(session, workspace, t)
    state = _state(session)
    assert state.rewind and len(state.rewind) <= LATE_MINUTES // CHECKPOINT_MINUTES + 2
    oldest = checkpoint_minute(state.rewind[0])
    assert state.last_minute is not None
    assert state.last_minute - oldest >= timedelta(minutes=LATE_MINUTES)

    # A post older than the oldest checkpoint is stored and counted, but out of reach; one
    # after it is scored into its minute.
    def late_post(post_id: int, at: datetime) -> PostRow:
        return PostRow(post_id, at, "BurgerBar worm", "twitter", author="slow", negative=True)

    out_of_reach = late_post(10_000_000, oldest - timedelta(minutes=5))
    in_reach = late_post(10_000_001, oldest + timedelta(minutes=5))
    ids = store_posts(session, workspace, topic, source, [out_of_reach, in_reach])
    run_detection(session, workspace, t)
    keys = dict(
        session.execute(
            select(Mention.raw_post_id, Mention.story_key).where(
                Mention.raw_post_id.in_(list(ids.values()))
            )
        ).all()
    )
    assert keys[ids[in_reach.post_id]] is not None
    assert keys[ids[out_of_reach.post_id]] is None


def test_a_backfill_is_replayed_on_each_database(any_engine: Engine) -> None:
    posts, onset = _scenario()
    until = onset + LATE_SPAN
    with sessionmaker_for(any_engine)() as session:
        workspace, topic, source = make_workspace(session)
        store_posts(session, workspace, topic, source, [p for p in posts if p.created_at < onset])
        run_detection(session, workspace, onset)
        assert run_detection(session, workspace, until) == []
        session.commit()
        burst = [p for p in posts if onset <= p.created_at < until]
        store_posts(session, workspace, topic, source, burst)
        session.commit()
        assert run_detection(session, workspace, until), "the backfilled burst is judged"
        session.commit()
        unseen = session.scalar(
            select(func.count()).select_from(Mention).where(Mention.story_key.is_(None))
        )
        assert unseen == 0
