"""Backtests: a CSV count series, or a workspace's stored history, through the live detector.

Strictly online: each row is scored by `TopicDetector.step` after seeing only earlier rows, so
a score in the output is exactly what the live service would have said at that moment.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flarewatch.detect.detector import DetectorConfig, Interval, TopicDetector
from flarewatch.detect.stats import MAX_Z

REQUIRED = ("timestamp", "value")
OPTIONAL = ("negative", "reach")


class SeriesError(ValueError):
    """A CSV that cannot be backtested, with where and how to fix it."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path, self.line, self.message = path, line, message
        where = f"{path}, line {line}" if line else path
        super().__init__(f"{where}: {message}")


@dataclass(slots=True)
class Row:
    line: int
    timestamp: datetime
    raw_timestamp: str
    value: float
    negative: float | None = None
    reach: float | None = None


@dataclass(slots=True)
class Scored:
    row: Row
    score: float  # 0..1
    alert: bool
    severity: str | None
    explanation: str


def _parse_time(text: str) -> datetime:
    value = text.strip().replace("Z", "+00:00")
    ts = datetime.fromisoformat(value)
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts


def _number(path: str, line: int, column: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise SeriesError(
            path, line, f"{column} {text!r} is not a number; write a count such as 37"
        ) from None
    if value < 0 or value != value:
        raise SeriesError(path, line, f"{column} {text!r} must be a count ≥ 0")
    return value


def parse_series(text: str, path: str = "<series>") -> list[Row]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise SeriesError(
            path, None, "file is empty; write a header 'timestamp,value' and one row per interval"
        ) from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise SeriesError(
            path,
            1,
            f"header lacks {', '.join(missing)}; the first line must be "
            f"'timestamp,value' (optional columns: {', '.join(OPTIONAL)}), got "
            f"{','.join(header)!r}",
        )
    col = {name: header.index(name) for name in REQUIRED + OPTIONAL if name in header}
    rows: list[Row] = []
    for line, fields in enumerate(reader, start=2):
        if not fields or all(not f.strip() for f in fields):
            continue
        if len(fields) < len(header):
            raise SeriesError(
                path,
                line,
                f"expected {len(header)} columns ({','.join(header)}), found {len(fields)}",
            )
        raw_ts = fields[col["timestamp"]].strip()
        try:
            ts = _parse_time(raw_ts)
        except ValueError:
            raise SeriesError(
                path,
                line,
                f"timestamp {raw_ts!r} is not a date-time; use "
                "'2026-03-01 14:05:00' (UTC unless an offset is given)",
            ) from None
        row = Row(line, ts, raw_ts, _number(path, line, "value", fields[col["value"]]))
        for name in OPTIONAL:
            if name in col and fields[col[name]].strip():
                setattr(row, name, _number(path, line, name, fields[col[name]]))
        if rows and row.timestamp <= rows[-1].timestamp:
            raise SeriesError(
                path,
                line,
                f"timestamp {raw_ts} is not after the previous row's "
                f"{rows[-1].raw_timestamp}; sort the rows by time and drop "
                "duplicates",
            )
        rows.append(row)
    if len(rows) < 2:
        raise SeriesError(path, None, "need at least two data rows to know the interval")
    return rows


def infer_step(rows: list[Row], path: str = "<series>") -> int:
    """The series' fixed interval in minutes; gaps of whole intervals are allowed."""
    gaps = Counter(
        int((b.timestamp - a.timestamp).total_seconds())
        for a, b in zip(rows, rows[1:], strict=False)
    )
    step_s = gaps.most_common(1)[0][0]
    if step_s % 60 or not 60 <= step_s <= 3600:
        raise SeriesError(
            path,
            None,
            f"rows are {step_s} s apart; the interval must be a whole "
            "number of minutes from 1 minute to 1 hour",
        )
    for a, b in zip(rows, rows[1:], strict=False):
        gap = int((b.timestamp - a.timestamp).total_seconds())
        if gap % step_s:
            raise SeriesError(
                path,
                b.line,
                f"{b.raw_timestamp} is {gap} s after the previous "
                f"row, not a multiple of the series' {step_s // 60}-minute "
                "interval; use one fixed interval",
            )
    return step_s // 60


def score_series(
    rows: list[Row], step_minutes: int, sensitivity: str = "balanced", timezone: str = "UTC"
) -> list[Scored]:
    """Score every row online; missing intervals between rows count as zero posts."""
    detector = TopicDetector(
        DetectorConfig(step_minutes=step_minutes, timezone=timezone, sensitivity=sensitivity)
    )
    has_negative = any(r.negative is not None for r in rows)
    step = timedelta(minutes=step_minutes)
    out: list[Scored] = []
    previous: datetime | None = None
    for row in rows:
        if previous is not None:
            gap = previous + step
            while gap < row.timestamp:
                detector.step(Interval(gap, 0.0, has_negative=has_negative))
                gap += step
        result = detector.step(
            Interval(
                row.timestamp,
                row.value,
                negative=row.negative or 0.0,
                reach=row.reach or 0.0,
                has_negative=has_negative,
            )
        )
        a = result.assessment
        out.append(
            Scored(
                row,
                round(min(1.0, result.surprise / MAX_Z), 4),
                detector.episode is not None,
                a.severity,
                a.explanation,
            )
        )
        previous = row.timestamp
    return out


def write_scores(scored: Iterable[Scored], out: io.TextIOBase | io.StringIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["timestamp", "value", "anomaly_score", "alert"])
    for s in scored:
        value = int(s.row.value) if s.row.value.is_integer() else s.row.value
        writer.writerow([s.row.raw_timestamp, value, f"{s.score:.4f}", int(s.alert)])


def backtest_file(path: Path, sensitivity: str = "balanced", timezone: str = "UTC") -> list[Scored]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SeriesError(str(path), None, "file not found; check the path") from None
    except UnicodeDecodeError:
        raise SeriesError(str(path), None, "file is not UTF-8 text; save it as UTF-8 CSV") from None
    rows = parse_series(text, str(path))
    return score_series(rows, infer_step(rows, str(path)), sensitivity, timezone)
