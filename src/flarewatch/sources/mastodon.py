"""Kind "mastodon": hashtag timelines, watched accounts' statuses and full-text status search
on any Mastodon instance, through its REST API.

Timelines (`/api/v1/timelines/tag/:hashtag`, `/api/v1/accounts/:id/statuses`) are read
forwards: `min_id` asks for the statuses immediately newer than the newest id taken, so a
fetch cut by `limit` takes the oldest ones and the next fetch goes on from there. Search
(`/api/v2/search?type=statuses`) only answers newest first (its `min_id` becomes a coarse
`after:` date), so it is paged by `offset` down to the newest id taken and handed over oldest
first, like Hacker News. The checkpoint keeps, per timeline, the newest status id taken
(ids are Snowflake-like decimal strings, compared as numbers) and the ids that accounts
resolved to; both are pruned to what the source lists, so they stay bounded.

Mastodon.py exists, but its requests would bypass `PoliteClient` (the whole-poll deadline,
backoff, Retry-After and quota), so the few endpoints used here are called directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, urlsplit

from pydantic import Field, field_validator, model_validator

from flarewatch.mentions.post import Post
from flarewatch.sources.base import FetchResult, SourceError, SourceProblem
from flarewatch.sources.connector import HttpOptions
from flarewatch.sources.http import Answer, PoliteClient
from flarewatch.sources.mastodon_status import snowflake_at, status_id, status_to_post
from flarewatch.sources.secrets import require_secret

if TYPE_CHECKING:
    from flarewatch.config.workspace import SourceConfig
    from flarewatch.sources.secrets import Secrets

DEFAULT_ENDPOINT = "https://mastodon.social"
PAGE_SIZE = 40  # the most Mastodon serves per page of statuses
MAX_PAGES_PER_TIMELINE = 25
MAX_SEARCH_PAGES = 10
MAX_NAMES = 100  # hashtags or accounts one source may list
_HASHTAG = re.compile(r"^\w+$")  # Mastodon's tags are letters, digits, marks and '_'
_ACCT = re.compile(r"^[\w.-]+(@[\w.-]+\.[a-z0-9-]+(:\d+)?)?$", re.IGNORECASE)
_LINK = re.compile(r'<([^>]*)>\s*;\s*rel="?([a-z]+)"?', re.IGNORECASE)
HOW_TO_GET_A_TOKEN = (
    "on the instance, Preferences → Development → New application with the scopes "
    "read:statuses read:accounts read:search, then copy 'Your access token'"
)


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


class MastodonOptions(HttpOptions):
    hashtags: list[str] = Field(default_factory=list)  # without '#': ["acmeburgers", "אקמה"]
    query: str | None = None  # full-text status search; needs token_env
    accounts: list[str] = Field(default_factory=list)  # "brand" or "brand@mastodon.social"
    token_env: str | None = None  # variable holding an access token (read scopes)
    history_hours: int = Field(default=24, ge=0, le=24 * 30)  # how far back the first poll reads

    @field_validator("hashtags")
    @classmethod
    def _hashtags(cls, values: list[str]) -> list[str]:
        cleaned = [v.strip().lstrip("#").strip() for v in values]
        for value in cleaned:
            if not _HASHTAG.match(value):
                raise ValueError(
                    f"hashtag {value!r} is not a Mastodon hashtag (letters, digits and '_' "
                    'only); write it without spaces, e.g. hashtags = ["acmeburgers"]'
                )
        return _unique([v.lower() for v in cleaned])

    @field_validator("accounts")
    @classmethod
    def _accounts(cls, values: list[str]) -> list[str]:
        cleaned = [v.strip().lstrip("@").lower() for v in values]
        for value in cleaned:
            if not _ACCT.match(value):
                raise ValueError(
                    f"account {value!r} is not an account address; write 'user' for an "
                    "account of this instance or 'user@instance' (e.g. "
                    'accounts = ["acme@mastodon.social"])'
                )
        return _unique(cleaned)

    @field_validator("query")
    @classmethod
    def _query(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError('query is empty; give the words to search for, e.g. query = "acme"')
        return value

    @model_validator(mode="after")
    def _something_to_read(self) -> MastodonOptions:
        if not (self.hashtags or self.query or self.accounts):
            raise ValueError(
                'give at least one of hashtags = [..], query = "…" or accounts = [..] '
                "(what this source reads)"
            )
        for name, values in (("hashtags", self.hashtags), ("accounts", self.accounts)):
            if len(values) > MAX_NAMES:
                raise ValueError(
                    f"{name} lists {len(values)} names; one source reads at most {MAX_NAMES} "
                    "(split them over several sources)"
                )
        return self


@dataclass(slots=True)
class _Run:
    """What one fetch has gathered so far."""

    limit: int
    posts: list[Post]
    problems: list[SourceProblem]
    taken: set[str]  # external ids taken in this fetch (a status in two timelines comes once)
    cut: bool = False  # stopped by `limit` with more ready

    @property
    def left(self) -> int:
        return self.limit - len(self.posts)


def _next_min_id(answer: Answer) -> int | None:
    """The `min_id` of the `Link: <…>; rel="prev"` header (the newer page)."""
    for url, rel in _LINK.findall(answer.headers.get("link", "")):
        if rel.lower() == "prev":
            values = parse_qs(urlsplit(url).query).get("min_id") or []
            found = status_id(values[0]) if values else None
            if found is not None:
                return found
    return None


class MastodonSource:
    kind = "mastodon"
    Options = MastodonOptions
    default_every = "2m"

    def __init__(
        self,
        key: str,
        options: MastodonOptions,
        *,
        token: str | None = None,
        platform: str | None = None,
    ) -> None:
        self.key = key
        self.options = options
        self.token = token
        self.endpoint = options.endpoint or DEFAULT_ENDPOINT
        self.platform = platform or "mastodon"

    @classmethod
    def from_config(cls, config: SourceConfig, base_dir: Path, secrets: Secrets) -> MastodonSource:
        options: MastodonOptions = config.options()
        token = None
        # The instance answers an anonymous status search with nothing (or 401): a query
        # without a token would look like silence, so it is refused here, naming token_env.
        if options.query or options.token_env:
            token = require_secret(secrets, config.key, "token_env", options.token_env)
        return cls(config.key, options, token=token, platform=config.platform)

    # -- HTTP --------------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def _client(self, deadline: float | None, now: datetime) -> PoliteClient:
        variable = self.options.token_env
        hint = (
            f"renew the token in {variable} (token_env): {HOW_TO_GET_A_TOKEN}"
            if variable
            else "this instance wants a login for it: set token_env to a variable holding an "
            f"access token ({HOW_TO_GET_A_TOKEN})"
        )
        return PoliteClient(self.key, deadline=deadline, auth_hint=hint, clock=lambda: now)

    # -- fetch -------------------------------------------------------------------------------

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
        if state.get("endpoint") != self.endpoint:  # ids mean nothing on another instance
            state = {"endpoint": self.endpoint}
        newest: dict[str, str] = dict(state.get("newest") or {})
        account_ids: dict[str, str] = dict(state.get("account_ids") or {})
        # The first poll reads back `history_hours`: the id a status of that time would have.
        since = now - timedelta(hours=self.options.history_hours)
        floor_default = snowflake_at(int(since.timestamp() * 1000))
        run = _Run(limit=limit, posts=[], problems=[], taken=set())
        with self._client(deadline, now) as client:
            for tag in self.options.hashtags:
                name = f"tag:{tag}"
                path = f"/api/v1/timelines/tag/{quote(tag, safe='')}"
                floor = status_id(newest.get(name)) or floor_default
                newest[name] = str(self._read_forwards(client, run, name, path, floor))
            for acct in self.options.accounts:
                name = f"account:{acct}"
                account_id = account_ids.get(acct) or self._lookup(client, run, acct)
                if account_id is None:
                    continue
                account_ids[acct] = account_id
                path = f"/api/v1/accounts/{account_id}/statuses"
                floor = status_id(newest.get(name)) or floor_default
                try:
                    newest[name] = str(self._read_forwards(client, run, name, path, floor))
                except _AccountGone:
                    account_ids.pop(acct, None)  # looked up again next time
            if self.options.query:
                name = f"search:{self.options.query}"
                floor = status_id(newest.get(name)) or floor_default
                newest[name] = str(self._search(client, run, name, floor))
            quota = client.quota
        listed = {f"tag:{t}" for t in self.options.hashtags}
        listed |= {f"account:{a}" for a in self.options.accounts}
        listed |= {f"search:{self.options.query}"} if self.options.query else set()
        state["newest"] = {k: v for k, v in newest.items() if k in listed}
        state["account_ids"] = {
            a: i for a, i in account_ids.items() if a in set(self.options.accounts)
        }
        return FetchResult(
            posts=run.posts,
            checkpoint=state,
            problems=run.problems,
            exhausted=not run.cut,
            quota=quota,
        )

    def _take(self, run: _Run, statuses: list[dict[str, Any]], name: str, where: str) -> None:
        for status in statuses:
            item = status_to_post(
                status,
                endpoint=self.endpoint,
                source_key=self.key,
                platform=self.platform,
                where=f"{where} status {status['id']}",
                found_in=name,
            )
            if isinstance(item, SourceProblem):
                run.problems.append(item)
            elif item.external_id not in run.taken:
                run.taken.add(item.external_id)
                run.posts.append(item)

    def _statuses(self, items: Any, where: str, run: _Run, floor: int) -> list[dict[str, Any]]:
        """The page's statuses newer than `floor`, oldest first; a bad item is a problem."""
        if not isinstance(items, list):
            raise SourceError(
                f"source {self.key!r}: {where}: the answer is not a list of statuses; check "
                f"that endpoint ({self.endpoint}) is a Mastodon instance"
            )
        good: list[dict[str, Any]] = []
        for index, status in enumerate(items):
            number = status_id(status.get("id")) if isinstance(status, dict) else None
            if number is None:
                run.problems.append(
                    SourceProblem(
                        f"{where} item {index}",
                        "has no numeric status id; this item is skipped, the rest are kept",
                    )
                )
            elif number > floor:
                good.append(status)
        return sorted(good, key=lambda s: int(s["id"]))

    def _read_forwards(
        self, client: PoliteClient, run: _Run, name: str, path: str, floor: int
    ) -> int:
        """Page a timeline forwards from `floor` (min_id); the newest id taken comes back."""
        url = f"{self.endpoint}{path}"
        for _ in range(MAX_PAGES_PER_TIMELINE):
            if run.left <= 0:
                run.cut = True
                return floor
            params = {"min_id": str(floor), "limit": PAGE_SIZE}
            answer = client.get(url, params=params, headers=self._headers(), ok=(404,))
            if answer.status == 404 and name.startswith("account:"):
                run.problems.append(
                    SourceProblem(
                        f"mastodon {name}",
                        "the instance no longer knows this account id (deleted or moved); it "
                        "is looked up again at the next poll",
                    )
                )
                raise _AccountGone
            if answer.status == 404:
                raise SourceError(
                    f"source {self.key!r}: {url}: HTTP 404; check that endpoint "
                    f"({self.endpoint}) is a Mastodon instance"
                )
            items = client.parse_json(answer)
            page = self._statuses(items, f"{name} page", run, floor)
            batch = page[: run.left]
            self._take(run, batch, name, f"mastodon {name}")
            if len(batch) < len(page):  # cut by limit: the rest comes at the next fetch
                run.cut = True
                return int(batch[-1]["id"]) if batch else floor
            newest = int(batch[-1]["id"]) if batch else floor
            # The Link header's newer-page cursor; past statuses the instance hides from us.
            linked = _next_min_id(answer)
            if linked is not None and linked > newest and page:
                newest = linked
            if len(items) < PAGE_SIZE or newest == floor:
                return newest  # caught up
            floor = newest
        run.cut = True  # more pages wait; exhausted=False brings the next fetch at once
        return floor

    def _lookup(self, client: PoliteClient, run: _Run, acct: str) -> str | None:
        """The instance's id for `acct` (`/api/v1/accounts/lookup`), or a problem."""
        url = f"{self.endpoint}/api/v1/accounts/lookup"
        answer = client.get(url, params={"acct": acct}, headers=self._headers(), ok=(404,))
        if answer.status == 404:
            run.problems.append(
                SourceProblem(
                    f"mastodon account:{acct}",
                    f"{self.endpoint} does not know the account {acct!r}: check the spelling; "
                    "an account of another instance is known only once someone here follows "
                    "or searched for it (or set endpoint to its home instance)",
                )
            )
            return None
        data = client.parse_json(answer)
        found = data.get("id") if isinstance(data, dict) else None
        if status_id(found) is None:
            raise SourceError(
                f"source {self.key!r}: {url}: the answer has no account id; check that "
                f"endpoint ({self.endpoint}) is a Mastodon instance"
            )
        return str(found)

    def _search(self, client: PoliteClient, run: _Run, name: str, floor: int) -> int:
        """Search newest first down to `floor` by offset; hand the statuses over oldest first."""
        url = f"{self.endpoint}/api/v2/search"
        if run.left <= 0:
            run.cut = True
            return floor
        found: dict[int, dict[str, Any]] = {}
        reached = False
        for page in range(MAX_SEARCH_PAGES):
            params = {
                "q": self.options.query,
                "type": "statuses",
                "min_id": str(floor),
                "limit": PAGE_SIZE,
                "offset": page * PAGE_SIZE,
            }
            answer = client.get(url, params=params, headers=self._headers())
            data = client.parse_json(answer)
            items = data.get("statuses") if isinstance(data, dict) else None
            if not isinstance(items, list):
                raise SourceError(
                    f"source {self.key!r}: {url}: the answer has no 'statuses' list; check "
                    f"that endpoint ({self.endpoint}) is a Mastodon instance"
                )
            where = f"search {self.options.query!r} page {page}"
            newer = self._statuses(items, where, run, floor)
            for status in newer:
                found[int(status["id"])] = status
            ids = [status_id(i.get("id")) for i in items if isinstance(i, dict)]
            if len(items) < PAGE_SIZE or any(n is not None and n <= floor for n in ids):
                reached = True  # reached the statuses already taken, or the end
                break
        if not reached:
            run.problems.append(
                SourceProblem(
                    f"mastodon {name}",
                    f"more than {MAX_SEARCH_PAGES * PAGE_SIZE} new statuses since the last poll; "
                    "older ones beyond that are not read (poll this source more often)",
                )
            )
        ordered = [found[k] for k in sorted(found)]
        batch = ordered[: max(run.left, 0)]
        self._take(run, batch, name, f"mastodon {name}")
        if len(batch) < len(ordered):
            run.cut = True
        return int(batch[-1]["id"]) if batch else floor


class _AccountGone(Exception):
    """The account id cached in the checkpoint answers 404."""
