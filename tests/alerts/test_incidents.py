"""One incident, one alert: topics whose signals rest on the same posts share one alert."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from flarewatch.alerts.incidents import Evidence, matched_share, same_incident
from flarewatch.alerts.models import Alert, AlertDelivery
from flarewatch.alerts.service import acknowledge, list_alerts, raise_alerts, resolve
from flarewatch.db.engine import sessionmaker_for
from flarewatch.detect.types import AlertCandidate
from flarewatch.errors import InvalidTransitionError
from flarewatch.mentions.models import Mention, RawPost
from flarewatch.workspaces.models import Topic, Workspace

from .helpers import T0, candidate, make_posts, make_workspace

ROUTES = [{"url": "json://127.0.0.1:9/everything", "min_severity": "watch", "name": "hook"}]


@pytest.fixture
def db(any_engine: Engine) -> Iterator[Session]:
    with sessionmaker_for(any_engine)() as session:
        yield session


def _evidence(topics: set[int], posts: range | list[int], minutes: int = 0) -> Evidence:
    start = T0 + timedelta(minutes=minutes)
    return Evidence(frozenset(topics), tuple(posts), start, start + timedelta(minutes=60))


# -- the rule, without a database -----------------------------------------------------------


def test_shared_driving_posts_are_one_incident() -> None:
    assert same_incident(_evidence({1}, range(10)), _evidence({2}, range(5, 15)), {})


def test_posts_matched_by_the_other_topic_are_one_incident() -> None:
    # Food-safety posts all name the brand; the brand's surge is partly those posts.
    brand = _evidence({1}, range(0, 10))
    food = _evidence({2}, range(100, 110))
    topics_of = {p: {1, 2} for p in range(100, 110)} | {p: {1, 2} for p in range(0, 3)}
    assert same_incident(brand, food, topics_of)
    assert same_incident(food, brand, topics_of)


def test_a_broad_topic_does_not_swallow_a_narrow_one_it_is_not_made_of() -> None:
    # Every boycott post is a brand post, but none of the brand's driving posts is a boycott one.
    brand = _evidence({1}, range(0, 10))
    boycott = _evidence({3}, range(200, 210))
    topics_of = {p: {1, 3} for p in range(200, 210)}
    assert matched_share(boycott.post_ids, brand.topic_ids, topics_of) == 1.0
    assert not same_incident(brand, boycott, topics_of)


def test_different_posts_or_far_apart_in_time_are_two_incidents() -> None:
    assert not same_incident(_evidence({1}, range(10)), _evidence({2}, range(8, 18)), {})
    assert not same_incident(_evidence({1}, range(10)), _evidence({2}, []), {})
    far = _evidence({2}, range(10), minutes=60 * 3)
    assert not same_incident(_evidence({1}, range(10)), far, {})


# -- the service --------------------------------------------------------------------------


def _topics(db: Session, ws: Workspace, keys: list[str]) -> list[Topic]:
    topics = [Topic(workspace_id=ws.id, key=key, name=key.title(), query=key) for key in keys]
    db.add_all(topics)
    db.flush()
    return topics


def _match(db: Session, posts: list[RawPost], *topics: Topic) -> None:
    for post in posts:
        for topic in topics:
            db.add(
                Mention(
                    workspace_id=post.workspace_id,
                    raw_post_id=post.id,
                    topic_id=topic.id,
                    platform=post.platform,
                    created_at=post.created_at,
                )
            )
    db.flush()


def _candidate(
    ws: Workspace,
    topic: Topic,
    posts: list[RawPost],
    severity: str = "warning",
    *,
    minutes: int = 0,
    risk: float = 60.0,
) -> AlertCandidate:
    return candidate(
        ws,
        severity,
        group_key=f"topic:{topic.id}",
        topic_id=topic.id,
        post_ids=[p.id for p in posts],
        start=T0 + timedelta(minutes=minutes),
        risk=risk,
        explanation=f"{topic.name} at risk {risk:.0f}",
    )


def test_overlapping_candidates_of_three_topics_are_one_alert(db: Session) -> None:
    ws = make_workspace(db, routes=ROUTES)
    brand, food, boycott = _topics(db, ws, ["brand", "food", "boycott"])
    posts = make_posts(db, ws, 30)
    worm, calls = posts[:10], posts[10:20]
    _match(db, posts[:20], brand)
    _match(db, worm, food)
    _match(db, calls, boycott)
    batch = [
        _candidate(ws, food, worm),
        _candidate(ws, boycott, calls, minutes=5),
        # The brand's surge is made of both stories' posts.
        _candidate(ws, brand, worm[:5] + calls[:5], minutes=10),
    ]
    [alert] = raise_alerts(db, ws, batch, T0 + timedelta(minutes=30))
    db.commit()
    assert list_alerts(db, ws.id) == [alert]
    assert sorted(alert.topic_ids) == sorted([brand.id, food.id, boycott.id])
    assert {g.group_key for g in alert.groups} == {f"topic:{t.id}" for t in (brand, food, boycott)}
    assert set(alert.post_ids) == {p.id for p in posts[:20]}

    # Each topic's next candidate finds the one alert instead of opening a sibling.
    later = T0 + timedelta(minutes=40)
    for topic, evidence in ((food, worm), (boycott, calls), (brand, worm)):
        assert raise_alerts(db, ws, [_candidate(ws, topic, evidence, minutes=40)], later) == []
    assert len(list_alerts(db, ws.id)) == 1


def test_non_overlapping_candidates_stay_separate(db: Session) -> None:
    ws = make_workspace(db)
    brand, ceo = _topics(db, ws, ["brand", "ceo"])
    posts = make_posts(db, ws, 20)
    _match(db, posts[:10], brand)
    _match(db, posts[10:], ceo)
    alerts = raise_alerts(
        db,
        ws,
        [_candidate(ws, brand, posts[:10]), _candidate(ws, ceo, posts[10:], minutes=5)],
        T0 + timedelta(minutes=30),
    )
    db.commit()
    assert [a.topic_ids for a in alerts] == [[brand.id], [ceo.id]]


def test_source_alerts_are_never_merged_with_topic_alerts(db: Session) -> None:
    ws = make_workspace(db)
    [brand] = _topics(db, ws, ["brand"])
    posts = make_posts(db, ws, 10)
    _match(db, posts, brand)
    source = candidate(ws, "warning", group_key="source:1:failing", post_ids=[p.id for p in posts])
    source.kind = "source"
    alerts = raise_alerts(db, ws, [_candidate(ws, brand, posts), source], T0)
    assert len(alerts) == 2 and {a.kind for a in alerts} == {"topic", "source"}


def test_escalation_from_a_merged_topic_updates_the_alert_and_opens_no_sibling(
    db: Session,
) -> None:
    ws = make_workspace(db, routes=ROUTES)
    brand, food = _topics(db, ws, ["brand", "food"])
    posts = make_posts(db, ws, 10)
    _match(db, posts, brand, food)
    [alert] = raise_alerts(db, ws, [_candidate(ws, brand, posts)], T0)
    assert raise_alerts(db, ws, [_candidate(ws, food, posts, minutes=2)], T0) == [alert]
    acknowledge(db, alert.id, "dana")
    later = T0 + timedelta(minutes=10)
    crisis = _candidate(ws, food, posts, "crisis", minutes=10, risk=95)
    assert raise_alerts(db, ws, [crisis], later) == [alert]
    db.commit()
    assert (alert.severity, alert.status, alert.risk_score) == ("crisis", "open", 95)
    assert alert.explanation == "Food at risk 95"
    assert len(list_alerts(db, ws.id)) == 1
    deliveries = db.scalars(select(AlertDelivery).where(AlertDelivery.alert_id == alert.id))
    assert [d.severity for d in deliveries if d.status == "pending"] == ["crisis", "crisis"]
    # A calmer side topic does not hide the figures of the hot one...
    calm = _candidate(ws, brand, posts, "watch", minutes=12, risk=20)
    raise_alerts(db, ws, [calm], later)
    # ...but the alert's own topic is how the episode is seen calming down.
    assert alert.severity == "crisis" and alert.risk_score == 20
    side = _candidate(ws, food, posts, "watch", minutes=13, risk=10)
    raise_alerts(db, ws, [side], later)
    assert alert.risk_score == 20 and alert.explanation == "Brand at risk 20"


def test_two_live_alerts_shown_to_be_one_incident_are_folded(db: Session) -> None:
    ws = make_workspace(db, routes=ROUTES)
    brand, food, boycott = _topics(db, ws, ["brand", "food", "boycott"])
    posts = make_posts(db, ws, 20)
    worm, calls = posts[:10], posts[10:]
    _match(db, posts, brand)
    _match(db, worm, food)
    _match(db, calls, boycott)
    # Live, cycle by cycle: two narrow topics fire first and look unrelated...
    [first] = raise_alerts(db, ws, [_candidate(ws, food, worm)], T0)
    acknowledge(db, first.id, "dana")
    [second] = raise_alerts(db, ws, [_candidate(ws, boycott, calls, "crisis", minutes=5)], T0)
    assert first.id != second.id
    # ...until the brand's surge, made of both, shows them to be one incident.
    bridge = _candidate(ws, brand, worm[:5] + calls[:5], minutes=10)
    assert raise_alerts(db, ws, [bridge], T0 + timedelta(minutes=10)) == [first]
    db.commit()
    assert (second.status, second.merged_into_id) == ("merged", first.id)
    assert sorted(first.topic_ids) == sorted([food.id, boycott.id, brand.id])
    # People were paged at crisis through the folded one; dana acknowledged only the warning.
    assert (first.severity, first.status, first.acknowledged_by) == ("crisis", "open", None)
    assert list_alerts(db, ws.id) == [first]
    assert list_alerts(db, ws.id, status="merged") == [second]
    skipped = db.scalars(
        select(AlertDelivery).where(
            AlertDelivery.alert_id == second.id, AlertDelivery.status == "skipped"
        )
    ).all()
    assert skipped and all(f"merged into alert #{first.id}" in d.last_error for d in skipped)
    with pytest.raises(InvalidTransitionError, match=f"merged into alert #{first.id}"):
        resolve(db, second.id, "dana")
    # The folded alert's topic now reaches the surviving alert.
    raise_alerts(db, ws, [_candidate(ws, boycott, calls, minutes=20)], T0)
    assert db.scalar(select(Alert).where(Alert.status == "open")) is first


def test_cool_down_follows_the_merged_alert(db: Session) -> None:
    ws = make_workspace(db)
    brand, food = _topics(db, ws, ["brand", "food"])
    posts = make_posts(db, ws, 10)
    _match(db, posts, brand, food)
    [alert] = raise_alerts(db, ws, [_candidate(ws, brand, posts)], T0)
    raise_alerts(db, ws, [_candidate(ws, food, posts, minutes=1)], T0)
    resolve(db, alert.id, "dana", now=T0 + timedelta(minutes=5))
    soon = T0 + timedelta(minutes=10)
    # The food topic answered for the resolved alert too, so it stays quiet in the cool-down.
    assert raise_alerts(db, ws, [_candidate(ws, food, posts, minutes=10)], soon) == []
