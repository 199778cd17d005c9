"""Detection cost: µs per point when many topics are updated every minute (`make bench`).

One "point" is one topic's one-minute step: baseline upkeep, three windows, count-aware tails,
scoring and episode bookkeeping, i.e. everything `run_detection` does per topic-minute apart
from reading rows. Detectors are warmed with days of history first, so the seasonal baselines
are the steady-state ones, not the cheap cold-start path.
"""

from __future__ import annotations

import copy
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

import numpy as np

from flarewatch.detect.detector import DetectorConfig, Interval, TopicDetector
from flarewatch.detect.runner import TopicRunner, replay_posts
from flarewatch.detect.stories import StoryPost, StoryTracker
from flarewatch.detect.synthetic import demo_scenario

START = datetime(2026, 3, 2, tzinfo=UTC)


def _warm(profiles: int, days: int, rng: np.random.Generator) -> list[TopicDetector]:
    warmed = []
    for k in range(profiles):
        rate = float(rng.lognormal(0.0, 1.5))  # posts per minute, quiet to busy topics
        det = TopicDetector(DetectorConfig(timezone="Asia/Jerusalem"))
        counts = rng.poisson(rate, days * 1440)
        for m, c in enumerate(counts):
            det.step(
                Interval(
                    START + timedelta(minutes=m),
                    float(c),
                    float(c // 6),
                    authors=list(range(int(c))),
                )
            )
        warmed.append(det)
        del k
    return warmed


def bench_topics(topics: int, minutes: int, days: int = 2) -> dict[str, float]:
    rng = np.random.default_rng(11)
    profiles = _warm(8, days, rng)
    detectors = [copy.deepcopy(profiles[i % len(profiles)]) for i in range(topics)]
    rates = np.array([d.baseline.rate / 60.0 if d.baseline else 1.0 for d in detectors])
    per_minute, cpu_per_minute = [], []
    t0 = START + timedelta(days=days)
    for m in range(minutes):
        counts = rng.poisson(rates)
        negatives = rng.binomial(counts, 0.15)
        at = t0 + timedelta(minutes=m)
        ivs = [
            Interval(at, float(c), float(n), authors=list(range(int(c))))
            for c, n in zip(counts, negatives, strict=True)
        ]
        started, cpu = time.perf_counter(), time.process_time()
        for det, iv in zip(detectors, ivs, strict=True):
            det.step(iv)
        per_minute.append(time.perf_counter() - started)
        cpu_per_minute.append(time.process_time() - cpu)
    med = statistics.median(per_minute)
    return {
        "topics": topics,
        "minutes": minutes,
        "us_per_point": med / topics * 1e6,
        "cpu_us_per_point": statistics.median(cpu_per_minute) / topics * 1e6,
        "p95_minute_s": sorted(per_minute)[int(0.95 * (len(per_minute) - 1))],
        "minute_s": med,
    }


def bench_stories(posts: int) -> float:
    sc = demo_scenario(seed=2, days=3, crisis=True)
    tracker = StoryTracker()
    sample = sc.posts[:posts]
    started = time.perf_counter()
    for p in sample:
        tracker.add(StoryPost(p.post_id, p.created_at, p.text, p.author, p.platform))
    return (time.perf_counter() - started) / len(sample) * 1e6


def bench_backlog(days: int) -> tuple[float, int, int]:
    sc = demo_scenario(seed=2, days=days, crisis=True)
    runner = TopicRunner(TopicDetector(DetectorConfig(timezone=sc.timezone)), StoryTracker())
    started = time.perf_counter()
    steps = replay_posts(runner, sc.posts, sc.start, sc.end)
    return time.perf_counter() - started, len(steps), len(sc.posts)


def bench_late_replay(days: int) -> tuple[float, int, int, int]:
    """What a late post costs (detect/late.py): restore a checkpoint, replay 90 minutes.

    The 90 minutes are the demo crisis's first (the busiest a topic gets), from a checkpoint
    taken just before it; returns seconds, minutes, posts replayed and checkpoint bytes.
    """
    sc = demo_scenario(seed=2, days=days, crisis=True)
    assert sc.onset is not None
    config = DetectorConfig(timezone=sc.timezone)
    runner = TopicRunner(TopicDetector(config), StoryTracker())
    replay_posts(runner, [p for p in sc.posts if p.created_at < sc.onset], sc.start, sc.onset)
    saved = {"detector": runner.detector.to_dict(), "stories": runner.tracker.to_dict()}
    size = len(json.dumps(saved))
    end = sc.onset + timedelta(minutes=90)
    late = [p for p in sc.posts if sc.onset <= p.created_at < end]
    started = time.perf_counter()
    restored = TopicRunner(
        TopicDetector.from_dict(config, saved["detector"]),
        StoryTracker.from_dict(saved["stories"]),
    )
    replay_posts(restored, late, sc.onset, end)
    return time.perf_counter() - started, 90, len(late), size


def run(quick: bool = False) -> str:
    topics, minutes = (1_000, 15) if quick else (10_000, 30)
    r = bench_topics(topics, minutes, days=1 if quick else 2)
    story_us = bench_stories(1000 if quick else 3000)
    backlog_s, backlog_minutes, backlog_posts = bench_backlog(2 if quick else 7)
    late_s, late_minutes, late_posts, late_bytes = bench_late_replay(2 if quick else 7)
    lines = [
        "## Detection",
        "",
        f"Python {sys.version.split()[0]}, one process, one core, {os.cpu_count()} CPUs on the "
        f"machine, load average {os.getloadavg()[0]:.1f} at the end (wall times grow on a busy "
        "machine; CPU time less so).",
        "",
        "| measure | value |",
        "|---|---|",
        f"| topics × minutes timed | {r['topics']:,} × {r['minutes']} |",
        f"| **µs per point** (one topic, one minute, median wall time) | "
        f"**{r['us_per_point']:.1f}** |",
        f"| µs per point, CPU time of this process | {r['cpu_us_per_point']:.1f} |",
        f"| one minute of {r['topics']:,} topics (median / p95) | {r['minute_s']:.2f} s / "
        f"{r['p95_minute_s']:.2f} s |",
        f"| story clustering, µs per post | {story_us:.0f} |",
        f"| backlog replay, one topic, {backlog_minutes:,} minutes and {backlog_posts:,} posts "
        f"(stories, lexicon, scoring) | {backlog_s:.2f} s |",
        f"| late posts: restore a checkpoint and replay {late_minutes} crisis minutes "
        f"({late_posts:,} posts) | {late_s:.2f} s |",
        f"| one checkpoint (detector and stories, JSON) | {late_bytes / 1024:.0f} KiB |",
        "",
    ]
    if quick:
        lines.insert(3, "_Quick run: fewer topics and minutes; per-point cost is comparable._\n")
    return "\n".join(lines)


if __name__ == "__main__":
    print(run(quick="--quick" in sys.argv))
