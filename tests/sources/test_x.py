"""Kind "x" against a local server answering like X API v2 recent search."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from flarewatch.config.workspace import SourceConfig
from flarewatch.sources import x as x_module
from flarewatch.sources.base import CredentialError, FetchResult, SourceError
from flarewatch.sources.registry import build_source
from flarewatch.sources.secrets import EnvironmentSecrets
from flarewatch.sources.x import XSource
from tests.sources.platform_server import PlatformServer, Reply
from tests.sources.x_server import SEARCH, TOKEN, XSearch, tweet, tweet_id, user

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
SECRETS = EnvironmentSecrets({"X_BEARER_TOKEN": TOKEN})


def config(platform: PlatformServer, **keys: Any) -> SourceConfig:
    return SourceConfig.model_validate(
        {
            "key": "acme-x",
            "kind": "x",
            "query": "acme -is:retweet",
            "bearer_token_env": "X_BEARER_TOKEN",
            "endpoint": platform.url(),
            **keys,
        }
    )


def source(platform: PlatformServer, **keys: Any) -> XSource:
    built = build_source(config(platform, **keys), Path("."), SECRETS)
    assert isinstance(built, XSource)
    return built


def many(count: int, start: datetime = NOW - timedelta(hours=20)) -> list[dict[str, Any]]:
    return [
        tweet(start + timedelta(seconds=7 * i), f"acme post {i}", seq=i % 3) for i in range(count)
    ]


def ids(result: FetchResult) -> list[str]:
    return [p.external_id for p in result.posts]


def test_every_field_is_mapped_from_the_tweet_and_its_expansions(platform: PlatformServer) -> None:
    at = NOW - timedelta(hours=2)
    original = tweet(at - timedelta(days=1), "Acme fries: " + "very long review " * 30, "99")
    original["note_tweet"] = {"text": "Acme fries: the whole long review"}
    quoted = tweet(at - timedelta(hours=5), "Acme is hiring", "99")
    long_post = tweet(
        at,
        "Acme burger was cold and the …",
        public_metrics={
            "retweet_count": 4,
            "reply_count": 2,
            "like_count": 17,
            "quote_count": 1,
            "bookmark_count": 3,
            "impression_count": 1250,
        },
        note_tweet={"text": "Acme burger was cold and the fries\x00 were soggy, twice this week"},
        entities={
            "urls": [
                {
                    "start": 40,
                    "end": 63,
                    "url": "https://t.co/abc",
                    "expanded_url": "https://acme.example/menu",
                    "display_url": "acme.example/menu",
                },
                {
                    "start": 64,
                    "end": 87,
                    "url": "https://t.co/pic",
                    "expanded_url": "https://x.com/dana/status/1/photo/1",
                    "media_key": "3_1",
                },
            ]
        },
        lang="en",
    )
    reply = tweet(
        at + timedelta(minutes=1),
        "@acme שירות גרוע",
        "77",
        lang="he",
        in_reply_to_user_id="99",
        referenced_tweets=[{"type": "replied_to", "id": long_post["id"]}],
    )
    quote = tweet(
        at + timedelta(minutes=2),
        "lol acme",
        "77",
        lang="und",
        referenced_tweets=[{"type": "quoted", "id": quoted["id"]}],
    )
    retweet = tweet(
        at + timedelta(minutes=3),
        "RT @acme_fan: Acme fries: very long review very long…",
        "2244994945",
        referenced_tweets=[{"type": "retweeted", "id": original["id"]}],
    )
    users = [
        user("2244994945", "dana", name="Dana Levi", verified_type="blue"),
        user("77", "kasia", name="Kasia", public_metrics={"followers_count": 5120}),
        user("99", "acme_fan"),
    ]
    server = XSearch([long_post, reply, quote, retweet], users, [original, quoted])
    platform.route("GET", SEARCH, server)
    result = source(platform).fetch(None, now=NOW)
    assert not result.problems
    assert ids(result) == [long_post["id"], reply["id"], quote["id"], retweet["id"]]
    post, answer, quoting, reposted = result.posts
    assert post.text == "Acme burger was cold and the fries were soggy, twice this week"
    assert (post.author, post.author_name, post.author_verified) == ("dana", "Dana Levi", True)
    assert post.author_followers == 10
    assert post.author_created_at == datetime(2013, 12, 14, 4, 35, 55, tzinfo=UTC)
    assert post.url == f"https://x.com/dana/status/{long_post['id']}"
    assert post.created_at == at.replace(microsecond=0)
    assert (post.likes, post.shares, post.replies, post.views) == (17, 5, 2, 1250)
    assert post.links == ["https://acme.example/menu"] and post.language == "en"
    assert post.platform == "twitter" and post.raw["conversation_id"] == long_post["id"]
    assert answer.reply_to == long_post["id"] and answer.language == "he"
    assert answer.author_followers == 5120 and answer.raw["in_reply_to_user_id"] == "99"
    assert quoting.repost_of == quoted["id"] and quoting.raw["quoted_id"] == quoted["id"]
    assert quoting.language is None  # "und": X could not tell
    assert reposted.repost_of == original["id"]
    assert reposted.text == "RT @acme_fan: Acme fries: the whole long review"
    request = platform.requests[0]
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.arg("query") == "acme -is:retweet" and request.arg("max_results") == "100"
    assert "note_tweet" in (request.arg("tweet.fields") or "")
    assert request.arg("expansions") == x_module.EXPANSIONS
    assert "verified_type" in (request.arg("user.fields") or "")
    assert request.arg("start_time") == "2026-12-03T12:00:00Z"  # history_days = 1
    assert result.quota is not None and result.quota["limit"] == 450
    assert result.quota["remaining"] == 448 and result.exhausted


def test_pages_are_walked_down_to_since_id_and_handed_over_oldest_first(
    platform: PlatformServer,
) -> None:
    tweets = many(250)
    server = XSearch(list(tweets), [user("2244994945", "dana")])
    platform.route("GET", SEARCH, server)
    x = source(platform)
    first = x.fetch(None, now=NOW)
    assert ids(first) == sorted((t["id"] for t in tweets), key=int)
    assert len(platform.requests) == 3 and first.exhausted
    assert first.checkpoint["since_id"] == max((t["id"] for t in tweets), key=int)
    late = [tweet(NOW - timedelta(minutes=5), "acme again"), tweet(NOW, "acme once more")]
    server.add(*late)
    checkpoint = json.loads(json.dumps(first.checkpoint))
    again = x.fetch(checkpoint, now=NOW)
    assert ids(again) == [t["id"] for t in late]
    assert platform.requests[-1].arg("since_id") == first.checkpoint["since_id"]
    assert platform.requests[-1].arg("start_time") is None
    assert x.fetch(again.checkpoint, now=NOW).posts == []


def test_a_limit_keeps_the_oldest_and_the_next_fetches_go_on_without_loss_or_double(
    platform: PlatformServer,
) -> None:
    tweets = many(250)
    server = XSearch(list(tweets), [user("2244994945", "dana")])
    platform.route("GET", SEARCH, server)
    x = source(platform)
    taken: list[str] = []
    checkpoint: dict[str, Any] | None = None
    arrived: list[dict[str, Any]] = []
    for round_number in range(20):
        result = x.fetch(checkpoint, now=NOW, limit=40)
        taken += ids(result)
        assert len(result.posts) <= 40
        checkpoint = json.loads(json.dumps(result.checkpoint))
        if round_number == 2:  # new posts arrive while the backlog is being read
            arrived = [tweet(NOW - timedelta(seconds=30), "acme news"), tweet(NOW, "acme!")]
            server.add(*arrived)
        if result.exhausted:
            break
    expected = sorted((t["id"] for t in [*tweets, *arrived]), key=int)
    assert taken == expected  # every post once, oldest first
    # After the first walk, each fetch reads only its own window of ~40 posts (one page).
    windowed = [r for r in platform.requests[3:] if r.arg("until_id")]
    assert len(windowed) >= 5
    assert all(r.arg("since_id") for r in platform.requests[3:])


def test_a_backlog_deeper_than_one_fetch_is_read_over_several(platform: PlatformServer) -> None:
    tweets = many(2350, NOW - timedelta(hours=6))
    platform.route("GET", SEARCH, XSearch(list(tweets), [user("2244994945", "dana")]))
    x = source(platform)
    taken: list[str] = []
    checkpoint: dict[str, Any] | None = None
    for _ in range(12):
        result = x.fetch(checkpoint, now=NOW, limit=1000)
        taken += ids(result)
        checkpoint = json.loads(json.dumps(result.checkpoint))
        if result.exhausted:
            break
    assert result.exhausted
    assert taken == sorted((t["id"] for t in tweets), key=int)
    assert len(checkpoint["windows"]) == 0


def test_a_rate_limit_answer_ends_the_poll_until_xs_reset(platform: PlatformServer) -> None:
    reset = int((NOW + timedelta(minutes=12)).timestamp())
    headers = {
        "x-rate-limit-limit": "450",
        "x-rate-limit-remaining": "0",
        "x-rate-limit-reset": str(reset),
    }
    body = {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank"}
    platform.route("GET", SEARCH, Reply.json({**body, "status": 429}, 429, **headers))
    with pytest.raises(SourceError) as info:
        source(platform).fetch(None, now=NOW)
    assert info.value.retry_at == datetime.fromtimestamp(reset, UTC)
    assert "rate limited" in str(info.value) and "Too Many Requests" in str(info.value)
    assert len(platform.requests) == 1


def test_a_rejected_token_is_one_line_naming_the_variable(platform: PlatformServer) -> None:
    platform.route("GET", SEARCH, XSearch([], token="another-token"))
    with pytest.raises(CredentialError) as info:
        source(platform).fetch(None, now=NOW)
    message = str(info.value)
    assert "'acme-x'" in message and "X_BEARER_TOKEN" in message and "bearer_token_env" in message
    assert "Unauthorized" in message and "Keys and tokens" in message
    assert "\n" not in message and TOKEN not in message


def test_a_token_without_search_access_says_which_access_level(platform: PlatformServer) -> None:
    body = {
        "client_id": "28465135",
        "detail": "When authenticating requests to the Twitter API v2 endpoints, you must use "
        "keys and tokens from a Twitter developer App that is attached to a Project. You can "
        "create a project via the developer portal.",
        "registration_url": "https://developer.twitter.com/en/docs/projects/overview",
        "title": "Client Forbidden",
        "required_enrollment": "Appropriate Level of API Access",
        "reason": "client-not-enrolled",
        "type": "https://api.twitter.com/2/problems/client-forbidden",
    }
    platform.route("GET", SEARCH, Reply.json(body, 403))
    with pytest.raises(CredentialError) as info:
        source(platform).fetch(None, now=NOW)
    message = str(info.value)
    assert "client-not-enrolled" in message and "Basic access" in message
    assert "X_BEARER_TOKEN" in message and "\n" not in message


def test_a_missing_token_variable_is_one_clear_line(platform: PlatformServer) -> None:
    with pytest.raises(CredentialError) as info:
        build_source(config(platform), Path("."), EnvironmentSecrets({}))
    message = str(info.value)
    assert "'acme-x'" in message and "X_BEARER_TOKEN" in message and "bearer_token_env" in message
    assert "\n" not in message


def test_a_bad_query_says_what_x_said(platform: PlatformServer) -> None:
    body = {
        "errors": [
            {
                "parameters": {"query": ["acme ("]},
                "message": "There were errors processing your request: missing closing "
                "parenthesis (at position 6)",
            }
        ],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request",
    }
    platform.route("GET", SEARCH, Reply.json(body, 400))
    with pytest.raises(SourceError, match="missing closing parenthesis") as info:
        source(platform).fetch(None, now=NOW)
    assert "query" in str(info.value) and not isinstance(info.value, CredentialError)


def test_bad_items_are_a_problem_each_and_the_rest_are_kept(platform: PlatformServer) -> None:
    good = tweet(NOW - timedelta(hours=1), "acme is fine")
    empty = tweet(NOW - timedelta(minutes=50), "")
    bad_time = tweet(NOW - timedelta(minutes=40), "acme at no time", created_at="yesterday-ish")
    later = tweet(NOW - timedelta(minutes=30), "acme later")
    no_id = {"text": "acme without id", "author_id": "2244994945"}
    deleted = {
        "value": "1600000000000000000",
        "detail": "Could not find tweet with referenced_tweets.id: [1600000000000000000].",
        "title": "Not Found Error",
        "resource_type": "tweet",
        "parameter": "referenced_tweets.id",
        "resource_id": "1600000000000000000",
        "type": "https://api.twitter.com/2/problems/resource-not-found",
    }
    server = XSearch([good, empty, bad_time, later], [user("2244994945", "dana")], errors=[deleted])
    original = server.__call__

    def with_broken_item(request: Any) -> Reply:
        reply = original(request)
        data = json.loads(reply.body)
        data["data"].insert(1, no_id)
        return Reply.json(data)

    platform.route("GET", SEARCH, with_broken_item)
    result = source(platform).fetch(None, now=NOW)
    assert ids(result) == [good["id"], later["id"]]
    messages = [f"{p.where}: {p.message}" for p in result.problems]
    assert len(messages) == 4, messages
    assert any("numeric id" in m for m in messages)
    assert any("text" in m and empty["id"] in m for m in messages)
    assert any("created_at" in m and bad_time["id"] in m for m in messages)
    assert any("Could not find tweet" in m and "kept" in m for m in messages)
    assert result.checkpoint["since_id"] == later["id"]


def test_truncated_or_malformed_answers_fail_the_fetch_and_store_nothing(
    platform: PlatformServer,
) -> None:
    page = json.dumps({"data": [tweet(NOW, "acme")], "meta": {"result_count": 1}}).encode()
    platform.route("GET", SEARCH, Reply(200, page, cut_after=len(page) // 2))
    with pytest.raises(SourceError, match="truncated|cut off"):
        source(platform).fetch(None, now=NOW)
    platform.route("GET", SEARCH, Reply.raw(page[:-9], content_type="application/json"))
    with pytest.raises(SourceError, match="not well-formed JSON"):
        source(platform).fetch(None, now=NOW)
    platform.route("GET", SEARCH, Reply.json({"statuses": []}))
    with pytest.raises(SourceError, match="not a recent-search page"):
        source(platform).fetch(None, now=NOW)


def test_a_failure_on_a_later_page_hands_over_nothing(platform: PlatformServer) -> None:
    server = XSearch(many(150), [user("2244994945", "dana")])

    def second_page_fails(request: Any) -> Reply:
        if request.arg("next_token"):
            return Reply.raw('{"data": [', content_type="application/json")
        return server(request)

    platform.route("GET", SEARCH, second_page_fails)
    with pytest.raises(SourceError, match="not well-formed"):
        source(platform).fetch(None, now=NOW)


def test_a_checkpoint_older_than_seven_days_says_what_could_not_be_read(
    platform: PlatformServer,
) -> None:
    fresh = tweet(NOW - timedelta(days=2), "acme recent")
    platform.route("GET", SEARCH, XSearch([fresh], [user("2244994945", "dana")]))
    old = {
        "query": "acme -is:retweet",
        "since_id": tweet_id(NOW - timedelta(days=9)),
        "windows": ["not-an-id", tweet_id(NOW - timedelta(days=8))],  # both dropped
    }
    result = source(platform).fetch(old, now=NOW)
    assert ids(result) == [fresh["id"]]
    assert len(result.problems) == 1 and "7 days" in result.problems[0].message
    request = platform.requests[0]
    assert request.arg("since_id") is None
    assert request.arg("start_time") == "2026-11-27T12:02:00Z"
    assert result.checkpoint["since_id"] == fresh["id"] and result.checkpoint["windows"] == []


def test_a_changed_query_starts_again(platform: PlatformServer) -> None:
    platform.route("GET", SEARCH, XSearch([tweet(NOW, "acme")], [user("2244994945", "dana")]))
    old = {"query": "globex", "since_id": tweet_id(NOW)}
    assert len(source(platform).fetch(old, now=NOW).posts) == 1


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ({"querry": "acme"}, "unknown field"),
        ({"history_days": 30}, "only the last 7 days"),
        ({"bearer_token_env": "AAAA%2Bsecret"}, "not an environment variable name"),
        ({"query": ""}, "query"),
        ({"endpoint": "api.x.com"}, "not a web address"),
    ],
)
def test_options_are_checked_with_a_clear_message(
    platform: PlatformServer, keys: dict[str, Any], expected: str
) -> None:
    with pytest.raises(ValidationError, match=expected):
        config(platform, **keys)
