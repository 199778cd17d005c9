"""A Mastodon status (the REST API's `Status` entity) as an ingest-format record.

Kept apart from the polling in `sources/mastodon.py`: this is the part that knows the entity's
fields (HTML `content`, `spoiler_text`, `reblog`, `quote`, `account`, `media_attachments`), the
other knows timelines, cursors and checkpoints.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flarewatch.mentions.post import Post
from flarewatch.sources.base import SourceProblem
from flarewatch.sources.connector import absolute_url, clean_text, strip_html, to_post

# Mastodon ids are Snowflake-like: milliseconds since the epoch shifted left by 16 bits, plus a
# sequence (Mastodon::Snowflake). Ids from before 2017 are small serial numbers.
SNOWFLAKE_SHIFT = 16


def status_id(value: Any) -> int | None:
    """A status id as a number (ids are decimal strings, compared as numbers), or None."""
    if isinstance(value, str) and value.isdigit() and len(value) <= 20:
        return int(value)
    return None


def snowflake_at(epoch_ms: int) -> int:
    """The smallest id a status created at `epoch_ms` can have (a `min_id` for a time)."""
    return max(0, epoch_ms) << SNOWFLAKE_SHIFT


def _quoted_id(status: dict[str, Any]) -> str | None:
    """The status this one quotes: Mastodon 4.5's `quote` (a Quote with `quoted_status`, or a
    ShallowQuote with `quoted_status_id`), or the `quote` status / `quote_id` of the forks
    (Fedibird, glitch-soc) that had quotes first."""
    quote = status.get("quote")
    if isinstance(quote, dict):
        inner = quote.get("quoted_status")
        if isinstance(inner, dict) and status_id(inner.get("id")) is not None:
            return str(inner["id"])
        if status_id(quote.get("quoted_status_id")) is not None:
            return str(quote["quoted_status_id"])
        if status_id(quote.get("id")) is not None and "content" in quote:
            return str(quote["id"])
    quote_id = status.get("quote_id")
    return str(quote_id) if status_id(quote_id) is not None else None


def _media(status: dict[str, Any]) -> list[dict[str, Any]]:
    media = status.get("media_attachments")
    if not isinstance(media, list):
        return []
    return [
        {"type": m.get("type"), "url": m.get("url"), "description": m.get("description")}
        for m in media
        if isinstance(m, dict)
    ]


def status_text(status: dict[str, Any]) -> str:
    """The content warning and the text together (the warning is what readers see first and
    often names the subject); an image-only status reads as its media descriptions."""
    body = strip_html(status.get("content"))
    if not body:
        described = [clean_text(m["description"]).strip() for m in _media(status)]
        body = " ".join(d for d in described if d)
    if not body and isinstance(status.get("poll"), dict):
        options = status["poll"].get("options") or []
        body = " / ".join(
            clean_text(o.get("title")).strip() for o in options if isinstance(o, dict)
        )
    warning = clean_text(status.get("spoiler_text")).strip()
    return "\n".join(part for part in (warning, body) if part)


def full_acct(acct: Any, instance_host: str) -> str | None:
    """`user@instance` for every author: a local account's `acct` is bare `user`."""
    if not isinstance(acct, str) or not acct.strip():
        return None
    acct = acct.strip().lstrip("@")
    return acct if "@" in acct else f"{acct}@{instance_host}"


def status_to_post(
    status: Any,
    *,
    endpoint: str,
    source_key: str,
    platform: str,
    where: str,
    found_in: str,
) -> Post | SourceProblem:
    """One status as a post, or the problem that skips it.

    A reblog is a post of the account that boosted it, with the original's text and counts
    (a boost has none of its own) and `repost_of` = the original's id.
    """
    if not isinstance(status, dict) or status_id(status.get("id")) is None:
        return SourceProblem(where, "an item has no numeric status id; skipped, the rest are kept")
    host = urlsplit(endpoint).hostname or "mastodon"
    shown = status.get("reblog") if isinstance(status.get("reblog"), dict) else status
    account = status.get("account") if isinstance(status.get("account"), dict) else {}
    original_account = shown.get("account") if isinstance(shown.get("account"), dict) else {}
    reply_to = shown.get("in_reply_to_id")
    card = shown.get("card") if isinstance(shown.get("card"), dict) else {}
    quotes = shown.get("quotes_count") if isinstance(shown.get("quotes_count"), int) else 0
    reblogs = shown.get("reblogs_count")
    tags = shown.get("tags") if isinstance(shown.get("tags"), list) else []
    record: dict[str, Any] = {
        "id": status["id"],
        "text": status_text(shown),
        "author": full_acct(account.get("acct"), host),
        "author_name": clean_text(account.get("display_name")).strip() or account.get("username"),
        "author_followers": account.get("followers_count"),
        "author_created_at": account.get("created_at"),
        "url": absolute_url(endpoint, status.get("url") or shown.get("url") or shown.get("uri")),
        "created_at": status.get("created_at"),
        "language": shown.get("language"),
        "likes": shown.get("favourites_count"),
        "shares": reblogs + quotes if isinstance(reblogs, int) else None,
        "replies": shown.get("replies_count"),
        "reply_to": str(reply_to) if status_id(reply_to) is not None else None,
        "repost_of": str(shown["id"]) if shown is not status else _quoted_id(status),
        "links": [card["url"]] if isinstance(card.get("url"), str) else None,
        "status_uri": status.get("uri"),
        "visibility": status.get("visibility"),
        "sensitive": shown.get("sensitive"),
        "spoiler_text": shown.get("spoiler_text") or None,
        "author_bot": account.get("bot"),
        "author_url": account.get("url"),
        "tags": [t["name"] for t in tags if isinstance(t, dict) and isinstance(t.get("name"), str)]
        or None,
        "media": _media(shown) or None,
        "edited_at": shown.get("edited_at"),
        "found_in": found_in,
    }
    if shown is not status:
        record["reblog_of_author"] = full_acct(original_account.get("acct"), host)
        record["reblog_of_url"] = shown.get("url") or shown.get("uri")
    return to_post(record, source_key=source_key, platform=platform, where=where)
