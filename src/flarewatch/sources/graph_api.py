"""What the Meta Graph API kinds (`facebook`, `instagram`) share: its error bodies, its usage
headers as quota, and its cursor paging.

The Graph API answers most failures with HTTP 400 (sometimes 401/403) and a body
`{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`; the `code` says what
happened (190: the token expired or was revoked; 4/17/32/613/80001…: a rate limit), so those
statuses are read here instead of by PoliteClient's generic handling. Lists come as
`{"data": [...], "paging": {"cursors": {"after"}, "next": URL}}` (a Page feed pages by time
instead: `next` carries `until` and `__paging_token`, and there are no cursors); `next` is an
absolute URL that already carries the query (and the token), and is followed through the same
PoliteClient, on the configured endpoint.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit, urlunsplit

from flarewatch.mentions.post import Post
from flarewatch.sources.base import CredentialError, SourceError, SourceProblem
from flarewatch.sources.checkpoints import advance_mark, past_mark
from flarewatch.sources.connector import parse_time, to_post
from flarewatch.sources.http import (
    Answer,
    PoliteClient,
    unexplained_status,
    url_without_query,
)

DEFAULT_ENDPOINT = "https://graph.facebook.com/v21.0"
# Graph error codes that mean "too many calls": app (4), user (17), page (32), custom (613) and
# the business-use-case limits (80001 pages, 80002 Instagram, … 80014).
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, *range(80001, 80015)})
TOKEN_CODES = frozenset({102, 190})
PERMISSION_CODES = frozenset({10, *range(200, 300)})
# Without an estimate from the platform, wait this long after a rate limit (Meta computes
# most of its limits over a rolling hour).
DEFAULT_RATE_LIMIT_WAIT = timedelta(minutes=15)
MAX_MARK_IDS = 200  # ids at the newest time kept per list (see sources/checkpoints.py)
MAX_PAGES = 50  # per list and poll: a bound on one poll's calls, not on what is read over time
USAGE_HEADERS = ("x-app-usage", "x-page-usage", "x-business-use-case-usage", "x-ad-account-usage")
_VERSION_PREFIX = re.compile(r"^/v\d+(?:\.\d+)?(?=/)")


def _usage_entries(name: str, value: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(value)
    except ValueError:
        return []
    if name == "x-business-use-case-usage" and isinstance(data, dict):
        # {"<business id>": [{"type": "pages", "call_count": 28, …}], …}
        return [
            e
            for entries in data.values()
            if isinstance(entries, list)
            for e in entries
            if isinstance(e, dict)
        ]
    return [data] if isinstance(data, dict) else []


def usage_quota(headers: Mapping[str, str], now: datetime) -> dict[str, Any] | None:
    """Meta's usage headers (percent of the limit used: call_count, total_cputime, total_time)
    as quota left: {"remaining": 100 - highest %, "limit": 100, "unit": "percent", …}."""
    lowered = {k.lower(): v for k, v in headers.items()}
    highest: float | None = None
    regain_minutes = 0.0
    for name in USAGE_HEADERS:
        if name not in lowered:
            continue
        for entry in _usage_entries(name, lowered[name]):
            for key in ("call_count", "total_cputime", "total_time", "acc_id_util_pct"):
                value = entry.get(key)
                if isinstance(value, int | float) and not isinstance(value, bool):
                    highest = value if highest is None else max(highest, value)
            wait = entry.get("estimated_time_to_regain_access")
            if isinstance(wait, int | float) and not isinstance(wait, bool):
                regain_minutes = max(regain_minutes, float(wait))
    if highest is None:
        return None
    quota: dict[str, Any] = {
        "remaining": max(0, int(100 - highest)),
        "limit": 100,
        "unit": "percent",
    }
    if regain_minutes > 0:
        quota["reset_at"] = (now + timedelta(minutes=regain_minutes)).isoformat()
    return quota


class GraphClient:
    """Graph API calls of one poll: errors read from the body, quota from the usage headers."""

    def __init__(
        self,
        client: PoliteClient,
        *,
        endpoint: str,
        token: str,
        token_env: str,
        token_help: str,
        what: str,
    ) -> None:
        self.client = client
        self.endpoint = endpoint.rstrip("/")
        self.token = token
        self.token_env = token_env
        self.token_help = token_help  # how to get a new token, for code 190
        self.what = what  # e.g. "Page 1234": what a "does not exist" error is about
        self.quota: dict[str, Any] | None = None

    @property
    def key(self) -> str:
        return self.client.source_key

    def get(self, path_or_url: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """One object (or one page of a list) as a dict; Graph errors become Source errors."""
        if path_or_url.startswith(("http://", "https://")):
            # A `paging.next` address carries its whole query; httpx would replace a URL's
            # query by `params`, so the token (when missing) is added to the address itself.
            url = self.on_endpoint(path_or_url)
            if "access_token" not in parse_qs(urlsplit(url).query):
                joiner = "&" if urlsplit(url).query else "?"
                url = f"{url}{joiner}{urlencode({'access_token': self.token})}"
            query: dict[str, Any] | None = None
        else:
            url = f"{self.endpoint}/{path_or_url.lstrip('/')}"
            query = {**(params or {}), "access_token": self.token}
        answer = self.client.get(
            url, params=query, headers={"Accept": "application/json"}, ok=(400, 401, 403, 404)
        )
        now = datetime.now(UTC)
        quota = usage_quota(answer.headers, now) or self.client.quota
        if quota is not None:
            self.quota = quota
        data = self.client.parse_json(answer)
        if answer.status >= 400 or (isinstance(data, dict) and "error" in data):
            raise self._error(answer, data, now)
        if not isinstance(data, dict):
            raise SourceError(
                f"source {self.key!r}: {url_without_query(answer.url)}: expected a JSON object, "
                f"got {type(data).__name__}; nothing from it is stored, retried at the next poll"
            )
        return data

    def on_endpoint(self, url: str) -> str:
        """A `paging.next` address moved onto the configured endpoint when it names another
        host: Meta writes its own (graph.facebook.com, even graph.intern.facebook.com) into
        `next`, while a proxy or a replay may stand in for it. The path loses its API version
        (the endpoint carries one) and the query keeps its cursors (`after`, or `until` and
        `__paging_token` on a Page feed) but not its token: the token never goes elsewhere."""
        parts = urlsplit(url)
        base = urlsplit(self.endpoint)
        if parts.netloc == base.netloc:
            return url
        path = base.path.rstrip("/") + _VERSION_PREFIX.sub("", parts.path)
        query = [
            (name, value)
            for name, value in parse_qsl(parts.query, keep_blank_values=True)
            if name != "access_token"
        ]
        return urlunsplit((base.scheme, base.netloc, path, urlencode(query), ""))

    def pages(
        self, path: str, params: Mapping[str, Any], *, max_pages: int = MAX_PAGES
    ) -> Iterator[tuple[str, list[Any]]]:
        """(address, items) per page of a list, following `paging.next` (moved onto the
        endpoint, see `on_endpoint`; a relative `next` falls back to the `after` cursor)."""
        next_url: str | None = path
        query: Mapping[str, Any] | None = params
        for _ in range(max_pages):
            if next_url is None:
                return
            data = self.get(next_url, query)
            where = url_without_query(
                next_url if next_url.startswith("http") else f"{self.endpoint}/{path}"
            )
            items = data.get("data")
            if not isinstance(items, list):
                raise SourceError(
                    f"source {self.key!r}: {where}: the answer has no 'data' list; it is not a "
                    "Graph API list (check the endpoint); nothing from it is stored"
                )
            yield where, items
            next_url, query = self._next(data, path, params)

    def _next(
        self, data: dict[str, Any], path: str, params: Mapping[str, Any]
    ) -> tuple[str | None, Mapping[str, Any] | None]:
        paging = data.get("paging") if isinstance(data.get("paging"), dict) else {}
        if not data.get("data"):
            return None, None
        link = paging.get("next")
        if isinstance(link, str) and link.startswith(("http://", "https://")):
            return self.on_endpoint(link), None
        cursors = paging.get("cursors") if isinstance(paging.get("cursors"), dict) else {}
        after = cursors.get("after")
        if link and isinstance(after, str) and after:
            return path, {**params, "after": after}
        return None, None

    def _error(self, answer: Answer, data: Any, now: datetime) -> SourceError:
        where = url_without_query(answer.url)
        error = data.get("error") if isinstance(data, dict) else None
        if not isinstance(error, dict):
            return unexplained_status(self.key, answer, data)
        code = error.get("code")
        subcode = error.get("error_subcode")
        message = str(error.get("message") or "no message")[:200]
        trace = f", fbtrace_id {error['fbtrace_id']}" if error.get("fbtrace_id") else ""
        said = f"Graph error {code}" + (f"/{subcode}" if subcode else "") + f": {message}{trace}"
        if code in TOKEN_CODES:
            return CredentialError(
                f"source {self.key!r}: the access token in {self.token_env} expired or was "
                f"revoked ({said}); {self.token_help}, and store it in {self.token_env}"
            )
        if code in RATE_LIMIT_CODES:
            reset = self.quota.get("reset_at") if self.quota else None
            retry_at = datetime.fromisoformat(reset) if reset else now + DEFAULT_RATE_LIMIT_WAIT
            if retry_at <= now:
                retry_at = now + DEFAULT_RATE_LIMIT_WAIT
            return SourceError(
                f"source {self.key!r}: {where}: rate limited by Meta ({said}); polled again "
                f"after {retry_at:%H:%M} UTC",
                retry_at=retry_at,
            )
        if code in PERMISSION_CODES or answer.status in (401, 403):
            return CredentialError(
                f"source {self.key!r}: {where}: the token in {self.token_env} lacks a permission "
                f"({said}); grant the permissions listed in docs/sources.md and renew the token"
            )
        if code == 100 and subcode == 33:
            return SourceError(
                f"source {self.key!r}: {where}: {self.what} does not exist or this token cannot "
                f"see it ({said}); check the id in the workspace file"
            )
        return SourceError(
            f"source {self.key!r}: {where}: HTTP {answer.status}, {said}; check this source's "
            "keys (docs/sources.md)"
        )


def boundary_new(
    items: list[tuple[str, datetime]], state: Mapping[str, Any]
) -> tuple[set[str], dict[str, Any]]:
    """The ids past a time mark (see sources/checkpoints.py), and the mark after taking them."""
    mark = state or {}
    fresh = [(item_id, when) for item_id, when in items if past_mark(item_id, when, mark)]
    return {item_id for item_id, _ in fresh}, advance_mark(mark, fresh, keep=MAX_MARK_IDS)


def count_at(container: Any, *path: str) -> int | None:
    """An integer count nested at `path` (e.g. reactions → summary → total_count), or None."""
    value = container
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def dated_items(
    items: list[Any], where: str, time_field: str, what: str, problems: list[SourceProblem]
) -> list[tuple[dict[str, Any], datetime]]:
    """(item, time) for the items with a string id and a readable time; a problem for each
    other one (the rest are kept)."""
    dated: list[tuple[dict[str, Any], datetime]] = []
    for item in items:
        when = parse_time(item.get(time_field)) if isinstance(item, dict) else None
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or when is None:
            problems.append(
                SourceProblem(
                    where,
                    f"a {what} without a usable id or {time_field} ({str(item)[:120]}); "
                    "skipped, the rest are kept",
                )
            )
            continue
        dated.append((item, when))
    return dated


def keep_post(
    record: dict[str, Any] | None,
    where: str,
    *,
    source_key: str,
    platform: str,
    problems: list[SourceProblem],
) -> list[Post]:
    """The record as a post, or nothing and a problem. None (an item without text, such as a
    photo without caption) gives nothing: there is nothing to read, its comments still are."""
    if record is None:
        return []
    result = to_post(record, source_key=source_key, platform=platform, where=where)
    if isinstance(result, SourceProblem):
        problems.append(result)
        return []
    return [result]
