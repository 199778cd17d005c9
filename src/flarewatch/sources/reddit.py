"""Kind "reddit": posts and comments from Reddit's OAuth API, read as an application.

Three kinds of listing are read, each newest first and paged with `after`: the search
(`/search?sort=new&type=link`, site-wide or only in the listed subreddits), and for each listed
subreddit its new posts (`/r/{sub}/new`) and its new comments (`/r/{sub}/comments`).

Reddit's `before` cursor returns nothing once the post it names is removed, so it is not used:
each listing's checkpoint is the newest `created_utc` taken plus the fullnames taken in a short
overlap before it (a post the spam filter held and a moderator approved, or one the search
indexed late, still appears). A fetch walks a listing down to that boundary, then hands its items
over oldest first; a fetch cut short by `limit` keeps the oldest and leaves the rest for the next
call, so nothing between two polls is skipped.

Authentication is application-only OAuth (client credentials grant); the token is kept between
polls and fetched again when Reddit says it expired. Plain HTTPS through `PoliteClient` rather
than PRAW: PRAW has its own HTTP session and retry loop, which a whole-poll deadline cannot cut.
"""

from __future__ import annotations

import base64
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import Field, field_validator, model_validator

from flarewatch import __version__
from flarewatch.mentions.post import Post
from flarewatch.sources.base import CredentialError, FetchResult, SourceError, SourceProblem
from flarewatch.sources.connector import HttpOptions, absolute_url, clean_text, to_post
from flarewatch.sources.http import Answer, PoliteClient, platform_message
from flarewatch.sources.options import check_endpoint
from flarewatch.sources.secrets import require_secret

if TYPE_CHECKING:
    from flarewatch.config.workspace import SourceConfig
    from flarewatch.sources.secrets import Secrets

API_ENDPOINT = "https://oauth.reddit.com"
AUTH_ENDPOINT = "https://www.reddit.com"
SITE = "https://www.reddit.com"
USER_AGENT = f"python:flarewatch:{__version__} (social listening; +https://github.com/flarewatch)"
PAGE_SIZE = 100
MAX_PAGES = 10  # Reddit lists at most about 1,000 items of any listing
MAX_SEEN = 1000  # fullnames kept per listing (the overlap's)
# Items this much older than a listing's newest are read again (and dropped by fullname).
SEARCH_OVERLAP = timedelta(minutes=10)  # the search index lags behind new posts
LISTING_OVERLAP = timedelta(minutes=2)  # approved posts surface late in /new
TOKEN_MARGIN = 60.0  # renew the token this many seconds before Reddit says it expires
_SUBREDDIT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_]{1,20}$")
REMOVED_BODIES = frozenset({"[removed]", "[deleted]"})
APPS_PAGE = "https://www.reddit.com/prefs/apps"


class RedditOptions(HttpOptions):
    query: str | None = Field(default=None, max_length=512)  # Reddit's search syntax
    subreddits: list[str] = Field(default_factory=list, max_length=100)
    posts: bool = True  # the subreddits' new posts
    comments: bool = True  # the subreddits' new comments
    search_only_in_subreddits: bool = False  # restrict the search to `subreddits`
    client_id_env: str = Field(min_length=1)
    client_secret_env: str = Field(min_length=1)
    auth_endpoint: str | None = None  # where tokens come from; default https://www.reddit.com
    user_agent: str | None = Field(default=None, max_length=300)
    history_days: int = Field(default=7, ge=0, le=365)  # how far back the first poll reads

    @field_validator("auth_endpoint")
    @classmethod
    def _auth_endpoint(cls, value: str | None) -> str | None:
        return check_endpoint(value) if value else None

    @field_validator("subreddits")
    @classmethod
    def _subreddits(cls, values: list[str]) -> list[str]:
        names: list[str] = []
        for value in values:
            name = value.strip().removeprefix("/").removeprefix("r/").strip("/")
            if not _SUBREDDIT.match(name):
                raise ValueError(
                    f"{value!r} is not a subreddit name; write the name without spaces, as in "
                    'its address reddit.com/r/<name>, e.g. subreddits = ["burgers", "AskReddit"]'
                )
            if name.lower() not in (n.lower() for n in names):
                names.append(name)
        return names

    @model_validator(mode="after")
    def _something_to_read(self) -> RedditOptions:
        self.query = (self.query or "").strip() or None
        if not self.query and not self.subreddits:
            raise ValueError(
                'give query = "…" (searched on all of Reddit), subreddits = ["…"] (their new '
                "posts and comments), or both"
            )
        if self.search_only_in_subreddits and not (self.query and self.subreddits):
            raise ValueError("search_only_in_subreddits = true needs both query and subreddits")
        if self.subreddits and not (self.posts or self.comments or self.query):
            raise ValueError(
                "posts and comments are both false and there is no query: nothing to read"
            )
        return self


@dataclass(frozen=True, slots=True)
class Listing:
    key: str  # its name in the checkpoint, e.g. "r/burgers/comments"
    path: str
    params: dict[str, str]
    overlap: timedelta


@dataclass(slots=True)
class Walk:
    """One listing read down to its boundary: its fresh items, newest first."""

    items: list[dict[str, Any]]
    problems: list[SourceProblem]
    readable: bool = True  # False: Reddit refused the listing (its problem says why)


class _Unlisted(Exception):
    """A listing Reddit refuses (private, banned or missing subreddit): a problem, not a
    failure of the whole source."""


def _seen_pairs(mark: dict[str, Any] | None) -> list[tuple[str, float]]:
    pairs: list[tuple[str, float]] = []
    for entry in (mark or {}).get("seen") or []:
        if isinstance(entry, list) and len(entry) == 2 and isinstance(entry[1], int | float):
            pairs.append((str(entry[0]), float(entry[1])))
    return pairs


def _created(data: dict[str, Any]) -> float | None:
    value = data.get("created_utc")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


class RedditSource:
    kind = "reddit"
    Options = RedditOptions
    default_every = "2m"

    def __init__(
        self,
        key: str,
        options: RedditOptions,
        *,
        client_id: str,
        client_secret: str,
        platform: str | None = None,
    ) -> None:
        self.key = key
        self.options = options
        self.endpoint = options.endpoint or API_ENDPOINT
        self.auth_endpoint = options.auth_endpoint or AUTH_ENDPOINT
        self.platform = platform or "reddit"
        self._client_id = client_id
        self._client_secret = client_secret
        self._token: str | None = None
        self._token_expires = 0.0  # time.monotonic() when Reddit stops accepting it

    @classmethod
    def from_config(cls, config: SourceConfig, base_dir: Path, secrets: Secrets) -> RedditSource:
        options: RedditOptions = config.options()
        return cls(
            config.key,
            options,
            client_id=require_secret(secrets, config.key, "client_id_env", options.client_id_env),
            client_secret=require_secret(
                secrets, config.key, "client_secret_env", options.client_secret_env
            ),
            platform=config.platform,
        )

    def listings(self) -> list[Listing]:
        options = self.options
        found: list[Listing] = []
        if options.query:
            params = {"q": options.query, "sort": "new", "type": "link", "t": "all"}
            path = "/search"
            if options.search_only_in_subreddits:
                path = f"/r/{'+'.join(options.subreddits)}/search"
                params["restrict_sr"] = "on"
            found.append(Listing("search", path, params, SEARCH_OVERLAP))
        for name in options.subreddits:
            if options.posts:
                found.append(Listing(f"r/{name}/new", f"/r/{name}/new", {}, LISTING_OVERLAP))
            if options.comments:
                found.append(
                    Listing(f"r/{name}/comments", f"/r/{name}/comments", {}, LISTING_OVERLAP)
                )
        return found

    # -- the token ------------------------------------------------------------------------

    def _credential_fix(self) -> str:
        return (
            f"check the app's id in {self.options.client_id_env} (client_id_env) and its secret "
            f"in {self.options.client_secret_env} (client_secret_env): both are on {APPS_PAGE} "
            "under the app (a 'script' or 'web app'; an 'installed app' has no secret)"
        )

    def _fetch_token(self, client: PoliteClient) -> str:
        url = f"{self.auth_endpoint}/api/v1/access_token"
        basic = base64.b64encode(f"{self._client_id}:{self._client_secret}".encode()).decode()
        answer = client.request(
            "POST",
            url,
            headers={"Authorization": f"Basic {basic}", "Accept": "application/json"},
            form={"grant_type": "client_credentials"},
            ok=(400, 401, 403),
        )
        if answer.status >= 400:
            raise self._token_refused(url, answer)
        data = client.parse_json(answer)
        # Reddit answers some refusals with 200 and {"error": "…"}.
        if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
            raise self._token_refused(url, answer)
        expires = data.get("expires_in")
        lifetime = float(expires) if isinstance(expires, int | float) else 3600.0
        self._token = data["access_token"]
        self._token_expires = time.monotonic() + max(0.0, lifetime - TOKEN_MARGIN)
        return self._token

    def _token_refused(self, url: str, answer: Answer) -> CredentialError:
        said = platform_message(answer.body) if answer.body else "no reason given"
        return CredentialError(
            f"source {self.key!r}: {url}: Reddit refused the app's credentials "
            f"(HTTP {answer.status}: {said}); {self._credential_fix()}"
        )

    def _bearer(self, client: PoliteClient) -> str:
        if self._token is None or time.monotonic() >= self._token_expires:
            return self._fetch_token(client)
        return self._token

    def _get(self, client: PoliteClient, url: str, params: dict[str, str]) -> Answer:
        """GET with the bearer token; an expired or revoked token is renewed once."""
        for attempt in range(2):
            headers = {
                "Authorization": f"bearer {self._bearer(client)}",
                "Accept": "application/json",
            }
            answer = client.get(url, params=params, headers=headers, ok=(401, 403, 404))
            if answer.status != 401:
                return answer
            self._token = None
            if attempt == 1:
                said = platform_message(answer.body) if answer.body else "Unauthorized"
                raise CredentialError(
                    f"source {self.key!r}: {url}: Reddit refused a token it had just issued "
                    f"(HTTP 401: {said}); {self._credential_fix()}"
                )
        raise AssertionError("unreachable")

    # -- fetch ----------------------------------------------------------------------------

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
        listings = self.listings()
        previous: dict[str, Any] = dict(state.get("listings") or {})
        if state.get("query") != self.options.query:
            previous.pop("search", None)  # a new query starts its own history
        first_since = (now - timedelta(days=self.options.history_days)).timestamp()
        posts: list[Post] = []
        problems: list[SourceProblem] = []
        taken: set[str] = set()
        budget = max(0, limit)
        exhausted = True
        kept: dict[str, Any] = {}
        headers = {"User-Agent": self.options.user_agent or USER_AGENT}
        with PoliteClient(
            self.key, deadline=deadline, headers=headers, clock=lambda: now
        ) as client:
            for listing in listings:
                mark = previous.get(listing.key)
                mark = mark if isinstance(mark, dict) else None
                if budget == 0:
                    exhausted = False
                    if mark is not None:
                        kept[listing.key] = mark
                    continue
                walk = self._walk(client, listing, mark, first_since)
                problems.extend(walk.problems)
                if not walk.readable:  # read it from where it was once Reddit lists it
                    if mark is not None:
                        kept[listing.key] = mark
                    continue
                fresh = list(reversed(walk.items))  # oldest first
                batch = fresh[:budget]
                if len(fresh) > budget:
                    exhausted = False
                budget -= len(batch)
                for data in batch:
                    item = self._post(data, listing)
                    if isinstance(item, Post):
                        if item.external_id not in taken:
                            taken.add(item.external_id)
                            posts.append(item)
                    else:
                        problems.append(item)
                kept[listing.key] = self._advance(mark, batch, listing, first_since)
            quota = client.quota
        state = {"query": self.options.query, "listings": kept}
        return FetchResult(
            posts=posts, checkpoint=state, problems=problems, exhausted=exhausted, quota=quota
        )

    @staticmethod
    def _advance(
        mark: dict[str, Any] | None,
        batch: list[dict[str, Any]],
        listing: Listing,
        first_since: float,
    ) -> dict[str, Any]:
        """The listing's checkpoint after `batch` (oldest first) was taken: the newest time
        and the [fullname, time] pairs still inside the overlap before it, bounded."""
        newest = float(mark["newest"]) if mark and "newest" in mark else first_since
        seen = _seen_pairs(mark)
        for data in batch:
            created = _created(data) or newest
            newest = max(newest, created)
            seen.append((str(data["name"]), created))
        floor = newest - listing.overlap.total_seconds()
        kept = {name: created for name, created in seen if created >= floor}
        return {"newest": newest, "seen": [[n, t] for n, t in kept.items()][-MAX_SEEN:]}

    def _walk(
        self,
        client: PoliteClient,
        listing: Listing,
        mark: dict[str, Any] | None,
        first_since: float,
    ) -> Walk:
        if mark and isinstance(mark.get("newest"), int | float):
            stop_before = float(mark["newest"]) - listing.overlap.total_seconds()
        else:
            stop_before = first_since
        seen = {name for name, _ in _seen_pairs(mark)}
        url = f"{self.endpoint}{listing.path}"
        items: list[dict[str, Any]] = []
        problems: list[SourceProblem] = []
        after: str | None = None
        for page in range(MAX_PAGES):
            params = {**listing.params, "limit": str(PAGE_SIZE), "raw_json": "1"}
            if after:
                params["after"] = after
            where = f"{listing.path} page {page + 1}"
            try:
                children, after = self._page(client, url, params)
            except _Unlisted as err:  # this listing only; the others are still read
                problems.append(SourceProblem(url, str(err)))
                return Walk([], problems, readable=False)
            for index, child in enumerate(children):
                data = self._item(child, f"{where} item {index + 1}", problems)
                if data is None:
                    continue
                if (_created(data) or 0.0) < stop_before:
                    return Walk(items, problems)
                if data["name"] not in seen:
                    seen.add(data["name"])
                    items.append(data)
            if not after or not children:
                return Walk(items, problems)
        if mark is not None:
            problems.append(
                SourceProblem(
                    url,
                    f"more than {MAX_PAGES * PAGE_SIZE} new items since the last poll, more "
                    "than Reddit lists: older ones may be missed; set a shorter 'every'",
                )
            )
        return Walk(items, problems)

    def _page(
        self, client: PoliteClient, url: str, params: dict[str, str]
    ) -> tuple[list[Any], str | None]:
        """(children, after) of one page of a listing."""
        answer = self._get(client, url, params)
        # A subreddit that does not exist redirects to the subreddit search.
        if answer.status in (403, 404) or "/subreddits/search" in answer.url:
            said = platform_message(answer.body) if answer.status >= 400 else "no such subreddit"
            raise _Unlisted(
                f"Reddit will not list it (HTTP {answer.status}: {said}): the subreddit is "
                "private, banned, quarantined or does not exist; check the name in 'subreddits' "
                "(the other listings are still read)"
            )
        data = client.parse_json(answer)
        body = data.get("data") if isinstance(data, dict) else None
        children = body.get("children") if isinstance(body, dict) else None
        if (
            not isinstance(data, dict)
            or data.get("kind") != "Listing"
            or not isinstance(children, list)
        ):
            raise SourceError(
                f"source {self.key!r}: {url}: the answer is not a Reddit Listing "
                "({kind: Listing, data: {children: […]}}); check that endpoint is Reddit's "
                f"OAuth API ({API_ENDPOINT})"
            )
        after = body.get("after")
        return children, after if isinstance(after, str) and after else None

    @staticmethod
    def _item(child: Any, where: str, problems: list[SourceProblem]) -> dict[str, Any] | None:
        data = child.get("data") if isinstance(child, dict) else None
        kind = child.get("kind") if isinstance(child, dict) else None
        if kind not in ("t1", "t3") or not isinstance(data, dict):
            problems.append(
                SourceProblem(
                    where,
                    f"is not a post (t3) or comment (t1) but {kind!r}; skipped, the rest are kept",
                )
            )
            return None
        name = data.get("name")
        if not isinstance(name, str) or not name.startswith(f"{kind}_") or _created(data) is None:
            problems.append(
                SourceProblem(
                    where,
                    "has no fullname ('name') or no 'created_utc'; skipped, the rest are kept",
                )
            )
            return None
        return {**data, "_kind": kind}

    # -- mapping --------------------------------------------------------------------------

    def _post(self, data: dict[str, Any], listing: Listing) -> Post | SourceProblem:
        name = str(data["name"])
        is_comment = data["_kind"] == "t1"
        body = clean_text(data.get("body") if is_comment else data.get("selftext")).strip()
        title = None if is_comment else clean_text(data.get("title")).strip() or None
        author = data.get("author")
        deleted = author == "[deleted]" or body == "[deleted]"
        removed = body == "[removed]" or bool(data.get("removed_by_category"))
        # A post's title is what people search and react to: it leads the text.
        text = body if is_comment else "\n\n".join(part for part in (title, body) if part)
        links: list[str] = []
        target = data.get("url_overridden_by_dest") or data.get("url")
        if not is_comment and not data.get("is_self") and isinstance(target, str):
            links.append(absolute_url(SITE, target) or target)
        score = data.get("score")
        record = {
            "id": name,
            "text": text,
            "title": title,
            "author": author if isinstance(author, str) and author != "[deleted]" else None,
            "url": absolute_url(SITE, data.get("permalink")),
            "created_at": _created(data),
            "likes": max(0, score)
            if isinstance(score, int) and not isinstance(score, bool)
            else None,
            "shares": data.get("num_crossposts") if not is_comment else None,
            "replies": data.get("num_comments") if not is_comment else None,
            "views": data.get("view_count"),
            "reply_to": data.get("parent_id") if is_comment else None,
            "repost_of": data.get("crosspost_parent"),
            "links": links or None,
            "reddit_type": "comment" if is_comment else "post",
            "subreddit": data.get("subreddit"),
            "subreddit_id": data.get("subreddit_id"),
            "link_id": data.get("link_id"),
            "link_title": data.get("link_title"),
            "author_fullname": data.get("author_fullname"),
            "score": score,
            "over_18": data.get("over_18"),
            "removed": removed or None,
            "removed_by_category": data.get("removed_by_category"),
            "deleted": deleted or None,
            "stickied": data.get("stickied") or None,
            "distinguished": data.get("distinguished"),
            "edited": data.get("edited") or None,
            "flair": data.get("link_flair_text") if not is_comment else None,
            "listing": listing.key,
        }
        return to_post(record, source_key=self.key, platform=self.platform, where=f"reddit {name}")
