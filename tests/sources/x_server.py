"""A local X API v2 recent search (`GET /2/tweets/search/recent`) for connector tests.

It answers in the documented shape — `data` newest first, `includes.users` / `includes.tweets`
for the expansions, `meta` {newest_id, oldest_id, result_count, next_token}, the
`x-rate-limit-*` headers — and honours `since_id`, `until_id`, `start_time`, `max_results` and
`next_token`, with the test's own tweets (snowflake ids made from their creation times).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flarewatch.sources.x_tweets import snowflake_at, snowflake_time
from tests.sources.platform_server import Reply, Request

SEARCH = "/2/tweets/search/recent"
TOKEN = "AAAAAAAAAAAAAAAAAAAAA-flarewatch-test-bearer"


def tweet_id(at: datetime, sequence: int = 0) -> str:
    """A snowflake id for a tweet created at `at` (`sequence` tells same-millisecond ones apart)."""
    return str(snowflake_at(at) + sequence)


def tweet(at: datetime, text: str, author: str = "2244994945", seq: int = 0, **extra: Any) -> dict:
    ident = tweet_id(at, seq)
    return {
        "id": ident,
        "text": text,
        "author_id": author,
        "created_at": at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "conversation_id": ident,
        "edit_history_tweet_ids": [ident],
        "lang": "en",
        "public_metrics": {
            "retweet_count": 0,
            "reply_count": 0,
            "like_count": 0,
            "quote_count": 0,
            "bookmark_count": 0,
            "impression_count": 0,
        },
        **extra,
    }


def user(ident: str, username: str, **extra: Any) -> dict:
    return {
        "id": ident,
        "username": username,
        "name": username.title(),
        "created_at": "2013-12-14T04:35:55.000Z",
        "protected": False,
        "verified": False,
        "verified_type": "none",
        "public_metrics": {
            "followers_count": 10,
            "following_count": 5,
            "tweet_count": 100,
            "listed_count": 0,
            "like_count": 3,
        },
        **extra,
    }


@dataclass
class XSearch:
    """The route's handler: `tweets` (any order), `users` and `referenced` for the expansions."""

    tweets: list[dict[str, Any]]
    users: list[dict[str, Any]] = field(default_factory=list)
    referenced: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    token: str = TOKEN
    pause: float = 0.0  # seconds per answer: a slower platform, so a kill lands mid-fetch
    remaining: int = 449

    def add(self, *tweets: dict[str, Any]) -> None:
        self.tweets.extend(tweets)

    def __call__(self, request: Request) -> Reply:
        if self.pause:
            time.sleep(self.pause)
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return Reply.json(
                {
                    "title": "Unauthorized",
                    "type": "about:blank",
                    "status": 401,
                    "detail": "Unauthorized",
                },
                401,
            )
        matched = sorted(self.tweets, key=lambda t: int(t["id"]), reverse=True)
        if since := request.arg("since_id"):
            matched = [t for t in matched if int(t["id"]) > int(since)]
        if until := request.arg("until_id"):
            matched = [t for t in matched if int(t["id"]) < int(until)]
        if start := request.arg("start_time"):
            begin = datetime.fromisoformat(start.replace("Z", "+00:00"))
            matched = [t for t in matched if snowflake_time(int(t["id"])) >= begin]
        size = int(request.arg("max_results") or "10")
        offset = int((request.arg("next_token") or "b26v89c19zqg8o3fo0").split("o3fo")[-1] or 0)
        page = matched[offset : offset + size]
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta |= {"newest_id": page[0]["id"], "oldest_id": page[-1]["id"]}
        if offset + size < len(matched):
            meta["next_token"] = f"b26v89c19zqg8o3fo{offset + size}"
        body: dict[str, Any] = {"meta": meta}
        if page:
            body["data"] = page
            wanted = {t.get("author_id") for t in page}
            refs = {r["id"] for t in page for r in t.get("referenced_tweets", [])}
            included = [t for t in self.referenced if t["id"] in refs]
            wanted |= {t.get("author_id") for t in included}
            body["includes"] = {"users": [u for u in self.users if u["id"] in wanted]}
            if included:
                body["includes"]["tweets"] = included
            if self.errors:
                body["errors"] = self.errors
        self.remaining -= 1
        return Reply.json(
            body,
            **{
                "x-rate-limit-limit": "450",
                "x-rate-limit-remaining": str(self.remaining),
                "x-rate-limit-reset": str(int(time.time()) + 900),
            },
        )
