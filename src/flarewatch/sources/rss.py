"""Kind "rss": RSS 2.0, Atom and Google Alerts feeds, fetched with httpx and read by feedparser.

Feeds only ever show their latest entries, so the checkpoint keeps the ids already taken (bounded,
far above any feed's length) plus the ETag/Last-Modified validators for a conditional GET. A batch
cut short by `limit` drops the validators, so the next poll downloads the feed again instead of
getting "304 Not Modified" and losing the entries not yet taken.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import feedparser
from pydantic import Field, field_validator

from flarewatch.mentions.post import Post
from flarewatch.query.analysis import normalize_language
from flarewatch.sources.base import FetchResult, SourceError, SourceProblem
from flarewatch.sources.connector import absolute_url, clean_text, strip_html
from flarewatch.sources.http import PoliteClient
from flarewatch.sources.ingest import MAX_LENGTHS, stable_id
from flarewatch.sources.options import KindOptions, check_endpoint

if TYPE_CHECKING:
    from flarewatch.config.workspace import SourceConfig
    from flarewatch.sources.secrets import Secrets

__all__ = ["RssSource", "strip_html", "unwrap_link"]

MAX_SEEN = 2000
# www.google.com, and the country sites Google News and some alerts link through (google.co.il).
_GOOGLE_HOST = re.compile(r"(^|\.)google\.(com|[a-z]{2}|co\.[a-z]{2}|com\.[a-z]{2})$")
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


def unwrap_link(link: str | None) -> str | None:
    """The real address behind a Google redirect (https://www.google.com/url?...&url=REAL)."""
    if not link:
        return None
    parts = urlsplit(link)
    if _GOOGLE_HOST.search(parts.netloc.lower()) and parts.path == "/url":
        query = parse_qs(parts.query)
        for name in ("url", "q"):
            real = query.get(name, [""])[0].strip()
            if real.startswith(("http://", "https://")):  # never a javascript: address
                return real
    return link


def _entry_time(entry: Any) -> datetime | None:
    for name in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(name)
        if parsed:
            # feedparser normalises to UTC struct_time; timegm reads it as UTC.
            return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    return None


def _language(value: Any) -> str | None:
    """An ISO 639-1 code from a feed's <language> or an xml:lang ("en-us", "he-IL", and the
    old "iw" for Hebrew that Google still writes); None when it is not a language tag."""
    code = normalize_language(value) if isinstance(value, str) else None
    return code if code and re.fullmatch(r"[a-z]{2,3}", code) else None


def _entry_language(entry: Any, feed_language: str | None) -> str | None:
    """The entry's own xml:lang (on its content, summary or title) before the feed's."""
    details = [
        *(entry.get("content") or []),
        entry.get("summary_detail"),
        entry.get("title_detail"),
    ]
    for detail in details:
        code = _language(detail.get("language")) if isinstance(detail, dict) else None
        if code:
            return code
    return feed_language


def _body(entry: Any) -> str:
    """The entry's text: its first non-empty content (an Atom <content src=…> has none), else
    its summary (RSS <description>, Atom <summary>)."""
    for content in entry.get("content") or []:
        text = strip_html(content.get("value")) if isinstance(content, dict) else ""
        if text:
            return text
    return strip_html(entry.get("summary"))


FEED_HINTS = {
    401: "the feed is private; use a public feed address",
    403: "the site refuses the request; the feed may be private or blocking readers",
    404: "the feed does not exist (deleted Google Alert? typo in the URL?)",
    410: "the feed was removed; delete this source or use its new address",
    429: "the site asks to poll less often; it will be retried later",
    500: "the site is failing; it will be retried",
    502: "the site is failing; it will be retried",
    503: "the site is failing; it will be retried",
}


class RssOptions(KindOptions):
    url: str = Field(description="The feed's address (RSS 2.0, Atom or Google Alerts)")

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        try:
            return check_endpoint(value)
        except ValueError:
            raise ValueError(
                f"{value!r} is not a web address; give the feed's full address, "
                'e.g. url = "https://www.google.com/alerts/feeds/…"'
            ) from None


class RssSource:
    kind = "rss"
    Options = RssOptions
    default_every = "5m"

    def __init__(
        self,
        key: str,
        url: str,
        *,
        platform: str | None = None,
        transport: Any = None,
    ) -> None:
        self.key = key
        self.url = url
        self.platform = platform or "news"
        self.transport = transport  # tests only: an httpx transport instead of the network

    @classmethod
    def from_config(cls, config: SourceConfig, base_dir: Path, secrets: Secrets) -> RssSource:
        return cls(config.key, config.options().url, platform=config.platform)

    def _download(self, checkpoint: dict[str, Any], deadline: float | None, now: datetime) -> Any:
        headers = {"Accept": ACCEPT}
        if checkpoint.get("etag"):
            headers["If-None-Match"] = checkpoint["etag"]
        if checkpoint.get("modified"):
            headers["If-Modified-Since"] = checkpoint["modified"]
        with PoliteClient(
            self.key,
            deadline=deadline,
            transport=self.transport,
            auth_hint="the feed is private; use a public feed address",
            hints=FEED_HINTS,
            clock=lambda: now,  # Retry-After is relative to the runner's clock
        ) as client:
            return client.get(self.url, headers=headers, ok=(304,))

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
        if state.get("url") != self.url:
            state = {"url": self.url}
        response = self._download(state, deadline, now)
        if response.status == 304:
            return FetchResult(posts=[], checkpoint=state)
        parsed = feedparser.parse(
            response.body,
            response_headers={k.lower(): v for k, v in response.headers.items()},
        )
        if not parsed.entries and (parsed.bozo or not parsed.version):
            reason = parsed.get("bozo_exception") or "no feed elements found"
            kind = response.headers.get("content-type", "unknown type")
            raise SourceError(
                f"source {self.key!r}: {self.url}: not an RSS or Atom feed ({kind}; {reason}); "
                "open the address in a browser and check that it shows the feed, not a web page"
            )
        if parsed.bozo:
            # A feed cut off mid-document or with broken XML still gives the entries before
            # the break; keep them, and say so, rather than report a silent partial success.
            problems_before = [
                SourceProblem(
                    self.url,
                    f"the feed is not well-formed ({parsed.get('bozo_exception')}); "
                    f"{len(parsed.entries)} entries could be read, later ones may be missing",
                )
            ]
        else:
            problems_before = []
        seen: list[str] = list(state.get("seen", []))
        known = set(seen)
        language = _language(parsed.feed.get("language"))
        posts: list[Post] = []
        problems: list[SourceProblem] = problems_before
        fresh = [e for e in parsed.entries if self._entry_id(e) not in known]
        # Oldest first, so that a batch cut by `limit` leaves the newest for the next poll.
        fresh.sort(key=lambda e: _entry_time(e) or now)
        for entry in fresh[:limit]:
            entry_id = self._entry_id(entry)
            if entry_id is None:
                problems.append(
                    SourceProblem(self.url, "an entry has neither id nor link; skipped")
                )
                continue
            seen.append(entry_id)
            post = self._post(entry, entry_id, language, now, response.url)
            if post is None:
                problems.append(
                    SourceProblem(f"{self.url} entry {entry_id}", "has no title or text; skipped")
                )
                continue
            posts.append(post)
        complete = len(fresh) <= limit
        state["seen"] = seen[-MAX_SEEN:]
        if complete:
            state["etag"] = response.headers.get("etag")
            state["modified"] = response.headers.get("last-modified")
        else:
            state.pop("etag", None)
            state.pop("modified", None)
        return FetchResult(posts=posts, checkpoint=state, problems=problems, exhausted=complete)

    @staticmethod
    def _entry_id(entry: Any) -> str | None:
        value = entry.get("id") or unwrap_link(entry.get("link"))
        return stable_id(clean_text(value)) if value else None

    def _post(
        self, entry: Any, entry_id: str, language: str | None, now: datetime, base_url: str
    ) -> Post | None:
        title = strip_html(entry.get("title"))
        text = _body(entry) or title
        if not text:
            return None
        link = absolute_url(base_url, unwrap_link(entry.get("link")))
        byline = strip_html(entry.get("author_detail", {}).get("name") or entry.get("author"))
        # A byline listing many contributors can outgrow the stored author columns: it is cut
        # to fit (whole in raw) rather than failing the batch at the database.
        author, author_name = byline[: MAX_LENGTHS["author"]], byline[: MAX_LENGTHS["author_name"]]
        return Post(
            external_id=entry_id,
            text=text,
            title=title or None,
            author=author or None,
            author_name=author_name or None,
            platform=self.platform,
            url=link,
            language=_entry_language(entry, language),
            created_at=_entry_time(entry) or now,
            links=[link] if link else [],
            source_key=self.key,
            raw={
                "feed": self.url,
                "entry_id": entry.get("id"),
                "link": entry.get("link"),
                **({"byline": byline} if len(byline) > len(author) else {}),
            },
        )
