"""`--format auto`: which preset reads a file, from its name and first records or header."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

from flarewatch.sources.base import SourceError
from flarewatch.sources.exports.reader import (
    JSON_SUFFIXES,
    JSONL_SUFFIXES,
    base_suffix,
    open_text,
    read_jsonl,
    read_table,
)
from flarewatch.sources.exports.registry import TABLE_PRESETS, known_columns
from flarewatch.sources.ingest import FIELDS

SNIFF_CHARS = 65536
MIN_SIGNATURE = 2  # header names only this tool writes, needed to name it


def sniff_format(path: Path) -> str:
    """The preset name for `path`, or a SourceError saying which --format to give."""
    suffix = base_suffix(path)
    if suffix in JSON_SUFFIXES:
        return _sniff_json(path)
    if suffix in JSONL_SUFFIXES:
        try:
            return _sniff_jsonl(path)
        except (OSError, EOFError, zlib.error):
            return "jsonl"  # damaged: the ingest-format reader reports where and why
    try:
        table = read_table(path, known_columns())
    except (OSError, EOFError, zlib.error) as err:
        raise SourceError(f"{path.name}: cannot be read ({err}); check the file") from None
    header = {name.lower() for name in table.header}
    table.rows.close()  # type: ignore[attr-defined]
    return table_format(header, path)


def _sniff_jsonl(path: Path) -> str:
    for _, value in read_jsonl(path):
        if isinstance(value, dict) and ("chunk_result" in value or "chunk_type" in value):
            return "talkwalker"
        if isinstance(value, dict) and {"published", "content"} <= value.keys():
            return "talkwalker"
        return "jsonl"
    return "jsonl"


def table_format(header: set[str], path: Path) -> str:
    scores = {name: len(p.signature & header) for name, p in TABLE_PRESETS.items()}
    best = max(scores, key=lambda name: scores[name])
    if scores[best] >= MIN_SIGNATURE:
        return best
    if {"id", "text"} <= header or {"text", "created_at"} <= header:
        return "csv"
    raise SourceError(
        f"{path.name}: the columns are not those of a known export "
        f"({', '.join(sorted(header)[:8])}…); give --format (brandwatch, meltwater, "
        "sprinklr, mention, talkwalker) or name the columns with "
        f"--map text=COLUMN,created_at=COLUMN (fields: {', '.join(FIELDS[:6])}, …)"
    )


def _sniff_json(path: Path) -> str:
    text, _ = open_text(path)
    with text:
        head = text.read(SNIFF_CHARS)
    stripped = head.lstrip()
    if stripped.startswith("window.YTD."):
        return "x-archive"
    if '"comments_v2"' in head or stripped.startswith('{"comments"'):
        return "facebook-dyi"
    if stripped.startswith("["):
        try:
            first = json.loads(stripped)[0] if len(head) < SNIFF_CHARS else None
        except (json.JSONDecodeError, IndexError, KeyError):
            first = None
        if isinstance(first, dict) and "tweet" in first:
            return "x-archive"
    raise SourceError(
        f"{path.name}: not a JSON file Flarewatch recognises; X archives are data/tweets.js and "
        "Facebook's are comments.json (JSON format); give --format for another file"
    )
