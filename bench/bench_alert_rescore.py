"""Alert hold time with re-scoring: how long `rescore_candidates` holds an alert (`make bench`).

A SQLite database in a temporary folder holds one topic whose mentions (bench_enrich's post mix,
every text distinct, so the stacked backends' caches never hit) fall into separate 30-minute
windows; each repetition re-scores one fresh window's candidate with the accurate backend under
the workspace's budget (default 2 s) and is timed on the wall clock, as an alert waits. The
baseline is the same call with re-scoring off (the alert records the fast model and goes). The
model's load and warm-up happen once per process, before the budget's clock starts, and are
timed separately ("cold start").

    python -m bench.bench_alert_rescore [--quick] [--backend e5 --backend use]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.bench_enrich import BRANDS, make_posts
from flarewatch.alerts.rescore_hook import accurate_model, rescore_candidates
from flarewatch.db.engine import create_db_engine, sessionmaker_for
from flarewatch.db.migrate import upgrade
from flarewatch.detect.types import AlertCandidate
from flarewatch.enrich.sentiment import backend_install_problem
from flarewatch.pipeline.batch import process_batch
from flarewatch.pipeline.context import build_context
from flarewatch.sources.models import Source
from flarewatch.workspaces.models import Topic, Workspace

T0 = datetime(2026, 3, 2, 8, tzinfo=UTC)
WINDOW = timedelta(minutes=30)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _hold_times(
    backend: str | None, window_posts: int, repeats: int, budget: float, seed: int
) -> tuple[list[float], int, float, float]:
    """Seconds each repetition held its alert, how many finished within the budget, and the
    mean numbers of counted posts in a window (spam and unmatched posts are not counted) and of
    posts scored within the budget."""
    with tempfile.TemporaryDirectory() as folder:
        engine = create_db_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        upgrade(engine)
        sessions = sessionmaker_for(engine)
        with sessions() as session:
            config = {"alert_sentiment_backend": backend, "alert_rescore_budget_seconds": budget}
            ws = Workspace(slug="bench", name="Bench", languages=["en", "he", "pl"], config=config)
            session.add(ws)
            session.flush()
            topic = Topic(workspace_id=ws.id, key="all", name="All", query=" OR ".join(BRANDS))
            source = Source(workspace_id=ws.id, key="feed", kind="file", config={})
            session.add_all([topic, source])
            session.flush()
            posts = make_posts(window_posts * repeats, seed=seed, unique=True)
            for i, post in enumerate(posts):
                window, slot = divmod(i, window_posts)
                post.created_at = T0 + window * WINDOW + slot * (WINDOW / (window_posts + 1))
                post.external_id = f"b{i}"
            context = build_context(session, ws)
            for start in range(0, len(posts), 1000):
                batch = posts[start : start + 1000]
                process_batch(session, context, source.id, batch, now=T0 + repeats * WINDOW)
            session.commit()
            held, finished, counted, scored = [], 0, 0, 0
            for r in range(repeats):
                candidate = AlertCandidate(
                    workspace_id=ws.id,
                    topic_id=topic.id,
                    group_key=f"topic:{topic.id}",
                    severity="warning",
                    risk_score=60.0,
                    title="bench",
                    explanation="",
                    window_start=T0 + r * WINDOW,
                    window_end=T0 + (r + 1) * WINDOW,
                    usual_negative_share=0.15,
                )
                started = time.perf_counter()
                rescore_candidates(session, ws, [candidate])
                held.append(time.perf_counter() - started)
                state = candidate.rescore or {}
                finished += state.get("state", "done") == "done"
                counted += int(state.get("window_posts") or 0)
                scored += int(state.get("scored") or 0)
                session.rollback()  # each repetition starts from the fast scores
        engine.dispose()
    return held, finished, counted / repeats, scored / repeats


def run(quick: bool = False, backends: tuple[str, ...] = ("e5", "use")) -> str:
    missing = [b for b in backends if backend_install_problem(b)]
    if missing:
        problem = backend_install_problem(missing[0])
        return f"## Alert hold time with re-scoring\n\nNot measured: {problem}.\n"
    repeats = 8 if quick else 30
    sizes = (20, 60) if quick else (20, 60, 200)
    colds = []
    for backend in backends:
        started = time.perf_counter()
        accurate_model(backend)  # load and warm once, as the first alert after a start does
        colds.append(f"`{backend}` {time.perf_counter() - started:.1f} s")
    base, _, _, _ = _hold_times(None, sizes[0], repeats, 2.0, seed=20)
    rows = [
        f"| baseline: re-scoring off, {sizes[0]} posts | {_percentile(base, 0.5) * 1000:,.1f} ms "
        f"| {_percentile(base, 0.99) * 1000:,.1f} ms | — | {repeats} of {repeats} |"
    ]
    for b, backend in enumerate(backends):
        for i, size in enumerate(sizes if b == 0 else sizes[-1:]):
            held, finished, counted, scored = _hold_times(
                backend, size, repeats, 2.0, seed=21 + 10 * b + i
            )
            rows.append(
                f"| `{backend}`, {size} posts per window ({counted:.0f} counted), budget 2 s | "
                f"{statistics.median(held):.2f} s | {_percentile(held, 0.99):.2f} s | "
                f"{scored:.1f} | {finished} of {repeats} |"
            )
    return "\n".join(
        [
            "## Alert hold time with re-scoring",
            "",
            f"How long `rescore_candidates` holds an alert before `raise_alerts` sends it: one "
            f"topic window per repetition ({repeats} repetitions per row, every text distinct, "
            "bench_enrich's language mix), SQLite in a temporary folder, wall-clock time, "
            "default `alert_rescore_posts` (200). A repetition that does not finish within the "
            "budget goes out on the fast scores and is finished by the follow-up step.",
            "",
            "| run | p50 hold | p99 hold | posts scored in the hold (mean) "
            "| re-scored within the budget |",
            "|---|---:|---:|---:|---:|",
            *rows,
            "",
            "Cold start (loading and warming the model once per process, before the first "
            f"alert's budget starts): {', '.join(colds)}.",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--backend", action="append", help="e5 and use unless given")
    args = parser.parse_args()
    print(run(args.quick, tuple(args.backend or ("e5", "use"))))


if __name__ == "__main__":
    main()
