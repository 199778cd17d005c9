"""Export import benchmark: how fast a 1M-row Brandwatch-layout CSV becomes posts (reader,
preset mapping, date parsing, ingest checks; the database is the pipeline's benchmark), and
whether its memory stays bounded: the peak RSS of a process reading 100,000 rows against one
reading 1,000,000 (the same if rows stream).

Each reading runs in a fresh process so its peak RSS is its own. The baseline, in the same
run over the same file, is the least any reader does: `csv.reader` over the decoded lines.
"""

from __future__ import annotations

import csv
import multiprocessing
import random
import resource
import tempfile
import time
from pathlib import Path

SEED = 20261207
FULL_ROWS = 1_000_000
SMALL_ROWS = 100_000


def _write(path: Path, rows: int) -> None:
    from tests.sources.export_fixtures import BRANDWATCH_COLUMNS, BRANDWATCH_PREAMBLE

    rng = random.Random(SEED)
    words = [
        "acme",
        "awaria",
        "kolejka",
        "service",
        "app",
        "great",
        "slow",
        "אקמה",
        "שירות",
        "refund",
        "order",
    ]
    index = {name: i for i, name in enumerate(BRANDWATCH_COLUMNS)}
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("\ufeff" + "\r\n".join(BRANDWATCH_PREAMBLE) + "\r\n")
        writer = csv.writer(handle)
        writer.writerow(BRANDWATCH_COLUMNS)
        for n in range(rows):
            row = [""] * len(BRANDWATCH_COLUMNS)
            row[index["Resource Id"]] = str(10_000_000 + n)
            row[index["Date"]] = (
                f"2025-{1 + n % 12:02d}-{1 + n % 28:02d} {n % 24:02d}:{n % 60:02d}:00.0"
            )
            row[index["Full Text"]] = " ".join(rng.choices(words, k=12))
            row[index["Author"]] = f"@user{n % 5000}"
            row[index["Page Type"]] = rng.choice(["twitter", "news", "facebook", "reddit"])
            row[index["Language"]] = rng.choice(["pl", "he", "en"])
            row[index["Country"]] = rng.choice(["Poland", "Israel", "United States"])
            row[index["Twitter Likes"]] = str(n % 300)
            row[index["Sentiment"]] = rng.choice(["positive", "neutral", "negative"])
            row[index["Impact"]] = str(n % 97)
            writer.writerow(row)


def _read_export(path: str, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from flarewatch.sources.exports.source import ExportPass, ExportSettings

    start = time.perf_counter()
    posts = problems = 0
    export = ExportPass(
        Path(path), ExportSettings("auto", {}, "UTC"), default_platform="web", source_key="b"
    )
    for item in export:
        posts += item.post is not None
        problems += item.problem is not None
    elapsed = time.perf_counter() - start
    out.put((elapsed, posts, problems, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))


def _write_tweets_js(path: Path, count: int) -> None:
    """An X archive's tweets.js of `count` tweets, written one tweet at a time."""
    import json

    rng = random.Random(SEED)
    with path.open("w", encoding="utf-8") as handle:
        handle.write("window.YTD.tweets.part0 = [")
        for n in range(count):
            tweet = {
                "id_str": str(1_700_000_000_000_000_000 + n),
                "full_text": " ".join(rng.choices(["acme", "awaria", "שירות", "great"], k=12)),
                "created_at": "Tue Mar 05 14:30:00 +0000 2024",
                "favorite_count": str(n % 50),
                "retweet_count": "0",
                "lang": "en",
                "entities": {"urls": [{"expanded_url": f"https://a.example/{n}"}]},
            }
            handle.write(("," if n else "") + json.dumps({"tweet": tweet}, ensure_ascii=False))
        handle.write("]")


def _read_baseline(path: str, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    start = time.perf_counter()
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = sum(1 for _ in csv.reader(handle))
    elapsed = time.perf_counter() - start
    out.put((elapsed, rows, 0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))


def _in_child(target, path: Path) -> tuple[float, int, int, int]:  # type: ignore[no-untyped-def]
    queue: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    process = multiprocessing.get_context("fork").Process(target=target, args=(str(path), queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def run_archive(quick: bool) -> list[str]:
    """Peak RSS of reading an X archive's tweets.js of N and 10×N tweets (streamed by ijson)."""
    full = 20_000 if quick else 200_000
    small = full // 10
    with tempfile.TemporaryDirectory() as folder:
        big, little = Path(folder) / "big" / "tweets.js", Path(folder) / "small" / "tweets.js"
        for path, count in ((big, full), (little, small)):
            path.parent.mkdir()
            _write_tweets_js(path, count)
        size_mb = big.stat().st_size / 1e6
        small_time, small_posts, _, small_rss = _in_child(_read_export, little)
        run_time, posts, problems, rss = _in_child(_read_export, big)
    return [
        f"An X archive's `tweets.js` of {full:,} invented tweets ({size_mb:,.0f} MB), read the "
        f"same way (`--format auto`); {posts:,} posts, {problems} problems.",
        "",
        "| reader | rows/s | peak RSS (MB) |",
        "|---|---:|---:|",
        f"| `ExportPass`, tweets.js, {small:,} tweets | {small_posts / small_time:,.0f} | "
        f"{small_rss / 1024:,.0f} |",
        f"| `ExportPass`, tweets.js, {full:,} tweets | {posts / run_time:,.0f} | "
        f"{rss / 1024:,.0f} |",
        "",
        f"Bounded memory: {rss / max(small_rss, 1):.2f}× the smaller archive's peak RSS.",
        "",
    ]


def run(quick: bool) -> str:
    full = 50_000 if quick else FULL_ROWS
    small = full // 10
    with tempfile.TemporaryDirectory() as folder:
        big, little = Path(folder) / "big.csv", Path(folder) / "small.csv"
        _write(big, full)
        _write(little, small)
        size_mb = big.stat().st_size / 1e6
        base_time, _, _, base_rss = _in_child(_read_baseline, big)
        small_time, small_posts, _, small_rss = _in_child(_read_export, little)
        run_time, posts, problems, rss = _in_child(_read_export, big)
    rate, base_rate = full / run_time, full / base_time
    return "\n".join(
        [
            "## Sources: importing another tool's export",
            "",
            f"A Brandwatch-layout CSV ({len_columns()} columns, 6 report lines above the header, "
            f"BOM) of {full:,} invented rows, {size_mb:,.0f} MB, read by `ExportPass` "
            "(`--format auto`: sniffing, header search, preset mapping, dates, country names, "
            f"ingest checks) in a fresh process; {posts:,} posts, {problems} problems. "
            "Storing is the pipeline's benchmark.",
            "",
            "| reader | rows/s | vs. baseline | peak RSS (MB) |",
            "|---|---:|---:|---:|",
            f"| baseline: `csv.reader` over the file | {base_rate:,.0f} | 1.00 | "
            f"{base_rss / 1024:,.0f} |",
            f"| `ExportPass`, {small:,} rows | {small_posts / small_time:,.0f} | "
            f"{small_posts / small_time / base_rate:.2f} | {small_rss / 1024:,.0f} |",
            f"| `ExportPass`, {full:,} rows | {rate:,.0f} | {rate / base_rate:.2f} | "
            f"{rss / 1024:,.0f} |",
            "",
            "Bounded memory: the peak RSS for ten times the rows is "
            f"{rss / max(small_rss, 1):.2f}× the smaller file's.",
            "",
            *run_archive(quick),
        ]
    )


def len_columns() -> int:
    from tests.sources.export_fixtures import BRANDWATCH_COLUMNS

    return len(BRANDWATCH_COLUMNS)


if __name__ == "__main__":
    import sys

    if "--archive" in sys.argv:
        print("\n".join(run_archive(quick="--quick" in sys.argv)))
    else:
        print(run(quick="--quick" in sys.argv))
