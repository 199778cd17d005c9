"""Re-scoring an alert's mentions with the accurate model, within a time budget."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.alerts.models import Alert
from flarewatch.alerts.rescore_hook import finish_rescoring, rescore_candidates
from flarewatch.alerts.rescoring import (
    RescoreSettings,
    WindowPost,
    WindowSentiment,
    choose_posts,
    rejudge,
    score_within,
    window_sentiment,
)
from flarewatch.alerts.service import raise_alerts
from flarewatch.detect import explain as ex
from flarewatch.detect.types import AlertCandidate, Factor
from flarewatch.enrich.sentiment import registry
from flarewatch.mentions.models import Mention, RawPost
from flarewatch.mentions.post import Post
from flarewatch.pipeline.batch import process_batch
from flarewatch.pipeline.context import build_context
from flarewatch.sources.models import Source
from flarewatch.workspaces.models import Topic, Workspace

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ACCURATE = "accurate-test"


class KeywordModel:
    """A test backend: "sick" or "awful" is negative, "great" positive; "BOOM" breaks it."""

    def __init__(self, clock: SimClock | None = None, seconds_per_post: float = 0.0) -> None:
        self.calls: list[int] = []
        self.clock, self.seconds_per_post = clock, seconds_per_post

    def predict(self, texts: Sequence[str], languages: Sequence[str]) -> list[tuple[str, float]]:
        self.calls.append(len(texts))
        if self.clock is not None:
            self.clock.now += self.seconds_per_post * len(texts)
        out = []
        for text in texts:
            if "BOOM" in text:
                raise ValueError("the model cannot read this post")
            lowered = text.lower()
            if "sick" in lowered or "awful" in lowered:
                out.append(("negative", -0.9))
            elif "great" in lowered:
                out.append(("positive", 0.8))
            else:
                out.append(("neutral", 0.0))
        return out


class SimClock:
    """Time that passes only when the test model works (or a test moves it)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def model() -> Iterator[KeywordModel]:
    instance = KeywordModel()
    registry.register_sentiment_model(ACCURATE, lambda: instance)
    yield instance
    registry._overrides.pop(ACCURATE, None)
    registry._instances.pop(ACCURATE, None)


def _post(i: int, label: str = "neutral", *, minute: int = 0, accurate: bool = False) -> WindowPost:
    return WindowPost(
        post_id=i,
        created_at=T0 + timedelta(minutes=minute),
        reach=float(i),
        fast_label=label,
        text=f"post {i} was awful" if label == "negative" else f"post {i}",
        accurate=("negative", -0.5) if accurate else None,
    )


# -- pure ----------------------------------------------------------------------------------


def test_settings_come_from_the_workspace_file_and_ignore_the_pipelines_own_backend() -> None:
    assert RescoreSettings.of({}) == RescoreSettings(None, 200, 2.0)
    cfg = {"alert_sentiment_backend": "e5", "alert_rescore_posts": 50}
    assert RescoreSettings.of({**cfg, "alert_rescore_budget_seconds": 0.5}) == RescoreSettings(
        "e5", 50, 0.5
    )
    # A workspace that already scores everything with e5 has nothing more accurate to ask.
    assert RescoreSettings.of({**cfg, "sentiment_backend": "e5"}).backend is None


def test_choose_posts_skips_scored_ones_and_prefers_the_story_then_the_newest() -> None:
    posts = [_post(1, minute=1), _post(2, minute=5), _post(3, minute=3, accurate=True)]
    posts.append(_post(4, minute=0))
    posts[3].in_story = True
    assert [p.post_id for p in choose_posts(posts, 10)] == [4, 2, 1]
    assert [p.post_id for p in choose_posts(posts, 2)] == [4, 2]


def test_scoring_stops_before_the_budget_and_says_what_is_left() -> None:
    clock = SimClock()
    model = KeywordModel(clock, seconds_per_post=0.05)  # e5's speed on a tweet
    posts = [_post(i) for i in range(100)]
    run = score_within(posts, model, budget_seconds=1.0, clock=clock)
    assert not run.complete
    assert run.remaining == [p.post_id for p in posts[len(run.scores) :]]
    # The first chunk measures the speed; the next ones are sized to what is left.
    assert model.calls[0] == 4 and len(model.calls) >= 2
    assert 15 <= len(run.scores) <= 20 and run.seconds <= 1.0

    clock.now = 0.0
    everything = score_within(posts, KeywordModel(clock, 0.001), budget_seconds=100.0, clock=clock)
    assert everything.complete and len(everything.scores) == 100
    nothing = score_within(posts, KeywordModel(), budget_seconds=0.0, clock=clock)
    assert nothing.scores == {} and len(nothing.remaining) == 100


def test_one_post_the_model_cannot_read_does_not_stop_the_others(model: KeywordModel) -> None:
    posts = [_post(1, "negative"), _post(2), _post(3)]
    posts[1].text = "BOOM"
    run = score_within(posts, model, budget_seconds=10.0, clock=SimClock())
    assert run.failed == [2]
    assert run.scores == {1: ("negative", -0.9), 3: ("neutral", 0.0)}
    assert run.complete


def _factors(count: int, negative: int) -> list[Factor]:
    message, params = ex.usual_or_floor(
        ex.NEGATIVE_USUAL, ex.NEGATIVE_FLOOR, 2.0, ex.POSTS_FLOOR, counted=True, count=negative
    )
    params["minutes"] = 30
    return [
        Factor(
            "negative_volume",
            ex.render(message, params),
            negative,
            2.0,
            40.0,
            message=message,
            params=params,
        ),
        Factor("crisis_terms", "crisis words: sick", 3, None, 8.0),
    ]


def test_rejudging_takes_the_negative_figures_from_the_accurate_scores() -> None:
    factors = _factors(40, 6)
    # The accurate model finds 30 of 40 posts negative where the fast one found 6.
    out = rejudge(factors, WindowSentiment(40, 6, 30, 40), usual_share=0.2)
    names = [f.name for f in out]
    assert names == ["negative_volume", "crisis_terms", "negative_share"]
    assert out[0].params is not None and out[0].params["count"] == 30
    assert out[0].text.startswith("30 negative posts in 30 min")
    assert out[2].observed == pytest.approx(0.75)
    # Back to few negatives: the share amplifier goes, in its place nothing is added.
    again = rejudge(out, WindowSentiment(40, 30, 5, 40), usual_share=0.2)
    assert [f.name for f in again] == ["negative_volume", "crisis_terms"]
    # Without a usual share the amplifier cannot be judged and stays as it was.
    kept = rejudge(out, WindowSentiment(40, 30, 5, 40), usual_share=None)
    assert [f.name for f in kept] == names


def test_window_sentiment_uses_the_accurate_label_where_there_is_one() -> None:
    posts = [_post(1, "negative"), _post(2, accurate=True), _post(3)]
    assert window_sentiment(posts) == WindowSentiment(3, 1, 2, 1)


# -- stored mentions -------------------------------------------------------------------------

TEXTS = [
    "Grill burger made me sick, never again",
    "grill burger was awful and cold",
    "Grill burger was great, loved it!",
    "Where is the nearest grill burger place?",
    "grill staff made my kid sick",
    "Ordered a grill burger today",
]


def _setup(session: Session, **config: object) -> tuple[Workspace, Topic]:
    ws = Workspace(
        slug="grill",
        name="Grill",
        timezone="UTC",
        languages=["en"],
        config={"alert_sentiment_backend": ACCURATE, **config},
    )
    session.add(ws)
    session.flush()
    topic = Topic(workspace_id=ws.id, key="brand", name="Brand", query="grill")
    source = Source(workspace_id=ws.id, key="feed", kind="file", config={})
    session.add_all([topic, source])
    session.flush()
    posts = [
        Post(f"r{i}", t, author=f"a{i}", created_at=T0 + timedelta(minutes=i))
        for i, t in enumerate(TEXTS)
    ]
    process_batch(
        session, build_context(session, ws), source.id, posts, now=T0 + timedelta(hours=1)
    )
    session.flush()
    return ws, topic


def _candidate(ws: Workspace, topic: Topic, severity: str = "warning") -> AlertCandidate:
    return AlertCandidate(
        workspace_id=ws.id,
        topic_id=topic.id,
        group_key=f"topic:{topic.id}",
        severity=severity,
        risk_score=55.0,
        title="Unusual negative activity",
        explanation="",
        window_start=T0,
        window_end=T0 + timedelta(minutes=30),
        factors=_factors(len(TEXTS), 1),
        usual_negative_share=0.1,
    )


def test_an_alert_goes_out_on_the_accurate_scores_and_says_so(
    session: Session, model: KeywordModel
) -> None:
    ws, topic = _setup(session)
    fast = {
        m.raw_post_id: (m.sentiment, m.sentiment_score) for m in session.scalars(select(Mention))
    }
    cand = _candidate(ws, topic)
    rescore_candidates(session, ws, [cand])

    assert cand.sentiment_backend == ACCURATE
    assert cand.rescore is not None and cand.rescore["state"] == "done"
    assert (cand.rescore["window_posts"], cand.rescore["scored"]) == (6, 6)
    negatives = sum(("sick" in t or "awful" in t) for t in TEXTS)
    share = next(f for f in cand.factors if f.name == "negative_share")
    assert share.observed == pytest.approx(negatives / len(TEXTS))
    assert f"{negatives} negative posts" in cand.explanation

    for mention in session.scalars(select(Mention)):
        # The fast score stays where it was; the accurate one is stored next to it, with its model.
        assert (mention.sentiment, mention.sentiment_score) == fast[mention.raw_post_id]
        stored = mention.enrichment["accurate_sentiment"]
        text = session.get_one(RawPost, mention.raw_post_id).text
        assert stored["backend"] == ACCURATE
        assert stored["label"] == model.predict([text], ["en"])[0][0]

    [alert] = raise_alerts(session, ws, [cand], T0 + timedelta(minutes=31))
    assert alert.sentiment_backend == ACCURATE
    assert alert.explanation == cand.explanation

    # Scored posts are not scored again for the next candidate of the same window.
    calls = len(model.calls)
    rescore_candidates(session, ws, [_candidate(ws, topic, "crisis")])
    assert len(model.calls) == calls


def test_a_cut_budget_sends_the_fast_scores_and_the_follow_up_updates_the_same_alert(
    session: Session, model: KeywordModel
) -> None:
    ws, topic = _setup(session, alert_rescore_budget_seconds=0.5)
    cand = _candidate(ws, topic)
    fast_explanation = ex.render(cand.factors[0].message or "", cand.factors[0].params or {})
    clock = SimClock()
    model.clock, model.seconds_per_post = clock, 0.2
    rescore_candidates(session, ws, [cand], clock=clock)
    model.clock = None

    assert cand.sentiment_backend == "default"  # what its figures rest on
    assert cand.rescore is not None and cand.rescore["state"] == "pending"
    assert 0 < len(cand.rescore["pending"]) <= len(TEXTS)
    assert fast_explanation in cand.explanation or cand.explanation == ""
    [alert] = raise_alerts(session, ws, [cand], T0 + timedelta(minutes=31))
    assert alert.sentiment_backend == "default"

    updated = finish_rescoring(session, ws, T0 + timedelta(minutes=32))
    assert [a.id for a in updated] == [alert.id]
    assert session.scalars(select(Alert)).all() == [alert]  # an update, not a new alert
    assert alert.sentiment_backend == ACCURATE
    assert alert.rescore is not None and alert.rescore["state"] == "done"
    assert any(f["name"] == "negative_share" for f in alert.factors)
    assert "negative" in alert.explanation
    assert finish_rescoring(session, ws, T0 + timedelta(minutes=33)) == []


def test_without_an_accurate_backend_the_alert_records_the_pipelines_model(
    session: Session,
) -> None:
    ws, topic = _setup(session, alert_sentiment_backend=None)
    cand = _candidate(ws, topic)
    before = list(cand.factors)
    rescore_candidates(session, ws, [cand])
    assert (cand.sentiment_backend, cand.rescore, cand.factors) == ("default", None, before)


def test_a_shipped_backend_scores_an_alerts_posts(session: Session) -> None:
    """The `use` backend, for real, on the handful of posts of one window."""
    from flarewatch.enrich import get_sentiment_model

    ws, topic = _setup(session, alert_sentiment_backend="use")
    cand = _candidate(ws, topic)
    rescore_candidates(session, ws, [cand])
    assert cand.sentiment_backend == "use"
    use = get_sentiment_model("use")
    mentions = list(session.scalars(select(Mention)))
    assert len(mentions) == len(TEXTS)
    for mention in mentions:
        raw = session.get_one(RawPost, mention.raw_post_id)
        label, score = use.predict([raw.text], [mention.language])[0]
        stored = mention.enrichment["accurate_sentiment"]
        assert (stored["backend"], stored["label"]) == ("use", label)
        assert stored["score"] == pytest.approx(score, abs=1e-3)


def test_notifications_say_which_model_scored_the_alert_in_the_routes_language() -> None:
    from flarewatch.alerts.message import render_message

    def body(language: str, backend: str | None, rescore: dict[str, object] | None) -> str:
        return render_message(
            alert_id=7,
            severity="warning",
            status="open",
            title="Unusual negative activity",
            explanation="",
            risk_score=55.0,
            factors=[],
            window_start=T0,
            window_end=T0 + timedelta(minutes=30),
            workspace_name="Grill",
            topic_name="Brand",
            posts=[],
            language=language,
            sentiment_backend=backend,
            rescore=rescore,
        ).body

    done = {"state": "done", "backend": "e5", "scored": 40, "window_posts": 52}
    assert "Sentiment scored by: Most accurate (E5" in body("en", "e5", done)
    assert "(40 of the window's 52 posts)" in body("en", "e5", done)
    pending = {"state": "pending", "backend": "e5", "scored": 12, "window_posts": 52}
    line = body("en", "default", pending)
    assert "Sentiment scored by: Standard (fast); re-scoring with Most accurate (E5" in line
    assert "this alert will be updated" in line
    assert "מודל הסנטימנט:" in body("he", "e5", done)
    assert "Model wydźwięku:" in body("pl", "e5", done)
    # Alerts from before the model was recorded say nothing about it.
    assert "Sentiment scored by" not in body("en", None, None)


def test_the_budget_holds_when_a_chunk_stalls_on_the_worker() -> None:
    """The model blocks until the test lets it go: the caller stops waiting when its budget
    ends, leaves the chunk's posts for the follow-up, and the chunk finishes on the worker."""
    import threading

    from flarewatch.alerts.rescoring import ModelWorker

    release, started = threading.Event(), threading.Event()

    class Stalled(KeywordModel):
        def predict(
            self, texts: Sequence[str], languages: Sequence[str]
        ) -> list[tuple[str, float]]:
            started.set()
            release.wait()
            return super().predict(texts, languages)

    model = Stalled()
    worker = ModelWorker(model)
    posts = [_post(i) for i in range(10)]
    run = score_within(posts, worker, budget_seconds=0.2, clock=time.monotonic)
    assert started.is_set()
    assert run.scores == {} and run.remaining == [p.post_id for p in posts]
    release.set()
    # The stalled chunk completes on the worker; the next caller's chunk runs after it.
    again = score_within(posts, worker, budget_seconds=30.0, clock=time.monotonic)
    assert again.complete and len(again.scores) == 10
    assert model.calls[0] == 4  # the chunk the first caller gave up on
