"""Export dates to UTC: ISO 8601, Unix seconds or milliseconds, the formats a preset names,
and common day-first spreadsheet formats. A date without a zone is in the export's zone (the
`timezone` given, else UTC). A value that is none of these is an error naming the column and
the value: never a silent "now"."""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flarewatch.sources.ingest import RecordError

_UNIX = re.compile(r"^\d{9,11}(\.\d+)?$")
_UNIX_MS = re.compile(r"^\d{12,14}$")
# After the preset's own formats: what spreadsheets write when a column is re-saved.
FALLBACK_FORMATS = (
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%d-%b-%Y %I:%M%p",
    "%d-%b-%Y %H:%M",
    "%b %d, %Y %I:%M %p",
    "%b %d, %Y",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
)


def zone(name: str | None) -> tzinfo:
    """The zone named in the options (IANA, e.g. Europe/Warsaw, or UTC); a clear error if not."""
    if not name or name.upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"timezone {name!r} is not a known time zone; give an IANA name such as "
            "Europe/Warsaw, Asia/Jerusalem or UTC"
        ) from None


def export_date(value: object, column: str, formats: tuple[str, ...], tz: tzinfo) -> datetime:
    """The value of the date column `column` in UTC, or RecordError naming column and value."""
    if isinstance(value, datetime):  # .xlsx cells hold real datetimes, without a zone
        return _in_utc(value, tz, column, value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _unix(float(value), column, value)
    if not isinstance(value, str):
        raise RecordError(f"column {column!r}: {value!r} is not a date")
    text = value.strip()
    if _UNIX_MS.match(text):
        return _unix(int(text) / 1000, column, value)
    if _UNIX.match(text):
        return _unix(float(text), column, value)
    try:
        return _in_utc(datetime.fromisoformat(text), tz, column, value)
    except ValueError:
        pass
    for fmt in (*formats, *FALLBACK_FORMATS):
        try:
            return _in_utc(datetime.strptime(text, fmt), tz, column, value)
        except ValueError:
            continue
    raise RecordError(
        f"column {column!r}: {value!r} is not a date this export format writes; re-export with "
        "ISO 8601 dates (2024-06-11T14:05:00+03:00), or map another column with "
        "--map created_at=COLUMN"
    )


def _unix(seconds: float, column: str, value: object) -> datetime:
    if seconds > 1e11:  # milliseconds written as a number
        seconds /= 1000
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise RecordError(f"column {column!r}: {value!r} is not a usable Unix time") from None


def _in_utc(parsed: datetime, tz: tzinfo, column: str, value: object) -> datetime:
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        raise RecordError(
            f"column {column!r}: {value!r} is outside the times that can be stored; check the year"
        ) from None
