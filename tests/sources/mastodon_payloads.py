"""Mastodon REST payloads in the documented shapes (docs.joinmastodon.org/entities/Status,
/entities/Account) with this suite's own content, and timelines that page like an instance."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.sources.platform_server import Reply, Request

# 2026-12-04T11:00:00Z as a Mastodon Snowflake id (milliseconds << 16).
BASE_ID = int(datetime(2026, 12, 4, 11, 0, tzinfo=UTC).timestamp() * 1000) << 16


def sid(n: int) -> str:
    """The id of the n-th status of a test: one second apart, all inside the first poll's day."""
    return str(BASE_ID + (n * 1000 << 16))


def account(acct: str = "brand", **extra: Any) -> dict[str, Any]:
    username = acct.split("@")[0]
    return {
        "id": "109440137734600341",
        "username": username,
        "acct": acct,
        "display_name": "Acme Burgers",
        "locked": False,
        "bot": False,
        "discoverable": True,
        "group": False,
        "created_at": "2022-12-01T00:00:00.000Z",
        "note": "<p>Burgers, since 1999</p>",
        "url": f"https://mastodon.example/@{username}",
        "avatar": "https://mastodon.example/avatars/original/missing.png",
        "followers_count": 1520,
        "following_count": 12,
        "statuses_count": 340,
        "last_status_at": "2026-12-04",
        "emojis": [],
        "fields": [],
        **extra,
    }


def status(n: int, content: str = "", **extra: Any) -> dict[str, Any]:
    when = datetime.fromtimestamp(((int(sid(n)) >> 16) / 1000), UTC)
    return {
        "id": sid(n),
        "created_at": when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "language": "en",
        "uri": f"https://mastodon.example/users/brand/statuses/{sid(n)}",
        "url": f"https://mastodon.example/@brand/{sid(n)}",
        "replies_count": 0,
        "reblogs_count": 0,
        "favourites_count": 0,
        "edited_at": None,
        "content": content or f"<p>acme status {n}</p>",
        "reblog": None,
        "account": account(),
        "media_attachments": [],
        "mentions": [],
        "tags": [],
        "emojis": [],
        "card": None,
        "poll": None,
        **extra,
    }


class Timeline:
    """An instance's timeline: newest first, `min_id` pages forwards (the statuses immediately
    newer), `max_id` backwards, at most `limit`, with the `Link` header Mastodon sends."""

    def __init__(self, statuses: list[dict[str, Any]], path: str, base: str) -> None:
        self.statuses = statuses
        self.path = path
        self.base = base

    def __call__(self, request: Request) -> Reply:
        limit = min(int(request.arg("limit", "20") or 20), 40)
        ordered = sorted(self.statuses, key=lambda s: int(s["id"]))
        min_id, max_id = request.arg("min_id"), request.arg("max_id")
        if max_id:
            ordered = [s for s in ordered if int(s["id"]) < int(max_id)]
        if min_id:
            page = [s for s in ordered if int(s["id"]) > int(min_id)][:limit]
        else:
            page = ordered[-limit:]
        page.reverse()  # newest first, as every timeline answers
        headers = {}
        if page:
            url = f"{self.base}{self.path}"
            headers["Link"] = (
                f'<{url}?max_id={page[-1]["id"]}>; rel="next", '
                f'<{url}?min_id={page[0]["id"]}>; rel="prev"'
            )
        return Reply.json(page, **headers)
