"""Re-running a topic over stored history, and relevance marks training the workspace filter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from flarewatch.accounts.models import AuditLog
from flarewatch.db.engine import sessionmaker_for
from flarewatch.mentions.models import Mention, RawPost, Rollup
from flarewatch.mentions.post import Post
from flarewatch.mentions.relevance import load_relevance
from flarewatch.mentions.service import mark_relevance, rematch_topic
from flarewatch.pipeline.batch import process_batch
from flarewatch.pipeline.context import build_context
from flarewatch.sources.models import Source
from flarewatch.workspaces.models import Topic, Workspace

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _setup(session: Session, query: str = "burger") -> tuple[Workspace, Topic, Source]:
    ws = Workspace(slug="grill", name="Grill", timezone="UTC", languages=["en"])
    session.add(ws)
    session.flush()
    topic = Topic(workspace_id=ws.id, key="brand", name="Brand", query=query)
    source = Source(workspace_id=ws.id, key="feed", kind="file", config={})
    session.add_all([topic, source])
    session.flush()
    return ws, topic, source


def _ingest(session: Session, ws: Workspace, source: Source, posts: list[Post]) -> None:
    context = build_context(session, ws)
    process_batch(session, context, source.id, posts, now=T0 + timedelta(hours=1))
    session.flush()


def _rollup_total(session: Session, topic_id: int) -> int:
    return int(
        session.scalar(select(func.sum(Rollup.count)).where(Rollup.topic_id == topic_id)) or 0
    )


def _external(session: Session, mention: Mention) -> str:
    return session.get_one(RawPost, mention.raw_post_id).external_id


def _mentioned(session: Session, topic_id: int) -> set[str]:
    return set(
        session.scalars(
            select(RawPost.external_id)
            .join(Mention, Mention.raw_post_id == RawPost.id)
            .where(Mention.topic_id == topic_id)
        )
    )


POSTS = [
    Post("p1", "Worm in my burger at GrillTown", author="dana", created_at=T0),
    Post("p2", "GrillTown fries were cold", author="avi", created_at=T0 + timedelta(minutes=1)),
    Post("p3", "Best burger in town", author="noa", created_at=T0 + timedelta(minutes=2)),
    Post("p4", "GrillTown fries again", author="eli", created_at=T0 + timedelta(days=3)),
]


def test_rematch_adds_and_removes_and_rebuilds_rollups(any_engine: Engine) -> None:
    with sessionmaker_for(any_engine)() as session:
        ws, topic, source = _setup(session)
        _ingest(session, ws, source, POSTS)
        assert _mentioned(session, topic.id) == {"p1", "p3"}
        assert _rollup_total(session, topic.id) == 2

        topic.query = "fries OR worm"
        report = rematch_topic(session, topic, since=None)
        assert (report.added, report.removed) == (2, 1)  # + p2, p4; - p3
        assert _mentioned(session, topic.id) == {"p1", "p2", "p4"}
        assert _rollup_total(session, topic.id) == 3
        added = session.scalars(select(Mention).where(Mention.topic_id == topic.id)).all()
        assert all("relevance" in m.enrichment and "spam_signals" in m.enrichment for m in added)
        # Idempotent: a second run finds nothing to change.
        again = rematch_topic(session, topic, since=None)
        assert (again.added, again.removed) == (0, 0)
        assert _rollup_total(session, topic.id) == 3

        # Only the range asked for is touched: p1..p3 are older than `since`.
        topic.query = "burger"
        report = rematch_topic(session, topic, since=T0 + timedelta(days=1))
        assert (report.added, report.removed) == (0, 1)
        assert _mentioned(session, topic.id) == {"p1", "p2"}
        assert _rollup_total(session, topic.id) == 2
        session.commit()


NOISE = [
    "Grill cleaning brushes on sale, free shipping today",
    "Best grill cleaning brush deals, shop now free shipping",
    "Grill brush sale: cleaning kit with free shipping",
]


def test_not_relevant_marks_filter_similar_new_posts(any_engine: Engine) -> None:
    with sessionmaker_for(any_engine)() as session:
        ws, topic, source = _setup(session, query="grill OR grilltown")
        posts = [
            Post(f"n{i}", text, author=f"shop{i}", created_at=T0 + timedelta(minutes=i))
            for i, text in enumerate(NOISE)
        ]
        posts.append(Post("ok", "GrillTown burger made me sick", author="dana", created_at=T0))
        _ingest(session, ws, source, posts)
        assert _rollup_total(session, topic.id) == 4
        noisy = [
            m.id
            for m in session.scalars(select(Mention).where(Mention.topic_id == topic.id))
            if _external(session, m).startswith("n")
        ]
        assert len(noisy) == 3
        for mention_id in noisy:
            result = mark_relevance(session, mention_id, False, "tester", workspace_id=ws.id)
            assert result.trained
        # Marked posts leave the rollups at once.
        assert _rollup_total(session, topic.id) == 1
        # Marking again does not train twice.
        assert not mark_relevance(session, noisy[0], False, "tester", workspace_id=ws.id).trained
        model = load_relevance(session, ws.id)
        assert model is not None and model.docs[0] == 3
        assert (
            session.scalar(
                select(func.count(AuditLog.id)).where(AuditLog.action == "mention.not_relevant")
            )
            == 4
        )

        # A similar new post is scored not relevant by the next batch and does not count.
        _ingest(
            session,
            ws,
            source,
            [
                Post(
                    "n9",
                    "Grill cleaning brush sale with free shipping",
                    author="shop9",
                    created_at=T0 + timedelta(minutes=30),
                ),
                Post(
                    "r1",
                    "GrillTown burger gave my kid food poisoning",
                    author="avi",
                    created_at=T0 + timedelta(minutes=31),
                ),
            ],
        )
        new = {
            _external(session, m): m
            for m in session.scalars(select(Mention).where(Mention.topic_id == topic.id))
        }
        assert new["n9"].enrichment["relevance"] < 0.5
        assert new["n9"].relevant is None  # only people set `relevant`
        assert new["r1"].enrichment["relevance"] >= 0.5
        assert _rollup_total(session, topic.id) == 2  # "ok" and "r1"
        session.commit()


def test_the_workspace_sentiment_backend_scores_stored_mentions(any_engine: Engine) -> None:
    from flarewatch.enrich import get_sentiment_model

    text = "Grill burger was okay I guess, nothing special"
    with sessionmaker_for(any_engine)() as session:
        ws, topic, source = _setup(session, query="grill")
        assert build_context(session, ws).enricher.backend == "default"
        ws.config = {"sentiment_backend": "use"}
        session.flush()
        assert build_context(session, ws).enricher.backend == "use"
        _ingest(session, ws, source, [Post("u1", text, author="dana", created_at=T0)])
        mention = session.scalars(select(Mention).where(Mention.topic_id == topic.id)).one()
        assert mention.enrichment["sentiment_backend"] == "use"
        want_label, want_score = get_sentiment_model("use").predict([text], ["en"])[0]
        assert (mention.sentiment, mention.sentiment_score) == (
            want_label,
            pytest.approx(want_score, abs=1e-4),
        )


def test_rescoring_with_another_backend_updates_every_mention_and_the_rollups(
    any_engine: Engine,
) -> None:
    from flarewatch.enrich import get_sentiment_model
    from flarewatch.mentions.service import rescore_mentions

    texts = [
        "Grill burger was okay I guess, nothing special",
        "The grill burger was great, loved it!",
        "Grill burger made me sick, never again",
        "grill fries were cold and the staff ignored us",
        "Where is the nearest grill burger place?",
    ]
    with sessionmaker_for(any_engine)() as session:
        ws, topic, source = _setup(session, query="grill")
        other = Topic(workspace_id=ws.id, key="food", name="Food", query="burger")
        session.add(other)
        session.flush()
        posts = [
            Post(f"r{i}", t, author=f"a{i}", created_at=T0 + timedelta(minutes=i))
            for i, t in enumerate(texts)
        ]
        _ingest(session, ws, source, posts)
        before = {m.id: m.sentiment for m in session.scalars(select(Mention))}
        assert len(before) == 9  # 5 for "grill", 4 for "burger"

        done: list[int] = []
        report = rescore_mentions(
            session, ws, "use", topic_id=topic.id, since=T0, actor="tester", progress=done.append
        )
        assert report.posts == 5 and sum(done) == 5
        model = get_sentiment_model("use")
        for m in session.scalars(select(Mention)):
            raw = session.get_one(RawPost, m.raw_post_id)
            label, score = model.predict([raw.text], [m.language])[0]
            # Both topics' mentions of a post carry its new sentiment and say who scored it.
            assert (m.sentiment, m.sentiment_score) == (label, pytest.approx(score, abs=1e-4))
            assert m.enrichment["sentiment_backend"] == "use"
        after = {m.id: m.sentiment for m in session.scalars(select(Mention))}
        assert report.labels_changed == sum(before[k] != after[k] for k in before)
        for t in (topic, other):
            negatives = sum(
                m.sentiment == "negative"
                for m in session.scalars(select(Mention).where(Mention.topic_id == t.id))
            )
            rolled = session.scalar(
                select(func.sum(Rollup.negative_count)).where(Rollup.topic_id == t.id)
            )
            assert int(rolled or 0) == negatives, t.key
        audit = session.scalars(select(AuditLog).where(AuditLog.action == "mentions.rescore")).one()
        assert audit.details["backend"] == "use" and audit.details["posts"] == 5

        # Nothing in scope: nothing scored, still audited.
        empty = rescore_mentions(session, ws, "use", since=T0 + timedelta(days=1))
        assert (empty.posts, empty.mentions_changed, empty.topics) == (0, 0, [])
