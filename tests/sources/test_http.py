"""The shared HTTP layer: deadline against trickling servers, retries, Retry-After, quota,
credential and malformed-answer errors, each naming the source and saying what to do."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from flarewatch.sources.base import CredentialError, SourceError
from flarewatch.sources.http import (
    PoliteClient,
    parse_reset,
    parse_retry_after,
    quota_from_headers,
)
from tests.sources.platform_server import PlatformServer, Reply

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def test_a_trickling_server_is_cut_off_at_the_poll_deadline(platform: PlatformServer) -> None:
    platform.route("GET", "/slow", Reply(200, b"x" * 200, trickle_seconds=0.05))
    started = time.monotonic()
    with (
        PoliteClient("feed", deadline=time.monotonic() + 1.0) as client,
        pytest.raises(SourceError, match="too slowly") as info,
    ):
        client.get(platform.url("/slow"))
    assert time.monotonic() - started < 3.0
    assert "source 'feed'" in str(info.value)


def test_retry_after_is_obeyed_then_the_answer_comes(platform: PlatformServer) -> None:
    calls = iter([Reply.json({"error": "slow down"}, 429, **{"Retry-After": "2"})])

    def answer(_request: object) -> Reply:
        return next(calls, Reply.json({"ok": True}))

    platform.route("GET", "/api", answer)
    waits: list[float] = []
    with PoliteClient("m", sleep=waits.append, clock=lambda: NOW) as client:
        assert client.get_json(platform.url("/api")) == {"ok": True}
    assert waits == [2.0]
    assert len(platform.requests) == 2


def test_a_long_retry_after_ends_the_poll_with_when_to_come_back(
    platform: PlatformServer,
) -> None:
    platform.route("GET", "/api", Reply.json({"error": "Too many"}, 429, **{"Retry-After": "900"}))
    with (
        PoliteClient("m", sleep=lambda _s: None, clock=lambda: NOW) as client,
        pytest.raises(SourceError) as info,
    ):
        client.get(platform.url("/api"))
    assert info.value.retry_at == NOW + timedelta(seconds=900)
    assert "rate limited" in str(info.value) and "Too many" in str(info.value)


def test_server_errors_are_retried_with_backoff(platform: PlatformServer) -> None:
    calls = iter([Reply.raw("down", 503), Reply.raw("down", 502)])
    platform.route("GET", "/api", lambda _r: next(calls, Reply.json([1, 2])))
    waits: list[float] = []
    with PoliteClient("m", sleep=waits.append) as client:
        assert client.get_json(platform.url("/api")) == [1, 2]
    assert len(waits) == 2 and 0 < waits[0] < waits[1] * 2  # grows, with jitter


def test_a_rejected_credential_says_which_variable_and_what_the_platform_said(
    platform: PlatformServer,
) -> None:
    platform.route("GET", "/api", Reply.json({"error": "The access token is invalid"}, 401))
    hint = "renew the token in MASTODON_TOKEN (token_env)"
    with PoliteClient("brand", auth_hint=hint) as client, pytest.raises(CredentialError) as info:
        client.get(platform.url("/api"))
    message = str(info.value)
    assert "source 'brand'" in message and "The access token is invalid" in message
    assert "MASTODON_TOKEN" in message and "\n" not in message


def test_malformed_and_truncated_answers_are_errors_not_partial_success(
    platform: PlatformServer,
) -> None:
    platform.route("GET", "/bad", Reply.raw('{"statuses": [1, 2', content_type="application/json"))
    platform.route("GET", "/cut", Reply(200, b'{"data": [' + b"1," * 500 + b"1]}", cut_after=100))
    with PoliteClient("m", sleep=lambda _s: None) as client:
        with pytest.raises(SourceError, match="not well-formed JSON"):
            client.get_json(platform.url("/bad"))
        with pytest.raises(SourceError, match="truncated|cut off"):
            client.get_json(platform.url("/cut"))


def test_quota_is_read_from_each_platform_family_and_a_spent_quota_waits(
    platform: PlatformServer,
) -> None:
    reset = int((NOW + timedelta(minutes=15)).timestamp())
    headers = {"x-rate-limit-ignored": "1", "x-ratelimit-remaining": "0"}
    headers |= {"x-ratelimit-limit": "450", "x-ratelimit-reset": str(reset)}
    platform.route("GET", "/api", Reply.json([], **headers))
    with PoliteClient("x", clock=lambda: NOW) as client:
        client.get(platform.url("/api"))
        assert client.quota == {
            "remaining": 0,
            "limit": 450,
            "unit": "requests",
            "reset_at": (NOW + timedelta(minutes=15)).isoformat(),
        }
        with pytest.raises(SourceError, match="used up") as info:
            client.get(platform.url("/api"))
    assert info.value.retry_at == NOW + timedelta(minutes=15)
    assert len(platform.requests) == 1  # the spent quota was not asked again


def test_reset_and_retry_after_formats() -> None:
    assert parse_reset("2026-12-04T12:05:00.000Z", NOW) == NOW + timedelta(minutes=5)
    assert parse_reset("60", NOW) == NOW + timedelta(seconds=60)  # Reddit: seconds from now
    assert parse_reset(str(int(NOW.timestamp()) + 30), NOW) == NOW + timedelta(seconds=30)
    assert parse_retry_after("120", NOW) == NOW + timedelta(seconds=120)
    assert parse_retry_after("Fri, 04 Dec 2026 12:01:00 GMT", NOW) == NOW + timedelta(minutes=1)
    assert parse_retry_after("soon", NOW) is None
    bluesky = {"ratelimit-remaining": "2999", "ratelimit-limit": "3000"}
    assert quota_from_headers(bluesky, NOW) == {
        "remaining": 2999,
        "limit": 3000,
        "unit": "requests",
    }
    assert quota_from_headers({"content-type": "json"}, NOW) is None


def test_xs_hyphenated_rate_limit_headers_give_the_quota_and_the_429_retry_time(
    platform: PlatformServer,
) -> None:
    reset = int((NOW + timedelta(minutes=9)).timestamp())
    headers = {"x-rate-limit-limit": "450", "x-rate-limit-remaining": "448"}
    headers["x-rate-limit-reset"] = str(reset)
    assert quota_from_headers(headers, NOW) == {
        "remaining": 448,
        "limit": 450,
        "unit": "requests",
        "reset_at": (NOW + timedelta(minutes=9)).isoformat(),
    }
    spent = {**headers, "x-rate-limit-remaining": "0"}
    body = {"title": "Too Many Requests", "detail": "Too Many Requests", "status": 429}
    platform.route("GET", "/2/tweets/search/recent", Reply.json(body, 429, **spent))
    with (
        PoliteClient("x", sleep=lambda _s: None, clock=lambda: NOW) as client,
        pytest.raises(SourceError, match="rate limited") as info,
    ):
        client.get(platform.url("/2/tweets/search/recent"))
    assert info.value.retry_at == NOW + timedelta(minutes=9)
    assert client.quota is not None and client.quota["remaining"] == 0
