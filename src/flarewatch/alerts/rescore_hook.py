"""Alerting's use of re-scoring (alerts/rescoring.py) on stored mentions.

`rescore_candidates` runs between detection and `raise_alerts`: each topic candidate's window is
read from storage, its posts are scored with the workspace's accurate backend within the time
budget, the scores are stored on the mentions, and the candidate's factors and explanation are
judged again from them. `finish_rescoring` is the follow-up step of each later pipeline cycle:
it scores what the budget left over and then updates the alert (an update, not a new alert).

The budget is per call, shared by all candidates: a catch-up that produces many candidates
still holds its alerts no longer than `alert_rescore_budget_seconds`. The newest candidates go
first, because the last one of a group is what its alert ends up showing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.alerts.models import Alert
from flarewatch.alerts.rescoring import (
    ACCURATE_KEY,
    ModelWorker,
    RescoreSettings,
    ScoreRun,
    WindowPost,
    accurate_entry,
    choose_posts,
    explanation_of,
    factor_of,
    rejudge,
    score_within,
    stored_accurate,
    window_sentiment,
)
from flarewatch.detect.types import AlertCandidate
from flarewatch.mentions.models import Author, Mention, RawPost
from flarewatch.mentions.relevance import counts_in_rollups, relevance_of
from flarewatch.workspaces.models import Workspace

log = logging.getLogger(__name__)
LIVE_STATUSES = ("open", "acknowledged")

Clock = Callable[[], float]
# One worker per accurate backend in this process (a few names at most), like the models
# themselves (enrich/sentiment/registry.py): loading one costs seconds.
_workers: dict[str, ModelWorker] = {}


def accurate_model(backend: str) -> ModelWorker | None:
    """The backend's model on its worker thread, or None (logged) when it cannot run here:
    alerts must still go out, on the fast scores, when the accurate model is missing."""
    from flarewatch.enrich.sentiment.registry import backend_install_problem, get_sentiment_model

    problem = backend_install_problem(backend)
    if problem is None:
        try:
            model = get_sentiment_model(backend)
            worker = _workers.get(backend)
            if worker is None or worker.model is not model:
                # Stacked backends load their encoder on the first batch (seconds): do it
                # before the budget's clock starts, so a chunk's measured speed is the model's.
                model.predict(["warm-up"], ["en"])
                worker = _workers[backend] = ModelWorker(model)
            return worker
        except (ImportError, KeyError, OSError) as err:
            problem = str(err)
    log.warning("alerts go out with the fast sentiment scores: %s", problem)
    return None


def rescore_candidates(
    session: Session,
    workspace: Workspace,
    candidates: Sequence[AlertCandidate],
    *,
    clock: Clock = time.monotonic,
) -> None:
    """Judge each topic candidate's negative share and reasons on accurate scores, in place.

    Every topic candidate records the model its figures rest on (`sentiment_backend`); one the
    budget did not finish carries what is left (`rescore`, state "pending") into its alert.
    """
    settings = RescoreSettings.of(workspace.config)
    topical = [c for c in candidates if c.kind == "topic" and c.topic_id is not None]
    for candidate in topical:
        candidate.sentiment_backend = workspace.sentiment_backend
    if settings.backend is None or not topical:
        return
    model = accurate_model(settings.backend)
    if model is None:
        return
    start = clock()
    for candidate in sorted(topical, key=lambda c: c.window_end, reverse=True):
        assert candidate.topic_id is not None  # filtered above; for the type checker
        state = {
            "backend": settings.backend,
            "topic_id": candidate.topic_id,
            "story_key": _story_key(candidate.group_key),
            "window_start": candidate.window_start.isoformat(),
            "window_end": candidate.window_end.isoformat(),
            "usual_share": candidate.usual_negative_share,
        }
        posts = load_window(session, workspace.id, settings.backend, state)
        chosen = choose_posts(posts, settings.max_posts)
        run = _score_and_store(
            session, workspace.id, settings.backend, posts, chosen, model, clock, start, settings
        )
        candidate.rescore = _state(state, posts, run)
        if run.complete:
            candidate.factors = rejudge(
                candidate.factors, window_sentiment(posts), candidate.usual_negative_share
            )
            candidate.explanation = explanation_of(candidate.factors)
            candidate.sentiment_backend = settings.backend


def finish_rescoring(
    session: Session, workspace: Workspace, now: datetime, *, clock: Clock = time.monotonic
) -> list[Alert]:
    """Score what the budget left over on the workspace's live alerts, within one budget, and
    update each alert whose posts are all scored. Returns the alerts updated."""
    pending = [
        alert
        for alert in session.scalars(
            select(Alert)
            .where(
                Alert.workspace_id == workspace.id,
                Alert.status.in_(LIVE_STATUSES),
                Alert.rescore.is_not(None),
            )
            .order_by(Alert.id)
        )
        if (alert.rescore or {}).get("state") == "pending"
    ]
    if not pending:
        return []
    settings = RescoreSettings.of(workspace.config)
    updated: list[Alert] = []
    start = clock()
    for alert in pending:
        state = dict(alert.rescore or {})
        model = accurate_model(str(state["backend"]))
        if model is None:
            break
        posts = load_window(session, workspace.id, str(state["backend"]), state)
        wanted = set(state.get("pending") or [])
        todo = [p for p in posts if p.post_id in wanted and p.accurate is None]
        run = _score_and_store(
            session, workspace.id, str(state["backend"]), posts, todo, model, clock, start, settings
        )
        new_state = _state(state, posts, run, earlier=state)
        if run.complete:
            factors = rejudge(
                [factor_of(f) for f in alert.factors or []],
                window_sentiment(posts),
                state.get("usual_share"),
            )
            alert.factors = [f.as_dict() for f in factors]
            alert.explanation = explanation_of(factors)
            alert.sentiment_backend = str(state["backend"])
            alert.updated_at = now
            updated.append(alert)
        alert.rescore = new_state
    session.flush()
    return updated


def _story_key(group_key: str) -> str | None:
    return group_key.rsplit(":", 1)[1] if group_key.startswith("story:") else None


def _state(
    base: dict[str, Any], posts: Sequence[WindowPost], run: ScoreRun, earlier: Any = None
) -> dict[str, Any]:
    """What the alert records about its re-scoring: how far it got, and what is left."""
    failed = int((earlier or {}).get("failed") or 0) + len(run.failed)
    seconds = float((earlier or {}).get("seconds") or 0.0) + run.seconds
    return {
        **{k: base[k] for k in _STATE_KEYS if k in base},
        "state": "done" if run.complete else "pending",
        "window_posts": len(posts),
        "scored": sum(p.accurate is not None for p in posts),
        "failed": failed,
        "seconds": round(seconds, 3),
        "pending": list(run.remaining),
    }


_STATE_KEYS = ("backend", "topic_id", "story_key", "window_start", "window_end", "usual_share")


def _score_and_store(
    session: Session,
    workspace_id: int,
    backend: str,
    posts: Sequence[WindowPost],
    chosen: Sequence[WindowPost],
    model: ModelWorker,
    clock: Clock,
    start: float,
    settings: RescoreSettings,
) -> ScoreRun:
    _load_texts(session, chosen)
    # Reading the window and the texts counts against the budget too: it holds the alert.
    left = max(0.0, settings.budget_seconds - (clock() - start))
    run = score_within(chosen, model, left, clock)
    store_accurate(session, workspace_id, backend, run.scores)
    for post in posts:
        if post.post_id in run.scores:
            post.accurate = run.scores[post.post_id]
    return run


def load_window(
    session: Session, workspace_id: int, backend: str, state: dict[str, Any]
) -> list[WindowPost]:
    """The counted mentions of the topic's window (what detection counted), without texts."""
    start = datetime.fromisoformat(str(state["window_start"]))
    end = datetime.fromisoformat(str(state["window_end"]))
    story_key = state.get("story_key")
    rows = session.execute(
        select(
            Mention.raw_post_id,
            Mention.created_at,
            Mention.reach,
            Mention.sentiment,
            Mention.language,
            Mention.story_key,
            Mention.is_spam,
            Mention.relevant,
            Mention.enrichment,
        ).where(
            Mention.workspace_id == workspace_id,
            Mention.topic_id == int(state["topic_id"]),
            Mention.created_at >= start,
            Mention.created_at < end,
        )
    ).all()
    return [
        WindowPost(
            post_id=r.raw_post_id,
            created_at=r.created_at,
            reach=r.reach or 0.0,
            fast_label=r.sentiment,
            language=r.language or "und",
            in_story=story_key is not None and r.story_key == story_key,
            accurate=stored_accurate(r.enrichment, backend),
        )
        for r in rows
        if counts_in_rollups(r.is_spam, r.relevant, relevance_of(r.enrichment))
    ]


def _load_texts(session: Session, posts: Sequence[WindowPost]) -> None:
    """The texts to score, normalised as the pipeline normalised them when it scored them."""
    from flarewatch.mentions.service import post_from_raw
    from flarewatch.pipeline.normalise import normalise_batch

    if not posts:
        return
    rows = session.execute(
        select(RawPost, Author)
        .outerjoin(Author, Author.id == RawPost.author_id)
        .where(RawPost.id.in_([p.post_id for p in posts]))
    ).all()
    normalised = normalise_batch([post_from_raw(raw, author) for raw, author in rows])
    text = {raw.id: p.clean_text or p.text for (raw, _), p in zip(rows, normalised, strict=True)}
    for post in posts:
        post.text = text.get(post.post_id, "")


def store_accurate(
    session: Session, workspace_id: int, backend: str, scores: dict[int, tuple[str, float]]
) -> None:
    """Store each post's accurate score on all its mentions, next to the fast one (never over
    it): `enrichment["accurate_sentiment"]` = backend, label, score."""
    for chunk in _chunks(list(scores)):
        mentions = session.scalars(
            select(Mention).where(
                Mention.workspace_id == workspace_id, Mention.raw_post_id.in_(chunk)
            )
        )
        for mention in mentions:
            entry = accurate_entry(backend, scores[mention.raw_post_id])
            mention.enrichment = {**(mention.enrichment or {}), ACCURATE_KEY: entry}
    session.flush()


def _chunks(items: list[int], size: int = 500) -> Iterable[list[int]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
