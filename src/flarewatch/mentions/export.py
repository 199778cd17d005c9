"""Export of the filtered stream as CSV or JSONL: one record per post, topics as a list.

The web page's export link, the API and `flarewatch mentions export` all write through here, so
a file holds the same posts the inbox shows under the same filters.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from flarewatch.mentions.stream import PostRow

FORMATS = ("csv", "jsonl")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}
COLUMNS = (
    "id",
    "post_id",
    "created_at",
    "platform",
    "author",
    "topics",
    "language",
    "sentiment",
    "sentiment_score",
    "relevant",
    "filtered",
    "tags",
    "assignee",
    "reach",
    "engagement",
    "url",
    "title",
    "text",
)
# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def export_record(row: PostRow) -> dict[str, Any]:
    m = row.mention
    return {
        "id": m.id,
        "post_id": row.post.id,
        "created_at": m.created_at.isoformat(),
        "platform": m.platform,
        "author": row.author.handle if row.author is not None else None,
        "topics": [t.key for t in row.topics],
        "language": m.language,
        "sentiment": m.sentiment,
        "sentiment_score": round(m.sentiment_score, 4),
        "relevant": m.relevant,
        "filtered": row.filtered,
        "tags": list(row.tags),
        "assignee": row.assignee.email if row.assignee is not None else None,
        "reach": m.reach,
        "engagement": m.engagement,
        "url": row.post.url,
        "title": row.post.title,
        "text": row.post.text,
    }


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = ";".join(str(v) for v in value)
    text = str(value)
    if isinstance(value, str) and text.startswith(FORMULA_START):
        # Quoted so a spreadsheet shows the text instead of running it.
        return "'" + text
    return text


def export_lines(rows: Iterable[PostRow], fmt: str) -> Iterator[str]:
    """The file, a chunk of text at a time (a header line first for CSV)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "jsonl":
        for row in rows:
            yield json.dumps(export_record(row), ensure_ascii=False) + "\n"
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in rows:
        record = export_record(row)
        writer.writerow([_cell(record[column]) for column in COLUMNS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()
