"""One export row → one ingest-format record, by a preset's columns and the user's `--map`.

Columns neither maps are kept, under `export` in the post's raw record, and named once as
"not used"; the tool's own sentiment is kept as `tool_sentiment`, apart from Flarewatch's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, tzinfo
from decimal import Decimal
from typing import Any

from flarewatch.sources.base import SourceError
from flarewatch.sources.exports.codes import country_code, language_code
from flarewatch.sources.exports.dates import export_date
from flarewatch.sources.exports.preset import COMMON_PLATFORMS, Preset
from flarewatch.sources.ingest import FIELDS, RecordError

MAPPABLE = (*FIELDS, "sentiment")
DATE_FIELDS = ("created_at", "author_created_at")


def parse_map(text: str | None) -> dict[str, str]:
    """`text=Full Text,created_at=Date` → {"text": "Full Text", "created_at": "Date"}."""
    mapping: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        name, sep, column = part.partition("=")
        name, column = name.strip(), column.strip()
        if not sep or not name or not column:
            raise ValueError(
                f"--map: {part.strip()!r} is not FIELD=COLUMN; write e.g. "
                "--map 'text=Full Text,created_at=Date'"
            )
        check_field(name)
        mapping[name] = column
    return mapping


def check_field(name: str) -> None:
    if name not in MAPPABLE:
        raise ValueError(
            f"--map: {name!r} is not a field posts have; map one of {', '.join(MAPPABLE)}"
        )


def cell(value: Any) -> Any:
    """A cell as JSON can store it (.xlsx gives datetimes and decimals)."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class RowMapper:
    """Maps the rows of one file. `columns`: the header (tables); None for JSON records, whose
    keys vary: the preset's names are then looked up as they are."""

    def __init__(
        self,
        preset: Preset,
        columns: list[str] | None,
        overrides: Mapping[str, str],
        tz: tzinfo,
    ) -> None:
        self.preset = preset
        self.tz = tz
        wanted: dict[str, tuple[str, ...]] = dict(preset.columns)
        for name, column in overrides.items():
            check_field(name)
            wanted[name] = (column,)
        if columns is None:
            self.lookup = {name: cols for name, cols in wanted.items() if cols}
        else:
            by_lower = {c.lower(): c for c in reversed(columns) if c}
            for name, column in overrides.items():
                if column.lower() not in by_lower:
                    shown = ", ".join(repr(c) for c in columns[:12] if c)
                    raise SourceError(
                        f"--map {name}={column}: the file has no column {column!r}; "
                        f"its columns are {shown}{'…' if len(columns) > 12 else ''}"
                    )
            self.lookup = {}
            for name, candidates in wanted.items():
                present = tuple(by_lower[c.lower()] for c in candidates if c.lower() in by_lower)
                if present:
                    self.lookup[name] = present
            for required in ("text", "created_at"):
                if required not in self.lookup:
                    raise SourceError(_missing(required, preset, wanted.get(required, ())))
        self.used = frozenset(c for cols in self.lookup.values() for c in cols)
        self.unused = (
            [c for c in columns if c and c not in self.used] if columns is not None else []
        )

    def unused_in(self, keys: Iterable[str]) -> list[str]:
        return [k for k in keys if k not in self.used]

    def record(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """The ingest record of one row; RecordError names the column at fault."""
        out: dict[str, Any] = {}
        for name, candidates in self.lookup.items():
            for column in candidates:
                value = row.get(column)
                if value is not None and value != "" and not _empty(value):
                    self._put(out, name, column, value)
                    break
        if "created_at" not in out:
            columns = " or ".join(repr(c) for c in self.lookup.get("created_at", ())) or "date"
            raise RecordError(
                f"column {columns}: no date in this row; the post's time is needed (it is never "
                "replaced by the import time): fill it in or leave the row out"
            )
        if "id" not in out:
            # Tools without a post id: the URL names the post; failing that, its content does.
            out["id"] = out.get("url") or _content_id(out)
        if "url" not in out and self.preset.url_template:
            out["url"] = self.preset.url_template.format(id=out["id"])
        if "platform" not in out and self.preset.default_platform:
            out["platform"] = self.preset.default_platform
        used = self.used
        extra = {k: cell(v) for k, v in row.items() if v != "" and k not in used and not _empty(v)}
        if extra:
            out["export"] = extra
        out["export_format"] = self.preset.name
        return out

    def _put(self, out: dict[str, Any], name: str, column: str, value: Any) -> None:
        if name in DATE_FIELDS:
            out[name] = export_date(value, column, self.preset.date_formats, self.tz).isoformat()
        elif name == "sentiment":
            out["tool_sentiment"] = cell(value)
        elif name == "country":
            code = country_code(str(value))
            if code is None:
                out["country_name"] = str(value)  # kept, so nothing the tool said is lost
            else:
                out["country"] = code
        elif name == "language":
            code = language_code(str(value))
            if code is None:
                out["language_name"] = str(value)
            else:
                out["language"] = code
        elif name == "platform":
            text = str(value).strip()
            platforms = self.preset.platforms or COMMON_PLATFORMS
            out["platform"] = platforms.get(text.lower(), COMMON_PLATFORMS.get(text.lower(), text))[
                :32
            ]
        elif name == "id":
            out["id"] = _id_text(value)
        else:
            out[name] = cell(value)


def _id_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a spreadsheet cell turned the id into a number
    return str(value).strip()


def _content_id(record: Mapping[str, Any]) -> str:
    key = "\x1f".join(str(record.get(k) or "") for k in ("created_at", "author", "text"))
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def _missing(name: str, preset: Preset, looked_for: tuple[str, ...]) -> str:
    tried = ", ".join(repr(c) for c in looked_for) or "none"
    what = "date" if name == "created_at" else "post text"
    return (
        f"the file has no {what} column the {preset.title} format reads (looked for {tried}); "
        f"name it with --map {name}=COLUMN"
    )
