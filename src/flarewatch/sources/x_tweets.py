"""X API v2 tweets as ingest records: the tweet, its author from `includes.users`, the tweets it
refers to from `includes.tweets`, and the snowflake ids' own clock.

A tweet id is a snowflake: its top bits are the milliseconds since X's epoch, so ids sort by
time and an id can be made for any instant. The connector uses that to date a tweet that came
without `created_at` and to test whether a checkpoint is still inside recent search's 7 days.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

X_EPOCH_MS = 1288834974657  # 2010-11-04T01:42:54.657Z, where snowflake ids start
POST_URL = "https://x.com/{username}/status/{id}"
ANONYMOUS_POST_URL = "https://x.com/i/web/status/{id}"  # X redirects it to the author's URL
# `lang` values that name no language: undetermined, no linguistic content, and X's own codes
# for media-only, hashtag-only, mention-only, cashtag-only and very short posts.
NO_LANGUAGE = frozenset({"und", "zxx", "qme", "qht", "qam", "qct", "qst"})
VERIFIED_TYPES = frozenset({"blue", "business", "government"})


def snowflake_time(tweet_id: int) -> datetime:
    """When the tweet with this id was created."""
    return datetime.fromtimestamp(((tweet_id >> 22) + X_EPOCH_MS) / 1000, UTC)


def snowflake_at(moment: datetime) -> int:
    """The smallest id a tweet created at `moment` can have."""
    milliseconds = int(moment.timestamp() * 1000) - X_EPOCH_MS
    return max(0, milliseconds) << 22


def numeric_id(value: Any) -> int | None:
    """A tweet id (a decimal string in v2) as a number, or None when it is not one."""
    if isinstance(value, str) and value.isdigit() and len(value) <= 20:
        return int(value)
    return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def full_text(tweet: dict[str, Any]) -> Any:
    """A long post's whole text is in `note_tweet.text`; `text` holds its first 280 chars."""
    note = _dict(tweet.get("note_tweet")).get("text")
    return note if isinstance(note, str) and note.strip() else tweet.get("text")


def references(tweet: dict[str, Any]) -> dict[str, str]:
    """{"replied_to" | "quoted" | "retweeted": id} from `referenced_tweets`."""
    found: dict[str, str] = {}
    for ref in tweet.get("referenced_tweets") or []:
        ref = _dict(ref)
        if isinstance(ref.get("type"), str) and isinstance(ref.get("id"), str):
            found.setdefault(ref["type"], ref["id"])
    return found


def links(tweet: dict[str, Any]) -> list[str] | None:
    """The expanded URLs of `entities.urls`; media links (pic.x.com) are not links out."""
    found: list[str] = []
    for entry in _dict(tweet.get("entities")).get("urls") or []:
        entry = _dict(entry)
        if entry.get("media_key"):
            continue
        link = entry.get("unwound_url") or entry.get("expanded_url") or entry.get("url")
        if isinstance(link, str) and link.strip():
            found.append(link.strip())
    return list(dict.fromkeys(found)) or None


def _shares(metrics: dict[str, Any]) -> int | None:
    counts = [_count(metrics.get(name)) for name in ("retweet_count", "quote_count")]
    known = [c for c in counts if c is not None]
    return sum(known) if known else None


def _verified(user: dict[str, Any]) -> bool | None:
    if isinstance(user.get("verified"), bool) and user["verified"]:
        return True
    kind = user.get("verified_type")
    if isinstance(kind, str):
        return kind in VERIFIED_TYPES
    return user.get("verified") if isinstance(user.get("verified"), bool) else None


def _language(value: Any) -> str | None:
    return value if isinstance(value, str) and value and value not in NO_LANGUAGE else None


def tweet_record(
    tweet: dict[str, Any], users: dict[str, dict[str, Any]], included: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """One recent-search tweet in the ingest format (extra X fields ride along into `raw`)."""
    tweet_id = str(tweet.get("id"))
    user = users.get(str(tweet.get("author_id")), {})
    username = user.get("username") if isinstance(user.get("username"), str) else None
    refs = references(tweet)
    text = full_text(tweet)
    original = included.get(refs.get("retweeted", ""))
    if original is not None and isinstance(full_text(original), str):
        # A retweet's own text is cut at 140 characters with "…"; the original is whole.
        by = _dict(users.get(str(original.get("author_id")))).get("username")
        text = f"RT @{by}: {full_text(original)}" if by else full_text(original)
    metrics = _dict(tweet.get("public_metrics"))
    numeric = numeric_id(tweet_id)
    created = tweet.get("created_at")
    if not created and numeric is not None:
        created = snowflake_time(numeric).isoformat()
    return {
        "id": tweet_id,
        "text": text,
        "author": username or tweet.get("author_id"),
        "author_name": user.get("name"),
        "author_followers": _count(_dict(user.get("public_metrics")).get("followers_count")),
        "author_verified": _verified(user),
        "author_created_at": user.get("created_at"),
        "url": POST_URL.format(username=username, id=tweet_id)
        if username
        else ANONYMOUS_POST_URL.format(id=tweet_id),
        "created_at": created,
        "language": _language(tweet.get("lang")),
        "likes": _count(metrics.get("like_count")),
        "shares": _shares(metrics),
        "replies": _count(metrics.get("reply_count")),
        "views": _count(metrics.get("impression_count")),
        "reply_to": refs.get("replied_to"),
        "repost_of": refs.get("retweeted") or refs.get("quoted"),
        "links": links(tweet),
        "quoted_id": refs.get("quoted"),
        "retweeted_id": refs.get("retweeted"),
        "conversation_id": tweet.get("conversation_id"),
        "author_id": tweet.get("author_id"),
        "in_reply_to_user_id": tweet.get("in_reply_to_user_id"),
        "verified_type": user.get("verified_type"),
        "bookmarks": _count(metrics.get("bookmark_count")),
    }


def partial_error(error: Any) -> tuple[str, str]:
    """(where, message) for one entry of a 200 answer's `errors`: a referenced tweet or user
    that could not be expanded (deleted, suspended, protected)."""
    error = _dict(error)
    kind = error.get("resource_type") or "item"
    ident = error.get("resource_id") or error.get("value") or "?"
    said = error.get("detail") or error.get("title") or "could not be read"
    return (
        f"recent search: {kind} {ident}",
        f"{said}; the posts that refer to it are kept without it",
    )
