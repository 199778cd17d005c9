"""Real recorded Mastodon responses (tests/sources/recorded/mastodon/SOURCES.md) replayed
through the local server against the connector."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flarewatch.config.workspace import SourceConfig
from flarewatch.sources.mastodon import MastodonSource
from flarewatch.sources.registry import build_source
from flarewatch.sources.secrets import EnvironmentSecrets
from tests.sources.platform_server import PlatformServer, Reply

RECORDED = Path(__file__).parent / "recorded" / "mastodon"
# Just after the recording: the statuses are inside the first poll's history.
NOW = datetime(2022, 12, 1, 20, 0, tzinfo=UTC)


def recorded(name: str, *, as_list: bool = False) -> Reply:
    data: dict[str, Any] = json.loads((RECORDED / name).read_text(encoding="utf-8"))
    body = [data["body"]] if as_list else data["body"]
    return Reply(
        data["status"], json.dumps(body, ensure_ascii=False).encode(), dict(data["headers"])
    )


def make(platform: PlatformServer, **keys: Any) -> MastodonSource:
    config = SourceConfig.model_validate(
        {"key": "masto", "kind": "mastodon", "endpoint": platform.url(), **keys}
    )
    source = build_source(config, Path("."), EnvironmentSecrets({}))
    assert isinstance(source, MastodonSource)
    return source


def test_a_recorded_hashtag_timeline(platform: PlatformServer) -> None:
    platform.route("GET", "/api/v1/timelines/tag/hoot", recorded("timeline_tag_hoot.json"))
    result = make(platform, hashtags=["hoot"]).fetch(None, now=NOW)
    assert result.problems == []
    [post] = result.posts
    assert post.external_id == "109440153064280358"
    assert post.text == "#hoot (hashtag toot)"
    assert post.author == "mastodonpy_test@127.0.0.1" and post.author_name == "John Lennon"
    assert post.author_followers == 0
    assert post.author_created_at == datetime(2022, 12, 1, tzinfo=UTC)
    assert post.created_at == datetime(2022, 12, 1, 19, 50, 10, 577000, tzinfo=UTC)
    assert post.language == "ja"
    assert post.url == "http://localhost:3000/@mastodonpy_test/109440153064280358"
    assert (post.likes, post.shares, post.replies) == (0, 0, 0)
    assert post.reply_to is None and post.repost_of is None
    assert post.raw["tags"] == ["hoot"] and post.raw["visibility"] == "public"
    assert result.exhausted
    assert result.checkpoint["newest"] == {"tag:hoot": "109440153064280358"}
    # The next poll asks for what is newer than that id, and finds nothing new.
    again = make(platform, hashtags=["hoot"]).fetch(result.checkpoint, now=NOW)
    assert again.posts == []
    assert platform.requests[-1].arg("min_id") == "109440153064280358"


def test_a_recorded_account_lookup_and_boost(platform: PlatformServer) -> None:
    platform.route("GET", "/api/v1/accounts/lookup", recorded("accounts_lookup.json"))
    platform.route(
        "GET",
        "/api/v1/accounts/109440137734600341/statuses",
        recorded("status_reblog.json", as_list=True),
    )
    result = make(platform, accounts=["mastodonpy_test"]).fetch(None, now=NOW)
    [boost] = result.posts
    assert boost.external_id == "109440142486581428"
    assert boost.repost_of == "109440142482846015"
    assert boost.text == "Toot!" and boost.language == "ja"  # the original's
    assert boost.shares == 1  # the original's reblogs_count: a boost counts none of its own
    assert boost.url == (
        "http://localhost:3000/users/mastodonpy_test/statuses/109440142486581428/activity"
    )
    assert boost.raw["reblog_of_author"] == "mastodonpy_test@127.0.0.1"
    assert result.checkpoint["account_ids"] == {"mastodonpy_test": "109440137734600341"}
    assert result.quota == {
        "remaining": 288,
        "limit": 300,
        "unit": "requests",
        "reset_at": "2022-12-01T21:00:00.209090+00:00",
    }


def test_a_recorded_unknown_account_is_a_problem(platform: PlatformServer) -> None:
    platform.route("GET", "/api/v1/accounts/lookup", recorded("accounts_lookup_not_found.json"))
    result = make(platform, accounts=["kljadklajsdkljlkjlkjlkjasdasd"]).fetch(None, now=NOW)
    assert result.posts == []
    [problem] = result.problems
    assert "kljadklajsdkljlkjlkjlkjasdasd" in problem.message
