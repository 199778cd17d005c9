"""Peak memory of a large import: `flarewatch ingest` of a generated JSONL file.

The corpus is the bench corpus (bench/bench_pipeline.py's texts and workspace) written line by
line from a generator, so the bench itself never holds it; the child's peak RSS is read from the
kernel (`os.wait4`). The default mode measures 200,000 posts; full mode adds 1,000,000 (the
issue's bound: under 500 MB), which takes tens of minutes on a small machine, so it is not in
`run_all.py`'s list: `make bench-memory` runs it on its own and adds its section to
docs/benchmarks.md (`python -m bench.bench_memory [--quick | --full]` prints it).

`--brandwatch` measures the same for another tool's export: a Brandwatch-layout CSV (the
layout of `bench/bench_exports.py`, 6 report lines above the header) of 100,000 and 1,000,000
rows read by `flarewatch ingest --format auto` into a workspace whose topic matches about a
third of the rows.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.bench_e2e import LANGUAGES, ChildRun, flarewatch
from bench.bench_pipeline import TEXTS, WORKSPACE
from flarewatch.mentions.post import Post
from flarewatch.sources.ingest import post_to_record

LIMIT_MIB = 500


def stream_posts(count: int, seed: int = 7) -> Iterator[Post]:
    """The bench corpus's shape (make_posts), one post at a time."""
    rng = random.Random(seed)
    start = datetime(2026, 3, 1, tzinfo=UTC)
    for i in range(count):
        text = f"{rng.choice(TEXTS)} {rng.randint(0, 10**6)}"
        yield Post(
            external_id=f"m{i}",
            text=text,
            author=f"user{rng.randint(0, count // 4)}",
            author_followers=rng.randint(0, 100_000),
            platform=rng.choice(["twitter", "facebook", "instagram", "news"]),
            created_at=start + timedelta(seconds=i * 3),
            likes=rng.randint(0, 50),
            language=LANGUAGES.get(text.split(" ", 1)[0], "en"),
        )


def ingest(root: Path, count: int) -> ChildRun:
    folder = root / f"m{count}"
    folder.mkdir()
    (folder / "workspace.toml").write_text(WORKSPACE, encoding="utf-8")
    with (folder / "posts.jsonl").open("w", encoding="utf-8") as out:
        for post in stream_posts(count):
            out.write(json.dumps(post_to_record(post), ensure_ascii=False) + "\n")
    flarewatch(folder, "workspace", "add", str(folder / "workspace.toml"))
    return flarewatch(folder, "ingest", str(folder / "posts.jsonl"), "--workspace", "bench")


BRANDWATCH_WORKSPACE = """
slug = "bench"
name = "Bench"
languages = ["en", "he", "pl"]
[[topics]]
key = "acme"
query = 'acme AND refund AND slow'
"""


def ingest_brandwatch(root: Path, count: int) -> ChildRun:
    from bench.bench_exports import _write

    folder = root / f"bw{count}"
    folder.mkdir()
    (folder / "workspace.toml").write_text(BRANDWATCH_WORKSPACE, encoding="utf-8")
    _write(folder / "export.csv", count)
    flarewatch(folder, "workspace", "add", str(folder / "workspace.toml"))
    return flarewatch(folder, "ingest", str(folder / "export.csv"), "--workspace", "bench")


def run_brandwatch(quick: bool = False) -> str:
    sizes = [10_000] if quick else [100_000, 1_000_000]
    rows = [
        "| rows | wall s | CPU s | peak RSS MiB | under 500 MB |",
        "| ---: | ---: | ---: | ---: | --- |",
    ]
    with tempfile.TemporaryDirectory() as folder_name:
        for count in sizes:
            child = ingest_brandwatch(Path(folder_name), count)
            fits = "yes" if child.peak_rss_mib * 2**20 < LIMIT_MIB * 10**6 else "no"
            rows.append(
                f"| {count:,} | {child.wall_s:.0f} | {child.cpu_s:.0f} | "
                f"{child.peak_rss_mib:,.0f} | {fits} |"
            )
            print(rows[-1], child.output.strip().splitlines()[-1], flush=True)
    return "\n".join(rows)


def run(quick: bool = False, full: bool = False) -> str:
    sizes = [20_000] if quick else [200_000, 1_000_000] if full else [200_000]
    rows = [
        "## Memory of a large import (`flarewatch ingest`)",
        "",
        "The bench corpus generated as a JSONL file line by line, `flarewatch ingest` in a "
        "subprocess on a fresh SQLite file; peak RSS and CPU are the child's own.",
        "",
        "| posts | wall s | CPU s | peak RSS MiB | under 500 MB |",
        "| ---: | ---: | ---: | ---: | --- |",
    ]
    with tempfile.TemporaryDirectory() as folder_name:
        for count in sizes:
            child = ingest(Path(folder_name), count)
            fits = "yes" if child.peak_rss_mib * 2**20 < LIMIT_MIB * 10**6 else "no"
            rows.append(
                f"| {count:,} | {child.wall_s:.0f} | {child.cpu_s:.0f} | "
                f"{child.peak_rss_mib:,.0f} | {fits} |"
            )
    return "\n".join(rows)


if __name__ == "__main__":
    if "--brandwatch" in sys.argv:
        print(run_brandwatch(quick="--quick" in sys.argv))
    else:
        print(run(quick="--quick" in sys.argv, full="--full" in sys.argv))
