"""Kind "mastodon" against a local server answering like a Mastodon instance's REST API."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from typer.testing import CliRunner

from flarewatch.cli.main import app
from flarewatch.config.workspace import SourceConfig
from flarewatch.sources.base import CredentialError, SourceError
from flarewatch.sources.mastodon import MastodonSource
from flarewatch.sources.registry import build_source
from flarewatch.sources.secrets import EnvironmentSecrets
from tests.sources.mastodon_payloads import Timeline, account, sid, status
from tests.sources.platform_server import PlatformServer, Reply

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
TAG = "/api/v1/timelines/tag/acme"
LOOKUP = "/api/v1/accounts/lookup"
SEARCH = "/api/v2/search"
ACCOUNT_ID = "109440137734600341"
STATUSES = f"/api/v1/accounts/{ACCOUNT_ID}/statuses"


def make(platform: PlatformServer, token: str | None = None, **keys: Any) -> MastodonSource:
    config = SourceConfig.model_validate(
        {"key": "masto", "kind": "mastodon", "endpoint": platform.url(), **keys}
    )
    env = {"MASTO_TOKEN": token} if token else {}
    source = build_source(config, Path("."), EnvironmentSecrets(env))
    assert isinstance(source, MastodonSource)
    return source


def serve_tag(platform: PlatformServer, statuses: list[dict], tag: str = "acme") -> Timeline:
    path = f"/api/v1/timelines/tag/{quote(tag)}"
    timeline = Timeline(statuses, path, platform.url())
    platform.route("GET", path, timeline)
    return timeline


def test_a_status_maps_every_field(platform: PlatformServer) -> None:
    reply = status(
        2,
        "<p>Found a <b>worm</b> in my burger &amp; fries\x00 <a href='https://x.example/'>"
        "#<span>acme</span></a></p><p>Not again</p>",
        spoiler_text="food, gross",
        in_reply_to_id=sid(1),
        language="pl",
        url="/@critic/2",
        favourites_count=7,
        reblogs_count=3,
        quotes_count=2,
        replies_count=4,
        card={"url": "https://news.example/acme-recall", "title": "Recall"},
        tags=[{"name": "acme", "url": "https://mastodon.example/tags/acme"}],
        account=account(
            "critic@food.example", display_name="Food Critic", followers_count=98, bot=True
        ),
    )
    local = status(1, "<p>Try our new burger</p>")
    serve_tag(platform, [reply, local])
    result = make(platform, hashtags=["#Acme"]).fetch(None, now=NOW)
    assert [p.external_id for p in result.posts] == [sid(1), sid(2)]  # oldest first
    first, post = result.posts
    assert post.text == "food, gross\nFound a worm in my burger & fries #acme Not again"
    assert (post.author, post.author_name, post.author_followers) == (
        "critic@food.example",
        "Food Critic",
        98,
    )
    assert post.author_created_at == datetime(2022, 12, 1, tzinfo=UTC)
    assert post.url == f"{platform.url()}/@critic/2"  # a relative link resolved
    assert post.created_at == datetime.fromtimestamp(((int(sid(2)) >> 16) / 1000), UTC)
    assert post.language == "pl" and post.platform == "mastodon"
    assert (post.likes, post.shares, post.replies, post.views) == (7, 5, 4, 0)
    assert post.reply_to == sid(1) and post.repost_of is None
    assert post.links == ["https://news.example/acme-recall"]
    assert post.raw["author_bot"] is True and post.raw["tags"] == ["acme"]
    assert post.raw["spoiler_text"] == "food, gross" and post.raw["found_in"] == "tag:acme"
    assert first.author == "brand@127.0.0.1"  # a local account gets its instance
    request = platform.requests[0]
    assert request.path == TAG and request.arg("limit") == "40"
    since = int((NOW - timedelta(hours=24)).timestamp() * 1000) << 16
    assert request.arg("min_id") == str(since)  # the first poll reads back history_hours
    assert "authorization" not in request.headers
    assert result.exhausted and result.checkpoint["newest"] == {"tag:acme": sid(2)}


def test_reblogs_quotes_and_image_only_statuses(platform: PlatformServer) -> None:
    original = status(
        1,
        "<p>acme made me sick</p>",
        account=account("angry@other.example", display_name="Angry"),
        favourites_count=40,
        reblogs_count=12,
        replies_count=9,
    )
    boost = status(3, "", reblog=original, favourites_count=0, reblogs_count=0)
    quoted = status(
        4,
        "<p>we are looking into it</p>",
        quote={"state": "accepted", "quoted_status": original},
    )
    shallow = status(5, "<p>update</p>", quote={"state": "accepted", "quoted_status_id": sid(1)})
    image = status(
        6,
        "<p></p>",
        media_attachments=[
            {
                "id": "1",
                "type": "image",
                "url": "https://files.example/1.png",
                "description": "A burger with a worm",
            },
        ],
    )
    platform.route("GET", LOOKUP, Reply.json(account("brand")))
    platform.route(
        "GET", STATUSES, Timeline([boost, quoted, shallow, image], STATUSES, platform.url())
    )
    source = make(platform, accounts=["@Brand"])
    result = source.fetch(None, now=NOW)
    boost_post, quote_post, shallow_post, image_post = result.posts
    assert boost_post.external_id == sid(3) and boost_post.repost_of == sid(1)
    assert boost_post.text == "acme made me sick" and boost_post.author == "brand@127.0.0.1"
    assert (boost_post.likes, boost_post.shares, boost_post.replies) == (40, 12, 9)
    assert boost_post.raw["reblog_of_author"] == "angry@other.example"
    assert quote_post.repost_of == sid(1) and shallow_post.repost_of == sid(1)
    assert image_post.text == "A burger with a worm"
    assert platform.requests[0].arg("acct") == "brand"
    assert result.checkpoint["account_ids"] == {"brand": ACCOUNT_ID}
    # The id is cached: the next poll asks no lookup.
    source.fetch(result.checkpoint, now=NOW)
    assert platform.paths().count(LOOKUP) == 1


def test_pages_forwards_and_resumes_without_loss_or_duplicates(platform: PlatformServer) -> None:
    statuses = [status(n) for n in range(1, 51)]
    timeline = serve_tag(platform, statuses)
    source = make(platform, hashtags=["acme"])
    first = source.fetch(None, now=NOW)
    assert [p.external_id for p in first.posts] == [sid(n) for n in range(1, 51)]
    assert platform.requests[1].arg("min_id") == sid(40)  # the second page from the first
    timeline.statuses += [status(n) for n in (51, 52, 53)]
    again = source.fetch(first.checkpoint, now=NOW)
    assert [p.external_id for p in again.posts] == [sid(51), sid(52), sid(53)]
    assert platform.requests[-1].arg("min_id") == sid(50)  # on from the checkpoint
    quiet = source.fetch(again.checkpoint, now=NOW)
    assert quiet.posts == [] and quiet.exhausted
    assert quiet.checkpoint["newest"] == {"tag:acme": sid(53)}


def test_a_fetch_cut_by_limit_loses_and_doubles_nothing(platform: PlatformServer) -> None:
    serve_tag(platform, [status(n) for n in range(1, 30)])
    platform.route("GET", LOOKUP, Reply.json(account("brand")))
    platform.route(
        "GET", STATUSES, Timeline([status(n) for n in range(100, 110)], STATUSES, platform.url())
    )
    source = make(platform, hashtags=["acme"], accounts=["brand"])
    checkpoint: dict | None = None
    taken: list[str] = []
    for _ in range(10):
        result = source.fetch(checkpoint, limit=7, now=NOW)
        assert len(result.posts) <= 7
        taken += [p.external_id for p in result.posts]
        checkpoint = result.checkpoint
        if result.exhausted:
            break
    assert result.exhausted
    expected = [sid(n) for n in range(1, 30)] + [sid(n) for n in range(100, 110)]
    assert sorted(taken, key=int) == expected and len(taken) == len(set(taken))


def test_a_status_in_two_timelines_comes_once(platform: PlatformServer) -> None:
    both = status(2, "<p>#acme #acmeburgers</p>")
    serve_tag(platform, [status(1), both])
    serve_tag(platform, [both, status(3)], tag="acmeburgers")
    result = make(platform, hashtags=["acme", "acmeburgers"]).fetch(None, now=NOW)
    assert sorted(p.external_id for p in result.posts) == [sid(1), sid(2), sid(3)]
    assert result.checkpoint["newest"] == {"tag:acme": sid(2), "tag:acmeburgers": sid(3)}


def test_removed_timelines_leave_the_checkpoint(platform: PlatformServer) -> None:
    serve_tag(platform, [status(1)])
    old = {
        "endpoint": platform.url(),
        "newest": {"tag:acme": sid(0), "tag:gone": sid(9)},
        "account_ids": {"gone": "1"},
    }
    result = make(platform, hashtags=["acme"]).fetch(old, now=NOW)
    assert result.checkpoint["newest"] == {"tag:acme": sid(1)}
    assert result.checkpoint["account_ids"] == {}


def search_pages(platform: PlatformServer, statuses: list[dict]) -> None:
    def answer(request: Any) -> Reply:
        assert request.headers.get("authorization") == "Bearer s3cret"
        assert (request.arg("type"), request.arg("q")) == ("statuses", "acme worm")
        # Newest first by id, paged by offset; min_id only narrows by date on a real instance.
        ordered = sorted(statuses, key=lambda s: -int(s["id"]))
        offset, limit = int(request.arg("offset") or 0), int(request.arg("limit") or 20)
        return Reply.json(
            {"accounts": [], "statuses": ordered[offset : offset + limit], "hashtags": []}
        )

    platform.route("GET", SEARCH, answer)


def test_search_pages_newest_first_and_hands_over_oldest_first(platform: PlatformServer) -> None:
    statuses = [status(n) for n in range(1, 46)]
    search_pages(platform, statuses)
    source = make(platform, "s3cret", query="acme worm", token_env="MASTO_TOKEN")
    first = source.fetch(None, limit=30, now=NOW)
    assert [p.external_id for p in first.posts] == [sid(n) for n in range(1, 31)]
    assert not first.exhausted
    assert [r.arg("offset") for r in platform.requests] == ["0", "40"]
    statuses.append(status(46))
    rest = source.fetch(first.checkpoint, now=NOW)
    assert [p.external_id for p in rest.posts] == [sid(n) for n in range(31, 47)]
    assert rest.exhausted and rest.checkpoint["newest"] == {"search:acme worm": sid(46)}
    assert platform.requests[-1].arg("min_id") == sid(30)


def test_search_needs_a_token_and_names_token_env(platform: PlatformServer) -> None:
    with pytest.raises(CredentialError, match="token_env"):
        make(platform, query="acme")
    with pytest.raises(CredentialError, match="MASTO_TOKEN"):
        make(platform, query="acme", token_env="MASTO_TOKEN")  # the variable is not set
    platform.route("GET", SEARCH, Reply.json({"error": "The access token is invalid"}, 401))
    source = make(platform, "expired", query="acme", token_env="MASTO_TOKEN")
    with pytest.raises(CredentialError) as caught:
        source.fetch(None, now=NOW)
    message = str(caught.value)
    assert "'masto'" in message and "MASTO_TOKEN" in message
    assert "The access token is invalid" in message and "\n" not in message


def test_a_rejected_token_on_a_timeline_is_one_line(platform: PlatformServer) -> None:
    platform.route("GET", TAG, Reply.json({"error": "The access token was revoked"}, 401))
    source = make(platform, "revoked", hashtags=["acme"], token_env="MASTO_TOKEN")
    with pytest.raises(CredentialError) as caught:
        source.fetch(None, now=NOW)
    message = str(caught.value)
    assert "'masto'" in message and "MASTO_TOKEN" in message and "revoked" in message
    assert "\n" not in message
    assert platform.requests[0].headers["authorization"] == "Bearer revoked"


def test_rate_limit_headers_give_retry_at_and_quota(platform: PlatformServer) -> None:
    reset = (NOW + timedelta(minutes=5)).isoformat().replace("+00:00", ".000Z")
    limited = Reply.json(
        {"error": "Too many requests"},
        429,
        **{"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset},
    )
    platform.route("GET", TAG, limited)
    source = make(platform, hashtags=["acme"])
    with pytest.raises(SourceError) as caught:
        source.fetch(None, now=NOW)
    assert caught.value.retry_at == NOW + timedelta(minutes=5)
    assert "rate limited" in str(caught.value)
    ok = Reply.json(
        [status(1)],
        **{"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "299", "X-RateLimit-Reset": reset},
    )
    platform.route("GET", TAG, ok)
    result = source.fetch(None, now=NOW)
    assert result.quota == {
        "remaining": 299,
        "limit": 300,
        "unit": "requests",
        "reset_at": (NOW + timedelta(minutes=5)).isoformat(),
    }


def test_bad_items_are_problems_and_the_rest_are_kept(platform: PlatformServer) -> None:
    page = [
        status(4),
        {"id": "not-a-number", "content": "<p>x</p>"},
        "junk",
        status(3, "<p></p>"),  # no text at all
        status(2, created_at="yesterday"),
        status(1),
    ]
    platform.route("GET", TAG, Reply.json(page))
    result = make(platform, hashtags=["acme"]).fetch(None, now=NOW)
    assert [p.external_id for p in result.posts] == [sid(1), sid(4)]
    assert len(result.problems) == 4
    assert all("skipped" in p.message for p in result.problems)
    assert any("created_at" in p.message for p in result.problems)
    # Bad statuses with an id are passed: the checkpoint moves beyond them.
    assert result.checkpoint["newest"] == {"tag:acme": sid(4)}


@pytest.mark.parametrize(
    "reply",
    [
        Reply.raw('[{"id": "1", "content": "<p>tru', content_type="application/json"),
        Reply(
            200, b'[{"id": "1"}, {"id": "2"}]', {"Content-Type": "application/json"}, cut_after=12
        ),
        Reply.json({"error": "not a list"}),
    ],
    ids=["malformed", "truncated", "not-a-list"],
)
def test_broken_answers_are_errors_and_nothing_is_taken(
    platform: PlatformServer, reply: Reply
) -> None:
    platform.route("GET", TAG, reply)
    with pytest.raises(SourceError):
        make(platform, hashtags=["acme"]).fetch(None, now=NOW)


def test_an_unknown_account_is_a_problem_and_the_rest_go_on(platform: PlatformServer) -> None:
    platform.route("GET", LOOKUP, Reply.json({"error": "Record not found"}, 404))
    serve_tag(platform, [status(1)])
    result = make(platform, hashtags=["acme"], accounts=["nobody@far.example"]).fetch(None, now=NOW)
    assert [p.external_id for p in result.posts] == [sid(1)]
    [problem] = result.problems
    assert "nobody@far.example" in problem.message and "does not know" in problem.message
    assert "account:nobody@far.example" not in result.checkpoint["newest"]


def test_a_hebrew_hashtag_is_url_encoded(platform: PlatformServer) -> None:
    serve_tag(platform, [status(1, "<p>#אקמה</p>")], tag="אקמה")
    result = make(platform, hashtags=["#אקמה"]).fetch(None, now=NOW)
    assert [p.text for p in result.posts] == ["#אקמה"]
    assert platform.paths() == ["/api/v1/timelines/tag/%D7%90%D7%A7%D7%9E%D7%94"]


@pytest.mark.parametrize(
    ("keys", "says"),
    [
        ({"hashtags": ["acme"], "hashtag": ["x"]}, "hashtag"),
        ({}, "at least one of"),
        ({"hashtags": ["two words"]}, "not a Mastodon hashtag"),
        ({"accounts": ["https://mastodon.social/@brand"]}, "not an account address"),
        ({"query": "  "}, "query is empty"),
        ({"hashtags": ["acme"], "endpoint": "mastodon.social"}, "not a web address"),
        ({"hashtags": ["acme"], "history_hours": -1}, "history_hours"),
        ({"hashtags": [f"t{n}" for n in range(101)]}, "at most 100"),
    ],
)
def test_options_are_checked_with_clear_messages(keys: dict, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        SourceConfig.model_validate({"key": "m", "kind": "mastodon", **keys})


def test_another_endpoint_starts_afresh(platform: PlatformServer) -> None:
    serve_tag(platform, [status(1)])
    elsewhere = {"endpoint": "https://other.example", "newest": {"tag:acme": sid(5)}}
    result = make(platform, hashtags=["acme"]).fetch(elsewhere, now=NOW)
    assert [p.external_id for p in result.posts] == [sid(1)]
    assert result.checkpoint["endpoint"] == platform.url()


WORKSPACE = """
slug = "acme"
name = "Acme Burgers"
languages = ["en", "he"]

[[topics]]
key = "brand"
query = "acme"

[[sources]]
key = "masto"
kind = "mastodon"
endpoint = "{endpoint}"
hashtags = ["acme"]
query = "acme worm"
token_env = "MASTO_TOKEN"
"""


def test_sources_test_through_the_cli_prints_the_ingest_format(
    platform: PlatformServer, tmp_path: Path
) -> None:
    # The CLI polls at the real time: ids of the last hour, inside the first poll's history.
    hour_ago_ms = int(datetime.now(UTC).timestamp() * 1000) - 3_600_000
    ids = {n: str((hour_ago_ms + n * 1000) << 16) for n in (1, 2, 3)}
    first = status(1, "<p>acme &lt;3</p>", id=ids[1])
    both = status(2, in_reply_to_id=ids[1], id=ids[2])
    serve_tag(platform, [first, both])
    search_pages(platform, [both, status(3, "<p>acme worm!</p>", id=ids[3])])
    path = tmp_path / "acme.toml"
    path.write_text(WORKSPACE.format(endpoint=platform.url()), encoding="utf-8")
    runner = CliRunner()
    args = ["sources", "test", "masto", "--workspace", str(path), "--jsonl"]
    result = runner.invoke(app, args, env={"MASTO_TOKEN": "s3cret"})
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == [ids[1], ids[2], ids[3]]  # the second once
    assert records[0]["text"] == "acme <3" and records[0]["platform"] == "mastodon"
    assert records[1]["reply_to"] == ids[1] and records[2]["found_in"] == "search:acme worm"
    assert "3 post(s) fetched" in result.stderr
    missing = runner.invoke(app, args, env={"MASTO_TOKEN": ""})
    assert missing.exit_code == 1
    assert "MASTO_TOKEN" in missing.stderr and missing.stderr.count("\n") == 1


def test_a_gone_account_id_is_looked_up_again(platform: PlatformServer) -> None:
    platform.route("GET", STATUSES, Reply.json({"error": "Record not found"}, 404))
    platform.route("GET", LOOKUP, Reply.json(account("brand", id="42")))
    platform.route("GET", "/api/v1/accounts/42/statuses", Reply.json([status(1)]))
    source = make(platform, accounts=["brand"])
    cached = {"endpoint": platform.url(), "account_ids": {"brand": ACCOUNT_ID}}
    gone = source.fetch(cached, now=NOW)
    assert gone.posts == [] and "no longer knows" in gone.problems[0].message
    assert gone.checkpoint["account_ids"] == {}
    again = source.fetch(gone.checkpoint, now=NOW)
    assert [p.external_id for p in again.posts] == [sid(1)]
    assert again.checkpoint["account_ids"] == {"brand": "42"}


def test_the_link_cursor_moves_past_statuses_the_instance_hides(platform: PlatformServer) -> None:
    link = f'<{platform.url(TAG)}?min_id={sid(9)}>; rel="prev"'
    platform.route("GET", TAG, Reply.json([status(2), status(1)], Link=link))
    result = make(platform, hashtags=["acme"]).fetch(None, now=NOW)
    assert [p.external_id for p in result.posts] == [sid(1), sid(2)]
    assert result.checkpoint["newest"] == {"tag:acme": sid(9)}


def test_too_many_new_search_results_is_said(platform: PlatformServer) -> None:
    search_pages(platform, [status(n) for n in range(1, 451)])
    source = make(platform, "s3cret", query="acme worm", token_env="MASTO_TOKEN")
    result = source.fetch(None, now=NOW)
    assert [p.external_id for p in result.posts] == [sid(n) for n in range(51, 451)]
    assert any("more than 400" in p.message for p in result.problems)
