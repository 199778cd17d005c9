"""Kind "x": posts on X matching a query, from API v2 recent search (`/2/tweets/search/recent`),
authors and referenced tweets through expansions, with an App's bearer token.

Recent search answers newest first and reaches 7 days back. A fetch reads a *window* of ids
(`since_id`, `until_id`) page by page down to its lower end, then hands the posts over oldest
first, so the checkpoint is simply `since_id` = the newest post handed over: everything at or
below it was handed over, nothing above it was. When `limit` cuts a window, the rest of it is
not thrown away blindly: the ids every `limit` posts above the cut are kept as `windows` (the
exclusive upper ends of the next windows, lowest first), so the next fetch reads only the next
`limit` posts instead of walking down from the newest again, and it hands them over oldest
first too. A window deeper than one fetch's page budget is split the same way: the oldest id
read becomes a window's upper end and the next fetch reads below it. `windows` only saves
requests (and X's monthly post cap); dropping them (they are bounded) never loses a post.

Plain HTTPS through `PoliteClient` rather than an X SDK: the SDKs' own HTTP sessions know
nothing of the poll's whole deadline.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import Field, field_validator

from flarewatch.mentions.post import Post
from flarewatch.sources.base import CredentialError, FetchResult, SourceError, SourceProblem
from flarewatch.sources.connector import HttpOptions, to_post
from flarewatch.sources.http import Answer, PoliteClient, platform_message
from flarewatch.sources.secrets import require_secret
from flarewatch.sources.x_tweets import (
    numeric_id,
    partial_error,
    snowflake_at,
    snowflake_time,
    tweet_record,
)

if TYPE_CHECKING:
    from flarewatch.config.workspace import SourceConfig
    from flarewatch.sources.secrets import Secrets

DEFAULT_ENDPOINT = "https://api.x.com"
SEARCH_PATH = "/2/tweets/search/recent"
PAGE_SIZE = 100  # recent search's largest max_results
MAX_PAGES = 20  # per fetch: 2,000 posts; a deeper backlog is read over several fetches
MAX_WINDOWS = 200  # bounded; a dropped window only costs re-reading, never a post
REACH = timedelta(days=7)  # how far back recent search reaches
# start_time must be inside the 7 days when X receives it, so stay a little inside.
REACH_MARGIN = timedelta(minutes=2)
TWEET_FIELDS = (
    "created_at,public_metrics,lang,referenced_tweets,conversation_id,author_id,entities,"
    "in_reply_to_user_id,note_tweet"
)
EXPANSIONS = "author_id,referenced_tweets.id,referenced_tweets.id.author_id"
USER_FIELDS = "username,name,public_metrics,verified,verified_type,created_at,protected"
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
TOKEN_HELP = (
    "developer.x.com → Developer Portal → Projects & Apps → your App → Keys and tokens → "
    "Bearer Token (Regenerate)"
)


class XOptions(HttpOptions):
    query: str = Field(min_length=1, max_length=4096)  # X search syntax, e.g. "acme -is:retweet"
    bearer_token_env: str
    history_days: float = 1.0  # how far back the first poll reads (recent search: at most 7)

    @field_validator("bearer_token_env")
    @classmethod
    def _variable(cls, value: str) -> str:
        if not _VARIABLE.match(value):
            raise ValueError(
                f"{value[:12]!r}… is not an environment variable name; bearer_token_env names "
                'the variable that holds the token (e.g. bearer_token_env = "X_BEARER_TOKEN"), '
                "the token itself never goes in the workspace file"
            )
        return value

    @field_validator("history_days")
    @classmethod
    def _history(cls, value: float) -> float:
        if not 0 <= value <= 7:
            raise ValueError(
                f"history_days = {value:g}: recent search reaches only the last 7 days; give "
                "0 to 7 (how far back the first poll reads)"
            )
        return value


@dataclass(slots=True)
class _Walk:
    """One window read from its newest page down."""

    tweets: dict[int, dict[str, Any]] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    included: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: list[SourceProblem] = field(default_factory=list)
    pages: int = 0
    complete: bool = False  # read down to the lower end (no next_token left)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class XSource:
    kind = "x"
    Options = XOptions
    default_every = "5m"  # recent search allows 60 to 450 requests per 15 min, by access level

    def __init__(
        self,
        key: str,
        query: str,
        token: str,
        *,
        token_env: str = "bearer_token_env",
        endpoint: str | None = None,
        history_days: float = 1.0,
        platform: str | None = None,
    ) -> None:
        self.key = key
        self.query = query
        self.token = token
        self.token_env = token_env
        self.endpoint = endpoint or DEFAULT_ENDPOINT
        self.history = timedelta(days=history_days)
        # "twitter" is the name the rest of Flarewatch files X posts under (imported queries'
        # site:twitter and x, the demo, reach), so both routes of X posts land together.
        self.platform = platform or "twitter"

    @classmethod
    def from_config(cls, config: SourceConfig, base_dir: Path, secrets: Secrets) -> XSource:
        options: XOptions = config.options()
        token = require_secret(secrets, config.key, "bearer_token_env", options.bearer_token_env)
        return cls(
            config.key,
            options.query,
            token,
            token_env=options.bearer_token_env,
            endpoint=options.endpoint,
            history_days=options.history_days,
            platform=config.platform,
        )

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
        limit = max(1, limit)
        floor = now - REACH + REACH_MARGIN
        problems: list[SourceProblem] = []
        state = self._state(checkpoint, now, floor, problems)
        since: int | None = numeric_id(state.get("since_id"))
        windows = sorted({w for w in map(numeric_id, state.get("windows") or []) if w is not None})
        windows = [w for w in windows if since is None or w > since]
        start = None if since is not None else max(self._start(state, now), floor)
        posts: list[Post] = []
        taken = 0
        exhausted = False
        pages_left = MAX_PAGES
        with PoliteClient(
            self.key,
            deadline=deadline,
            headers={"Authorization": f"Bearer {self.token}"},
            clock=lambda: now,
        ) as client:
            while pages_left > 0 and taken < limit:
                upper = windows[0] if windows else None
                walk = self._walk(client, since, upper, start, pages_left)
                pages_left -= walk.pages
                problems.extend(walk.problems)
                if not walk.complete:  # deeper than this fetch reads: go on below next time
                    windows.insert(0, self._oldest(walk))
                    break
                fresh = sorted(walk.tweets.items())  # oldest first
                batch, rest = fresh[: limit - taken], fresh[limit - taken :]
                for tweet_id, tweet in batch:
                    item = self._post(tweet, walk)
                    (posts if isinstance(item, Post) else problems).append(item)  # type: ignore[arg-type]
                    since = tweet_id
                taken += len(batch)
                if rest:  # cut by limit: the next windows, `limit` posts each
                    windows[:0] = [rest[i][0] for i in range(limit, len(rest), limit)]
                    break
                if upper is None:
                    exhausted = True
                    break
                windows.pop(0)
            quota = client.quota
        state = {"query": self.query, "windows": [str(w) for w in windows[:MAX_WINDOWS]]}
        if since is not None:
            state["since_id"] = str(since)
        elif start is not None:
            state["start"] = start.isoformat()
        return FetchResult(
            posts=posts, checkpoint=state, problems=problems, exhausted=exhausted, quota=quota
        )

    def _state(
        self,
        checkpoint: dict[str, Any] | None,
        now: datetime,
        floor: datetime,
        problems: list[SourceProblem],
    ) -> dict[str, Any]:
        """The checkpoint to go on from: a fresh one for a new query; one whose `since_id` is
        beyond recent search's 7 days starts again at their edge, and says what was missed."""
        state = dict(checkpoint or {})
        if state.get("query") != self.query:
            return {"query": self.query, "start": (now - self.history).isoformat()}
        since = numeric_id(state.get("since_id"))
        if since is not None and snowflake_time(since) < floor:
            problems.append(
                SourceProblem(
                    f"source {self.key!r}",
                    f"posts from {snowflake_time(since):%Y-%m-%d %H:%M} to {floor:%Y-%m-%d %H:%M}"
                    " UTC could not be read: recent search reaches only 7 days back and this "
                    "source was not polled in time; it goes on from there",
                )
            )
            edge = snowflake_at(floor)
            windows = [
                str(w)
                for w in map(numeric_id, state.get("windows") or [])
                if w is not None and w > edge
            ]
            return {"query": self.query, "start": floor.isoformat(), "windows": windows}
        return state

    def _start(self, state: dict[str, Any], now: datetime) -> datetime:
        try:
            start = datetime.fromisoformat(str(state["start"]))
        except (KeyError, ValueError):
            return now - self.history
        return start if start.tzinfo else start.replace(tzinfo=UTC)

    def _oldest(self, walk: _Walk) -> int:
        if not walk.tweets:
            raise SourceError(
                f"source {self.key!r}: {self.endpoint}{SEARCH_PATH}: {walk.pages} page(s) "
                "without posts that still say more follow (next_token); retried at the next poll"
            )
        return min(walk.tweets)

    def _walk(
        self,
        client: PoliteClient,
        since: int | None,
        upper: int | None,
        start: datetime | None,
        budget: int,
    ) -> _Walk:
        """The window (since, upper) read newest first, at most `budget` pages."""
        walk = _Walk()
        url = f"{self.endpoint}{SEARCH_PATH}"
        next_token: str | None = None
        low_id = since if since is not None else (snowflake_at(start) - 1 if start else -1)
        while walk.pages < budget:
            params: dict[str, Any] = {
                "query": self.query,
                "max_results": PAGE_SIZE,
                "tweet.fields": TWEET_FIELDS,
                "expansions": EXPANSIONS,
                "user.fields": USER_FIELDS,
            }
            if since is not None:
                params["since_id"] = str(since)
            elif start is not None:
                params["start_time"] = _iso(start)
            if upper is not None:
                params["until_id"] = str(upper)
            if next_token:
                params["next_token"] = next_token
            data = self._page(client, url, params)
            walk.pages += 1
            self._collect(data, walk, low_id, upper, f"{url} page {walk.pages}")
            token = data["meta"].get("next_token")
            next_token = token if isinstance(token, str) and token else None
            if next_token is None:
                walk.complete = True
                break
        return walk

    def _collect(
        self, data: dict[str, Any], walk: _Walk, low_id: int, upper: int | None, where: str
    ) -> None:
        includes = data.get("includes") if isinstance(data.get("includes"), dict) else {}
        for user in includes.get("users") or []:
            if isinstance(user, dict) and isinstance(user.get("id"), str):
                walk.users[user["id"]] = user
        for tweet in includes.get("tweets") or []:
            if isinstance(tweet, dict) and isinstance(tweet.get("id"), str):
                walk.included[tweet["id"]] = tweet
        for error in data.get("errors") or []:
            walk.problems.append(SourceProblem(*partial_error(error)))
        for index, tweet in enumerate(data.get("data") or []):
            tweet_id = numeric_id(tweet.get("id")) if isinstance(tweet, dict) else None
            if tweet_id is None:
                walk.problems.append(
                    SourceProblem(
                        f"{where} item {index}",
                        "a post without a numeric id; skipped, the rest are kept",
                    )
                )
            # The window is also applied here: a proxy or mirror may ignore since/until.
            elif tweet_id > low_id and (upper is None or tweet_id < upper):
                walk.tweets[tweet_id] = tweet

    def _page(self, client: PoliteClient, url: str, params: dict[str, Any]) -> dict[str, Any]:
        answer = client.get(
            url, params=params, headers={"Accept": "application/json"}, ok=(400, 401, 403)
        )
        if answer.status >= 400:
            raise self._refused(answer, url)
        data = client.parse_json(answer)
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("meta"), dict)
            or not isinstance(data.get("data", []), list)
        ):
            raise SourceError(
                f"source {self.key!r}: {url}: the answer is not a recent-search page (no 'meta' "
                f"or no 'data' list); check that endpoint is the X API ({DEFAULT_ENDPOINT})"
            )
        return data

    def _refused(self, answer: Answer, url: str) -> SourceError:
        said = platform_message(answer.body)
        where = f"source {self.key!r}: {url}: HTTP {answer.status}"
        if answer.status == 401:
            return CredentialError(
                f"{where}: X refused the bearer token in {self.token_env} (bearer_token_env): "
                f"{said}; put a valid App bearer token there ({TOKEN_HELP})"
            )
        if answer.status == 403:
            reason = _body_field(answer, "reason")
            if reason == "client-not-enrolled" or "Project" in said:
                return CredentialError(
                    f"{where}: X says the App behind {self.token_env} (bearer_token_env) may not "
                    f"use recent search ({reason or said}); recent search needs an App inside a "
                    "Project with Basic access or higher (Free access cannot search): "
                    "developer.x.com → Developer Portal → Products"
                )
            return CredentialError(
                f"{where}: X forbids this request with the token in {self.token_env} "
                f"(bearer_token_env): {said}; check the App's access level and state in the "
                "Developer Portal"
            )
        detail = _errors_message(answer) or said
        return SourceError(
            f"{where}: X refused the search ({detail}); check query (X search syntax, at most "
            "512 characters on Basic access) in this source's keys"
        )

    def _post(self, tweet: dict[str, Any], walk: _Walk) -> Post | SourceProblem:
        return to_post(
            tweet_record(tweet, walk.users, walk.included),
            source_key=self.key,
            platform=self.platform,
            where=f"x post {tweet.get('id')}",
        )


def _body_field(answer: Answer, name: str) -> str | None:
    try:
        data = json.loads(answer.body)
    except ValueError:
        return None
    value = data.get(name) if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def _errors_message(answer: Answer) -> str | None:
    """A 400's precise reason: `errors[0].message` (the top-level detail is generic)."""
    try:
        data = json.loads(answer.body)
    except ValueError:
        return None
    errors = data.get("errors") if isinstance(data, dict) else None
    first = errors[0] if isinstance(errors, list) and errors else None
    message = first.get("message") if isinstance(first, dict) else None
    return message[:300] if isinstance(message, str) else None
