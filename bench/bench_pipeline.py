"""Pipeline throughput: one batch through every stage vs. a bare insert of the same rows.

The baseline is the least any pipeline must do: insert the posts with one Core `executemany`.
The ratio says what normalising, dedup, matching, enrichment, mentions and rollups cost on top.
"""

from __future__ import annotations

import random
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from flarewatch.alerts.service import raise_alerts
from flarewatch.config.workspace import parse_workspace_toml
from flarewatch.db.engine import create_db_engine, sessionmaker_for
from flarewatch.db.migrate import upgrade
from flarewatch.detect.service import run_detection
from flarewatch.mentions.models import RawPost
from flarewatch.mentions.post import Post
from flarewatch.pipeline.batch import process_batch
from flarewatch.pipeline.context import build_context
from flarewatch.pipeline.normalise import normalise_batch
from flarewatch.sources.models import Source
from flarewatch.workspaces.service import sync_workspace

WORKSPACE = """
slug = "bench"
name = "Bench"
languages = ["en", "he", "pl"]
[[topics]]
key = "brand"
query = 'grilltown OR "גריל טאון" OR grilltownu*'
[[topics]]
key = "safety"
query = '(worm OR תולעת OR robak*) AND (burger OR המבורגר OR burger*)'
"""

TEXTS = [
    "Lunch at GrillTown today, the burger was great",
    "גריל טאון - ההמבורגר היה מצוין, ממליץ",
    "Byłem w GrillTownie, burger całkiem dobry",
    "found a worm in my GrillTown burger, disgusting #boycott",
    "מצאתי תולעת בהמבורגר של גריל טאון!!! מגעיל",
    "weather is nice in Tel Aviv this morning",
    "robak w burgerze z GrillTown, skandal",
    "new phone, who dis",
]


def make_posts(count: int, seed: int = 7) -> list[Post]:
    rng = random.Random(seed)
    start = datetime(2026, 3, 1, tzinfo=UTC)
    return [
        Post(
            external_id=f"b{i}",
            text=f"{rng.choice(TEXTS)} {rng.randint(0, 10**6)}",
            author=f"user{rng.randint(0, count // 4)}",
            author_followers=rng.randint(0, 100_000),
            platform=rng.choice(["twitter", "facebook", "instagram", "news"]),
            created_at=start + timedelta(seconds=i * 3),
            likes=rng.randint(0, 50),
        )
        for i in range(count)
    ]


def _setup(folder: Path) -> tuple[object, int, object]:
    engine = create_db_engine(f"sqlite:///{folder / 'bench.db'}")
    upgrade(engine)
    sessions = sessionmaker_for(engine)
    with sessions() as session:
        workspace = sync_workspace(session, parse_workspace_toml(WORKSPACE), folder)
        source = Source(workspace_id=workspace.id, key="bench", kind="file", config={})
        session.add(source)
        session.commit()
        return engine, source.id, workspace.id


@dataclass(slots=True)
class PipelineFigures:
    count: int
    batch: int
    baseline_s: float  # bare insert
    full_s: float  # process_batch
    mentions: int
    detect_s: float  # run_detection + raise_alerts over what process_batch stored
    alerts: int


def measure(count: int, batch: int = 1_000) -> PipelineFigures:
    """Bare insert and the whole pipeline over the same `count` posts, this process."""
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        engine, source_id, workspace_id = _setup(folder)
        sessions = sessionmaker_for(engine)  # type: ignore[arg-type]

        # Baseline: bare insert of the same (already normalised) rows.
        posts = normalise_batch(make_posts(count))
        rows = [
            {
                "workspace_id": workspace_id,
                "source_id": source_id,
                "external_id": p.external_id,
                "platform": p.platform,
                "text": p.text,
                "content_hash": p.content_hash,
                "payload": {},
                "created_at": p.created_at,
                "fetched_at": p.created_at,
            }
            for p in posts
        ]
        started = time.process_time()
        with sessions() as session:
            for i in range(0, count, batch):
                session.execute(insert(RawPost), rows[i : i + batch])
                session.commit()
        baseline = time.process_time() - started

        engine2, source2, _ = _setup(_fresh(folder))
        sessions2 = sessionmaker_for(engine2)  # type: ignore[arg-type]
        fresh_posts = make_posts(count)
        with sessions2() as session:
            from flarewatch.workspaces.models import Workspace

            context = build_context(session, session.query(Workspace).one())
            context.enricher.enrich_batch(fresh_posts[:10])  # load models outside the timing
            started = time.process_time()
            mentions = 0
            for i in range(0, count, batch):
                report = process_batch(
                    session, context, source2, fresh_posts[i : i + batch], datetime.now(UTC)
                )
                session.commit()
                mentions += report.mentions
            full = time.process_time() - started
            # Detection and alerting over everything just stored, as `flarewatch ingest` runs
            # them once the file is read.
            workspace = session.query(Workspace).one()
            started = time.process_time()
            candidates = run_detection(session, workspace, fresh_posts[-1].created_at)
            alerts = raise_alerts(session, workspace, candidates, datetime.now(UTC))
            session.commit()
            detect = time.process_time() - started
    return PipelineFigures(count, batch, baseline, full, mentions, detect, len(alerts))


def run(quick: bool = False) -> str:
    figures = measure(2_000 if quick else 20_000)
    count, batch, baseline, full = figures.count, figures.batch, figures.baseline_s, figures.full_s
    mentions = figures.mentions
    return "\n".join(
        [
            "## Pipeline (normalise → dedup → match → enrich → store → roll up)",
            "",
            f"{count:,} posts in batches of {batch:,}, SQLite (WAL) in a temporary folder, "
            "one process, one core; seconds are CPU time of the process (steadier than wall "
            "time when other processes share the machine).",
            "",
            "| run | seconds | posts/s |",
            "| --- | ---: | ---: |",
            f"| baseline: bare `executemany` insert of the rows | {baseline:.2f} | "
            f"{count / baseline:,.0f} |",
            f"| full pipeline ({mentions:,} mentions written) | {full:.2f} | {count / full:,.0f} |",
            "",
            f"Full pipeline / bare insert time ratio: **{full / baseline:.1f}×**.",
        ]
    )


def _fresh(folder: Path) -> Path:
    target = folder / "full"
    target.mkdir()
    return target


if __name__ == "__main__":
    print(run())
