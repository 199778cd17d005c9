"""Kind "file": posts from a JSONL or CSV file in the ingest format, optionally gzipped.

The file may keep growing (an export job appending lines); each fetch reads from the byte offset in
the checkpoint, so re-polling reads only new lines. The checkpoint also fingerprints the file
(inode, size, modification time, first bytes): a file that was replaced or rewritten is read again
from the start, and the (source, external id) key drops the posts already stored.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import os
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from pydantic import field_validator

from flarewatch.mentions.post import Post
from flarewatch.sources.base import FetchResult, SourceError, SourceProblem
from flarewatch.sources.date_columns import date_column_warning, unused_date_column
from flarewatch.sources.exports.source import ExportPass, ExportSettings
from flarewatch.sources.ingest import FIELDS, RecordError, post_from_record
from flarewatch.sources.options import KindOptions

if TYPE_CHECKING:
    from flarewatch.config.workspace import SourceConfig
    from flarewatch.sources.secrets import Secrets

JSONL_SUFFIXES = (".jsonl", ".ndjson")
CSV_SUFFIXES = (".csv",)
HEAD_BYTES = 4096
MAX_PROBLEMS_PER_BATCH = 100
SETTLE_SECONDS = 30.0
BOM = b"\xef\xbb\xbf"
CSV_FIELD_LIMIT = 64 * 1024 * 1024  # characters in one CSV cell


@dataclass(slots=True)
class _Item:
    """One record read from the file and where the reader stands after it."""

    post: Post | None
    problem: SourceProblem | None
    offset: int  # byte offset (uncompressed) just after the record
    line: int  # number of lines consumed so far
    partial: bool  # the record's last line had no newline yet


def file_format(path: Path) -> tuple[str, bool]:
    """('jsonl' | 'csv', gzipped) from the file name, or a SourceError saying what is accepted."""
    suffixes = [s.lower() for s in path.suffixes]
    gzipped = bool(suffixes) and suffixes[-1] == ".gz"
    if gzipped:
        suffixes = suffixes[:-1]
    last = suffixes[-1] if suffixes else ""
    if last in JSONL_SUFFIXES:
        return "jsonl", gzipped
    if last in CSV_SUFFIXES:
        return "csv", gzipped
    raise SourceError(
        f"{path.name}: unknown file type; name it *.jsonl, *.ndjson or *.csv (optionally *.gz)"
    )


def _open(path: Path, gzipped: bool) -> IO[bytes]:
    try:
        return cast(IO[bytes], gzip.open(path, "rb")) if gzipped else path.open("rb")
    except FileNotFoundError:
        raise SourceError(f"{path}: file not found; check the path") from None
    except OSError as err:
        raise SourceError(f"{path}: cannot be read ({err.strerror or err})") from None


class _Reader:
    """Reads records from a byte offset; `final=False` holds back a half-written last line."""

    def __init__(self, path: Path, *, default_platform: str, source_key: str, final: bool) -> None:
        self.path = path
        self.kind, self.gzipped = file_format(path)
        self.default_platform = default_platform
        self.source_key = source_key
        self.final = final

    def _where(self, line: int) -> str:
        return f"{self.path.name} line {line}"

    def _post(self, record: dict[str, Any], line: int) -> tuple[Post | None, SourceProblem | None]:
        try:
            post = post_from_record(
                record, default_platform=self.default_platform, source_key=self.source_key
            )
        except RecordError as err:
            return None, SourceProblem(self._where(line), str(err))
        post.where = self._where(line)
        return post, None

    def items(self, offset: int, line: int, partial: bool) -> Iterator[_Item]:
        read_any = False
        with _open(self.path, self.gzipped) as handle:
            try:
                records = (
                    self._jsonl(handle, offset, line, partial)
                    if self.kind == "jsonl"
                    else self._csv(handle, offset, line)
                )
                for item in records:
                    read_any = True
                    offset, line, partial = item.offset, item.line, item.partial
                    yield item
            except (OSError, EOFError, zlib.error) as err:
                # A truncated or damaged gzip stream (or a failing disk): the records before
                # the damage are kept, and the damage is reported where it starts.
                if not read_any and offset == 0:
                    raise SourceError(
                        f"{self.path.name}: {_unreadable(err, self.gzipped)}"
                    ) from None
                problem = SourceProblem(self._where(line + 1), _damage(err, self.gzipped))
                yield _Item(None, problem, offset, line, partial)

    def _jsonl(self, handle: IO[bytes], offset: int, line: int, partial: bool) -> Iterator[_Item]:
        handle.seek(offset)
        while True:
            raw = handle.readline()
            if not raw:
                return
            complete = raw.endswith(b"\n")
            body = raw[len(BOM) :] if offset == 0 and raw.startswith(BOM) else raw
            if not complete and not self.final and not _is_json_object(body):
                return  # a writer is probably still in the middle of this line
            offset += len(raw)
            # A line accepted without its newline is not counted twice when the newline arrives.
            if not (partial and raw.strip() == b""):
                line += 1
            partial = not complete
            if not body.strip():
                continue
            post, problem = self._jsonl_record(body, line)
            yield _Item(post, problem, offset, line, partial)

    def _jsonl_record(self, body: bytes, line: int) -> tuple[Post | None, SourceProblem | None]:
        where = self._where(line)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return None, SourceProblem(where, "not UTF-8 text; save the file as UTF-8")
        try:
            record = json.loads(text)
        except json.JSONDecodeError as err:
            return None, SourceProblem(
                where,
                f"not valid JSON: {err.msg} at column {err.colno}; "
                "each line must be one JSON object",
            )
        except RecursionError:
            return None, SourceProblem(
                where, "nested too deeply to read; flatten the record's lists and objects"
            )
        except ValueError as err:  # e.g. an integer of more than 4,300 digits
            return None, SourceProblem(where, f"not usable JSON: {err}; fix the value")
        if not isinstance(record, dict):
            return None, SourceProblem(
                where,
                f"a JSON {type(record).__name__}, not an object; "
                'each line must be one JSON object like {"id": "1", "text": "..."}',
            )
        return self._post(record, line)

    def _header(self, handle: IO[bytes]) -> list[str]:
        handle.seek(0)
        first = handle.readline()
        reader = csv.reader([first.removeprefix(BOM).decode("utf-8", errors="replace")])
        header = [name.strip().lower() for name in next(reader, [])]
        for column, name in enumerate(header, start=1):
            if name and name in header[: column - 1]:
                first = header.index(name) + 1
                raise SourceError(
                    f"{self.path.name} line 1: the header names the column {name!r} twice "
                    f"(columns {first} and {column}); rename or remove one of them"
                )
        missing = [name for name in ("id", "text") if name not in header]
        if missing:
            raise SourceError(
                f"{self.path.name} line 1: the header has no {' or '.join(missing)} column; "
                f"the first line must name the columns, e.g. {','.join(FIELDS[:6])}"
            )
        return header

    def _csv(self, handle: IO[bytes], offset: int, line: int) -> Iterator[_Item]:
        # csv refuses cells over 128 KiB by default; a longer text is read and then cut to
        # MAX_TEXT_CHARS like JSONL text. (Process-wide, and only ever raised.)
        csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
        header = self._header(handle)
        if offset == 0:
            offset, line = handle.tell(), 1
        handle.seek(offset)
        feed = _LineFeed(handle, offset, line, final=self.final)
        reader = csv.reader(feed)
        while True:
            start_offset, start_line = feed.offset, feed.line
            feed.bad_encoding = feed.hit_end = False
            feed.row_lines, feed.row_sizes = [], []
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as err:
                if feed.held_back or (feed.hit_end and not self.final):
                    return
                yield _Item(
                    None,
                    SourceProblem(self._where(start_line + 1), f"not valid CSV: {err}"),
                    feed.offset,
                    feed.line,
                    False,
                )
                continue
            if feed.held_back or (feed.hit_end and not self.final):
                # The row ran into the end of a file still being written (a half-written line or
                # an open quote): read it again once it is complete.
                feed.offset, feed.line = start_offset, start_line
                return
            where_line = start_line + 1
            if feed.hit_end and len(feed.row_lines) > 1 and _opens_unclosed_quote(feed.row_lines):
                # The quote never closes: csv read the rest of the file as one text. Report the
                # line where it opened and read on from the line after it.
                resume = start_offset + feed.row_sizes[0]
                problem = SourceProblem(
                    self._where(where_line),
                    "a quote opened on this line is never closed, so the rest of the file would "
                    'read as its text; close the quote (write "" for a quote inside quoted text)',
                )
                yield _Item(None, problem, resume, where_line, False)
                handle.seek(resume)
                feed = _LineFeed(handle, resume, where_line, final=self.final)
                reader = csv.reader(feed)
                continue
            if not any(cell.strip() for cell in row):
                continue
            if feed.bad_encoding:
                problem = SourceProblem(
                    self._where(where_line), "not UTF-8 text; save the file as UTF-8"
                )
                yield _Item(None, problem, feed.offset, feed.line, False)
                continue
            if len(row) != len(header):
                problem = SourceProblem(
                    self._where(where_line),
                    f"has {len(row)} fields but the header has {len(header)}; "
                    "put text that contains commas in double quotes",
                )
                yield _Item(None, problem, feed.offset, feed.line, False)
                continue
            record = {name: cell for name, cell in zip(header, row, strict=True) if cell != ""}
            post, record_problem = self._post(record, where_line)
            yield _Item(post, record_problem, feed.offset, feed.line, False)


class _LineFeed:
    """Feeds decoded lines to csv.reader while counting the bytes and lines it consumed."""

    def __init__(self, handle: IO[bytes], offset: int, line: int, *, final: bool) -> None:
        self.handle = handle
        self.offset = offset
        self.line = line
        self.final = final
        self.held_back = False
        self.hit_end = False
        self.bad_encoding = False
        self.row_lines: list[str] = []  # the lines of the row being read, as decoded
        self.row_sizes: list[int] = []  # and their lengths in bytes

    def __iter__(self) -> _LineFeed:
        return self

    def __next__(self) -> str:
        raw = self.handle.readline()
        if not raw:
            self.hit_end = True
            raise StopIteration
        if not raw.endswith(b"\n") and not self.final:
            self.held_back = True
            raise StopIteration
        self.offset += len(raw)
        self.line += 1
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            self.bad_encoding = True
            text = raw.decode("utf-8", errors="replace")
        self.row_lines.append(text)
        self.row_sizes.append(len(raw))
        return text


def _damage(err: BaseException, gzipped: bool) -> str:
    """What is wrong with a file that stopped being readable, and what to do about it."""
    if isinstance(err, EOFError):
        return (
            "the compressed file ends early (cut off while downloading or copying?); the "
            "records before this line were read; copy the whole file again"
        )
    if isinstance(err, gzip.BadGzipFile | zlib.error) or gzipped:
        detail = str(err) or type(err).__name__
        return (
            f"the compressed data is damaged from here on ({detail}); the records before this "
            "line were read; compress the export again"
        )
    reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
    return f"cannot be read from here on ({reason}); check the disk and the file"


def _unreadable(err: BaseException, gzipped: bool) -> str:
    """Why nothing at all could be read from the file, and what to do about it."""
    detail = (err.strerror if isinstance(err, OSError) else None) or str(err) or type(err).__name__
    if gzipped:
        return (
            f"cannot be decompressed ({detail}); check that it is a complete gzip file, "
            "or remove .gz from its name if it is not compressed"
        )
    return f"cannot be read ({detail}); check the disk and the file's permissions"


def _opens_unclosed_quote(lines: list[str]) -> bool:
    """Whether these lines (one CSV row that ran to the end of the file) hold a quoted field
    that is never closed: the strict reader, unlike the lenient one, says so."""
    try:
        for _ in csv.reader(lines, strict=True):
            pass
    except csv.Error as err:
        return "unexpected end of data" in str(err)
    return False


def _is_json_object(raw: bytes) -> bool:
    try:
        return isinstance(json.loads(raw), dict)
    except (ValueError, UnicodeDecodeError):
        return False


def read_posts(
    path: Path, *, default_platform: str = "web", source_key: str = ""
) -> Iterator[tuple[Post | None, SourceProblem | None]]:
    """Every record of a whole file: (post, None) or (None, problem), in file order.

    Raises SourceError when the file as a whole cannot be used (missing, unknown type, no header).
    """
    reader = _Reader(path, default_platform=default_platform, source_key=source_key, final=True)
    for item in reader.items(0, 0, False):
        yield item.post, item.problem


def _fingerprint(path: Path, head_len: int) -> dict[str, Any]:
    stat = path.stat()
    with path.open("rb") as handle:
        head = handle.read(head_len)
    return {
        "inode": stat.st_ino,
        "size": stat.st_size,
        "mtime": stat.st_mtime,
        "head_len": len(head),
        "head": hashlib.sha256(head).hexdigest(),
    }


def _same_file(path: Path, checkpoint: dict[str, Any]) -> bool:
    """Whether the file is the one the checkpoint was made on, grown or not."""
    try:
        now = _fingerprint(path, int(checkpoint.get("head_len", 0)))
    except OSError:
        return False
    if now["inode"] != checkpoint.get("inode") or now["size"] < checkpoint.get("size", 0):
        return False
    if now["head"] != checkpoint.get("head"):
        return False
    # Same size but touched since: rewritten in place, not appended to.
    return not (now["size"] == checkpoint.get("size") and now["mtime"] != checkpoint.get("mtime"))


class FileOptions(KindOptions):
    path: str  # JSONL/NDJSON/CSV, optionally .gz; relative to the workspace file's folder
    # Another tool's export (docs/migration.md): a --format name, "auto" to sniff it; None
    # reads the ingest format from a byte offset (a growing file).
    format: str | None = None
    map: dict[str, str] = {}  # field → the export's column, e.g. {"text": "Full Text"}
    timezone: str | None = None  # of export dates written without a zone; IANA name

    @field_validator("format")
    @classmethod
    def _known_format(cls, value: str | None) -> str | None:
        from flarewatch.sources.exports.registry import FORMATS

        if value is not None and value not in FORMATS:
            raise ValueError(f"format {value!r} is not one of {', '.join(FORMATS)}")
        return value

    @field_validator("map")
    @classmethod
    def _known_fields(cls, value: dict[str, str]) -> dict[str, str]:
        from flarewatch.sources.exports.mapping import check_field

        for name in value:
            check_field(name)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        from flarewatch.sources.exports.dates import zone

        zone(value)
        return value


class FileSource:
    kind = "file"
    Options = FileOptions
    default_every = "0"  # every cycle: reading a file costs nothing

    def __init__(
        self,
        key: str,
        path: Path,
        *,
        platform: str | None = None,
        export: ExportSettings | None = None,
    ) -> None:
        self.key = key
        self.path = path
        self.platform = platform or "web"
        self.export = export
        # The pass over an export that the last fetch left open: the next batch continues it
        # instead of reading the file again up to the checkpoint.
        self._pass: ExportPass | None = None
        if export is None:
            file_format(path)  # an unusable name fails when the workspace loads

    @classmethod
    def from_config(cls, config: SourceConfig, base_dir: Path, secrets: Secrets) -> FileSource:
        options = config.options()
        path = Path(os.path.expanduser(options.path))
        if not path.is_absolute():
            path = base_dir / path
        export = None
        if options.format is not None or options.map:
            export = ExportSettings(options.format or "auto", dict(options.map), options.timezone)
        return cls(config.key, path, platform=config.platform, export=export)

    def fetch(
        self,
        checkpoint: dict[str, Any] | None,
        *,
        limit: int = 1000,
        now: datetime | None = None,
        deadline: float | None = None,
    ) -> FetchResult:
        if not self.path.exists():
            raise SourceError(
                f"source {self.key!r}: file {self.path} not found; check 'path' in the workspace "
                "file (a relative path is read from the workspace file's folder)"
            )
        if self.export is not None:
            return self._fetch_export(self.export, checkpoint, limit)
        offset, line, partial = 0, 0, False
        if checkpoint and _same_file(self.path, checkpoint):
            offset = int(checkpoint.get("offset", 0))
            line = int(checkpoint.get("line", 0))
            partial = bool(checkpoint.get("partial", False))
        # A file untouched for a while is complete: its unterminated last line is read (and
        # reported if malformed) instead of waiting for a newline that will never come.
        settled = time.time() - self.path.stat().st_mtime > SETTLE_SECONDS
        reader = _Reader(
            self.path, default_platform=self.platform, source_key=self.key, final=settled
        )
        posts: list[Post] = []
        problems: list[SourceProblem] = []
        warnings: list[SourceProblem] = []
        # Warned once per file: the column is remembered in the checkpoint.
        undated = checkpoint.get("undated_column") if checkpoint and offset else None
        exhausted = True
        for item in reader.items(offset, line, partial):
            offset, line, partial = item.offset, item.line, item.partial
            if item.post is not None:
                posts.append(item.post)
                if undated is None and (column := unused_date_column(item.post.raw)):
                    undated = column
                    where = item.post.where or self.path.name
                    warnings.append(SourceProblem(where, date_column_warning(column)))
            if item.problem is not None:
                problems.append(item.problem)
            if len(posts) >= limit or len(problems) >= MAX_PROBLEMS_PER_BATCH:
                exhausted = False
                break
        # Fingerprint the bytes actually read, so an append after this point still counts as
        # "the same file, grown" at the next fetch.
        head_len = min(offset, HEAD_BYTES) if not reader.gzipped else HEAD_BYTES
        state: dict[str, Any] = {"offset": offset, "line": line, "partial": partial}
        if undated is not None:
            state["undated_column"] = undated
        return FetchResult(
            posts=posts,
            checkpoint=state | _fingerprint(self.path, head_len),
            problems=problems,
            exhausted=exhausted,
            warnings=warnings,
        )

    def _fetch_export(
        self, settings: ExportSettings, checkpoint: dict[str, Any] | None, limit: int
    ) -> FetchResult:
        """A batch of another tool's export, resumed by record count (docs/migration.md)."""
        start = 0
        if checkpoint and "record" in checkpoint and _same_file(self.path, checkpoint):
            start = int(checkpoint["record"])
        current = self._pass
        if current is None or current.position != start or start == 0:
            current = ExportPass(
                self.path,
                settings,
                default_platform=self.platform,
                source_key=self.key,
                start=start,
            )
            self._pass = current
        posts: list[Post] = []
        problems: list[SourceProblem] = []
        exhausted = True
        for item in current:
            if item.post is not None:
                posts.append(item.post)
            if item.problem is not None:
                problems.append(item.problem)
            if len(posts) >= limit or len(problems) >= MAX_PROBLEMS_PER_BATCH:
                exhausted = False
                break
        warnings, current.warnings = current.warnings, []
        if exhausted:
            self._pass = None
        size = self.path.stat().st_size
        state: dict[str, Any] = {"record": current.position, "format": current.format}
        return FetchResult(
            posts=posts,
            checkpoint=state | _fingerprint(self.path, min(size, HEAD_BYTES)),
            problems=problems,
            exhausted=exhausted,
            warnings=warnings,
        )
