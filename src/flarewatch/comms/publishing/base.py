"""What every publisher shares: the result of a post, the errors a platform answers with,
mapped to one clear sentence each, and the single HTTP request a post is.

A post is sent once per attempt, never retried inside the request: retrying a POST that may
have reached the platform could post twice. Retries happen across runs of `publish_due`, with
the platform's idempotency key where it has one (sender.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import httpx

from flarewatch.sources.http import USER_AGENT, parse_reset, parse_retry_after, platform_message

REQUEST_TIMEOUT = 20.0
# How a failure is treated: `auth`, `too_long`, `not_found`, `unsupported` and `rejected` need
# a person; `rate_limit`, `server` and `network` are tried again later.
RETRIED_KINDS = frozenset({"rate_limit", "server", "network"})


@dataclass(frozen=True, slots=True)
class PublishResult:
    remote_id: str
    url: str | None


class PublishError(Exception):
    """A post the platform did not take, with what to do about it."""

    def __init__(self, kind: str, message: str, *, retry_at: datetime | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.retry_at = retry_at

    @property
    def retried(self) -> bool:
        return self.kind in RETRIED_KINDS


@dataclass(frozen=True, slots=True)
class Target:
    """The post a reply answers: its platform id and, when stored, its address."""

    external_id: str
    url: str | None = None


class Publisher(Protocol):
    """One platform: a statement, or a reply to one of its posts. `key` is the publication's
    idempotency key (a platform that has none ignores it)."""

    def post(self, text: str, *, key: str, at: datetime) -> PublishResult: ...

    def reply(self, text: str, target: Target, *, key: str, at: datetime) -> PublishResult: ...


@dataclass(slots=True)
class Http:
    """One channel's requests: base address, what to call it in messages, a clock for
    Retry-After, and an httpx client (tests may pass a transport)."""

    base: str
    channel: str
    platform: str
    clock: Any = None
    transport: httpx.BaseTransport | None = None

    def now(self) -> datetime:
        return self.clock() if self.clock else datetime.now(UTC)

    def call(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
    ) -> Any:
        """One request; the parsed JSON answer, or PublishError saying what went wrong."""
        url = self.base + path
        sent = {"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})}
        try:
            with httpx.Client(timeout=REQUEST_TIMEOUT, transport=self.transport) as client:
                response = client.request(
                    method, url, headers=sent, params=params, json=json_body, data=form
                )
        except httpx.TimeoutException:
            raise PublishError(
                "network",
                f"channel {self.channel!r}: {self.platform} did not answer in time; it is "
                "tried again at the next run",
            ) from None
        except httpx.TransportError as err:
            raise PublishError(
                "network",
                f"channel {self.channel!r}: cannot reach {self.base} ({err}); check api_url "
                "and the network; it is tried again at the next run",
            ) from None
        if response.status_code >= 400:
            raise self.error_of(response)
        if not response.content:
            return {}
        try:
            return response.json()
        except ValueError:
            raise PublishError(
                "server",
                f"channel {self.channel!r}: {self.platform} answered HTTP "
                f"{response.status_code} with something that is not JSON",
            ) from None

    def error_of(self, response: httpx.Response) -> PublishError:
        status = response.status_code
        said = platform_message(response.content)
        where = f"channel {self.channel!r} ({self.platform})"
        if status == 429:
            retry_at = retry_time(response.headers, self.now())
            when = f" after {retry_at:%H:%M:%S} UTC" if retry_at else " later"
            return PublishError(
                "rate_limit",
                f"{where}: rate limit reached ({said}); it is tried again{when}",
                retry_at=retry_at,
            )
        if "duplicate" in said.lower():
            return PublishError(
                "rejected",
                f"{where}: the platform refuses a duplicate of an earlier post ({said}); the "
                "same text was already published on this account",
            )
        if status in (401, 403) or looks_like_auth(said):
            return PublishError(
                "auth",
                f"{where}: the platform refused the credentials (HTTP {status}: {said}); renew "
                "the token or app password the channel's token_env/password_env names, with "
                "the rights to post",
            )
        if looks_too_long(said):
            return PublishError(
                "too_long",
                f"{where}: the text is too long for this account (HTTP {status}: {said}); "
                "shorten the draft, have it approved again and schedule it again",
            )
        if status == 404:
            return PublishError(
                "not_found",
                f"{where}: not found (HTTP 404: {said}); the post answered may have been "
                "deleted, or the channel's account id is wrong",
            )
        if status >= 500:
            return PublishError(
                "server",
                f"{where}: the platform failed (HTTP {status}: {said}); it is tried again later",
            )
        return PublishError(
            "rejected", f"{where}: the platform refused the post (HTTP {status}: {said})"
        )


def retry_time(headers: httpx.Headers, now: datetime) -> datetime | None:
    """When to try again after a 429: Retry-After, else the rate limit's reset header."""
    at = parse_retry_after(headers.get("retry-after"), now)
    if at is not None:
        return at
    for name in ("x-rate-limit-reset", "x-ratelimit-reset", "ratelimit-reset"):
        if name in headers:
            return parse_reset(headers[name], now)
    return None


def looks_too_long(said: str) -> bool:
    lowered = said.lower()
    return any(
        word in lowered
        for word in ("too long", "character limit", "exceeds", "string too long", "length")
    )


def looks_like_auth(said: str) -> bool:
    lowered = said.lower()
    return "oauth" in lowered or "access token" in lowered or "invalid token" in lowered


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


BACKOFF_BASE = timedelta(minutes=1)


def backoff(attempt: int) -> timedelta:
    """1, 2, 4, 8 … minutes after the attempt-th failure, at most an hour."""
    return min(BACKOFF_BASE * (2 ** max(0, attempt - 1)), timedelta(hours=1))
