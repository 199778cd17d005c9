"""Kind "youtube": the newest videos matching a query (search.list), and the comments with
their replies on listed videos and channels (commentThreads.list), through the YouTube Data API
v3 with an API key.

Plain HTTPS through PoliteClient rather than google-api-python-client: that client has its own
transport and retries, which know nothing of the poll's whole deadline.

Search is asked `order=date` from the newest time taken (`publishedAfter`), and comment threads
`order=time`, so a walk goes newest → oldest and stops at the checkpoint's boundary: the newest
time taken plus the ids taken at that time. What is fresh is handed over oldest first; a fetch
cut short by `limit` keeps the oldest and leaves the rest for the next call. A thread (its
top-level comment and replies) cut in the middle is remembered as `partial` with the ids taken,
so the next call takes the rest of it and nothing twice.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import Field, field_validator, model_validator

from flarewatch.mentions.post import Post
from flarewatch.sources.base import CredentialError, FetchResult, SourceError, SourceProblem
from flarewatch.sources.checkpoints import advance_mark
from flarewatch.sources.connector import (
    HttpOptions,
    clean_text,
    parse_time,
    remember,
    strip_html,
    to_post,
)
from flarewatch.sources.http import PoliteClient
from flarewatch.sources.secrets import require_secret
from flarewatch.sources.youtube_api import (
    DEFAULT_ENDPOINT,
    QuotaLedger,
    QuotaSpent,
    TargetProblem,
    YouTubeApi,
    as_dict,
    channel_id_of,
    rfc3339,
    video_id_of,
)

if TYPE_CHECKING:
    from flarewatch.config.workspace import SourceConfig
    from flarewatch.sources.secrets import Secrets

WATCH_URL = "https://www.youtube.com/watch?v={video}"
COMMENT_URL = "https://www.youtube.com/watch?v={video}&lc={comment}"
CHANNEL_URL = "https://www.youtube.com/channel/{channel}"
MAX_MARK_IDS = 1000  # ids at the newest time kept per target (see sources/checkpoints.py)
MAX_SEARCH_PAGES = 4  # 50 videos and 100 units a page
MAX_THREAD_PAGES = 20  # 100 threads and 1 unit a page, per video or channel and poll
MAX_REPLY_PAGES = 20


class YouTubeOptions(HttpOptions):
    query: str | None = Field(default=None, min_length=1, max_length=500)  # search.list `q`
    channels: list[str] = Field(default_factory=list, max_length=50)
    videos: list[str] = Field(default_factory=list, max_length=200)
    api_key_env: str = Field(min_length=1)
    daily_units: int = Field(default=10_000, ge=1, le=100_000_000)  # the project's daily quota
    history_days: int = Field(default=7, ge=0, le=365)  # how far back the first poll reads
    statistics: bool = True  # videos.list (1 unit per 50 videos) for views, likes, comments

    @field_validator("videos")
    @classmethod
    def _videos(cls, values: list[str]) -> list[str]:
        return list(dict.fromkeys(video_id_of(v) for v in values))

    @field_validator("channels")
    @classmethod
    def _channels(cls, values: list[str]) -> list[str]:
        return list(dict.fromkeys(channel_id_of(v) for v in values))

    @model_validator(mode="after")
    def _something_to_read(self) -> YouTubeOptions:
        if not (self.query or self.channels or self.videos):
            raise ValueError(
                'give at least one of query = "…" (search new videos), channels = ["UC…"] '
                'or videos = ["…"] (read their comments)'
            )
        return self


def _past(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() >= deadline


def _text(value: Any) -> str:
    """Platform text, or "" for anything that is not text (a malformed field)."""
    return clean_text(value) if isinstance(value, str) else ""


def _readable(bound: dict[str, Any]) -> bool:
    """A boundary as this module writes it (a checkpoint edited by hand or by an older
    version starts that target again from `history_days` back)."""
    return parse_time(bound.get("newest")) is not None and isinstance(bound.get("ids"), list)


def _dated_video(item: Any) -> tuple[str, datetime] | None:
    """A search result's video id and publishedAt, or None when either is missing."""
    video_id = as_dict(as_dict(item).get("id")).get("videoId")
    when = parse_time(as_dict(as_dict(item).get("snippet")).get("publishedAt"))
    if not isinstance(video_id, str) or not video_id or when is None:
        return None
    return video_id, when


def _dated_thread(item: Any) -> tuple[str, datetime] | None:
    """A comment thread's id and its top-level comment's publishedAt, or None."""
    top = as_dict(as_dict(as_dict(item).get("snippet")).get("topLevelComment"))
    when = parse_time(as_dict(top.get("snippet")).get("publishedAt"))
    thread_id = as_dict(item).get("id")
    if not isinstance(thread_id, str) or not isinstance(top.get("id"), str) or not when:
        return None
    return thread_id, when


@dataclass(slots=True)
class _Taken:
    """What one target gave: its posts, and whether more is ready right now."""

    posts: list[Post] = field(default_factory=list)
    more: bool = False
    quota_spent: bool = False


class YouTubeSource:
    kind = "youtube"
    Options = YouTubeOptions
    default_every = "30m"  # a search costs 100 of the default 10,000 daily units

    def __init__(
        self,
        key: str,
        options: YouTubeOptions,
        *,
        api_key: str,
        platform: str | None = None,
    ) -> None:
        self.key = key
        self.options = options
        self.api_key = api_key
        self.endpoint = options.endpoint or DEFAULT_ENDPOINT
        self.platform = platform or "youtube"

    @classmethod
    def from_config(cls, config: SourceConfig, base_dir: Path, secrets: Secrets) -> YouTubeSource:
        options = config.options()
        api_key = require_secret(secrets, config.key, "api_key_env", options.api_key_env)
        return cls(config.key, options, api_key=api_key, platform=config.platform)

    # -- the poll --------------------------------------------------------------------------

    def fetch(
        self,
        checkpoint: dict[str, Any] | None,
        *,
        limit: int = 1000,
        now: datetime | None = None,
        deadline: float | None = None,
    ) -> FetchResult:
        now = now or datetime.now(UTC)
        state = self._state(checkpoint, now)
        ledger = QuotaLedger.from_state(state.get("quota"), self.options.daily_units, now)
        if ledger.left() == 0:
            raise SourceError(
                f"source {self.key!r}: today's budget of {self.options.daily_units:,} YouTube "
                f"quota units (daily_units) is spent; polled again after "
                f"{ledger.reset_at:%Y-%m-%d %H:%M} UTC (midnight Pacific time)",
                retry_at=ledger.reset_at,
            )
        posts: list[Post] = []
        problems: list[SourceProblem] = []
        exhausted = True
        with PoliteClient(self.key, deadline=deadline, clock=lambda: now) as client:
            api = YouTubeApi(
                client,
                endpoint=self.endpoint,
                api_key=self.api_key,
                api_key_env=self.options.api_key_env,
                ledger=ledger,
                now=now,
            )
            completed = 0
            for label, read in self._targets(api, state, problems):
                room = limit - len(posts)
                if room <= 0:
                    exhausted = False
                    break
                try:
                    taken = read(room)
                except QuotaSpent:
                    taken = _Taken(quota_spent=True)
                except TargetProblem as err:
                    problems.append(SourceProblem(label, str(err)))
                    continue
                except SourceError as err:
                    # Out of time after other targets were read: keep those (their boundaries
                    # moved) and go on at once with the rest, rather than redo them all.
                    if completed and _past(deadline) and not isinstance(err, CredentialError):
                        problems.append(SourceProblem(label, f"{err}; read in the next call"))
                        exhausted = False
                        break
                    raise
                completed += 1
                posts.extend(taken.posts)
                if taken.quota_spent:
                    problems.append(
                        SourceProblem(
                            label,
                            f"not read (to the end): today's budget of "
                            f"{self.options.daily_units:,} units would be overrun; read after "
                            f"{ledger.reset_at:%Y-%m-%d %H:%M} UTC",
                        )
                    )
                elif taken.more:
                    exhausted = False
                    break
        state["quota"] = ledger.state()
        return FetchResult(
            posts=posts,
            checkpoint=state,
            problems=problems,
            exhausted=exhausted,
            quota=ledger.as_quota(),
        )

    def _state(self, checkpoint: dict[str, Any] | None, now: datetime) -> dict[str, Any]:
        """The checkpoint with a boundary for every target (new ones start `history_days`
        back) and none for targets no longer listed."""
        old = dict(checkpoint or {})
        start = {"newest": (now - timedelta(days=self.options.history_days)).isoformat(), "ids": []}
        state: dict[str, Any] = {"quota": old.get("quota"), "threads": {}}
        search = as_dict(old.get("search"))
        if self.options.query:
            same = search.get("query") == self.options.query and _readable(search)
            state["search"] = search if same else {"query": self.options.query, **start}
        threads = as_dict(old.get("threads"))
        for name in self._thread_targets():
            bound = as_dict(threads.get(name))
            state["threads"][name] = bound if _readable(bound) else dict(start)
        return state

    def _thread_targets(self) -> list[str]:
        return [f"video:{v}" for v in self.options.videos] + [
            f"channel:{c}" for c in self.options.channels
        ]

    def _targets(
        self, api: YouTubeApi, state: dict[str, Any], problems: list[SourceProblem]
    ) -> list[tuple[str, Callable[[int], _Taken]]]:
        """(label, read) per search, video and channel; `read(room)` takes up to room items."""
        targets: list[tuple[str, Callable[[int], _Taken]]] = []
        if self.options.query:
            label = f"youtube search {self.options.query!r}"
            targets.append((label, lambda room: self._search(api, state, room, problems)))
        for name in self._thread_targets():
            what, _, target_id = name.partition(":")
            label = f"youtube {what} {target_id}"

            def read(room: int, name: str = name, label: str = label) -> _Taken:
                return self._comments(api, state["threads"], name, label, room, problems)

            targets.append((label, read))
        return targets

    # -- search: new videos ----------------------------------------------------------------

    def _search(
        self, api: YouTubeApi, state: dict[str, Any], room: int, problems: list[SourceProblem]
    ) -> _Taken:
        bound = state["search"]
        since = parse_time(bound["newest"]) or datetime.now(UTC)
        label = f"youtube search {self.options.query!r}"
        params: dict[str, Any] = {
            "part": "snippet",
            "q": self.options.query,
            "type": "video",
            "order": "date",
            "publishedAfter": rfc3339(since),
            "maxResults": 50,
        }
        fresh = api.fresh_pages(
            "search",
            params,
            about=label,
            since=since,
            bound=bound,
            max_pages=MAX_SEARCH_PAGES,
            dated=_dated_video,
            entry="item",
            missing="a result without id.videoId or snippet.publishedAt",
            problems=problems,
        )
        batch = fresh[:room]
        details = self._video_details(api, [vid for vid, _, _ in batch], label, problems)
        taken = _Taken(more=len(fresh) > room)
        for video_id, item, _ in batch:
            record = self._video_record(video_id, item, details.get(video_id))
            self._keep(record, f"youtube video {video_id}", taken, problems)
        state["search"] = advance_mark(
            bound, [(vid, when) for vid, _, when in batch], keep=MAX_MARK_IDS
        )
        return taken

    def _video_details(
        self, api: YouTubeApi, ids: list[str], label: str, problems: list[SourceProblem]
    ) -> dict[str, dict[str, Any]]:
        """videos.list for the full description, language and counts; without it (statistics =
        false, or no units left) the search result alone is mapped."""
        details: dict[str, dict[str, Any]] = {}
        if not self.options.statistics:
            return details
        for start in range(0, len(ids), 50):
            chunk = ids[start : start + 50]
            try:
                data = api.list(
                    "videos", {"part": "snippet,statistics", "id": ",".join(chunk)}, about=label
                )
            except (QuotaSpent, TargetProblem) as err:
                problems.append(
                    SourceProblem(
                        label,
                        f"video statistics not read ({err or 'no units left'}); "
                        "the videos are kept without counts",
                    )
                )
                return details
            for item in data["items"]:
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    details[item["id"]] = item
        return details

    def _video_record(
        self, video_id: str, item: dict[str, Any], detail: dict[str, Any] | None
    ) -> dict[str, Any]:
        found = as_dict(item.get("snippet"))
        snippet = as_dict(detail.get("snippet")) if detail else {}
        # search.list escapes HTML in its snippet (&#39;, &amp;); videos.list does not.
        title = _text(snippet.get("title")) or html.unescape(_text(found.get("title")))
        description = _text(snippet.get("description")) or html.unescape(
            _text(found.get("description"))
        )
        stats = as_dict(detail.get("statistics")) if detail else {}
        language = snippet.get("defaultLanguage") or snippet.get("defaultAudioLanguage")
        channel_id = snippet.get("channelId") or found.get("channelId")
        return {
            "id": video_id,
            "text": "\n\n".join(part for part in (title, description) if part),
            "title": title or None,
            "author": channel_id,
            "author_name": snippet.get("channelTitle") or found.get("channelTitle"),
            "created_at": snippet.get("publishedAt") or found.get("publishedAt"),
            "url": WATCH_URL.format(video=video_id),
            # "en-GB", "zh-Hant": the primary language is what the pipeline reads.
            "language": language.split("-")[0][:8] if isinstance(language, str) else None,
            "views": stats.get("viewCount"),
            "likes": stats.get("likeCount"),
            "replies": stats.get("commentCount"),
            "youtube_type": "video",
            "channel_id": channel_id,
            "live": found.get("liveBroadcastContent") or snippet.get("liveBroadcastContent"),
            "tags": snippet.get("tags"),
        }

    # -- comment threads of a video or channel ---------------------------------------------

    def _comments(
        self,
        api: YouTubeApi,
        threads_state: dict[str, Any],
        name: str,
        label: str,
        room: int,
        problems: list[SourceProblem],
    ) -> _Taken:
        what, _, target_id = name.partition(":")
        bound = threads_state[name]
        since = parse_time(bound.get("newest")) or datetime.now(UTC)
        selector = "videoId" if what == "video" else "allThreadsRelatedToChannelId"
        params: dict[str, Any] = {
            "part": "snippet,replies",
            selector: target_id,
            "order": "time",
            "maxResults": 100,
            "textFormat": "plainText",
        }
        fresh = api.fresh_pages(
            "commentThreads",
            params,
            about=label,
            since=since,
            bound=bound,
            max_pages=MAX_THREAD_PAGES,
            dated=_dated_thread,
            entry="thread",
            missing="a comment thread without id or topLevelComment.snippet.publishedAt",
            problems=problems,
        )
        return self._take_threads(api, threads_state, name, label, fresh, room, problems)

    def _take_threads(
        self,
        api: YouTubeApi,
        threads_state: dict[str, Any],
        name: str,
        label: str,
        fresh: list[tuple[str, dict[str, Any], datetime]],
        room: int,
        problems: list[SourceProblem],
    ) -> _Taken:
        """Threads oldest first, each with its replies, until `room` items are taken; the
        boundary moves past whole threads only, a thread cut in the middle becomes `partial`."""
        bound = threads_state[name]
        partial = as_dict(bound.get("partial"))
        taken = _Taken()
        done: list[tuple[str, datetime]] = []
        new_partial: dict[str, Any] | None = None
        reached_partial = False
        used = 0
        for thread_id, item, when in fresh:
            if used >= room:
                taken.more = True
                break
            try:
                comments = self._thread_comments(api, item, label, problems)
            except QuotaSpent:
                taken.quota_spent = True
                break
            earlier: list[str] = []
            if partial.get("thread") == thread_id:
                reached_partial = True
                earlier = [str(i) for i in partial.get("taken") or [] if isinstance(i, str)]
                comments = [c for c in comments if c.get("id") not in set(earlier)]
            chunk = comments[: room - used]
            for comment in chunk:
                where = f"{label} comment {comment.get('id')}"
                self._keep(self._comment_record(comment, item), where, taken, problems)
            used += len(chunk)
            if len(chunk) < len(comments):
                taken_ids = [str(c.get("id")) for c in chunk]
                new_partial = {"thread": thread_id, "taken": remember(earlier, taken_ids)}
                taken.more = True
                break
            done.append((thread_id, when))
        updated = advance_mark(bound, done, keep=MAX_MARK_IDS)
        updated.pop("partial", None)
        if new_partial:
            updated["partial"] = new_partial
        elif partial and not reached_partial and partial.get("thread") in {t for t, _, _ in fresh}:
            updated["partial"] = partial  # not reached in this call: still to finish
        threads_state[name] = updated
        return taken

    def _thread_comments(
        self, api: YouTubeApi, item: dict[str, Any], label: str, problems: list[SourceProblem]
    ) -> list[dict[str, Any]]:
        """The top-level comment and its replies (oldest first). The thread carries at most a
        few replies; when it says there are more, comments.list reads them all."""
        snippet = as_dict(item.get("snippet"))
        top = as_dict(snippet.get("topLevelComment"))
        embedded = as_dict(item.get("replies")).get("comments")
        replies = [r for r in embedded if isinstance(r, dict)] if isinstance(embedded, list) else []
        total = snippet.get("totalReplyCount")
        if isinstance(total, int) and total > len(replies):
            try:
                replies = self._all_replies(api, str(item["id"]), label)
            except TargetProblem as err:
                problems.append(SourceProblem(f"{label} thread {item['id']}", str(err)))
        replies.sort(
            key=lambda r: (_text(as_dict(r.get("snippet")).get("publishedAt")), str(r.get("id")))
        )
        return [top, *replies]

    def _all_replies(self, api: YouTubeApi, parent_id: str, label: str) -> list[dict[str, Any]]:
        replies: list[dict[str, Any]] = []
        token: str | None = None
        for _ in range(MAX_REPLY_PAGES):
            params: dict[str, Any] = {
                "part": "snippet",
                "parentId": parent_id,
                "maxResults": 100,
                "textFormat": "plainText",
            }
            if token:
                params["pageToken"] = token
            data = api.list("comments", params, about=f"{label} thread {parent_id}")
            replies.extend(r for r in data["items"] if isinstance(r, dict))
            token = (
                data.get("nextPageToken") if isinstance(data.get("nextPageToken"), str) else None
            )
            if not token or not data["items"]:
                break
        return replies

    def _comment_record(self, comment: dict[str, Any], thread: dict[str, Any]) -> dict[str, Any]:
        snippet = as_dict(comment.get("snippet"))
        thread_snippet = as_dict(thread.get("snippet"))
        comment_id = comment.get("id")
        video_id = snippet.get("videoId") or thread_snippet.get("videoId")
        channel_id = snippet.get("channelId") or thread_snippet.get("channelId")
        parent = snippet.get("parentId")
        is_reply = bool(parent) or comment_id != thread.get("id")
        text = snippet.get("textOriginal") or strip_html(snippet.get("textDisplay"))
        if video_id:
            url = COMMENT_URL.format(video=video_id, comment=comment_id)
        else:
            url = CHANNEL_URL.format(channel=channel_id) if channel_id else None
        author = as_dict(snippet.get("authorChannelId")).get("value")
        return {
            "id": comment_id,
            "text": text,
            "author": author or snippet.get("authorDisplayName"),
            "author_name": snippet.get("authorDisplayName"),
            "created_at": snippet.get("publishedAt"),
            "url": url,
            "likes": snippet.get("likeCount"),
            "replies": None if is_reply else thread_snippet.get("totalReplyCount"),
            "reply_to": (parent or thread.get("id")) if is_reply else (video_id or channel_id),
            "youtube_type": "reply" if is_reply else "comment",
            "video_id": video_id,
            "channel_id": channel_id,
            "author_url": snippet.get("authorChannelUrl"),
            "updated_at": snippet.get("updatedAt"),
        }

    def _keep(
        self, record: dict[str, Any], where: str, taken: _Taken, problems: list[SourceProblem]
    ) -> None:
        result = to_post(record, source_key=self.key, platform=self.platform, where=where)
        if isinstance(result, Post):
            taken.posts.append(result)
        else:
            problems.append(result)
