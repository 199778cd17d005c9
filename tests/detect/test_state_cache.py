"""Detector state held in memory between a runner's calls: the same verdicts as reloading it
from the row every call, a row that lags by a bounded number of minutes, and a restart from
the row (as after SIGKILL) that judges the rest exactly as an uninterrupted run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from flarewatch.detect.detector import DetectorConfig, TopicDetector
from flarewatch.detect.models import DetectorState
from flarewatch.detect.runner import TopicRunner
from flarewatch.detect.service import run_detection
from flarewatch.detect.state_cache import PERSIST_EVERY, DetectorStateCache, HeldTopic
from flarewatch.detect.stories import StoryTracker
from flarewatch.detect.synthetic import demo_scenario
from flarewatch.detect.types import AlertCandidate
from flarewatch.mentions.models import Mention
from flarewatch.workspaces.models import Workspace

from .helpers import make_workspace, store_posts

Verdict = tuple[object, ...]


def _verdicts(candidates: list[AlertCandidate]) -> list[Verdict]:
    return [(c.window_end, c.severity, c.risk_score, c.group_key, c.post_ids) for c in candidates]


def _reset(session: Session) -> None:
    session.execute(delete(DetectorState))
    session.execute(update(Mention).values(story_key=None))
    session.expire_all()


def _row_minute(session: Session, topic_id: int) -> datetime | None:
    return session.scalar(
        select(DetectorState.last_minute).where(DetectorState.topic_id == topic_id)
    )


def _steps(start: datetime, minutes: int) -> list[datetime]:
    return [start + timedelta(minutes=m) for m in range(1, minutes + 1)]


def _run(
    session: Session, workspace: Workspace, untils: list[datetime], cache: DetectorStateCache | None
) -> list[Verdict]:
    out: list[Verdict] = []
    for until in untils:
        out.extend(_verdicts(run_detection(session, workspace, until, cache)))
    return out


def test_held_state_judges_exactly_as_reloading_it_and_the_row_lags_a_bounded_time(
    session: Session,
) -> None:
    scenario = demo_scenario(seed=3)
    assert scenario.onset is not None
    workspace, topic, source = make_workspace(session)
    store_posts(session, workspace, topic, source, scenario.posts)
    warmup = scenario.onset - timedelta(minutes=40)
    untils = [warmup, *_steps(warmup, 130)]

    reloaded = _run(session, workspace, untils, None)
    assert reloaded, "the crisis must be found for the comparison to mean anything"
    keys = session.execute(select(Mention.id, Mention.story_key).order_by(Mention.id)).all()

    _reset(session)
    cache = DetectorStateCache()
    held: list[Verdict] = []
    for until in untils:
        held.extend(_verdicts(run_detection(session, workspace, until, cache)))
        row = _row_minute(session, topic.id)
        assert row is not None
        # The row is never more than PERSIST_EVERY behind what was evaluated.
        assert until - timedelta(minutes=1) - row <= PERSIST_EVERY
    assert held == reloaded
    assert session.execute(select(Mention.id, Mention.story_key).order_by(Mention.id)).all() == keys
    assert len(cache) == 1


def test_a_new_runner_resumes_from_the_lagging_row_as_if_never_stopped(session: Session) -> None:
    scenario = demo_scenario(seed=3)
    assert scenario.onset is not None
    workspace, topic, source = make_workspace(session)
    store_posts(session, workspace, topic, source, scenario.posts)
    warmup = scenario.onset - timedelta(minutes=40)
    before, after = [warmup, *_steps(warmup, 47)], _steps(warmup + timedelta(minutes=47), 80)

    _run(session, workspace, before, None)
    expected = _run(session, workspace, after, None)
    assert expected, "the crisis must come after the restart for the test to mean anything"

    _reset(session)
    killed = DetectorStateCache()
    _run(session, workspace, before, killed)
    row = _row_minute(session, topic.id)
    assert row is not None and row < before[-1] - timedelta(minutes=1)  # it did lag
    # SIGKILL: the held detectors are gone; a new runner starts from the row, evaluating the
    # unsaved minutes again on its first call.
    resumed = _run(session, workspace, after, DetectorStateCache())
    replayed = [v for v in resumed if v[0] <= before[-1]]
    assert [v for v in resumed if v[0] > before[-1]] == expected
    assert all(v[1] is not None for v in replayed)


def test_an_entry_is_used_only_while_the_row_and_settings_are_as_it_left_them() -> None:
    t0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    cache = DetectorStateCache(max_topics=2)

    def held(persisted: datetime | None) -> HeldTopic:
        runner = TopicRunner(TopicDetector(DetectorConfig()), StoryTracker())
        return HeldTopic(runner, "balanced", t0 + timedelta(minutes=5), persisted, [])

    cache.put(1, held(t0))
    assert cache.get(1, t0, "balanced") is not None
    assert cache.get(1, t0, "sensitive") is None  # settings changed: rebuilt from the row
    assert cache.get(1, t0, "balanced") is None  # and the stale entry is gone
    cache.put(1, held(t0))
    # Another process (a one-off `flarewatch ingest`) moved the row: the row wins.
    assert cache.get(1, t0 + timedelta(minutes=9), "balanced") is None
    for topic_id in (1, 2, 3):  # bounded: the least recently used goes first
        cache.put(topic_id, held(None))
    assert len(cache) == 2 and cache.get(1, None, "balanced") is None
    assert cache.due(None, t0) and cache.due(t0, t0 + PERSIST_EVERY)
    assert not cache.due(t0, t0 + PERSIST_EVERY - timedelta(minutes=1))
