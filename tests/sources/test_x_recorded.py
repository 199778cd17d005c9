"""Real recorded X recent-search answers (Tweepy's cassettes, see recorded/x/SOURCES.md)
replayed from the local server against the `x` connector."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from flarewatch.sources.x import XSource
from tests.sources.platform_server import PlatformServer, Reply, Request
from tests.sources.x_server import SEARCH

RECORDED = Path(__file__).parent / "recorded" / "x"
RECORDED_AT = {
    "search_recent_2022-10-07.json": datetime(2022, 10, 7, 22, 43, 19, tzinfo=UTC),
    "search_recent_retweets_2022-05-07.json": datetime(2022, 5, 7, 12, 56, 32, tzinfo=UTC),
}


@pytest.mark.parametrize("name", sorted(RECORDED_AT))
def test_a_recorded_answer_maps_every_post(platform: PlatformServer, name: str) -> None:
    body = (RECORDED / name).read_bytes()
    recorded = json.loads(body)

    def answer(request: Request) -> Reply:
        if request.arg("next_token"):  # the recorded page said more follow: the end, empty
            return Reply.json({"meta": {"result_count": 0}})
        return Reply(200, body, {"Content-Type": "application/json; charset=utf-8"})

    platform.route("GET", SEARCH, answer)
    now = RECORDED_AT[name]
    source = XSource("tweepy", "Tweepy", "token", endpoint=platform.url())
    result = source.fetch(None, now=now)
    assert not result.problems and result.exhausted
    wanted = sorted(recorded["data"], key=lambda t: int(t["id"]))  # handed over oldest first
    assert [p.external_id for p in result.posts] == [t["id"] for t in wanted]
    assert [p.text for p in result.posts] == [t["text"].strip() for t in wanted]
    for post in result.posts:
        assert post.url == f"https://x.com/i/web/status/{post.external_id}"
        assert post.platform == "x"
        # No created_at was asked for: the snowflake id dates it, within the recording.
        assert now - timedelta(days=1) < post.created_at <= now
        if post.text.endswith(" tweepy"):  # Tweepy's test posts carry their own send time
            sent = datetime.fromisoformat(post.text.removesuffix(" tweepy")).replace(tzinfo=UTC)
            assert abs(post.created_at - sent) < timedelta(seconds=1)
    assert result.checkpoint["since_id"] == recorded["meta"]["newest_id"]
    assert platform.requests[1].arg("next_token") == recorded["meta"]["next_token"]
