"""Chart series: posts counted once, and the usual range is the one before a surge."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from flarewatch.db.engine import create_db_engine, sessionmaker_for
from flarewatch.db.migrate import upgrade
from flarewatch.mentions.models import Mention
from flarewatch.mentions.volume import baseline_band, post_series
from tests.alerts.helpers import T0, make_posts, make_topic, make_workspace


def test_the_band_stays_at_the_level_before_a_spike() -> None:
    calm = [10, 12, 9, 11, 10, 12, 11, 9, 10, 11]
    spike = [60, 90, 120, 150]
    low, high = baseline_band(calm + spike)
    before = high[len(calm)]
    assert before is not None and before < 20
    # The surge does not lift the usual range: every spike interval is compared with the calm.
    assert high[len(calm) :] == [before] * len(spike)
    assert low[len(calm) :] == [low[len(calm)]] * len(spike)


def test_a_trailing_window_band_would_climb_but_this_one_adapts_to_a_new_calm_level() -> None:
    # A lasting, modest rise within the usual range's reach is learnt, not treated as a spike.
    counts = [10, 11, 10, 12, 11, 10, 12, 13, 14, 13, 14, 15, 14, 15]
    _, high = baseline_band(counts)
    assert high[-1] is not None and high[3] is not None and high[-1] > high[3]


def test_no_band_until_three_usual_intervals_and_a_floor_for_tiny_counts() -> None:
    low, high = baseline_band([0, 0, 0, 0, 1])
    assert high[:3] == [None, None, None]
    assert high[3] == 1.0 and low[3] == 0.0
    # One post after three quiet intervals is within the floor: still usual, and learnt.
    assert high[4] is not None


def test_post_series_counts_a_two_topic_post_once(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = create_db_engine(f"sqlite:///{tmp_path / 'v.db'}")
    upgrade(engine)
    with sessionmaker_for(engine)() as session:
        session: Session
        ws = make_workspace(session)
        brand, food = make_topic(session, ws), make_topic(session, ws, "food")
        posts = make_posts(session, ws, 3)
        for post in posts:
            for topic in (brand, food) if post is posts[0] else (brand,):
                session.add(
                    Mention(
                        workspace_id=ws.id,
                        raw_post_id=post.id,
                        topic_id=topic.id,
                        platform=post.platform,
                        created_at=post.created_at,
                        sentiment="negative",
                    )
                )
        session.flush()
        series = post_series(session, ws.id, T0, timedelta(minutes=1), 3)
        assert series.posts == 3 and series.volume == [1, 1, 1]
        assert series.sentiment["negative"] == [1, 1, 1]
        assert series.platforms["twitter"] == 3
        # Share of voice compares topics: the two-topic post counts for each.
        assert series.topic_posts == {brand.id: 3, food.id: 1}
        only_food = post_series(session, ws.id, T0, timedelta(minutes=1), 3, topic_id=food.id)
        assert only_food.posts == 1 and only_food.volume == [1, 0, 0]
    engine.dispose()
