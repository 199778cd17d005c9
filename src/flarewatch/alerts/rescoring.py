"""An alert's mentions scored again with the workspace's accurate sentiment model, in a budget.

The pipeline scores every mention with the fast model (docs/enrichment.md, "tiers"); an alert
is where accuracy matters, and it rests on few posts. So when detection is about to raise or
escalate an alert, the window's mentions it rests on (at most `RescoreSettings.max_posts`: the
story's posts first when a story leads, then the newest and widest-reaching) are scored with the
accurate backend, and the negative share, its factor and the explanation are judged again from
those scores. The alert may not be held longer than `budget_seconds`: scoring runs in chunks
sized from the time the previous ones took, and stops before the budget runs out; the alert then
goes out on the fast scores and the follow-up step updates it once the rest are scored
(alerts/rescore_hook.py).

The functions here are pure: posts, a model and a clock in; scores and factors out. The one
stateful piece is `ModelWorker`, the thread a model scores on, so that waiting can end with the
budget.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flarewatch.detect import explain as ex
from flarewatch.detect.score import negative_share_factor
from flarewatch.detect.types import Factor
from flarewatch.enrich.sentiment.base import SentimentModel, predict_each

DEFAULT_MAX_POSTS = 200
DEFAULT_BUDGET_SECONDS = 2.0
FIRST_CHUNK = 4  # posts in the first chunk, before the model's speed is known
MAX_CHUNK = 64
# A chunk is sized to fill this share of the time left, not all of it: a model's speed varies
# from chunk to chunk (other processes share the core), and the margin keeps a slower chunk from
# running past the budget. The chunks shrink as the budget runs out.
FILL = 0.5
# The key in a mention's enrichment that holds the accurate score; the fast one stays in the
# mention's sentiment columns, so neither silently replaces the other.
ACCURATE_KEY = "accurate_sentiment"

Score = tuple[str, float]  # (label, P(positive) - P(negative))


@dataclass(frozen=True, slots=True)
class RescoreSettings:
    """The workspace file's `alert_sentiment_backend`, `alert_rescore_posts` and
    `alert_rescore_budget_seconds` (docs/configuration.md)."""

    backend: str | None = None
    max_posts: int = DEFAULT_MAX_POSTS
    budget_seconds: float = DEFAULT_BUDGET_SECONDS

    @classmethod
    def of(cls, config: Mapping[str, Any] | None) -> RescoreSettings:
        cfg = config or {}
        backend = cfg.get("alert_sentiment_backend") or None
        fast = cfg.get("sentiment_backend") or "default"
        return cls(
            # The pipeline already scores with it: there is nothing more accurate to ask.
            backend=None if backend == fast else backend,
            max_posts=int(cfg.get("alert_rescore_posts") or DEFAULT_MAX_POSTS),
            budget_seconds=float(cfg.get("alert_rescore_budget_seconds", DEFAULT_BUDGET_SECONDS)),
        )


@dataclass(slots=True)
class WindowPost:
    """One counted mention of the alert's window, as re-scoring needs it."""

    post_id: int  # raw_post id: the score belongs to the post
    created_at: datetime
    reach: float
    fast_label: str
    language: str = "und"
    in_story: bool = False
    accurate: Score | None = None  # stored by an earlier re-scoring with the same backend
    text: str = ""


def stored_accurate(enrichment: Mapping[str, Any] | None, backend: str) -> Score | None:
    """The accurate score a mention already carries from `backend`, if any."""
    stored = (enrichment or {}).get(ACCURATE_KEY)
    if isinstance(stored, Mapping) and stored.get("backend") == backend:
        return str(stored.get("label")), float(stored.get("score") or 0.0)
    return None


def accurate_entry(backend: str, score: Score) -> dict[str, Any]:
    return {"backend": backend, "label": score[0], "score": round(score[1], 4)}


def choose_posts(posts: Sequence[WindowPost], limit: int) -> list[WindowPost]:
    """The posts to score, at most `limit`: not scored yet; the story's own first (the alert
    is about it), then the newest, then the widest-reaching."""
    todo = [p for p in posts if p.accurate is None]
    todo.sort(key=lambda p: (not p.in_story, -p.created_at.timestamp(), -p.reach, p.post_id))
    seen: set[int] = set()
    chosen: list[WindowPost] = []
    for post in todo:
        if post.post_id not in seen:
            seen.add(post.post_id)
            chosen.append(post)
        if len(chosen) >= limit:
            break
    return chosen


@dataclass(slots=True)
class ScoreRun:
    scores: dict[int, Score] = field(default_factory=dict)  # post id -> accurate score
    failed: list[int] = field(default_factory=list)  # posts the model could not score
    remaining: list[int] = field(default_factory=list)  # not reached within the budget
    seconds: float = 0.0

    @property
    def complete(self) -> bool:
        return not self.remaining


class ModelWorker:
    """One model's predictions on its own thread, one chunk at a time, so the caller can stop
    waiting when its budget ends even if a chunk runs long (a core shared with other processes
    can stall a chunk for seconds). A chunk still running then finishes on this thread; the
    stacked backends remember its results, so the follow-up gets them without scoring again.
    Chunks from every caller run one after another: a model is never asked twice at once."""

    def __init__(self, model: SentimentModel) -> None:
        self.model = model
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="alert-rescore")

    def submit(self, texts: Sequence[str], languages: Sequence[str]) -> Future[list[Score | None]]:
        return self._pool.submit(predict_each, self.model, list(texts), list(languages))


def score_within(
    posts: Sequence[WindowPost],
    model: SentimentModel | ModelWorker,
    budget_seconds: float,
    clock: Callable[[], float],
) -> ScoreRun:
    """Score `posts` in chunks until done or until the next chunk would overrun the budget.

    The first chunk is small; each later one fills half the time left at the slowest speed
    measured so far, and none starts that would overrun at that speed. A chunk the model fails
    on is scored post by post, so one bad post is given up on (`failed`) and the others are
    still scored. Given a `ModelWorker` (with a real clock), the wait for a chunk ends when the
    budget does, so the budget holds even when a chunk stalls: that chunk's posts are left over.
    """
    run = ScoreRun()
    start = clock()
    index, size, per_post = 0, FIRST_CHUNK, 0.0
    while index < len(posts):
        left = budget_seconds - (clock() - start)
        if per_post > 0:
            size = min(MAX_CHUNK, math.floor(FILL * left / per_post))
            if size <= 0 and per_post <= left:
                size = 1  # one more post still fits
        if left <= 0 or size <= 0:
            break
        chunk = posts[index : index + size]
        began = clock()
        if not _score_chunk(chunk, model, run, left):
            break  # the budget ended while the worker was still on this chunk
        took = clock() - began
        index += len(chunk)
        per_post = max(per_post, took / len(chunk), 1e-6)
    run.remaining = [p.post_id for p in posts[index:]]
    run.seconds = clock() - start
    return run


def _score_chunk(
    chunk: Sequence[WindowPost], model: SentimentModel | ModelWorker, run: ScoreRun, left: float
) -> bool:
    texts, languages = [p.text for p in chunk], [p.language for p in chunk]
    if isinstance(model, ModelWorker):
        future = model.submit(texts, languages)
        try:
            scored = future.result(timeout=max(0.0, left))
        except FutureTimeout:
            future.cancel()  # not started yet: dropped; running: finishes on the worker
            return False
    else:
        scored = predict_each(model, texts, languages)
    for post, result in zip(chunk, scored, strict=True):
        if result is None:
            run.failed.append(post.post_id)
        else:
            run.scores[post.post_id] = result
    return True


@dataclass(frozen=True, slots=True)
class WindowSentiment:
    count: int  # counted posts in the window
    fast_negative: int
    negative: int  # with the accurate label wherever a post has one
    accurate: int  # posts with an accurate score


def window_sentiment(posts: Sequence[WindowPost]) -> WindowSentiment:
    negative = sum(
        (p.accurate[0] if p.accurate is not None else p.fast_label) == "negative" for p in posts
    )
    return WindowSentiment(
        count=len(posts),
        fast_negative=sum(p.fast_label == "negative" for p in posts),
        negative=negative,
        accurate=sum(p.accurate is not None for p in posts),
    )


def rejudge(
    factors: Sequence[Factor], window: WindowSentiment, usual_share: float | None
) -> list[Factor]:
    """The factors with the negative figures taken from the accurate scores.

    The negative volume sentence gets the accurate count; the negative-share amplifier is
    judged again by the detector's own rule (`detect.score.negative_share_factor`), so it can
    appear, change or go (without a usual share to judge against it stays as it was). Other
    factors do not depend on sentiment and stay as they are. The risk score and severity stay
    the detector's: they decided that there is an alert, and re-scoring must not make one
    flicker between severities while its notifications are on their way.
    """
    share = (
        negative_share_factor(float(window.negative), float(window.count), usual_share)
        if usual_share is not None
        else None
    )
    out: list[Factor] = []
    for factor in factors:
        if factor.name == "negative_share" and usual_share is not None:
            if share is not None:  # in its place, so the reasons keep their order
                out.append(share)
                share = None
            continue
        if factor.name == "negative_volume" and factor.message and factor.params is not None:
            params = {**factor.params, "count": window.negative}
            factor = Factor(
                name=factor.name,
                text=ex.render(factor.message, params),
                observed=float(window.negative),
                expected=factor.expected,
                weight=factor.weight,
                message=factor.message,
                params=params,
                z=factor.z,
            )
        out.append(factor)
    if share is not None:
        out.append(share)
    return out


def explanation_of(factors: Sequence[Factor]) -> str:
    return "; ".join(f.text for f in factors)


def factor_of(stored: Mapping[str, Any]) -> Factor:
    """A factor as alerts store it (`Factor.as_dict`) back as a `Factor`."""
    params = stored.get("params")
    return Factor(
        name=str(stored.get("name", "")),
        text=str(stored.get("text", "")),
        observed=stored.get("observed"),
        expected=stored.get("expected"),
        weight=float(stored.get("weight") or 0.0),
        message=stored.get("message"),
        params=dict(params) if isinstance(params, Mapping) else None,
        z=stored.get("z"),
    )
