"""The ingest format: one record (a JSON object or a CSV row) in, one `Post` out.

Files, exports from other tools and drills all speak this format, so the messages here are written
for the person who produced the file: they name the field and say what a good value looks like.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from flarewatch.mentions.post import MAX_TEXT_CHARS, Post, truncate_text

# The stored external id is a String(300); longer ids (long URLs) are shortened to a stable hash.
MAX_EXTERNAL_ID = 300
# Stored column sizes: a longer value is refused here, with its field, instead of failing the
# whole batch at the database (PostgreSQL enforces these lengths, SQLite does not).
MAX_LENGTHS = {"platform": 32, "author": 200, "author_name": 300, "language": 8}
# Counts are stored as 64-bit integers.
MAX_COUNT = 2**63 - 1
# Records nested deeper than this are refused (no export needs it; it guards the recursion
# of every JSON encoder and decoder the record later goes through).
MAX_DEPTH = 32
_SURROGATE = re.compile("[\ud800-\udfff]")
INT_FIELDS = ("author_followers", "likes", "shares", "replies", "views")
TEXT_FIELDS = ("title", "author_name", "url", "reply_to", "repost_of")
FIELDS = (
    "id",
    "text",
    "title",
    "author",
    "author_name",
    "author_followers",
    "author_verified",
    "author_created_at",
    "platform",
    "url",
    "language",
    "country",
    "created_at",
    "likes",
    "shares",
    "replies",
    "views",
    "reply_to",
    "repost_of",
    "links",
)
_LINK_SPLIT = re.compile(r"[\s|]+")


class RecordError(ValueError):
    """A record that cannot become a post; the message names the field and the fix."""


def stable_id(value: str) -> str:
    """The id itself when it fits the stored column, else a hash that is the same on every run."""
    if len(value) <= MAX_EXTERNAL_ID:
        return value
    return "sha256:" + hashlib.sha256(value.encode("utf-8")).hexdigest()


def parse_datetime(value: Any, field: str = "created_at") -> datetime:
    """ISO 8601 text or Unix seconds; a time without a zone is taken as UTC."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, bool):
        raise RecordError(f"{field}: expected an ISO 8601 time, got {value!r}")
    elif isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(float(value), UTC)
        except (OverflowError, OSError, ValueError):
            raise RecordError(f"{field}: {value!r} is not a usable Unix time") from None
    elif isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d{9,11}(\.\d+)?", text):
            try:
                return datetime.fromtimestamp(float(text), UTC)
            except (OverflowError, OSError, ValueError):
                raise RecordError(f"{field}: {value!r} is not a usable Unix time") from None
        try:
            # Python 3.11 accepts 'Z' and most ISO 8601 shapes; a space instead of 'T' too.
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise RecordError(
                f"{field}: {value!r} is not an ISO 8601 time; "
                "write e.g. 2024-06-11T14:05:00+03:00 or 2024-06-11T11:05:00Z"
            ) from None
    else:
        raise RecordError(f"{field}: expected an ISO 8601 time, got {type(value).__name__}")
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        # 0001-01-01T00:00:00+05:00 is before year 1 in UTC (and 9999-12-31T23:00-05:00 after 9999).
        raise RecordError(
            f"{field}: {value!r} is outside the times that can be stored (years 1 to 9999 in UTC); "
            "check the year"
        ) from None


def _text(value: Any, field: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise RecordError(f"{field}: expected text, got {type(value).__name__}")


def _count(value: Any, field: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise RecordError(f"{field}: expected a whole number, got {value!r}")
    number: float
    if isinstance(value, int | float):
        number = value
    elif isinstance(value, str):
        try:
            # Spreadsheet exports write thousands separators ("12,400").
            number = float(value.strip().replace(",", "").replace("_", ""))
        except ValueError:
            raise RecordError(f"{field}: {value!r} is not a whole number, e.g. 1200") from None
    else:
        raise RecordError(f"{field}: expected a whole number, got {type(value).__name__}")
    if not math.isfinite(number):
        raise RecordError(f"{field}: {value!r} is not a number; write a whole number, e.g. 1200")
    if number != int(number) or number < 0:
        raise RecordError(f"{field}: {value!r} must be a whole number of 0 or more")
    if number > MAX_COUNT:
        raise RecordError(f"{field}: {value!r} is too large; the most that can be stored is 2^63-1")
    return int(number)


def _flag(value: Any, field: str) -> bool:
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | str) and str(value).strip().lower() in {"1", "true", "yes", "y"}:
        return True
    if isinstance(value, int | str) and str(value).strip().lower() in {"0", "false", "no", "n"}:
        return False
    raise RecordError(f"{field}: expected true or false, got {value!r}")


def _links(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        # A CSV cell holds several links separated by spaces or '|'.
        return [link for link in _LINK_SPLIT.split(value.strip()) if link]
    if isinstance(value, list) and all(isinstance(link, str) for link in value):
        return [link.strip() for link in value if link.strip()]
    raise RecordError("links: expected a list of URLs (or, in CSV, URLs separated by spaces)")


def _check_characters(value: str, field: str) -> None:
    """NUL and lone surrogates cannot be stored (PostgreSQL refuses NUL, UTF-8 has no encoding
    for half a surrogate pair), so the record is refused with the place of the first one rather
    than silently altered."""
    nul = value.find("\x00")
    if nul >= 0:
        raise RecordError(
            f"{field}: contains a NUL character (\\u0000) at character {nul + 1}; "
            "remove it from the export (stored text cannot hold NUL)"
        )
    surrogate = _SURROGATE.search(value)
    if surrogate is not None:
        raise RecordError(
            f"{field}: contains a lone surrogate (\\u{ord(surrogate.group()):04x}) at character "
            f"{surrogate.start() + 1}, half of an emoji or symbol cut by the exporter; "
            "re-export it as UTF-8 or remove that character"
        )


def _checked(value: Any, field: str, depth: int, truncated: dict[str, int]) -> Any:
    """The value with every string checked and cut to MAX_TEXT_CHARS (recorded in `truncated`),
    every number finite; nesting deeper than MAX_DEPTH is refused."""
    if isinstance(value, str):
        _check_characters(value, field)
        if len(value) > MAX_TEXT_CHARS and field != "id":  # a long id becomes a hash instead
            truncated[field] = len(value)
            return truncate_text(value)
        return value
    if isinstance(value, float) and not math.isfinite(value):
        # json reads NaN, Infinity and 1e400 as floats no database JSON column accepts.
        what = "NaN" if math.isnan(value) else "a number too large to store (read as infinity)"
        raise RecordError(f"{field}: {what}; write a finite number or null")
    if isinstance(value, list | dict) and depth >= MAX_DEPTH:
        raise RecordError(f"{field}: nested more than {MAX_DEPTH} levels deep; flatten the record")
    if isinstance(value, list):
        return [
            _checked(item, f"{field}[{i}]", depth + 1, truncated) for i, item in enumerate(value)
        ]
    if isinstance(value, dict):
        checked: dict[str, Any] = {}
        for key, item in value.items():
            name = str(key)
            _check_characters(name, f"{field} (a field name)")
            checked[name] = _checked(item, f"{field}.{name}", depth + 1, truncated)
        return checked
    return value


def checked_record(record: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, int]]:
    """The record ready to store: (checked fields, field → original length of what was cut).

    Raises RecordError naming the first field that cannot be stored (NUL, lone surrogate,
    NaN/Infinity, nesting deeper than MAX_DEPTH).
    """
    truncated: dict[str, int] = {}
    checked: dict[str, Any] = {}
    for key, value in record.items():
        name = str(key)
        _check_characters(name, f"field name {name[:40]!r}")
        checked[name] = _checked(value, name, 1, truncated)
    return checked, truncated


def _bounded_length(value: str | None, field: str) -> str | None:
    limit = MAX_LENGTHS[field]
    if value is not None and len(value) > limit:
        raise RecordError(
            f"{field}: {len(value):,} characters, longer than the {limit} that can be stored; "
            f"check that the column holds the {field.replace('_', ' ')} ({value[:40]!r}...)"
        )
    return value


def post_from_record(
    record: Mapping[str, Any], *, default_platform: str = "web", source_key: str = ""
) -> Post:
    """Build a post from one ingest-format record; unknown fields are kept in `raw`.

    Every problem with the record, expected or not, is a RecordError: one record never stops
    the reader that called this.
    """
    try:
        return _post_from_record(record, default_platform, source_key)
    except RecordError:
        raise
    except Exception as err:  # a shape no check above foresaw must still cost only this record
        raise RecordError(
            f"cannot be read ({type(err).__name__}: {err}); "
            "check the record's fields against the ingest format (docs/sources.md)"
        ) from err


def _post_from_record(record: Mapping[str, Any], default_platform: str, source_key: str) -> Post:
    record, truncated = checked_record(record)
    external_id = _text(record.get("id"), "id")
    if external_id is None:
        raise RecordError("id: required field is missing; give every post a unique id")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        if text is not None and not isinstance(text, str):
            raise RecordError(f"text: expected text, got {type(text).__name__}")
        raise RecordError("text: required field is missing or empty")
    author = _bounded_length(_text(record.get("author"), "author"), "author")
    platform = _bounded_length(
        _text(record.get("platform"), "platform") or default_platform, "platform"
    )
    assert platform is not None  # the default platform is always given
    language = _bounded_length(_text(record.get("language"), "language"), "language")
    country = _text(record.get("country"), "country")
    created = record.get("created_at")
    counts = {name: _count(record.get(name), name) for name in INT_FIELDS}
    texts = {name: _text(record.get(name), name) for name in TEXT_FIELDS}
    _bounded_length(texts["author_name"], "author_name")
    author_created = record.get("author_created_at")
    post = Post(
        external_id=stable_id(external_id),
        text=text.strip(),
        title=texts["title"],
        author=author.lstrip("@") if author else None,
        author_name=texts["author_name"],
        author_followers=counts["author_followers"],
        author_created_at=(
            parse_datetime(author_created, "author_created_at")
            if author_created not in (None, "")
            else None
        ),
        author_verified=_flag(record.get("author_verified"), "author_verified"),
        platform=platform.lower(),
        url=texts["url"],
        language=language.lower() if language else None,
        country=country.upper() if country else None,
        likes=counts["likes"] or 0,
        shares=counts["shares"] or 0,
        replies=counts["replies"] or 0,
        views=counts["views"] or 0,
        reply_to=texts["reply_to"],
        repost_of=texts["repost_of"],
        links=_links(record.get("links")),
        source_key=source_key,
        raw=record,
        truncated=truncated,
    )
    # Without a time the post is dated when it is read: late, but never silently dropped.
    if created not in (None, ""):
        post.created_at = parse_datetime(created)
    return post


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def post_to_record(post: Post) -> dict[str, Any]:
    """The post as one ingest-format record: the inverse of `post_from_record`.

    `post_from_record(post_to_record(post))` gives back the same post (its `raw` aside), so
    what `flarewatch sources test --jsonl` prints can be imported again with `ingest`. Fields
    without a value are left out; keys a connector kept in `raw` beyond FIELDS come along, so
    nothing the platform said is lost.
    """
    known: dict[str, Any] = {
        "id": post.external_id,
        "text": post.text,
        "title": post.title,
        "author": post.author,
        "author_name": post.author_name,
        "author_followers": post.author_followers,
        "author_verified": post.author_verified,
        "author_created_at": _iso(post.author_created_at),
        "platform": post.platform,
        "url": post.url,
        "language": post.language,
        "country": post.country,
        "created_at": _iso(post.created_at),
        "likes": post.likes,
        "shares": post.shares,
        "replies": post.replies,
        "views": post.views,
        "reply_to": post.reply_to,
        "repost_of": post.repost_of,
        "links": list(post.links) or None,
    }
    record = {name: value for name, value in known.items() if value is not None}
    for name, value in post.raw.items():
        if name not in FIELDS and value is not None:
            record[name] = value
    return record
