"""Kind "facebook": the posts of a Page the brand manages and every comment on them (replies and
hidden comments included), read with the Graph API and a Page access token.

Comments arrive long after their post, so each poll re-reads the comments of the posts of the
last `rescan_days` days. The checkpoint keeps, per such post, the newest comment time taken and
the ids at that time (asked newest first, paging stops at that boundary when they come so), plus the
ids of the posts already taken; posts older than the window drop out of it (bounded).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from pydantic import Field

from flarewatch.mentions.post import Post
from flarewatch.sources.base import FetchResult, SourceProblem
from flarewatch.sources.connector import HttpOptions, parse_time
from flarewatch.sources.graph_api import (
    DEFAULT_ENDPOINT,
    GraphClient,
    boundary_new,
    count_at,
    dated_items,
    keep_post,
)
from flarewatch.sources.http import PoliteClient
from flarewatch.sources.secrets import require_secret

if TYPE_CHECKING:
    from flarewatch.config.workspace import SourceConfig
    from flarewatch.sources.secrets import Secrets

ATTACHMENT_FIELDS = "type,media_type,title,description,url,unshimmed_url"
POST_FIELDS = (
    "id,message,created_time,permalink_url,from,shares,"
    "comments.summary(true).limit(0),reactions.summary(true).limit(0),"
    f"attachments{{{ATTACHMENT_FIELDS}}}"
)
COMMENT_FIELDS = (
    "id,message,created_time,from{id,name},parent{id},is_hidden,like_count,comment_count,"
    f"permalink_url,attachment{{{ATTACHMENT_FIELDS}}}"
)
SHIM_HOSTS = frozenset({"l.facebook.com", "lm.facebook.com", "l.messenger.com"})
MAX_TRACKED_POSTS = 500
TOKEN_HELP = (
    "get a new long-lived Page access token (Graph API Explorer or your app's login flow with "
    "pages_read_engagement and pages_read_user_content, exchanged with fb_exchange_token, then "
    "GET /me/accounts), see docs/sources.md"
)


class FacebookOptions(HttpOptions):
    page_id: str = Field(min_length=1, description="The Facebook Page's numeric id")
    token_env: str = Field(
        min_length=1, description="Variable holding a Page access token of a Meta app"
    )
    rescan_days: int = Field(
        default=7, ge=0, le=90, description="Re-read the comments of posts this recent"
    )
    history_days: int = Field(
        default=7, ge=0, le=365, description="How many days back the first poll reads"
    )


class FacebookSource:
    kind = "facebook"
    Options = FacebookOptions
    default_every = "5m"

    def __init__(
        self,
        key: str,
        *,
        page_id: str,
        token: str,
        token_env: str,
        endpoint: str | None = None,
        platform: str | None = None,
        rescan_days: int = 7,
        history_days: int = 7,
    ) -> None:
        self.key = key
        self.page_id = page_id
        self.token = token
        self.token_env = token_env
        self.endpoint = endpoint or DEFAULT_ENDPOINT
        self.platform = platform or "facebook"
        self.rescan = timedelta(days=rescan_days)
        self.history = timedelta(days=history_days)

    @classmethod
    def from_config(cls, config: SourceConfig, base_dir: Path, secrets: Secrets) -> FacebookSource:
        options = config.options()
        token = require_secret(secrets, config.key, "token_env", options.token_env)
        return cls(
            config.key,
            page_id=options.page_id,
            token=token,
            token_env=options.token_env,
            endpoint=options.endpoint,
            platform=config.platform,
            rescan_days=options.rescan_days,
            history_days=options.history_days,
        )

    def fetch(
        self,
        checkpoint: dict[str, Any] | None,
        *,
        limit: int = 1000,
        now: datetime | None = None,
        deadline: float | None = None,
    ) -> FetchResult:
        now = now or datetime.now(UTC)
        state = dict(checkpoint or {})
        if state.get("page_id") != self.page_id:
            state = {"page_id": self.page_id}
        tracked: dict[str, dict[str, Any]] = dict(state.get("posts", {}))
        cutoff = now - self.rescan
        newest_post = parse_time(state.get("newest_post"))
        since = min(newest_post, cutoff) if newest_post else now - max(self.history, self.rescan)
        posts: list[Post] = []
        problems: list[SourceProblem] = []
        with PoliteClient(self.key, deadline=deadline) as http:
            graph = GraphClient(
                http,
                endpoint=self.endpoint,
                token=self.token,
                token_env=self.token_env,
                token_help=TOKEN_HELP,
                what=f"Page {self.page_id}",
            )
            listed = self._list_posts(graph, since, problems)
            exhausted = True
            # Oldest first, so a batch cut by `limit` leaves the newest posts for the next call.
            for item, when in sorted(listed, key=lambda pair: pair[1]):
                if len(posts) >= limit:
                    exhausted = False
                    break
                post_id = item["id"]
                if post_id not in tracked and newest_post and when <= newest_post < cutoff:
                    continue  # taken by an earlier poll and out of the re-scan window since
                entry = dict(tracked.get(post_id, {}))
                if "created" not in entry:
                    posts.extend(self._keep(self._post_record(item), f"post {post_id}", problems))
                    entry["created"] = when.isoformat()
                if when >= cutoff or "comments" not in entry:
                    entry["comments"] = self._comments(
                        graph, post_id, entry.get("comments", {}), posts, problems
                    )
                tracked[post_id] = entry
                if newest_post is None or when > newest_post:
                    newest_post = when
            quota = graph.quota
        state["posts"] = self._bounded(tracked, cutoff)
        if newest_post is not None:
            state["newest_post"] = newest_post.isoformat()
        return FetchResult(posts, state, problems, exhausted=exhausted, quota=quota)

    def _list_posts(
        self, graph: GraphClient, since: datetime, problems: list[SourceProblem]
    ) -> list[tuple[dict[str, Any], datetime]]:
        params = {"fields": POST_FIELDS, "since": int(since.timestamp()), "limit": 100}
        listed: list[tuple[dict[str, Any], datetime]] = []
        for where, items in graph.pages(f"{self.page_id}/posts", params):
            listed.extend(dated_items(items, where, "created_time", "post", problems))
        return listed

    def _comments(
        self,
        graph: GraphClient,
        post_id: str,
        boundary: dict[str, Any],
        posts: list[Post],
        problems: list[SourceProblem],
    ) -> dict[str, Any]:
        params = {
            "filter": "stream",  # replies too, in one list
            "fields": COMMENT_FIELDS,
            "order": "reverse_chronological",
            "limit": 100,
        }
        newest = parse_time(boundary.get("newest"))
        seen: list[tuple[dict[str, Any], datetime]] = []
        for where, items in graph.pages(f"{post_id}/comments", params):
            seen.extend(dated_items(items, where, "created_time", "comment", problems))
            # Meta may rank comments instead of honouring the order asked for, so paging stops
            # at the boundary only while what came so far really is newest first.
            times = [when for _, when in seen]
            newest_first = all(a >= b for a, b in zip(times, times[1:], strict=False))
            if newest_first and newest is not None and times and times[-1] < newest:
                break  # the rest was taken by an earlier poll
        fresh, after = boundary_new([(i["id"], w) for i, w in seen], boundary)
        for item, _when in sorted(seen, key=lambda pair: pair[1]):
            if item["id"] in fresh:
                record = self._comment_record(item, post_id)
                posts.extend(self._keep(record, f"comment {item['id']}", problems))
        return after

    def _keep(
        self, record: dict[str, Any] | None, where: str, problems: list[SourceProblem]
    ) -> list[Post]:
        return keep_post(
            record, where, source_key=self.key, platform=self.platform, problems=problems
        )

    def _post_record(self, item: dict[str, Any]) -> dict[str, Any] | None:
        attached = item.get("attachments")
        attachments = attached.get("data") if isinstance(attached, dict) else None
        attachments = [a for a in attachments or [] if isinstance(a, dict)]
        # A photo or link post without a message still says something through its attachment.
        text = _message(item) or attachment_text(attachments)
        if not text:
            return None
        author = item.get("from") if isinstance(item.get("from"), dict) else {}
        permalink = item.get("permalink_url")
        links = [permalink] if isinstance(permalink, str) and permalink else []
        return {
            "id": item["id"],
            "text": text,
            "author": author.get("id"),
            "author_name": author.get("name"),
            "url": permalink,
            "created_at": item.get("created_time"),
            "likes": count_at(item, "reactions", "summary", "total_count"),
            "shares": count_at(item, "shares", "count"),
            "replies": count_at(item, "comments", "summary", "total_count"),
            "links": list(dict.fromkeys(links + attachment_links(attachments))) or None,
            "page_id": self.page_id,
            "type": "post",
        }

    def _comment_record(self, item: dict[str, Any], post_id: str) -> dict[str, Any] | None:
        attachment = item.get("attachment")
        attachments = [attachment] if isinstance(attachment, dict) else []
        # A sticker, GIF or photo comment has no message; its attachment may have words, and
        # one without any has nothing to read (a comment with neither is a problem).
        text = _message(item) or attachment_text(attachments)
        if not text and attachments:
            return None
        author = item.get("from") if isinstance(item.get("from"), dict) else {}
        parent = item.get("parent") if isinstance(item.get("parent"), dict) else {}
        return {
            "id": item["id"],
            "text": text,
            "links": attachment_links(attachments) or None,
            # `from` is left out for people who have not allowed the app to see them.
            "author": author.get("id"),
            "author_name": author.get("name"),
            "url": item.get("permalink_url"),
            "created_at": item.get("created_time"),
            "likes": count_at(item, "like_count"),
            "replies": count_at(item, "comment_count"),
            "reply_to": parent.get("id") or post_id,
            "post_id": post_id,
            "hidden": bool(item.get("is_hidden")),  # hidden by the Page: kept, and marked
            "type": "reply" if parent.get("id") else "comment",
        }

    @staticmethod
    def _bounded(tracked: dict[str, dict[str, Any]], cutoff: datetime) -> dict[str, Any]:
        """The posts still in the re-scan window, newest kept when there are too many."""

        def created(pair: tuple[str, dict[str, Any]]) -> datetime:
            return parse_time(pair[1].get("created")) or cutoff

        recent = sorted((pair for pair in tracked.items() if created(pair) >= cutoff), key=created)
        return dict(recent[-MAX_TRACKED_POSTS:])


def _message(item: dict[str, Any]) -> str | None:
    message = item.get("message")
    return message if isinstance(message, str) and message.strip() else None


def is_shared_link(attachment: dict[str, Any]) -> bool:
    return attachment.get("media_type") == "link" or attachment.get("type") == "share"


def attachment_text(attachments: list[dict[str, Any]]) -> str | None:
    """What attachments say in words, for a post or comment without a message: a shared
    link's title, any description. (A photo's title is Facebook's album name, "Timeline
    photos", not something the author wrote.)"""
    parts: list[str] = []
    for attachment in attachments:
        names = ("title", "description") if is_shared_link(attachment) else ("description",)
        for name in names:
            value = attachment.get(name)
            if isinstance(value, str) and value.strip() and value.strip() not in parts:
                parts.append(value.strip())
    return "\n".join(parts) or None


def attachment_links(attachments: list[dict[str, Any]]) -> list[str]:
    """The addresses shared links point to, Facebook's l.facebook.com redirect unwrapped."""
    links: list[str] = []
    for attachment in attachments:
        if not is_shared_link(attachment):
            continue  # a photo's or sticker's url is its own page on Facebook
        link = attachment.get("unshimmed_url") or attachment.get("url")
        if isinstance(link, str) and link.startswith(("http://", "https://")):
            links.append(unshim(link))
    return list(dict.fromkeys(links))


def unshim(link: str) -> str:
    """The real address behind https://l.facebook.com/l.php?u=REAL&h=…"""
    parts = urlsplit(link)
    if parts.netloc.lower() in SHIM_HOSTS and parts.path == "/l.php":
        real = parse_qs(parts.query).get("u")
        if real and real[0].startswith(("http://", "https://")):
            return real[0]
    return link
