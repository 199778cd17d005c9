"""Files as rows, whatever the tool wrote: UTF-8 with or without the Excel BOM, UTF-16 (with or
without its BOM), comma, semicolon, tab or pipe separators, report lines before the header,
.xlsx workbooks, gzip. Everything streams: one row is in memory at a time.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import itertools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

from flarewatch.sources.base import SourceError

# How far down a report's header may start (Brandwatch puts about ten lines of report details
# above it) and how many bytes are looked at to tell the encoding.
MAX_PREAMBLE_LINES = 40
HEAD_BYTES = 8192
DELIMITERS = ",;\t|"
CSV_FIELD_LIMIT = 64 * 1024 * 1024
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
JSON_SUFFIXES = (".json", ".js")


@dataclass(slots=True)
class Table:
    """A header and its rows: (line number in the file, cells), read lazily."""

    header: list[str]
    rows: Iterator[tuple[int, list[Any]]]
    preamble: list[str] = field(default_factory=list)  # the lines above the header, as text
    header_line: int = 1
    encoding: str = "utf-8"
    delimiter: str = ","


def base_suffix(path: Path) -> str:
    """The suffix that says what the file holds, with a trailing .gz set aside."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


def open_bytes(path: Path) -> IO[bytes]:
    gzipped = path.suffix.lower() == ".gz"
    try:
        return cast(IO[bytes], gzip.open(path, "rb")) if gzipped else path.open("rb")
    except FileNotFoundError:
        raise SourceError(f"{path}: file not found; check the path") from None
    except OSError as err:
        raise SourceError(f"{path}: cannot be read ({err.strerror or err})") from None


def detect_encoding(head: bytes) -> str:
    """The text encoding from the first bytes: a BOM when there is one, else UTF-16 told by its
    zero bytes (Meltwater writes UTF-16 without asking), else UTF-8."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:200]
    if len(sample) >= 4:
        odd_zeros = sample[1::2].count(0) / len(sample[1::2])
        even_zeros = sample[0::2].count(0) / len(sample[0::2])
        if odd_zeros > 0.6 and even_zeros < 0.1:
            return "utf-16-le"
        if even_zeros > 0.6 and odd_zeros < 0.1:
            return "utf-16-be"
    return "utf-8"


def open_text(path: Path) -> tuple[IO[str], str]:
    """The file as text in its own encoding; an undecodable byte becomes U+FFFD (reported per
    row by the caller) instead of ending the import."""
    handle = open_bytes(path)
    try:
        head = handle.peek(HEAD_BYTES) if hasattr(handle, "peek") else b""  # type: ignore[attr-defined]
    except (OSError, EOFError) as err:
        handle.close()
        raise SourceError(f"{path.name}: cannot be read ({err})") from None
    encoding = detect_encoding(bytes(head[:HEAD_BYTES]))
    text = io.TextIOWrapper(handle, encoding=encoding, errors="replace", newline="")
    return text, encoding


def _delimiter_of(line: str) -> str:
    counts = {d: line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _cells(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter), [])


def _header_score(cells: Iterable[Any], known: frozenset[str]) -> int:
    return sum(1 for cell in cells if isinstance(cell, str) and cell.strip().lower() in known)


def pick_header(lines: list[list[Any]], known: frozenset[str]) -> int:
    """The index of the header among the first rows: the first row naming the most known
    columns (two or more); failing that, the first row with the most filled cells."""
    scores = [_header_score(cells, known) for cells in lines]
    if scores and max(scores) >= 2:
        return scores.index(max(scores))
    filled = [sum(1 for c in cells if c not in (None, "")) for cells in lines]
    return filled.index(max(filled)) if filled else 0


def read_table(path: Path, known: frozenset[str]) -> Table:
    """The file's header and a lazy iterator over its rows; `known` are the column names that
    identify a header line (so report lines above it are skipped)."""
    if base_suffix(path) == ".xlsx":
        return _read_xlsx(path, known)
    csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
    text, encoding = open_text(path)
    head: list[str] = []
    for line in text:
        head.append(line)
        if len(head) >= MAX_PREAMBLE_LINES:
            break
    if not head:
        text.close()
        raise SourceError(f"{path.name}: the file is empty; export it again")
    split = [_cells(line, _delimiter_of(line)) for line in head]
    at = pick_header(split, known)
    delimiter = _sniffed_delimiter(head[at:], _delimiter_of(head[at]))
    header = [name.strip() for name in _cells(head[at], delimiter)]
    preamble = [line.strip() for line in head[:at]]
    rest = itertools.chain(head[at + 1 :], text)
    return Table(
        header=header,
        rows=_csv_rows(rest, delimiter, at + 1, text),
        preamble=preamble,
        header_line=at + 1,
        encoding=encoding,
        delimiter=delimiter,
    )


def _sniffed_delimiter(lines: list[str], fallback: str) -> str:
    sample = "".join(lines[:20])
    try:
        found = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return fallback
    # The sniffer can be fooled by a separator that only appears inside the texts; the header
    # line must agree.
    return found if _cells(lines[0], found) and lines[0].count(found) else fallback


def _csv_rows(
    lines: Iterator[str], delimiter: str, header_line: int, handle: IO[str]
) -> Iterator[tuple[int, list[Any]]]:
    counter = _LineCounter(lines, header_line)
    reader = csv.reader(counter, delimiter=delimiter)
    try:
        while True:
            start = counter.line + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as err:
                raise SourceError(f"line {start}: not valid CSV ({err})") from None
            yield start, row
    finally:
        handle.close()


class _LineCounter:
    """Passes lines to csv.reader and counts them, so a row is named by its first line."""

    def __init__(self, lines: Iterator[str], line: int) -> None:
        self.lines = lines
        self.line = line

    def __iter__(self) -> _LineCounter:
        return self

    def __next__(self) -> str:
        text = next(self.lines)
        self.line += 1
        return text


def _read_xlsx(path: Path, known: frozenset[str]) -> Table:
    from openpyxl import load_workbook  # only .xlsx imports need it

    try:
        # read_only streams the sheet's XML instead of building every cell in memory.
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # a damaged or non-xlsx file: zipfile, KeyError, XML errors
        raise SourceError(
            f"{path.name}: not a readable .xlsx workbook ({type(err).__name__}: {err}); "
            "open it in a spreadsheet program and save it again as .xlsx or .csv"
        ) from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    head = [list(row) for row in itertools.islice(rows, MAX_PREAMBLE_LINES)]
    if not head:
        book.close()
        raise SourceError(f"{path.name}: the first sheet is empty; export it again")
    at = pick_header(head, known)
    header = [str(c).strip() if c is not None else "" for c in head[at]]
    preamble = [" ".join(str(c) for c in row if c is not None) for row in head[:at]]

    def numbered() -> Iterator[tuple[int, list[Any]]]:
        try:
            line = at + 1
            for row in itertools.chain(head[at + 1 :], rows):
                line += 1
                yield line, [c if c is not None else "" for c in row]
        finally:
            book.close()

    return Table(header, numbered(), preamble, at + 1, "xlsx", "")


def read_jsonl(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, decoded JSON value or the JSONDecodeError) for every non-empty line."""
    text, _ = open_text(path)
    with text:
        for number, line in enumerate(text, start=1):
            body = line.strip().lstrip("\ufeff")
            if not body:
                continue
            try:
                yield number, json.loads(body)
            except (json.JSONDecodeError, RecursionError, ValueError) as err:
                yield number, err


class _Utf8Body:
    """A decoded text stream read back as UTF-8 bytes for ijson, without the
    `window.YTD.<name>.part0 = ` assignment that opens an X archive's files."""

    CHUNK = 64 * 1024

    def __init__(self, text: IO[str]) -> None:
        self._text = text
        head = text.read(HEAD_BYTES)
        if head.lstrip().lstrip("\ufeff").startswith("window."):
            while "=" not in head and (more := text.read(HEAD_BYTES)):
                head += more
            head = head.split("=", 1)[1] if "=" in head else head
        self._pending = head.lstrip("\ufeff").encode("utf-8")

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            data = self._pending + self._text.read().encode("utf-8")
            self._pending = b""
            return data
        while len(self._pending) < size and (chunk := self._text.read(self.CHUNK)):
            self._pending += chunk.encode("utf-8")
        data, self._pending = self._pending[:size], self._pending[size:]
        return data


def _values_at(events: Iterator[tuple[str, str, Any]], paths: frozenset[str]) -> Iterator[Any]:
    """Each value whose ijson path is one of `paths`, built one at a time."""
    import ijson

    for path, event, value in events:
        if path not in paths or event in ("map_key", "end_map", "end_array"):
            continue
        if event not in ("start_map", "start_array"):
            yield value
            continue
        builder = ijson.ObjectBuilder()
        builder.event(event, value)
        depth = 1
        for _, event, value in events:
            builder.event(event, value)
            if event in ("start_map", "start_array"):
                depth += 1
            elif event in ("end_map", "end_array"):
                depth -= 1
                if depth == 0:
                    break
        yield builder.value


def stream_json_records(path: Path, paths: Iterable[str]) -> Iterator[Any]:
    """The records of a JSON document (an X archive's `tweets.js`, Facebook's `comments.json`),
    one at a time: `paths` are ijson paths ("item": the items of a top-level array;
    "comments_v2.item": those of the array under that key). The document is parsed as it is
    read (ijson), so memory holds one record however large the archive."""
    import ijson

    text, _ = open_text(path)
    count = 0
    with text:
        try:
            events = ijson.parse(_Utf8Body(text), use_float=True)
            for record in _values_at(iter(events), frozenset(paths)):
                count += 1
                yield record
        except ijson.JSONError as err:
            raise SourceError(
                f"{path.name}: not valid JSON after record {count} ({err}); export the "
                "archive again (the records before it were read)"
            ) from None
        except UnicodeDecodeError as err:
            raise SourceError(
                f"{path.name}: not UTF-8 text after record {count} ({err.reason}); export the "
                "archive again"
            ) from None
