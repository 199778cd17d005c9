"""The Discourse JSON API as the `discourse` kind uses it: GETs with the optional `Api-Key`/
`Api-Username` headers, 429 answers turned into a retry time, answers checked for their shape,
and Discourse posts mapped to the ingest format.

Discourse's endpoints are the ones its web client uses (`/posts.json`, `/search.json`,
`/c/{slug}.json`, `/t/{id}.json`, `/t/{id}/posts.json`, `/posts/by_number/…`), documented at
https://docs.discourse.org; their answers are plain JSON, so no client library is needed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import lxml.etree
import lxml.html

from flarewatch.sources.base import SourceError, SourceProblem
from flarewatch.sources.connector import absolute_url, strip_html
from flarewatch.sources.http import PoliteClient, parse_retry_after, platform_message

LIKE_ACTION = 2  # Discourse's post action type id for a like (actions_summary)
SMALL_ACTION = 3  # post_type of "closed the topic", "pinned it": no one said anything
POST_IDS_PER_REQUEST = 50
MAX_REPLY_LOOKUPS = 50  # replied posts looked up by number per poll (one request each)


class DiscourseApi:
    """One poll's requests to one forum."""

    def __init__(
        self,
        client: PoliteClient,
        *,
        source_key: str,
        endpoint: str,
        headers: Mapping[str, str],
        now: datetime,
    ) -> None:
        self.client = client
        self.source_key = source_key
        self.endpoint = endpoint
        self.headers = dict(headers)
        self.now = now
        self.reply_ids: dict[tuple[int, int], int] = {}  # (topic id, post number) → post id
        self.lookups_left = MAX_REPLY_LOOKUPS

    def url(self, path: str) -> str:
        return f"{self.endpoint}{path}"

    def get(
        self, path: str, params: Mapping[str, Any] | None = None, *, missing_ok: bool = False
    ) -> Any:
        """The parsed JSON at `path` (None for a 404 when `missing_ok`); a 429 ends the poll
        with the time Discourse gave."""
        url = self.url(path)
        ok = (429, 404) if missing_ok else (429,)
        answer = self.client.get(url, params=params, headers=self.headers, ok=ok)
        if answer.status == 429:
            raise self._rate_limited(url, answer.headers.get("retry-after"), answer.body)
        if answer.status == 404:
            return None
        return self.client.parse_json(answer)

    def _rate_limited(self, url: str, retry_after: str | None, body: bytes) -> SourceError:
        retry_at = parse_retry_after(retry_after, self.now)
        if retry_at is None:
            # Discourse also says it in the body: {"extras": {"wait_seconds": 10}, …}.
            try:
                wait = json.loads(body).get("extras", {}).get("wait_seconds")
            except (ValueError, AttributeError):
                wait = None
            if isinstance(wait, int | float) and wait >= 0:
                retry_at = self.now + timedelta(seconds=float(wait))
        when = f" until {retry_at:%H:%M:%S} UTC" if retry_at else ""
        return SourceError(
            f"source {self.source_key!r}: {url.split('?')[0]}: HTTP 429 Too Many Requests "
            f"({platform_message(body)}): rate limited{when}; polled again after that",
            retry_at=retry_at,
        )

    def shape_error(self, path: str, expected: str) -> SourceError:
        return SourceError(
            f"source {self.source_key!r}: {self.url(path)}: the answer has no {expected}; check "
            "that endpoint is the Discourse forum's address (e.g. https://meta.discourse.org); "
            "nothing from it is stored"
        )

    # -- posts ------------------------------------------------------------------------------

    def remember(self, posts: list[dict[str, Any]]) -> None:
        for post in posts:
            topic, number, post_id = post.get("topic_id"), post.get("post_number"), post.get("id")
            if isinstance(topic, int) and isinstance(number, int) and isinstance(post_id, int):
                self.reply_ids[(topic, number)] = post_id

    def full_posts(
        self, wanted: Mapping[int, list[int]], problems: list[SourceProblem]
    ) -> dict[int, dict[str, Any]]:
        """Whole posts (with `cooked`) by topic id → post ids, through
        `/t/{topic}/posts.json?post_ids[]=…`; a post that is gone is a problem."""
        found: dict[int, dict[str, Any]] = {}
        for topic_id, post_ids in wanted.items():
            for start in range(0, len(post_ids), POST_IDS_PER_REQUEST):
                chunk = post_ids[start : start + POST_IDS_PER_REQUEST]
                path = f"/t/{topic_id}/posts.json"
                data = self.get(path, {"post_ids[]": chunk}, missing_ok=True)
                if data is None:  # the topic was deleted since: its posts are problems below
                    continue
                stream = data.get("post_stream") if isinstance(data, dict) else None
                posts = stream.get("posts") if isinstance(stream, dict) else None
                if not isinstance(posts, list):
                    raise self.shape_error(path, "'post_stream.posts' list")
                good = [p for p in posts if isinstance(p, dict) and isinstance(p.get("id"), int)]
                self.remember(good)
                found.update((p["id"], p) for p in good if p["id"] in chunk)
            for post_id in post_ids:
                if post_id not in found:
                    problems.append(
                        SourceProblem(
                            f"discourse post {post_id}",
                            f"is no longer readable in topic {topic_id} (deleted or hidden since "
                            "it was listed); skipped, the rest are kept",
                        )
                    )
        return found

    def replied_id(self, topic_id: int, number: int) -> int | None:
        """The id of post `number` of a topic: from what this poll has seen, else looked up
        (`/posts/by_number/{topic}/{number}.json`, a bounded number of times per poll)."""
        known = self.reply_ids.get((topic_id, number))
        if known is not None or self.lookups_left <= 0:
            return known
        self.lookups_left -= 1
        # A replied post that is gone (404) leaves the reply unlinked; other failures end the
        # poll, so that no reply is stored without the link it should have.
        data = self.get(f"/posts/by_number/{topic_id}/{number}.json", missing_ok=True)
        if isinstance(data, dict) and isinstance(data.get("id"), int):
            self.reply_ids[(topic_id, number)] = data["id"]
            return int(data["id"])
        return None


def valid_post(post: Any) -> str | None:
    """Why a listed post cannot be read, or None when it can."""
    if not isinstance(post, dict):
        return "is not a post object"
    for name in ("id", "topic_id", "post_number"):
        if not isinstance(post.get(name), int) or isinstance(post.get(name), bool):
            return f"has no numeric {name!r}"
    return None


def _links(endpoint: str, cooked: str) -> list[str]:
    """The links of a cooked post, absolute (Discourse writes /t/…, /u/… and //host/…)."""
    if not cooked.strip():
        return []
    try:
        root = lxml.html.fragment_fromstring(cooked, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return []
    base = endpoint + "/"
    links: list[str] = []
    for anchor in root.iter("a"):
        link = absolute_url(base, anchor.get("href"))
        if link and link.startswith(("http://", "https://")) and link not in links:
            links.append(link)
    return links


def likes_of(post: Mapping[str, Any]) -> int | None:
    for action in post.get("actions_summary") or []:
        if isinstance(action, dict) and action.get("id") == LIKE_ACTION:
            count = action.get("count")
            return count if isinstance(count, int) else None
    count = post.get("like_count")
    return count if isinstance(count, int) else None


def post_record(
    post: Mapping[str, Any],
    *,
    endpoint: str,
    topic: Mapping[str, Any] | None,
    reply_to: int | None,
    stream: str,
) -> dict[str, Any]:
    """A Discourse post (as /posts.json and /t/{id}/posts.json give it) in the ingest format;
    Discourse's own fields that have no column stay in the record (→ raw)."""
    topic = topic or {}
    topic_id = post["topic_id"]
    slug = post.get("topic_slug") or topic.get("slug") or "topic"
    cooked = str(post.get("cooked") or "")
    number = post["post_number"]
    return {
        "id": str(post["id"]),
        "text": strip_html(cooked),
        "title": post.get("topic_title") or topic.get("title"),
        "author": post.get("username"),
        "author_name": post.get("name") or post.get("display_username"),
        "created_at": post.get("created_at"),
        # The account's creation time, which /t/{id}/posts.json gives (not /posts.json).
        "author_created_at": post.get("user_created_at"),
        "url": f"{endpoint}/t/{quote(str(slug))}/{topic_id}/{number}",
        "likes": likes_of(post),
        "replies": post.get("reply_count"),
        "views": post.get("reads"),
        "reply_to": str(reply_to) if reply_to is not None else None,
        "links": _links(endpoint, cooked) or None,
        "topic_id": topic_id,
        "topic_slug": slug,
        "post_number": number,
        "reply_to_post_number": post.get("reply_to_post_number"),
        "category_id": post.get("category_id") or topic.get("category_id"),
        "user_id": post.get("user_id"),
        "trust_level": post.get("trust_level"),
        "moderator": post.get("moderator"),
        "admin": post.get("admin"),
        "staff": post.get("staff"),
        "discourse_stream": stream,
    }
