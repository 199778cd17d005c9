"""``flarewatch analyze``: enrich JSONL posts from a file or stdin, one JSON line per line in."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Optional, TextIO  # noqa: UP035 - typer reads Optional[...] annotations

import typer

from flarewatch.enrich.enricher import Enricher
from flarewatch.mentions.post import Post
from flarewatch.sources import ingest

BATCH = 512


def to_post(record: dict[str, Any], line_no: int) -> Post:
    """Build a Post from a JSON object; raises ValueError naming the offending field.

    `analyze` needs only `text`, so a record without an id is numbered by its line; every other
    field is read exactly as ingestion reads it (sources/ingest.py).
    """
    if not isinstance(record.get("text"), str):
        raise ValueError("missing string field 'text'")
    with_id = {**record, "id": record.get("id") or record.get("external_id") or str(line_no)}
    return ingest.post_from_record(with_id)


def _lines(stream: TextIO) -> Iterator[tuple[int, str]]:
    for no, line in enumerate(stream, start=1):
        if line.strip():
            yield no, line


def run(
    stream: TextIO,
    out: TextIO,
    err: TextIO,
    enricher: Enricher,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Enrich every line; returns the exit code (1 when any line was malformed). ``progress``
    is called with the number of posts written after each batch."""
    failed = 0
    batch: list[tuple[dict[str, Any], Post]] = []

    def flush() -> None:
        results = enricher.enrich_batch([p for _, p in batch])
        for (record, _), enrichment in zip(batch, results, strict=True):
            # Original fields first and in their order; enrichment fields follow.
            out.write(json.dumps({**record, **enrichment.as_dict()}, ensure_ascii=False) + "\n")
        if progress is not None:
            progress(len(batch))
        batch.clear()

    for no, line in _lines(stream):
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("expected a JSON object")
            batch.append((record, to_post(record, no)))
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            failed += 1
            err.write(f"line {no}: {exc}\n")
            continue
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    return 1 if failed else 0


def analyze(
    file: Optional[Path] = typer.Argument(  # noqa: UP045 - typer needs Optional here
        None, help="JSONL file of posts with a 'text' field; stdin when omitted."
    ),
    languages: str = typer.Option(
        "en,he,pl", "--languages", "-l", help="The workspace's languages, comma-separated."
    ),
    backend: str = typer.Option(
        "default",
        "--backend",
        "-b",
        help="Sentiment backend: 'default' (shipped model, ~20,000 posts/s), 'use' "
        "(USE-multilingual v3 stacked on it: more accurate, ~500 posts/s; needs "
        "flarewatch[use]), 'e5' (multilingual-e5-small averaged with the use head: the most "
        "accurate offline, ~15-30 posts/s; needs flarewatch[e5]) or 'transformers'.",
    ),
) -> None:
    """Add language, sentiment, emotion, spam and reach fields to each JSONL post."""
    from flarewatch.cli.common import err_console, fail, progress_bar

    try:
        enricher = Enricher(
            [c for c in languages.split(",") if c.strip()], sentiment_backend=backend
        )
    except KeyError as exc:  # an unknown backend: the message lists the known ones
        fail(str(exc.args[0]), code=2)
    except (ImportError, FileNotFoundError) as exc:
        fail(str(exc), code=2)
    if file is None:
        code = run(sys.stdin, sys.stdout, sys.stderr, enricher)
    else:
        if not file.is_file():
            fail(f"{file}: no such file; give a JSONL file of posts, or pipe them on stdin", 2)
        # The bar goes to stderr (drawn only on a terminal): stdout carries the JSON lines.
        with file.open(encoding="utf-8") as fh, progress_bar(err_console) as bar:
            task = bar.add_task(f"analysing {file.name} ({backend})", total=None)
            code = run(fh, sys.stdout, sys.stderr, enricher, lambda n: bar.update(task, advance=n))
    if code:
        raise typer.Exit(code)
