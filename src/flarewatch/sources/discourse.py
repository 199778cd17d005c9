"""Kind "discourse": a Discourse forum's posts through its JSON API — the latest posts of the
whole forum, the posts a search finds, or the new posts of chosen categories.

Post ids increase as posts are written, so each stream's checkpoint is the newest post id it
handled. Every stream hands its posts over oldest first; a fetch cut short by `limit` keeps the
oldest and leaves the rest for the next call, so nothing between two polls is skipped.

- latest (no `query`, no `categories`): `/posts.json?before=N` answers the posts with ids in
  (N-50, N]; the stream reads those windows forward from its checkpoint, exactly.
- search (`query`): `/search.json?q=<query> order:latest`, newest first, page by page down to
  the checkpoint; search results carry a blurb only, so the whole posts are read through
  `/t/{topic}/posts.json?post_ids[]=…`.
- categories: `/c/{slug}.json` lists topics by last activity; the topics active since the
  newest post taken are opened (`/t/{id}.json`: every post id of the topic) and their new
  posts read whole as above.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from pydantic import Field, field_validator, model_validator

from flarewatch.mentions.post import Post
from flarewatch.sources.base import FetchResult, SourceError, SourceProblem
from flarewatch.sources.connector import HttpOptions, to_post
from flarewatch.sources.discourse_api import SMALL_ACTION, DiscourseApi, post_record, valid_post
from flarewatch.sources.http import PoliteClient
from flarewatch.sources.ingest import RecordError, parse_datetime
from flarewatch.sources.secrets import require_secret

if TYPE_CHECKING:
    from flarewatch.config.workspace import SourceConfig
    from flarewatch.sources.secrets import Secrets

WINDOW = 50  # ids per /posts.json answer (Discourse's PostsController#latest)
MAX_WINDOWS = 20  # /posts.json windows per poll: 1,000 ids
MAX_SEARCH_PAGES = 10  # /search.json pages per poll (50 posts each)
MAX_TOPIC_PAGES = 5  # /c/{slug}.json pages per poll (30 topics each)
# A post to hand over with the topic it was listed with (title, slug), when the post lacks them.
Listed = tuple[dict[str, Any], dict[str, Any] | None]
# What a stream's read gives: its posts oldest first, its next checkpoint, whether more is left.
StreamRead = tuple[list[Listed], dict[str, Any], bool]
_SLUG = re.compile(r"^[^\s/?#]+(/[^\s/?#]+)*$")


class DiscourseOptions(HttpOptions):
    endpoint: str  # the forum's address, e.g. "https://forum.example.com" (required)
    query: str | None = Field(default=None, min_length=1)  # Discourse search syntax
    categories: list[str] = Field(default_factory=list)  # category slugs, e.g. ["support"]
    history_days: int = Field(default=1, ge=0, le=30)  # how far back the first poll reads
    api_key_env: str | None = None  # private forums: the variable holding an API key
    api_username_env: str | None = None  # … and the one holding the user it acts as

    @field_validator("endpoint", mode="before")
    @classmethod
    def _forum_address(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            raise ValueError(
                'is empty; give the forum\'s address, e.g. endpoint = "https://forum.example.com"'
            )
        return value

    @field_validator("categories")
    @classmethod
    def _categories(cls, values: list[str]) -> list[str]:
        for value in values:
            if not _SLUG.match(value.strip()):
                raise ValueError(
                    f"{value!r} is not a category slug; give the part of the category's address "
                    'after /c/, e.g. categories = ["support"] or ["support/billing"]'
                )
        if len({v.lower() for v in values}) != len(values):
            raise ValueError("a category is listed twice; list each category once")
        return [value.strip().strip("/") for value in values]

    @model_validator(mode="after")
    def _key_and_user(self) -> DiscourseOptions:
        if bool(self.api_key_env) != bool(self.api_username_env):
            raise ValueError(
                "api_key_env and api_username_env go together: Discourse needs the key and the "
                "username it acts as (Api-Key and Api-Username headers); set both or neither"
            )
        return self


class DiscourseSource:
    kind = "discourse"
    Options = DiscourseOptions
    default_every = "5m"

    def __init__(
        self,
        key: str,
        options: DiscourseOptions,
        *,
        api_key: str | None = None,
        api_username: str | None = None,
        platform: str | None = None,
    ) -> None:
        self.key = key
        self.options = options
        self.endpoint = options.endpoint
        # "forum" is the platform name imported queries use (site:forum / forums).
        self.platform = platform or "forum"
        self.headers = {"Api-Key": api_key, "Api-Username": api_username or ""} if api_key else {}

    @classmethod
    def from_config(cls, config: SourceConfig, base_dir: Path, secrets: Secrets) -> DiscourseSource:
        options: DiscourseOptions = config.options()
        api_key = api_username = None
        if options.api_key_env:
            api_key = require_secret(secrets, config.key, "api_key_env", options.api_key_env)
            api_username = require_secret(
                secrets, config.key, "api_username_env", options.api_username_env
            )
        return cls(
            config.key,
            options,
            api_key=api_key,
            api_username=api_username,
            platform=config.platform,
        )

    def _auth_hint(self) -> str:
        options = self.options
        if options.api_key_env:
            return (
                f"the forum refused the API key in {options.api_key_env} for the user in "
                f"{options.api_username_env}; create a key in the forum's Admin → Advanced → API "
                "keys (read-only is enough) for that user, and export it"
            )
        return (
            "this forum or category needs a login; set api_key_env and api_username_env to "
            "variables holding an API key and its user (docs/sources.md#discourse)"
        )

    def streams(self) -> list[str]:
        names = [f"category:{slug}" for slug in self.options.categories]
        if self.options.query:
            names.insert(0, "search")
        return names or ["latest"]

    def fetch(
        self,
        checkpoint: dict[str, Any] | None,
        *,
        limit: int = 1000,
        now: datetime | None = None,
        deadline: float | None = None,
    ) -> FetchResult:
        now = now or datetime.now(UTC)
        start = now - timedelta(days=self.options.history_days)
        saved = (checkpoint or {}).get("streams", {})
        states: dict[str, dict[str, Any]] = {}
        posts: list[Post] = []
        problems: list[SourceProblem] = []
        taken_ids: set[str] = set()
        exhausted = True
        with PoliteClient(
            self.key, deadline=deadline, auth_hint=self._auth_hint(), clock=lambda: now
        ) as client:
            api = DiscourseApi(
                client, source_key=self.key, endpoint=self.endpoint, headers=self.headers, now=now
            )
            for name in self.streams():
                state = dict(saved.get(name) or {})
                left = limit - len(posts)
                if left <= 0:
                    states[name] = state
                    exhausted = False
                    continue
                reader = _StreamReader(self, api, name, state, start, problems)
                raw, states[name], more = reader.read(left)
                exhausted = exhausted and not more
                for item in self._posts(api, raw, name):
                    if isinstance(item, Post):
                        if item.external_id not in taken_ids:  # a post in two streams
                            taken_ids.add(item.external_id)
                            posts.append(item)
                    else:
                        problems.append(item)
            quota = client.quota
        # Only the configured streams are kept: the checkpoint is as small as the options.
        return FetchResult(posts, {"streams": states}, problems, exhausted=exhausted, quota=quota)

    def _posts(self, api: DiscourseApi, raw: list[Listed], name: str) -> list[Post | SourceProblem]:
        api.remember([post for post, _ in raw])
        items: list[Post | SourceProblem] = []
        for post, topic in raw:
            replied = post.get("reply_to_post_number")
            reply_to = (
                api.replied_id(post["topic_id"], replied)
                if isinstance(replied, int) and replied != post["post_number"]
                else None
            )
            record = post_record(
                post, endpoint=self.endpoint, topic=topic, reply_to=reply_to, stream=name
            )
            items.append(
                to_post(
                    record,
                    source_key=self.key,
                    platform=self.platform,
                    where=f"discourse post {post['id']}",
                )
            )
        return items


def _created(post: dict[str, Any]) -> datetime | None:
    try:
        return parse_datetime(post.get("created_at"))
    except RecordError:
        return None


class _StreamReader:
    """One stream of one poll: which posts come next (oldest first, at most `left`), and the
    stream's next checkpoint."""

    def __init__(
        self,
        source: DiscourseSource,
        api: DiscourseApi,
        name: str,
        state: dict[str, Any],
        start: datetime,
        problems: list[SourceProblem],
    ) -> None:
        self.source = source
        self.api = api
        self.name = name
        self.state = state
        self.start = start
        self.problems = problems
        self.reported: set[str] = set()
        self.highest = 0  # the highest post id listed, "closed the topic" posts included

    def read(self, left: int) -> StreamRead:
        if self.name == "latest":
            return self._latest(left)
        if self.name == "search":
            return self._search(left)
        return self._category(self.name.partition(":")[2], left)

    def _usable(self, posts: Any, where: str) -> list[dict[str, Any]]:
        good: list[dict[str, Any]] = []
        for index, post in enumerate(posts):
            why = valid_post(post)
            if why:
                post_id = post.get("id") if isinstance(post, dict) else None
                place = f"discourse post {post_id}" if post_id else f"{where} item {index}"
                if place not in self.reported:  # one post may be in two windows or pages
                    self.reported.add(place)
                    self.problems.append(SourceProblem(place, f"{why}; skipped, the rest are kept"))
            else:
                self.highest = max(self.highest, post["id"])
                if post.get("post_type") != SMALL_ACTION:
                    good.append(post)
        return good

    # -- latest: /posts.json windows, read forward -------------------------------------------

    def _window(self, before: int, cache: dict[int, list[dict[str, Any]]]) -> list[dict[str, Any]]:
        if before not in cache:
            params = {"before": before} if before > 0 else None
            data = self.api.get("/posts.json", params)
            if not isinstance(data, dict) or not isinstance(data.get("latest_posts"), list):
                raise self.api.shape_error("/posts.json", "'latest_posts' list")
            cache[before] = self._usable(data["latest_posts"], "/posts.json")
        return cache[before]

    def _latest(self, left: int) -> StreamRead:
        cache: dict[int, list[dict[str, Any]]] = {}
        self._window(0, cache)
        top = self.highest
        if not top:
            return [], self.state, False
        after = self.state.get("newest")
        first_poll = not isinstance(after, int)
        if first_poll:
            after = self._history_start(top, cache)
        taken: list[dict[str, Any]] = []
        windows = 0
        more = False
        while after < top:
            if windows >= MAX_WINDOWS or len(taken) >= left:
                more = True
                break
            before = min(after + WINDOW, top)
            windows += 1
            fresh = sorted(
                (p for p in self._window(before, cache) if after < p["id"] <= before),
                key=lambda p: p["id"],
            )
            if first_poll:
                fresh = [p for p in fresh if (_created(p) or self.start) >= self.start]
            room = left - len(taken)
            if len(fresh) > room:
                taken.extend(fresh[:room])
                after = taken[-1]["id"] if taken else after
                more = True
                break
            taken.extend(fresh)
            after = before  # the whole window is read, the ids no one may see included
        return [(post, None) for post in taken], {"newest": after}, more

    def _history_start(self, top: int, cache: dict[int, list[dict[str, Any]]]) -> int:
        """The first poll reads from here: windows back from the newest down to the first
        post older than `history_days` (at most MAX_WINDOWS of them)."""
        before = top
        for _ in range(MAX_WINDOWS):
            page = self._window(before, cache)
            times = [t for t in (_created(p) for p in page) if t is not None]
            if before - WINDOW <= 0 or (times and min(times) < self.start):
                break
            before -= WINDOW
        return max(0, before - WINDOW)

    # -- search: newest first, down to the checkpoint -----------------------------------------

    def _search(self, left: int) -> StreamRead:
        query = self.source.options.query or ""
        state = self.state if self.state.get("query") == query else {"query": query}
        newest = state.get("newest")
        found: dict[int, dict[str, Any]] = {}
        topics: dict[int, dict[str, Any]] = {}
        reached = False
        for page in range(1, MAX_SEARCH_PAGES + 1):
            data = self.api.get("/search.json", {"q": f"{query} order:latest", "page": page})
            if not isinstance(data, dict) or not isinstance(
                data.get("grouped_search_result"), dict
            ):
                raise self.api.shape_error("/search.json", "'grouped_search_result'")
            refused = data["grouped_search_result"].get("error")
            if refused:  # e.g. "Your search term is too short."
                raise SourceError(
                    f"source {self.source.key!r}: {self.api.url('/search.json')}: the forum "
                    f"refused the search {query!r} ({refused}); change query"
                )
            for topic in data.get("topics") or []:
                if isinstance(topic, dict) and isinstance(topic.get("id"), int):
                    topics[topic["id"]] = topic
            listed = self._usable(data.get("posts") or [], f"/search.json page {page}")
            for post in listed:
                created = _created(post)
                if (isinstance(newest, int) and post["id"] <= newest) or (
                    newest is None and created is not None and created < self.start
                ):
                    reached = True
                else:
                    found[post["id"]] = post
            more_pages = data["grouped_search_result"].get("more_full_page_results")
            if reached or not listed or not more_pages:
                reached = True
                break
        if not reached:
            self.problems.append(
                SourceProblem(
                    f"discourse search {query!r}",
                    f"more than {MAX_SEARCH_PAGES} pages of posts matched since the last poll; "
                    "the oldest of them were not read — poll more often or narrow the query",
                )
            )
        chosen = sorted(found.values(), key=lambda p: p["id"])[:left]
        more = len(found) > len(chosen)
        whole = self._whole(chosen)
        if chosen:
            state = {**state, "newest": chosen[-1]["id"]}
        return (
            [(whole[p["id"]], topics.get(p["topic_id"])) for p in chosen if p["id"] in whole],
            state,
            more,
        )

    def _whole(self, listed: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
        by_topic: dict[int, list[int]] = defaultdict(list)
        for post in listed:
            by_topic[post["topic_id"]].append(post["id"])
        return self.api.full_posts(by_topic, self.problems)

    # -- categories: topics active since the checkpoint, their new posts -------------------

    def _category(self, slug: str, left: int) -> StreamRead:
        first_poll = not isinstance(self.state.get("newest"), int)
        newest = 0 if first_poll else int(self.state["newest"])
        since = self.start
        if isinstance(self.state.get("since"), str):
            since = parse_datetime(self.state["since"])
        path = f"/c/{quote(slug)}.json"
        active: list[dict[str, Any]] = []
        reached = False
        for page in range(MAX_TOPIC_PAGES):
            data = self.api.get(path, {"page": page} if page else None, missing_ok=True)
            if data is None:
                self.problems.append(
                    SourceProblem(
                        f"discourse category {slug!r}",
                        f"{self.api.url(path)} is not found: check the slug (the part of the "
                        "category's address after /c/); a private category also needs "
                        "api_key_env and api_username_env. The other streams are read",
                    )
                )
                return [], self.state, False
            listing = data.get("topic_list") if isinstance(data, dict) else None
            if not isinstance(listing, dict) or not isinstance(listing.get("topics"), list):
                raise self.api.shape_error(path, "'topic_list.topics' list")
            for topic in listing["topics"]:
                if not isinstance(topic, dict) or not isinstance(topic.get("id"), int):
                    continue
                stamps = [topic.get(k) for k in ("last_posted_at", "bumped_at", "created_at")]
                times = [t for t in (_time(s) for s in stamps) if t is not None]
                if not times or max(times) >= since:
                    active.append(topic)
                elif not topic.get("pinned"):  # pinned topics head the list whatever their age
                    reached = True
            if reached or not listing["topics"] or not listing.get("more_topics_url"):
                reached = True
                break
        if not reached:
            self.problems.append(
                SourceProblem(
                    f"discourse category {slug!r}",
                    f"more than {MAX_TOPIC_PAGES} pages of topics were active since the last "
                    "poll; the least recently active were not read — poll more often",
                )
            )
        candidates: list[tuple[int, dict[str, Any]]] = []
        for topic in active:
            for post_id in self._topic_post_ids(topic["id"]):
                if post_id > newest:
                    candidates.append((post_id, topic))
        candidates.sort(key=lambda pair: pair[0])
        chosen = candidates[:left]
        more = len(candidates) > len(chosen)
        by_topic: dict[int, list[int]] = defaultdict(list)
        topics = {topic["id"]: topic for _, topic in chosen}
        for post_id, topic in chosen:
            by_topic[topic["id"]].append(post_id)
        whole = self.api.full_posts(by_topic, self.problems)
        result = [
            (post, topics.get(post["topic_id"]))
            for post in sorted(whole.values(), key=lambda p: p["id"])
            if not valid_post(post)
            and post.get("post_type") != SMALL_ACTION
            and (not first_poll or (_created(post) or since) >= since)
        ]
        state = dict(self.state)
        if chosen:
            state["newest"] = chosen[-1][0]
            last = whole.get(chosen[-1][0])
            stamp = _created(last) if last else None
            if stamp is not None:
                state["since"] = stamp.isoformat()
        elif "since" not in state:
            state["since"] = since.isoformat()
        return result, state, more

    def _topic_post_ids(self, topic_id: int) -> list[int]:
        path = f"/t/{topic_id}.json"
        data = self.api.get(path, missing_ok=True)
        if data is None:
            return []  # deleted since it was listed
        stream = (data.get("post_stream") or {}) if isinstance(data, dict) else {}
        ids = stream.get("stream") if isinstance(stream, dict) else None
        if not isinstance(ids, list):
            raise self.api.shape_error(path, "'post_stream.stream' list of post ids")
        first = stream.get("posts")
        if isinstance(first, list):
            self.api.remember([p for p in first if isinstance(p, dict)])
        return [i for i in ids if isinstance(i, int) and not isinstance(i, bool)]


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return parse_datetime(value)
    except RecordError:
        return None
