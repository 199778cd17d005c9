"""The HTTP every connector shares: one whole-poll deadline, retries with backoff and jitter,
`Retry-After` and rate-limit headers obeyed, quota recorded, bodies size-capped.

httpx's timeouts are per read, so a server that sends one byte every five seconds never times
out; the body is therefore read in chunks against the poll's deadline (`time.monotonic()`),
which is what keeps one trickling feed from holding the others. Every failure becomes a
`SourceError` (or `CredentialError`) that says which source, which address, what the
platform said and what to do.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

from flarewatch import __version__
from flarewatch.sources.base import CredentialError, SourceError

USER_AGENT = f"Flarewatch/{__version__} (social listening; +https://github.com/flarewatch)"
REQUEST_TIMEOUT = 20.0
MAX_BODY_BYTES = 32 * 1024 * 1024
MAX_ATTEMPTS = 4
# A Retry-After longer than this ends the poll; the source is polled again after it.
MAX_WAIT_IN_POLL = 30.0
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
# Header families for quota left: X (x-rate-limit-*, reset in epoch seconds), Reddit
# (x-ratelimit-*), IETF draft / Bluesky (ratelimit-*), Mastodon (x-ratelimit-* with an ISO
# reset time).
_QUOTA_HEADERS = (
    ("x-rate-limit-remaining", "x-rate-limit-limit", "x-rate-limit-reset"),
    ("x-ratelimit-remaining", "x-ratelimit-limit", "x-ratelimit-reset"),
    ("ratelimit-remaining", "ratelimit-limit", "ratelimit-reset"),
)


_USED_HEADER = "x-ratelimit-used"


@dataclass(slots=True)
class Answer:
    status: int
    headers: httpx.Headers
    body: bytes
    url: str

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def url_without_query(url: str) -> str:
    """The address as errors show it: without its query, which may carry an API key."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def unexplained_status(source_key: str, answer: Answer, data: Any) -> SourceError:
    """An error status whose body is not the platform's `{"error": {…}}` object (a proxy's
    page, a changed API): the status and the start of the body, for a person to read."""
    said = json.dumps(data, ensure_ascii=False)[:200]
    return SourceError(
        f"source {source_key!r}: {url_without_query(answer.url)}: HTTP {answer.status} "
        f"({said}); check this source's keys (docs/sources.md)"
    )


def platform_message(body: bytes) -> str:
    """What the platform said in an error body (JSON `error`, `message`, `detail`, …)."""
    try:
        data = json.loads(body)
    except ValueError:
        text = body.decode("utf-8", errors="replace").strip()
        return text[:200]
    for path in (
        ("error", "message"),
        ("error_description",),
        ("message",),
        ("detail",),
        ("title",),
        ("error",),
        ("errors", 0, "message"),
        ("errors", 0, "detail"),
    ):
        value: Any = data
        for part in path:
            if isinstance(part, int):
                value = value[part] if isinstance(value, list) and len(value) > part else None
            else:
                value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, str) and value.strip():
            return value.strip()[:200]
    return json.dumps(data, ensure_ascii=False)[:200]


def parse_reset(value: str, now: datetime) -> datetime | None:
    """A rate-limit reset: an ISO time (Mastodon), epoch seconds (X, Bluesky) or seconds from
    now (Reddit, IETF draft)."""
    value = value.strip()
    try:
        number = float(value)
    except ValueError:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if number > 1e9:
        return datetime.fromtimestamp(number, UTC)
    return now + timedelta(seconds=number)


def parse_retry_after(value: str | None, now: datetime) -> datetime | None:
    """`Retry-After`: seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return now + timedelta(seconds=int(value))
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def quota_from_headers(headers: Mapping[str, str], now: datetime) -> dict[str, Any] | None:
    """{"remaining", "limit", "unit", "reset_at"} from the platform's rate-limit headers."""
    lowered = {k.lower(): v for k, v in headers.items()}
    for remaining_name, limit_name, reset_name in _QUOTA_HEADERS:
        if remaining_name not in lowered:
            continue
        try:
            remaining = float(lowered[remaining_name])
        except ValueError:
            continue
        quota: dict[str, Any] = {"remaining": int(remaining), "unit": "requests"}
        with contextlib.suppress(KeyError, ValueError):
            quota["limit"] = int(float(lowered[limit_name]))
        if "limit" not in quota and _USED_HEADER in lowered:
            # Reddit sends no limit, only what was used in the window besides what is left.
            with contextlib.suppress(ValueError):
                quota["limit"] = int(remaining + float(lowered[_USED_HEADER]))
        reset = parse_reset(lowered[reset_name], now) if reset_name in lowered else None
        if reset is not None:
            quota["reset_at"] = reset.isoformat()
        return quota
    return None


class PoliteClient:
    """The HTTP of one poll of one source.

    `deadline` is a `time.monotonic()` value for the whole poll. `auth_hint` completes the
    message of a 401/403 (which variable to renew, where); `hints` replace the advice given
    for particular statuses. `sleep` and `clock` are injectable
    so tests need not wait.
    """

    def __init__(
        self,
        source_key: str,
        *,
        deadline: float | None = None,
        headers: Mapping[str, str] | None = None,
        auth_hint: str = "",
        hints: Mapping[int, str] | None = None,
        max_bytes: int = MAX_BODY_BYTES,
        max_attempts: int = MAX_ATTEMPTS,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.source_key = source_key
        self.deadline = deadline
        self.auth_hint = auth_hint
        self.hints = dict(hints or {})
        self.max_bytes = max_bytes
        self.max_attempts = max_attempts
        self.quota: dict[str, Any] | None = None
        self._sleep = sleep
        self._clock = clock
        self._client = httpx.Client(
            headers={"User-Agent": USER_AGENT, **(headers or {})},
            follow_redirects=True,
            transport=transport,
        )

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    # -- the deadline ----------------------------------------------------------------------

    def _left(self) -> float:
        return float("inf") if self.deadline is None else self.deadline - time.monotonic()

    def _fail(self, url: str, what: str, *, retry_at: datetime | None = None) -> SourceError:
        return SourceError(
            f"source {self.source_key!r}: {url_without_query(url)}: {what}", retry_at=retry_at
        )

    def _check_deadline(self, url: str) -> None:
        if self._left() <= 0:
            raise self._fail(
                url,
                "the poll ran out of time (the server answers too slowly); it is cut off so "
                "the other sources are not held, and retried at the next poll",
            )

    # -- requests --------------------------------------------------------------------------

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        ok: tuple[int, ...] = (),
    ) -> Answer:
        """GET with retries; statuses in `ok` (e.g. 304) come back instead of raising."""
        return self.request("GET", url, params=params, headers=headers, ok=ok)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        ok: tuple[int, ...] = (),
    ) -> Answer:
        """One request with retries; `form` is sent as an `application/x-www-form-urlencoded`
        body (OAuth token endpoints), `json_body` as JSON."""
        self._refuse_if_quota_spent(url)
        attempt = 0
        while True:
            attempt += 1
            self._check_deadline(url)
            try:
                answer = self._once(method, url, params, headers, json_body, form)
            except (httpx.TimeoutException, httpx.TransportError) as err:
                what = (
                    "no answer in time"
                    if isinstance(err, httpx.TimeoutException)
                    else f"cannot connect ({err})"
                )
                what += "; check the endpoint, the network and that the service is up"
                if attempt >= self.max_attempts:
                    raise self._fail(url, what) from None
                self._backoff(attempt, None, url, what)
                continue
            now = self._clock()
            quota = quota_from_headers(answer.headers, now)
            if quota is not None:
                self.quota = quota
            if answer.status < 400 or answer.status in ok:
                return answer
            retry_at = parse_retry_after(answer.headers.get("retry-after"), now)
            if answer.status == 429 and retry_at is None and self.quota:
                reset = self.quota.get("reset_at")
                retry_at = datetime.fromisoformat(reset) if reset else None
            if answer.status in RETRIED_STATUSES and attempt < self.max_attempts:
                wait = (retry_at - now).total_seconds() if retry_at else None
                if wait is None or wait <= min(MAX_WAIT_IN_POLL, self._left()):
                    self._backoff(attempt, wait, url, f"HTTP {answer.status}")
                    continue
            raise self._status_error(url, answer, retry_at)

    def _once(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        json_body: Any,
        form: Mapping[str, str] | None = None,
    ) -> Answer:
        left = self._left()
        timeout = httpx.Timeout(max(0.1, min(REQUEST_TIMEOUT, left)))
        with self._client.stream(
            method,
            url,
            params=params,
            headers=headers,
            json=json_body,
            data=form,
            timeout=timeout,
        ) as response:
            try:
                body = self._read_body(url, response)
            except httpx.RemoteProtocolError:
                raise self._fail(
                    url,
                    "the answer was cut off before its end (truncated); nothing from it is "
                    "stored, retried at the next poll",
                ) from None
            return Answer(response.status_code, response.headers, body, str(response.url))

    def _read_body(self, url: str, response: httpx.Response) -> bytes:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size > self.max_bytes:
                raise self._fail(
                    url,
                    f"the answer is larger than {self.max_bytes // (1024 * 1024)} MiB; "
                    "ask for fewer items per page",
                )
            if self._left() <= 0:
                raise self._fail(
                    url,
                    f"the server sent only {size:,} bytes before the poll's deadline (it "
                    "answers too slowly); cut off so the other sources are not held, and "
                    "retried at the next poll",
                )
        return b"".join(chunks)

    def _backoff(self, attempt: int, wait: float | None, url: str, last: str) -> None:
        if wait is None:
            wait = min(8.0, 0.5 * 2 ** (attempt - 1)) * (0.5 + random.random())  # noqa: S311
        wait = max(0.0, wait)
        if wait >= self._left():
            raise self._fail(url, f"{last} (until the poll's deadline); retried at the next poll")
        self._sleep(wait)

    def _refuse_if_quota_spent(self, url: str) -> None:
        quota = self.quota
        if not quota or quota.get("remaining", 1) > 0 or not quota.get("reset_at"):
            return
        reset = datetime.fromisoformat(quota["reset_at"])
        if reset > self._clock():
            raise self._fail(
                url,
                f"the platform's rate limit is used up until {reset:%Y-%m-%d %H:%M} UTC; "
                "polled again then",
                retry_at=reset,
            )

    def _status_error(self, url: str, answer: Answer, retry_at: datetime | None) -> SourceError:
        html = "html" in answer.headers.get("content-type", "").lower()
        said = "" if html else platform_message(answer.body)
        reason = httpx.codes.get_reason_phrase(answer.status)
        status = f"HTTP {answer.status} {reason}".rstrip() + (f" ({said})" if said else "")
        if answer.status in self.hints:
            return (CredentialError if answer.status in (401, 403) else SourceError)(
                f"source {self.source_key!r}: {url_without_query(url)}: {status}; "
                f"{self.hints[answer.status]}",
                retry_at=retry_at,
            )
        if answer.status in (401, 403):
            hint = self.auth_hint or "check the credential this source names"
            return CredentialError(
                f"source {self.source_key!r}: {url_without_query(url)}: the platform refused the "
                f"credential, {status}; {hint}"
            )
        if answer.status == 429:
            when = f" until {retry_at:%H:%M:%S} UTC" if retry_at else ""
            return self._fail(
                url, f"{status}: rate limited{when}; polled again after that", retry_at=retry_at
            )
        if answer.status >= 500:
            return self._fail(url, f"{status}: the platform is failing; retried at the next poll")
        if answer.status == 404:
            return self._fail(
                url, f"{status}: not found; check the endpoint and the names this source lists"
            )
        return self._fail(url, f"{status}; check this source's keys (docs/sources.md)")

    def get_json(
        self,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """GET and parse JSON; a truncated or not-well-formed body is a SourceError."""
        headers = {"Accept": "application/json", **(headers or {})}
        answer = self.get(url, params=params, headers=headers)
        return self.parse_json(answer)

    def parse_json(self, answer: Answer) -> Any:
        try:
            return json.loads(answer.body)
        except ValueError as err:
            raise self._fail(
                answer.url,
                f"the answer is not well-formed JSON ({err}; {len(answer.body):,} bytes, "
                "truncated?); nothing from it is stored, retried at the next poll",
            ) from None
