"""Kind "instagram": an Instagram professional account read with the Graph API: its media, the
comments and replies on them (hidden ones kept and marked), and the media of others that tag it.

As on Facebook, comments arrive late, so the comments of the media of the last `rescan_days`
days are read again at each poll. Instagram does not promise an order for comments, so each
such read takes every page and keeps what is newer than the boundary in the checkpoint (the
newest comment time taken and the ids at that time). Tagged media come newest first; paging
stops at the tags boundary.

Mentions (`@account` in someone else's caption or comment) are only reachable with the media or
comment id that a `mentions` webhook delivers (`mentioned_media`, `mentioned_comment`); there
is no list of them to poll, so this kind does not read them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import Field

from flarewatch.mentions.post import Post
from flarewatch.sources.base import FetchResult, SourceError, SourceProblem
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

MEDIA_FIELDS = "id,caption,media_type,permalink,timestamp,username,like_count,comments_count"
REPLY_FIELDS = "id,text,timestamp,username,like_count,hidden"
COMMENT_FIELDS = f"{REPLY_FIELDS},replies{{{REPLY_FIELDS}}}"
TAG_FIELDS = "id,caption,permalink,timestamp,username,comments_count,like_count"
MAX_TRACKED_MEDIA = 500
TOKEN_HELP = (
    "get a new long-lived access token for the Facebook Page linked to the Instagram account "
    "(instagram_basic, instagram_manage_comments, pages_show_list, pages_read_engagement), "
    "see docs/sources.md"
)


class InstagramOptions(HttpOptions):
    account_id: str = Field(
        min_length=1, description="The Instagram professional account's IG user id"
    )
    token_env: str = Field(
        min_length=1, description="Variable holding the linked Page's access token"
    )
    tags: bool = Field(default=True, description="Also read media of others that tag the account")
    rescan_days: int = Field(
        default=7, ge=0, le=90, description="Re-read the comments of media this recent"
    )
    history_days: int = Field(
        default=7, ge=0, le=365, description="How many days back the first poll reads"
    )


class InstagramSource:
    kind = "instagram"
    Options = InstagramOptions
    default_every = "5m"

    def __init__(
        self,
        key: str,
        *,
        account_id: str,
        token: str,
        token_env: str,
        endpoint: str | None = None,
        platform: str | None = None,
        tags: bool = True,
        rescan_days: int = 7,
        history_days: int = 7,
    ) -> None:
        self.key = key
        self.account_id = account_id
        self.token = token
        self.token_env = token_env
        self.endpoint = endpoint or DEFAULT_ENDPOINT
        self.platform = platform or "instagram"
        self.tags = tags
        self.rescan = timedelta(days=rescan_days)
        self.history = timedelta(days=history_days)

    @classmethod
    def from_config(cls, config: SourceConfig, base_dir: Path, secrets: Secrets) -> InstagramSource:
        options = config.options()
        token = require_secret(secrets, config.key, "token_env", options.token_env)
        return cls(
            config.key,
            account_id=options.account_id,
            token=token,
            token_env=options.token_env,
            endpoint=options.endpoint,
            platform=config.platform,
            tags=options.tags,
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
        if state.get("account_id") != self.account_id:
            state = {"account_id": self.account_id}
        tracked: dict[str, dict[str, Any]] = dict(state.get("media", {}))
        cutoff = now - self.rescan
        first_since = now - max(self.history, self.rescan)
        newest_media = parse_time(state.get("newest_media"))
        since = min(newest_media, cutoff) if newest_media else first_since
        posts: list[Post] = []
        problems: list[SourceProblem] = []
        exhausted = True
        with PoliteClient(self.key, deadline=deadline) as http:
            graph = GraphClient(
                http,
                endpoint=self.endpoint,
                token=self.token,
                token_env=self.token_env,
                token_help=TOKEN_HELP,
                what=f"Instagram account {self.account_id}",
            )
            listed = self._newest_first(
                graph, f"{self.account_id}/media", MEDIA_FIELDS, since, "media", problems
            )
            for item, when in sorted(listed, key=lambda pair: pair[1]):
                if len(posts) >= limit:
                    exhausted = False
                    break
                media_id = item["id"]
                if media_id not in tracked and newest_media and when <= newest_media < cutoff:
                    continue  # taken by an earlier poll and out of the re-scan window since
                entry = dict(tracked.get(media_id, {}))
                if "created" not in entry:
                    record = self._media_record(item, own=True)
                    posts.extend(self._keep(record, f"media {media_id}", problems))
                    entry["created"] = when.isoformat()
                if when >= cutoff or "comments" not in entry:
                    entry["comments"] = self._comments(
                        graph, item, entry.get("comments", {}), posts, problems
                    )
                tracked[media_id] = entry
                if newest_media is None or when > newest_media:
                    newest_media = when
            if self.tags and exhausted:
                state["tags"] = self._tags_or_problem(graph, state, first_since, posts, problems)
            quota = graph.quota
        state["media"] = self._bounded(tracked, cutoff)
        if newest_media is not None:
            state["newest_media"] = newest_media.isoformat()
        return FetchResult(posts, state, problems, exhausted=exhausted, quota=quota)

    def _newest_first(
        self,
        graph: GraphClient,
        path: str,
        fields: str,
        since: datetime,
        what: str,
        problems: list[SourceProblem],
    ) -> list[tuple[dict[str, Any], datetime]]:
        """A newest-first list read until its items are older than `since`."""
        listed: list[tuple[dict[str, Any], datetime]] = []
        for where, items in graph.pages(path, {"fields": fields, "limit": 50}):
            dated = dated_items(items, where, "timestamp", what, problems)
            listed.extend(pair for pair in dated if pair[1] >= since)
            if any(when < since for _, when in dated):
                break
        return listed

    def _comments(
        self,
        graph: GraphClient,
        media: dict[str, Any],
        boundary: dict[str, Any],
        posts: list[Post],
        problems: list[SourceProblem],
    ) -> dict[str, Any]:
        media_id = media["id"]
        found: list[tuple[dict[str, Any], datetime, str]] = []  # (comment, time, replying to)
        for where, items in graph.pages(f"{media_id}/comments", {"fields": COMMENT_FIELDS}):
            for comment, when in dated_items(items, where, "timestamp", "comment", problems):
                found.append((comment, when, media_id))
                for reply, reply_when in self._replies(graph, comment, where, problems):
                    found.append((reply, reply_when, comment["id"]))
        fresh, after = boundary_new([(c["id"], w) for c, w, _ in found], boundary)
        for comment, _when, parent in sorted(found, key=lambda row: row[1]):
            if comment["id"] in fresh:
                fresh.discard(comment["id"])  # a reply listed twice is taken once
                record = self._comment_record(comment, media, parent)
                posts.extend(self._keep(record, f"comment {comment['id']}", problems))
        return after

    def _replies(
        self,
        graph: GraphClient,
        comment: dict[str, Any],
        where: str,
        problems: list[SourceProblem],
    ) -> list[tuple[dict[str, Any], datetime]]:
        replies = comment.get("replies")
        if not isinstance(replies, dict):
            return []
        items = replies.get("data") if isinstance(replies.get("data"), list) else []
        dated = dated_items(items, where, "timestamp", "reply", problems)
        paging = replies.get("paging") if isinstance(replies.get("paging"), dict) else {}
        if isinstance(paging.get("next"), str) and items:
            # More replies than fit in the nested list: the rest from their own pages.
            for next_where, more in graph.pages(paging["next"], {}):
                dated.extend(dated_items(more, next_where, "timestamp", "reply", problems))
        return dated

    def _tags_or_problem(
        self,
        graph: GraphClient,
        state: dict[str, Any],
        first_since: datetime,
        posts: list[Post],
        problems: list[SourceProblem],
    ) -> dict[str, Any]:
        """The tags boundary after reading them; a refused `tags` edge (no permission, not
        offered for this login) costs only the tags, not the media already read."""
        boundary = state.get("tags", {})
        try:
            return self._tagged(graph, boundary, first_since, posts, problems)
        except SourceError as err:
            if err.retry_at is not None:
                raise
            problems.append(SourceProblem(f"{self.account_id}/tags", f"{err}; or set tags = false"))
            return boundary

    def _tagged(
        self,
        graph: GraphClient,
        boundary: dict[str, Any],
        first_since: datetime,
        posts: list[Post],
        problems: list[SourceProblem],
    ) -> dict[str, Any]:
        since = parse_time(boundary.get("newest")) or first_since
        listed = self._newest_first(
            graph, f"{self.account_id}/tags", TAG_FIELDS, since, "tagged media", problems
        )
        fresh, after = boundary_new([(i["id"], w) for i, w in listed], boundary)
        for item, _when in sorted(listed, key=lambda pair: pair[1]):
            if item["id"] in fresh:
                record = self._media_record(item, own=False)
                posts.extend(self._keep(record, f"tagged media {item['id']}", problems))
        return after

    def _keep(
        self, record: dict[str, Any] | None, where: str, problems: list[SourceProblem]
    ) -> list[Post]:
        return keep_post(
            record, where, source_key=self.key, platform=self.platform, problems=problems
        )

    def _media_record(self, item: dict[str, Any], *, own: bool) -> dict[str, Any] | None:
        caption = item.get("caption")
        if not isinstance(caption, str) or not caption.strip():
            return None
        return {
            "id": item["id"],
            "text": caption,
            "author": item.get("username"),
            "url": item.get("permalink"),
            "created_at": item.get("timestamp"),
            # like_count is left out when the owner hid the like count.
            "likes": count_at(item, "like_count"),
            "replies": count_at(item, "comments_count"),
            "links": [item["permalink"]] if item.get("permalink") else None,
            "media_type": item.get("media_type"),
            "type": "media" if own else "tagged",
            "account_id": self.account_id,
        }

    def _comment_record(
        self, item: dict[str, Any], media: dict[str, Any], parent: str
    ) -> dict[str, Any]:
        sender = item.get("from") if isinstance(item.get("from"), dict) else {}
        return {
            "id": item["id"],
            "text": item.get("text"),
            "author": item.get("username") or sender.get("username"),
            "created_at": item.get("timestamp"),
            "likes": count_at(item, "like_count"),
            "url": media.get("permalink"),  # comments have no address of their own
            "reply_to": parent,
            "media_id": media["id"],
            "hidden": bool(item.get("hidden")),  # hidden by the account: kept, and marked
            "type": "reply" if parent != media["id"] else "comment",
        }

    @staticmethod
    def _bounded(tracked: dict[str, dict[str, Any]], cutoff: datetime) -> dict[str, Any]:
        def created(pair: tuple[str, dict[str, Any]]) -> datetime:
            return parse_time(pair[1].get("created")) or cutoff

        recent = sorted((pair for pair in tracked.items() if created(pair) >= cutoff), key=created)
        return dict(recent[-MAX_TRACKED_MEDIA:])
