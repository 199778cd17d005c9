"""Exports name their time column differently ("Date", "Post Date", "published", Polish
"data", Hebrew "תאריך"). A record without `created_at` is dated when it is read, so such a
column left unused would silently replace every post's real time with the import time: it is
found here and named in a warning that says how to map it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flarewatch.sources.ingest import FIELDS

# Words that name a time column, in English, Polish and Hebrew (compared per word of the name).
_DATE_WORDS = frozenset(
    {
        "date",
        "time",
        "timestamp",
        "datetime",
        "published",
        "posted",
        "created",
        "createdat",
        "publishedat",
        "postedat",
        "sent",
        "data",  # pl: date
        "czas",  # pl: time
        "opublikowano",  # pl: published
        "dodano",  # pl: added
        "utworzono",  # pl: created
        "תאריך",  # he: date
        "זמן",  # he: time
        "שעה",  # he: hour
        "פורסם",  # he: published
        "נוצר",  # he: created
    }
)
_WORD_SPLIT = re.compile(r"[\s_\-./:]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
# 2024-06-11…, 11/06/2024, 11.06.24, 6-11-2024 (with or without a time after it).
_DATE_VALUE = re.compile(r"^\s*(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4})([ T]|$)")


def _words(name: str) -> set[str]:
    return {w.lower() for w in _WORD_SPLIT.split(_CAMEL.sub(" ", name)) if w}


def looks_like_date_name(name: str) -> bool:
    return bool(_words(name) & _DATE_WORDS)


def looks_like_date_value(value: Any) -> bool:
    return isinstance(value, str) and bool(_DATE_VALUE.match(value))


def unused_date_column(record: Mapping[str, Any]) -> str | None:
    """The column that probably holds the time of a record without `created_at`, or None
    (also when the record has its `created_at`)."""
    if record.get("created_at") not in (None, ""):
        return None
    unused = [(str(k), v) for k, v in record.items() if str(k) not in FIELDS]
    for name, value in unused:
        if looks_like_date_name(name) and value not in (None, ""):
            return name
    for name, value in unused:
        if looks_like_date_value(value):
            return name
    return None


def date_column_warning(column: str) -> str:
    return (
        f"records have no created_at, but the column {column!r} looks like their time; "
        "they are dated when they are read instead. Rename that column to created_at in the "
        "export (ISO 8601, e.g. 2024-06-11T14:05:00+03:00) so posts keep their real times"
    )
