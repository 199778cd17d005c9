"""One pass over an export file: posts and problems in file order, counted by record so a
later fetch resumes where the last one stopped. Rows stream; one bad row is one problem named
by its line and column, and the rest are read."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import Any

from flarewatch.mentions.post import Post
from flarewatch.sources.base import SourceError, SourceProblem
from flarewatch.sources.exports.dates import zone
from flarewatch.sources.exports.mapping import RowMapper
from flarewatch.sources.exports.preset import flatten
from flarewatch.sources.exports.reader import (
    JSONL_SUFFIXES,
    base_suffix,
    read_jsonl,
    read_table,
    stream_json_records,
)
from flarewatch.sources.exports.registry import TABLE_PRESETS, known_columns, preset
from flarewatch.sources.exports.sniff import sniff_format
from flarewatch.sources.ingest import RecordError, post_from_record

MAX_UNUSED_SHOWN = 40
_ZONE_NAME = re.compile(r"\b([A-Z][A-Za-z]+/[A-Z][A-Za-z_]+(?:/[A-Z][A-Za-z_]+)?)\b")


@dataclass(frozen=True, slots=True)
class ExportSettings:
    """The file source's `format`, `map` and `timezone` options."""

    format: str = "auto"
    mapping: dict[str, str] = field(default_factory=dict)
    timezone: str | None = None


@dataclass(slots=True)
class ExportItem:
    post: Post | None
    problem: SourceProblem | None


class ExportPass:
    """Reads `path` from its first record; `position` counts the records consumed."""

    def __init__(
        self,
        path: Path,
        settings: ExportSettings,
        *,
        default_platform: str,
        source_key: str,
        start: int = 0,
    ) -> None:
        self.path = path
        self.settings = settings
        self.format = sniff_format(path) if settings.format == "auto" else settings.format
        self.preset = preset(self.format)
        self.default_platform = default_platform
        self.source_key = source_key
        self.position = 0
        self.start = start
        self.warnings: list[SourceProblem] = []
        self._items = self._iterate()

    def __iter__(self) -> Iterator[ExportItem]:
        return self._items

    def _iterate(self) -> Iterator[ExportItem]:
        if self.preset.shape == "json":
            return self._json()
        # Talkwalker also exports CSV with the API's field names: a table name reads as a table.
        if self.preset.shape == "jsonl" and (_is_jsonl(self.path) or self.preset.name == "jsonl"):
            return self._jsonl()
        return self._table()

    def _post(self, mapper: RowMapper, row: dict[str, Any], where: str) -> ExportItem:
        try:
            record = mapper.record(row)
            post = post_from_record(
                record, default_platform=self.default_platform, source_key=self.source_key
            )
        except RecordError as err:
            return ExportItem(None, SourceProblem(where, str(err)))
        post.where = where
        return ExportItem(post, None)

    def _note_unused(self, where: str, unused: list[str]) -> None:
        if not unused:
            return
        shown = ", ".join(unused[:MAX_UNUSED_SHOWN])
        more = (
            f" and {len(unused) - MAX_UNUSED_SHOWN} more" if len(unused) > MAX_UNUSED_SHOWN else ""
        )
        self.warnings.append(
            SourceProblem(
                where,
                f"{len(unused)} column(s) not used, kept with each post under 'export': "
                f"{shown}{more}; map one with --map FIELD=COLUMN",
            )
        )

    def _table(self) -> Iterator[ExportItem]:
        extra = frozenset(c.lower() for c in self.settings.mapping.values())
        table = read_table(self.path, known_columns() | extra)
        tz = self._zone(table.preamble)
        table_preset = TABLE_PRESETS.get(self.preset.name, self.preset)
        mapper = RowMapper(table_preset, table.header, self.settings.mapping, tz)
        if self.start == 0:
            self._note_unused(f"{self.path.name} line {table.header_line}", mapper.unused)
        width = len(table.header)
        for line, cells in table.rows:
            self.position += 1
            if self.position <= self.start:
                continue
            # CSV cells are all text: one join tells an empty row and a decoding error apart
            # from the rest (cheap for 130-column exports); .xlsx cells are checked one by one.
            joined = "".join(
                cells if table.delimiter else [c if isinstance(c, str) else "x" for c in cells]
            )
            if not joined.strip():
                continue
            where = f"{self.path.name} line {line}"
            if len(cells) != width:
                yield ExportItem(
                    None,
                    SourceProblem(
                        where,
                        f"has {len(cells)} fields but the header has {width}; put text that "
                        f"contains the separator {_shown(table.delimiter)} in double quotes",
                    ),
                )
                continue
            if "\ufffd" in joined:
                yield ExportItem(
                    None,
                    SourceProblem(
                        where,
                        f"has bytes that are not {table.encoding} text; export the file again as "
                        "UTF-8 (or UTF-16)",
                    ),
                )
                continue
            yield self._post(mapper, dict(zip(table.header, cells, strict=True)), where)

    def _jsonl(self) -> Iterator[ExportItem]:
        mapper = RowMapper(self.preset, None, self.settings.mapping, self._zone([]))
        shaped = self.preset.flatten or flatten
        noted = self.start > 0
        for line, value in read_jsonl(self.path):
            self.position += 1
            if self.position <= self.start:
                continue
            where = f"{self.path.name} line {line}"
            if isinstance(value, Exception):
                yield ExportItem(
                    None, SourceProblem(where, f"not valid JSON ({value}); each line is one object")
                )
                continue
            flat = shaped(value)
            if not flat:
                continue  # a control or progress line of the API stream
            if not noted:
                noted = True
                self._note_unused(where, mapper.unused_in(flat.keys()))
            yield self._post(mapper, flat, where)

    def _json(self) -> Iterator[ExportItem]:
        records = stream_json_records(self.path, self.preset.record_paths)
        mapper = RowMapper(self.preset, None, self.settings.mapping, self._zone([]))
        shaped = self.preset.flatten or flatten
        noted = self.start > 0
        index = 0
        for index, item in enumerate(records, start=1):
            self.position += 1
            if self.position <= self.start:
                continue
            where = f"{self.path.name} record {index}"
            flat = shaped(item)
            if not noted:
                noted = True
                self._note_unused(where, mapper.unused_in(flat.keys()))
            yield self._post(mapper, flat, where)
        if index == 0:
            raise SourceError(
                f"{self.path.name}: holds no {self.preset.title} records; check that it is the "
                "right file of the archive"
            )

    def _zone(self, preamble: list[str]) -> tzinfo:
        """The zone of dates written without one: the option, else an IANA zone name in the
        report lines above the header, else UTC."""
        if self.settings.timezone:
            return zone(self.settings.timezone)
        for line in preamble:
            for name in _ZONE_NAME.findall(line):
                try:
                    return zone(name)
                except ValueError:
                    continue
        return zone(None)


def _is_jsonl(path: Path) -> bool:
    return base_suffix(path) in JSONL_SUFFIXES


def _shown(delimiter: str) -> str:
    return {"\t": "(tab)", "": "(cell)"}.get(delimiter, repr(delimiter))
