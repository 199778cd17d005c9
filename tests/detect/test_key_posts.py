"""Key posts: relevant, distinct (copies folded, counted), negative and far-reaching first."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from flarewatch.alerts.key_posts import key_posts
from flarewatch.alerts.message import PostLink, render_message
from flarewatch.alerts.service import raise_alerts
from flarewatch.detect.runner import PostRow, _Recent, rank_key_posts
from flarewatch.detect.service import run_detection
from flarewatch.detect.synthetic import demo_scenario
from flarewatch.mentions.models import Mention, RawPost

from .helpers import make_workspace, store_posts

COPY_TEXT = "BurgerBar served a worm, boycott them now"
FIRST_COPY = 9_000_001
PRAISE = 9_100_001
IRRELEVANT = 9_200_001


def _recent(post_id: int, **fields: object) -> _Recent:
    base = {"minute": None, "negative": False, "reach": 0.0, "story_key": ""}
    return _Recent(post_id=post_id, **{**base, **fields})  # type: ignore[arg-type]


def test_ranking_folds_copies_drops_praise_and_puts_negative_reach_first() -> None:
    from datetime import UTC, datetime

    t = datetime(2026, 3, 1, 12, tzinfo=UTC)
    posts = [
        _recent(1, minute=t, negative=False, reach=9_000.0),  # neutral, far-reaching
        _recent(2, minute=t, negative=True, reach=10.0, sentiment_score=-0.9),
        _recent(3, minute=t, negative=True, reach=500.0, sentiment_score=-0.4),
        _recent(4, minute=t, positive=True, reach=1_000_000.0),  # praise: never a key post
        # a copy-paste campaign: three small copies that reach further together
        _recent(5, minute=t, negative=True, reach=300.0, cluster="orig"),
        _recent(6, minute=t + timedelta(minutes=1), negative=True, reach=300.0, cluster="orig"),
        _recent(7, minute=t + timedelta(minutes=2), negative=True, reach=300.0, cluster="orig"),
    ]
    ranked = [p.post_id for p in rank_key_posts(posts)]
    assert ranked == [5, 3, 2, 1]


def _scenario_with_copies_praise_and_noise() -> tuple[list[PostRow], object]:
    scenario = demo_scenario(seed=3)
    onset = scenario.onset
    assert onset is not None
    extra = [
        PostRow(
            post_id=FIRST_COPY + i,
            created_at=onset + timedelta(minutes=20, seconds=20 * i),
            text=COPY_TEXT,
            platform="twitter",
            author=f"copier{i}",
            followers=400,
            negative=True,
            reach=400.0,
            sentiment_score=-0.8,
            cluster=str(FIRST_COPY),
        )
        for i in range(12)
    ]
    extra += [
        PostRow(
            post_id=PRAISE + i,
            created_at=onset + timedelta(minutes=25, seconds=30 * i),
            text="BurgerBar fries are the best, love it",
            platform="instagram",
            author=f"fan{i}",
            followers=2_000_000,
            positive=True,
            reach=2_000_000.0,
            sentiment_score=0.9,
        )
        for i in range(5)
    ]
    extra.append(
        PostRow(
            post_id=IRRELEVANT,
            created_at=onset + timedelta(minutes=26),
            text="burgerbar street sign worm boycott disgusting",
            platform="twitter",
            author="offtopic",
            negative=True,
            reach=5_000_000.0,
            sentiment_score=-1.0,
        )
    )
    return scenario.posts + extra, onset


def test_alert_key_posts_are_distinct_relevant_and_say_who_how_far_and_how_many(
    session: Session,
) -> None:
    posts, onset = _scenario_with_copies_praise_and_noise()
    workspace, topic, source = make_workspace(session)
    ids = store_posts(session, workspace, topic, source, posts)
    # A person marked one loud post "not relevant": it is no key post, whatever its reach.
    session.execute(
        update(Mention).where(Mention.raw_post_id == ids[IRRELEVANT]).values(relevant=False)
    )
    run_detection(session, workspace, onset)  # type: ignore[arg-type]
    candidates = run_detection(session, workspace, onset + timedelta(minutes=40))  # type: ignore[operator]
    assert candidates
    crisis = candidates[-1]
    copies = {ids[FIRST_COPY + i] for i in range(12)}
    praise = {ids[PRAISE + i] for i in range(5)}
    assert not praise & set(crisis.post_ids)
    assert ids[IRRELEVANT] not in crisis.post_ids
    assert set(crisis.post_ids) & copies == {ids[FIRST_COPY]}  # one post for the campaign
    assert len(set(crisis.post_ids)) == len(crisis.post_ids)
    sentiments = dict(
        session.execute(
            select(Mention.raw_post_id, Mention.sentiment).where(
                Mention.raw_post_id.in_(crisis.post_ids)
            )
        ).all()
    )
    ranks = [sentiments[i] != "negative" for i in crisis.post_ids]
    assert ranks == sorted(ranks), "negative posts come first"

    alert = raise_alerts(session, workspace, [crisis], crisis.window_end)[0]
    shown = key_posts(session, alert, limit=10)
    campaign = next(k for k in shown if k.post.id == ids[FIRST_COPY])
    # The copies the alert's window saw, the shown one aside.
    in_window = [
        p
        for p in posts
        if FIRST_COPY <= p.post_id < FIRST_COPY + 12
        and alert.window_start <= p.created_at < alert.window_end
    ]
    assert len(in_window) >= 3
    assert campaign.similar == len(in_window) - 1 and campaign.author == "copier0"
    assert campaign.sentiment == "negative" and campaign.reach == 400.0
    assert all(k.sentiment != "positive" for k in shown)
    # An update that picked another copy of the campaign does not show it twice.
    alert.post_ids = [ids[FIRST_COPY + 5], *alert.post_ids]
    again = [k.post.id for k in key_posts(session, alert, limit=10)]
    assert len(set(again) & copies) == 1 and again[0] == ids[FIRST_COPY + 5]
    text = session.scalar(select(RawPost.text).where(RawPost.id == ids[FIRST_COPY]))
    assert text == COPY_TEXT

    body = render_message(
        alert_id=alert.id,
        severity=alert.severity,
        status=alert.status,
        title=alert.title,
        explanation=alert.explanation,
        risk_score=alert.risk_score,
        factors=alert.factors,
        window_start=alert.window_start,
        window_end=alert.window_end,
        workspace_name="Acme",
        topic_name="BurgerBar",
        posts=[
            PostLink(None, k.post.text, k.post.platform, k.author, k.reach, k.sentiment, k.similar)
            for k in shown
            if k.post.id == ids[FIRST_COPY]
        ],
    ).body
    facts = f"@copier0 · negative · reach 400 · and {campaign.similar} similar posts"
    assert facts in body
