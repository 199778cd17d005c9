"""Ingest → alert latency of `flarewatch run` at a steady rate, with planted bursts.

`flarewatch run --no-web` runs in a subprocess over a `file` source that this bench keeps
appending to at a steady rate (an export job writing lines, which the file kind follows). The
posts' event clock runs SPEED times faster than the wall clock, so a detection minute completes
every 60 / SPEED seconds and a burst and its alert take seconds, not minutes; the stream is two
simulated days of quiet history first, then the live part.

Each burst lands in a topic of its own (one per burst, silent before it), so every burst opens
its own alert. Two latencies are measured against the alert row's creation (polled from the
database): from the write of the burst's first post, and from the write of the first post past
the burst's first minute — the earliest moment minute-step detection can judge that minute.
The first includes the wait for the minute to end (up to 60 / SPEED s here, up to 60 s at real
speed); the second is what the runner itself adds: poll, pipeline, detection, alerting.
"""

from __future__ import annotations

import io
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.bench_pipeline import TEXTS
from flarewatch.mentions.post import Post
from flarewatch.sources.ingest import post_to_record

SPEED = 30  # event seconds per wall second
HISTORY_DAYS = 2
HISTORY_PER_MINUTE = 2
BURST_WORDS = ["worm", "maggot", "cockroach", "mould", "glass", "hair", "bone", "plastic"]
BURST_POSTS = 120  # over BURST_MINUTES event minutes
BURST_MINUTES = 2
QUIET = [t for t in TEXTS if not any(w in t.lower() for w in ("worm", "תולעת", "robak"))]
LANG = {"Lunch": "en", "גריל": "he", "Byłem": "pl", "weather": "en", "new": "en"}
START = datetime(2026, 3, 1, tzinfo=UTC)


def _workspace(bursts: int) -> str:
    topics = "".join(
        f'[[topics]]\nkey = "{word}"\nquery = "{word} AND burger"\n'
        for word in BURST_WORDS[:bursts]
    )
    return (
        'slug = "latency"\nname = "Latency"\nlanguages = ["en", "he", "pl"]\n'
        '[[topics]]\nkey = "brand"\nquery = \'grilltown OR "גריל טאון" OR grilltownu*\'\n'
        f'{topics}[[sources]]\nkey = "stream"\nkind = "file"\npath = "stream.jsonl"\n'
        'every = "0"\n'
    )


def _post(n: int, at: datetime, text: str, rng: random.Random) -> str:
    post = Post(
        external_id=f"l{n}",
        text=f"{text} {rng.randint(0, 10**6)}",
        author=f"user{rng.randint(0, 50_000)}",
        author_followers=rng.randint(0, 5_000),
        platform=rng.choice(["twitter", "facebook", "instagram", "news"]),
        created_at=at,
        likes=rng.randint(0, 50),
        language=LANG.get(text.split(" ", 1)[0], "en"),
    )
    return json.dumps(post_to_record(post), ensure_ascii=False) + "\n"


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(v for v in values if v == v)  # without NaN (nothing stored yet)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Writer:
    """Appends the live stream at `rate` posts per wall second, with bursts at given seconds."""

    def __init__(self, path: Path, rate: int, live_start: datetime, bursts: list[float]):
        self.path, self.rate, self.live_start = path, rate, live_start
        self.burst_at = bursts  # wall seconds after the live start
        self.first_write: dict[int, float] = {}  # burst → wall time of its first post
        self.minute_done: dict[int, float] = {}  # burst → first write past its first minute
        # event minute → wall time of the first post written in it (the live part only)
        self.minute_started: dict[datetime, float] = {}
        self.written = 0
        self.last_event = live_start  # the newest event time written
        self.stop = threading.Event()
        self.rng = random.Random(11)

    def run(self) -> None:
        t0 = time.time()
        self.wall_start = t0
        n = 10**7
        tick = 0.05
        burst_minute: dict[int, datetime] = {}
        with self.path.open("a", encoding="utf-8") as stream:
            step = 0
            while not self.stop.is_set():
                step += 1
                target = t0 + step * tick
                time.sleep(max(0.0, target - time.time()))
                now = time.time()
                event = self.live_start + timedelta(seconds=(now - t0) * SPEED)
                self.minute_started.setdefault(event.replace(second=0, microsecond=0), now)
                lines = []
                for _ in range(round(self.rate * tick)):
                    n += 1
                    lines.append(_post(n, event, self.rng.choice(QUIET), self.rng))
                for b, at in enumerate(self.burst_at):
                    elapsed = now - t0
                    span = BURST_MINUTES * 60 / SPEED
                    if at <= elapsed < at + span:
                        if b not in burst_minute:
                            burst_minute[b] = event.replace(second=0, microsecond=0)
                            self.first_write[b] = now
                        share = BURST_POSTS * tick / span
                        for _ in range(max(1, round(share))):
                            n += 1
                            text = f"found a {BURST_WORDS[b]} in my GrillTown burger, disgusting"
                            lines.append(_post(n, event, text, self.rng))
                    if (
                        b in burst_minute
                        and b not in self.minute_done
                        and event >= burst_minute[b] + timedelta(minutes=1)
                    ):
                        self.minute_done[b] = now
                stream.write("".join(lines))
                self.last_event = event
                stream.flush()
                self.written += len(lines)


def run(quick: bool = False, full: bool = False) -> str:
    """quick: 200 posts/s, 2 bursts (`make bench-quick`); default: 1,000 posts/s, 3 bursts
    (`make bench`, about 2 minutes); full: 1,000 posts/s, 6 bursts and 120 cycles for the
    state comparison (`make bench-latency`, about 4.5 minutes on 2 cores)."""
    rate = 200 if quick else 1000
    bursts = 2 if quick else 6 if full else 3
    gap = 20.0  # wall seconds between bursts
    burst_at = [10.0 + i * gap for i in range(bursts)]
    live_seconds = burst_at[-1] + 25.0
    rng = random.Random(5)
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        (folder / "ws.toml").write_text(_workspace(bursts), encoding="utf-8")
        live_start = START + timedelta(days=HISTORY_DAYS)
        with (folder / "stream.jsonl").open("w", encoding="utf-8") as stream:
            for i in range(HISTORY_DAYS * 24 * 60 * HISTORY_PER_MINUTE):
                at = START + timedelta(minutes=i / HISTORY_PER_MINUTE)
                stream.write(_post(i, at, rng.choice(QUIET), rng))
        db = folder / "latency.db"
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(sys.path),
            "FLAREWATCH_DATABASE_URL": f"sqlite:///{db}",
            "FLAREWATCH_DATA_DIR": str(folder),
        }
        runner = subprocess.Popen(
            [sys.executable, "-m", "flarewatch", "run", "--no-web", "--interval", "0.2"]
            + [str(folder / "ws.toml")],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            _wait_for_history(db, runner, live_start)
            writer = Writer(folder / "stream.jsonl", rate, live_start, burst_at)
            thread = threading.Thread(target=writer.run, daemon=True)
            thread.start()
            alerted, lags = _poll_alerts(db, bursts, writer, live_seconds)
            writer.stop.set()
            thread.join()
        finally:
            runner.terminate()
            runner.wait(timeout=30)
    from_first = [alerted[b][0] - writer.first_write[b] for b in alerted]
    from_minute = [
        alerted[b][0] - writer.minute_done[b] for b in alerted if b in writer.minute_done
    ]
    # From the moment the alert's own minute could be judged: the first post after it written.
    from_judgeable = [
        created - writer.minute_started[end]
        for created, end in alerted.values()
        if end in writer.minute_started
    ]
    rows = [
        "## Latency, full run (`make bench-latency`)"
        if full
        else "## Latency: ingest → alert through `flarewatch run`",
        "",
        f"`flarewatch run --no-web --interval 0.2` in a subprocess on SQLite; a `file` source "
        f"appended at {rate:,} posts/s (wall clock), event time {SPEED}× the wall clock "
        f"(a detection minute every {60 / SPEED:.0f} s), after {HISTORY_DAYS} days of quiet "
        f"history; {bursts} bursts of {BURST_POSTS} negative posts over {BURST_MINUTES} event "
        f"minutes, each in a topic of its own; {writer.written:,} live posts written. "
        f"Alerted: {len(alerted)} of {bursts} bursts.",
        "",
        "| from … to the alert row | p50 | p99 |",
        "| --- | ---: | ---: |",
    ]
    if from_first:
        rows.append(
            f"| the burst's first post written | {_percentile(from_first, 0.5):.2f} s | "
            f"{_percentile(from_first, 0.99):.2f} s |"
        )
    if from_minute:
        rows.append(
            f"| the burst's first minute complete (first later post written) | "
            f"{_percentile(from_minute, 0.5):.2f} s | {_percentile(from_minute, 0.99):.2f} s |"
        )
    cycles = 120 if full else 30 if quick else 60
    per_minute = 60
    reloaded = _cycle_cpu(False, cycles, per_minute)
    kept = _cycle_cpu(True, cycles, per_minute)
    mean_reloaded, mean_kept = sum(reloaded) / len(reloaded), sum(kept) / len(kept)
    if from_judgeable:
        rows.append(
            f"| the alert's own minute complete (first later post written) | "
            f"{_percentile(from_judgeable, 0.5):.2f} s | "
            f"{_percentile(from_judgeable, 0.99):.2f} s |"
        )
    rows += [
        "",
        f"Storage behind the writer (the newest stored post's age, sampled each second): "
        f"median {_percentile(lags, 0.5):.1f} s, max {_percentile(lags, 1.0):.1f} s — "
        "whether the runner keeps up with the rate, the floor under every latency above. "
        "Target: p99 < 2 s from the "
        "alert's minute's completion (the last row); the rows above add the detector's own "
        "need for evidence (the minutes of a burst it waits for) and the minute's wait.",
        "",
        f"What holding detectors between cycles saves, in this process: {cycles} one-minute "
        f"runner cycles of {per_minute} posts each after the same history, five topics, "
        "`EmbeddedRunner.cycle()` on SQLite, CPU per cycle:",
        "",
        "| detector state | mean | p99 |",
        "| --- | ---: | ---: |",
        f"| loaded and saved every cycle (before) | {mean_reloaded * 1000:.0f} ms | "
        f"{_percentile(reloaded, 0.99) * 1000:.0f} ms |",
        f"| held between cycles | {mean_kept * 1000:.0f} ms | "
        f"{_percentile(kept, 0.99) * 1000:.0f} ms |",
        f"| ratio | {mean_reloaded / mean_kept:.2f}× | |",
    ]
    return "\n".join(rows)


def _cycle_cpu(held: bool, minutes: int, rate_per_minute: int) -> list[float]:
    """CPU seconds of each runner cycle (poll, pipeline, detection, alerts) over `minutes`
    one-minute polls after the quiet history, with topics' detectors held between cycles or
    (the baseline) loaded and saved every cycle."""
    from rich.console import Console

    from flarewatch.config.workspace import parse_workspace_toml
    from flarewatch.db.engine import create_db_engine, sessionmaker_for
    from flarewatch.db.migrate import upgrade
    from flarewatch.runtime.embedded import EmbeddedRunner
    from flarewatch.workspaces.service import sync_workspace

    rng = random.Random(5)
    live_start = START + timedelta(days=HISTORY_DAYS)
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        engine = create_db_engine(f"sqlite:///{folder / 'cycles.db'}")
        upgrade(engine)
        with sessionmaker_for(engine)() as session:
            sync_workspace(session, parse_workspace_toml(_workspace(4)), folder)
            session.commit()
        now = live_start
        runner = EmbeddedRunner(engine, clock=lambda: now, console=Console(file=io.StringIO()))
        if not held:
            runner.detector_states = None
        n = 0
        with (folder / "stream.jsonl").open("w", encoding="utf-8") as stream:
            for i in range(HISTORY_DAYS * 24 * 60 * HISTORY_PER_MINUTE):
                n += 1
                at = START + timedelta(minutes=i / HISTORY_PER_MINUTE)
                stream.write(_post(n, at, rng.choice(QUIET), rng))
            stream.flush()
            runner.cycle()
            cpu: list[float] = []
            for minute in range(minutes):
                for i in range(rate_per_minute):
                    n += 1
                    at = live_start + timedelta(minutes=minute + i / rate_per_minute)
                    stream.write(_post(n, at, rng.choice(QUIET), rng))
                stream.flush()
                now = live_start + timedelta(minutes=minute + 1)
                started = time.process_time()
                runner.cycle()
                cpu.append(time.process_time() - started)
        engine.dispose()
    return cpu


def _query(db: Path, sql: str) -> list[tuple[object, ...]]:
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            return conn.execute(sql).fetchall()
    except sqlite3.OperationalError:  # not migrated yet, or locked for a moment
        return []


def _wait_for_history(db: Path, runner: subprocess.Popen[bytes], live_start: datetime) -> None:
    """Until the runner stored and judged the history (its detector states reach its end)."""
    deadline = time.time() + 600
    last = (live_start - timedelta(minutes=2)).strftime("%Y-%m-%d %H:%M")
    while time.time() < deadline:
        if runner.poll() is not None:
            raise RuntimeError(runner.stderr.read().decode()[-2000:] if runner.stderr else "")
        rows = _query(db, "select min(last_minute) from detector_state")
        if rows and rows[0][0] and str(rows[0][0]) >= last:
            return
        time.sleep(0.5)
    raise RuntimeError("the runner did not finish the history within 10 minutes")


def _poll_alerts(
    db: Path, bursts: int, writer: Writer, seconds: float
) -> tuple[dict[int, tuple[float, datetime]], list[float]]:
    """Burst → wall time (epoch seconds) its topic's first alert row was created, and the end
    of the window that alert judged (event time); and how far storage was behind the writer,
    sampled once a second."""
    ids = {str(word): b for b, word in enumerate(BURST_WORDS[:bursts])}
    alerted: dict[int, tuple[float, datetime]] = {}
    lags: list[float] = []
    end = time.time() + seconds
    sampled = 0.0
    while time.time() < end and len(alerted) < bursts:
        if time.time() - sampled >= 1.0:
            sampled = time.time()
            lags.append(_event_lag(db, writer))
        rows = _query(
            db,
            "select t.key, a.created_at, a.window_end from alert a "
            "join topic t on t.id = a.topic_id order by a.id",
        )
        for key, created, window_end in rows:
            if key in ids and ids[key] not in alerted and created:
                alerted[ids[key]] = (_utc(created).timestamp(), _utc(window_end))
        time.sleep(0.05)
    return alerted, lags


def _utc(value: object) -> datetime:
    stamp = datetime.fromisoformat(str(value))
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _event_lag(db: Path, writer: Writer) -> float:
    """How far (wall seconds) the newest stored post is behind the newest written one."""
    rows = _query(db, "select max(created_at) from raw_post")
    if not rows or not rows[0][0]:
        return float("nan")
    return (writer.last_event - _utc(rows[0][0])).total_seconds() / SPEED


if __name__ == "__main__":
    print(run(quick="--quick" in sys.argv, full="--full" in sys.argv))
