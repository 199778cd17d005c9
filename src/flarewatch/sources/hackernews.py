"""Kind "hackernews": stories and comments from Hacker News through the Algolia HN Search API
(`/api/v1/search_by_date`), newest first, no credential needed.

The API sorts by date and filters with `numericFilters=created_at_i>=T`, so the checkpoint is
the newest second taken plus the ids taken at that second (several items share a second). A
fetch walks pages newest → oldest down to the checkpoint, then hands the items over oldest
first; a fetch cut short by `limit` keeps the oldest items and leaves the newer ones for the
next call, so nothing between two polls is skipped.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import Field

from flarewatch.mentions.post import Post
from flarewatch.sources.base import FetchResult, SourceError, SourceProblem
from flarewatch.sources.connector import HttpOptions, clean_text, strip_html, to_post
from flarewatch.sources.http import PoliteClient

if TYPE_CHECKING:
    from flarewatch.config.workspace import SourceConfig
    from flarewatch.sources.secrets import Secrets

DEFAULT_ENDPOINT = "https://hn.algolia.com"
ITEM_URL = "https://news.ycombinator.com/item?id={id}"
HITS_PER_PAGE = 100
MAX_PAGES = 10  # Algolia serves at most 1,000 hits per query (10 pages of 100)


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href") if tag == "a" else None
        if is_url(href):
            self.hrefs.append(str(href).strip())


def is_url(value: Any) -> bool:
    return isinstance(value, str) and value.strip().startswith(("http://", "https://"))


def html_links(body: Any) -> list[str]:
    """The addresses an item's HTML links to: HN shortens a long link's text ("…"), so the
    whole address is only in its href (with its slashes written as &#x2F;)."""
    if not isinstance(body, str) or "<a" not in body:
        return []
    parser = _Anchors()
    parser.feed(clean_text(body))
    parser.close()
    return parser.hrefs


class HackerNewsOptions(HttpOptions):
    query: str = Field(min_length=1, description='Algolia full-text query, e.g. "grillberry"')
    stories: bool = Field(default=True, description="Read stories (submissions)")
    comments: bool = Field(default=True, description="Read comments")
    history_days: int = Field(
        default=7, ge=0, le=365, description="How many days back the first poll reads"
    )


class HackerNewsSource:
    kind = "hackernews"
    Options = HackerNewsOptions
    default_every = "5m"

    def __init__(
        self, key: str, options: HackerNewsOptions, *, platform: str | None = None
    ) -> None:
        if not (options.stories or options.comments):
            raise SourceError(f"source {key!r}: stories and comments are both false; read one")
        self.key = key
        self.options = options
        self.endpoint = options.endpoint or DEFAULT_ENDPOINT
        self.platform = platform or "hackernews"

    @classmethod
    def from_config(
        cls, config: SourceConfig, base_dir: Path, secrets: Secrets
    ) -> HackerNewsSource:
        return cls(config.key, config.options(), platform=config.platform)

    def _tags(self) -> str:
        kinds = [
            k
            for k, on in (("story", self.options.stories), ("comment", self.options.comments))
            if on
        ]
        return kinds[0] if len(kinds) == 1 else f"({','.join(kinds)})"

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
        if state.get("query") != self.options.query:
            start = now - timedelta(days=self.options.history_days)
            state = {"query": self.options.query, "since": int(start.timestamp()), "ids": []}
        since = int(state["since"])
        taken = set(state.get("ids", []))
        hits, problems = self._hits_since(since, deadline, now)
        # The filter is also applied here: a proxy or mirror may ignore numericFilters.
        fresh = [h for h in hits if h["created_at_i"] >= since and str(h["objectID"]) not in taken]
        fresh.sort(key=lambda h: (h["created_at_i"], str(h["objectID"])))  # oldest first
        batch = fresh[:limit]
        posts: list[Post] = []
        for hit in batch:
            item = self._post(hit)
            if isinstance(item, Post):
                posts.append(item)
            else:
                problems.append(item)
        if batch:
            newest = batch[-1]["created_at_i"]
            at_newest = [str(h["objectID"]) for h in batch if h["created_at_i"] == newest]
            ids = at_newest if newest > since else [*state.get("ids", []), *at_newest]
            state = {**state, "since": newest, "ids": ids[-1000:]}
        return FetchResult(
            posts=posts,
            checkpoint=state,
            problems=problems,
            exhausted=len(fresh) <= limit,
            quota=self._quota,
        )

    def _hits_since(
        self, since: int, deadline: float | None, now: datetime
    ) -> tuple[list[dict[str, Any]], list[SourceProblem]]:
        url = f"{self.endpoint}/api/v1/search_by_date"
        hits: list[dict[str, Any]] = []
        problems: list[SourceProblem] = []
        self._quota: dict[str, Any] | None = None
        with PoliteClient(self.key, deadline=deadline, clock=lambda: now) as client:
            for page in range(MAX_PAGES):
                params = {
                    "query": self.options.query,
                    "tags": self._tags(),
                    "numericFilters": f"created_at_i>={since}",
                    "hitsPerPage": HITS_PER_PAGE,
                    "page": page,
                }
                data = client.get_json(url, params=params)
                if not isinstance(data, dict) or not isinstance(data.get("hits"), list):
                    raise SourceError(
                        f"source {self.key!r}: {url}: the answer has no 'hits' list; check that "
                        "endpoint is the Algolia HN Search API (https://hn.algolia.com)"
                    )
                for index, hit in enumerate(data["hits"]):
                    if (
                        isinstance(hit, dict)
                        and hit.get("objectID")
                        and isinstance(hit.get("created_at_i"), int)
                    ):
                        hits.append(hit)
                    else:
                        problems.append(
                            SourceProblem(
                                f"{url} page {page} hit {index}",
                                "has no objectID or created_at_i; this item is skipped",
                            )
                        )
                pages = data.get("nbPages")
                if not isinstance(pages, int) or page + 1 >= pages or not data["hits"]:
                    break
            self._quota = client.quota
        return hits, problems

    def _post(self, hit: dict[str, Any]) -> Post | SourceProblem:
        item_id = str(hit["objectID"])
        tags = hit.get("_tags") or []
        is_comment = "comment" in tags or hit.get("comment_text") is not None
        title = hit.get("title") or (hit.get("story_title") if is_comment else None)
        body = hit.get("comment_text") if is_comment else hit.get("story_text")
        text = strip_html(body) or clean_text(hit.get("title"))
        parent = hit.get("parent_id")
        # A comment's links are the ones it writes, not its story's (kept as story_url).
        own = [hit["url"].strip()] if is_url(hit.get("url")) else []
        links = list(dict.fromkeys([*own, *html_links(body)]))
        record = {
            "id": item_id,
            "text": text,
            "title": clean_text(title) or None,
            "author": hit.get("author"),
            "created_at": hit.get("created_at")
            or datetime.fromtimestamp(hit["created_at_i"], UTC).isoformat(),
            "url": ITEM_URL.format(id=item_id),
            "likes": hit.get("points") if isinstance(hit.get("points"), int) else None,
            "replies": hit.get("num_comments")
            if isinstance(hit.get("num_comments"), int)
            else None,
            "reply_to": str(parent) if parent is not None else None,
            "links": links or None,
            "story_id": hit.get("story_id"),
            "story_url": hit.get("story_url") if is_comment else None,
            "hn_type": "comment" if is_comment else "story",
        }
        return to_post(
            record,
            source_key=self.key,
            platform=self.platform,
            where=f"hackernews item {item_id}",
        )
