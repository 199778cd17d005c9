"""Kind "reddit" against a local server answering like Reddit's OAuth API and token endpoint."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from flarewatch.cli.main import app
from flarewatch.config.workspace import SourceConfig
from flarewatch.sources.base import CredentialError, SourceError
from flarewatch.sources.reddit import MAX_SEEN, RedditOptions, RedditSource
from flarewatch.sources.registry import build_source
from flarewatch.sources.secrets import EnvironmentSecrets
from tests.sources.platform_server import PlatformServer, Reply
from tests.sources.reddit_payloads import (
    BASE_TIME,
    CLIENT_ID,
    CLIENT_SECRET,
    TOKEN,
    comment,
    link,
    listing,
    rate_headers,
    serve_listing,
    serve_token,
)

NOW = datetime.fromtimestamp(BASE_TIME + 3600, UTC)
ENV = {"REDDIT_CLIENT_ID": CLIENT_ID, "REDDIT_CLIENT_SECRET": CLIENT_SECRET}


def source(platform: PlatformServer, **options: Any) -> RedditSource:
    config = SourceConfig(
        key="acme-reddit",
        kind="reddit",
        endpoint=platform.url(),
        auth_endpoint=platform.url(),
        client_id_env="REDDIT_CLIENT_ID",
        client_secret_env="REDDIT_CLIENT_SECRET",
        **options,
    )
    built = build_source(config, Path("."), EnvironmentSecrets(ENV))
    assert isinstance(built, RedditSource)
    return built


def ids(posts: list[Any]) -> list[str]:
    return [p.external_id for p in posts]


def roundtrip(checkpoint: dict[str, Any]) -> dict[str, Any]:
    """The checkpoint as the runner stores it (JSON)."""
    loaded: dict[str, Any] = json.loads(json.dumps(checkpoint))
    return loaded


def test_posts_and_comments_are_mapped(platform: PlatformServer) -> None:
    token_calls = serve_token(platform)
    crosspost = link(
        2,
        BASE_TIME + 20,
        selftext="",
        is_self=False,
        url="/r/grills/comments/1p9999/original/",
        crosspost_parent="t3_1p9999",
        num_crossposts=3,
        over_18=True,
        score=-4,
    )
    serve_listing(
        platform,
        "/r/burgers/new",
        {None: listing([crosspost, link(1, BASE_TIME + 10, selftext="Raw inside\x00!")])},
    )
    serve_listing(
        platform,
        "/r/burgers/comments",
        {
            None: listing(
                [
                    comment(2, BASE_TIME + 40, parent="t1_c00001"),
                    comment(1, BASE_TIME + 30, parent="t3_1p0001"),
                ]
            )
        },
    )
    result = source(platform, subreddits=["r/burgers"]).fetch(None, now=NOW)
    assert not result.problems
    assert ids(result.posts) == ["t3_1p0001", "t3_1p0002", "t1_c00001", "t1_c00002"]
    post, shared, first, reply = result.posts
    assert post.title == "Acme burger number 1"
    assert post.text == "Acme burger number 1\n\nRaw inside!"
    assert (post.author, post.platform, post.likes, post.replies) == ("user1", "reddit", 11, 1)
    assert post.url == "https://www.reddit.com/r/burgers/comments/1p0001/acme_burger_number_1/"
    assert post.created_at == datetime.fromtimestamp(BASE_TIME + 10, UTC)
    assert post.links == [] and post.reply_to is None
    assert post.raw["subreddit"] == "burgers" and post.raw["reddit_type"] == "post"
    assert post.raw["author_fullname"] == "t2_user1" and post.raw["listing"] == "r/burgers/new"
    assert shared.text == "Acme burger number 2" and shared.repost_of == "t3_1p9999"
    assert shared.links == ["https://www.reddit.com/r/grills/comments/1p9999/original/"]
    assert shared.likes == 0 and shared.raw["score"] == -4  # a negative score is kept in raw
    assert shared.shares == 3 and shared.raw["over_18"] is True
    assert first.text == "Comment 1 about acme" and first.reply_to == "t3_1p0001"
    assert first.replies == 0  # a comment's num_comments is its post's, not its own
    assert first.raw["link_id"] == "t3_1p0001" and first.raw["reddit_type"] == "comment"
    assert reply.reply_to == "t1_c00001" and reply.likes == 2 and reply.title is None
    assert reply.url == "https://www.reddit.com/r/burgers/comments/1p0001/acme/c00002/"
    # The token: HTTP basic with the app's id and secret, the client credentials grant.
    [token] = token_calls
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    assert token.headers["authorization"] == f"Basic {basic}"
    assert token.body == b"grant_type=client_credentials"
    assert token.headers["user-agent"].startswith("python:flarewatch:")
    new = next(r for r in platform.requests if r.path == "/r/burgers/new")
    assert (new.arg("limit"), new.arg("raw_json")) == ("100", "1")
    assert new.headers["authorization"] == "bearer token-1"
    assert result.quota == {
        "remaining": 598,
        "limit": 600,
        "unit": "requests",
        "reset_at": (NOW + timedelta(seconds=540)).isoformat(),
    }


def test_removed_and_deleted_items_are_kept_and_marked(platform: PlatformServer) -> None:
    serve_token(platform)
    serve_listing(
        platform,
        "/r/burgers/new",
        {
            None: listing(
                [
                    link(2, BASE_TIME + 20, selftext="[removed]", removed_by_category="moderator"),
                    link(1, BASE_TIME + 10, selftext="[deleted]", author="[deleted]"),
                ]
            )
        },
    )
    serve_listing(
        platform,
        "/r/burgers/comments",
        {None: listing([comment(1, BASE_TIME + 5, parent="t3_1p0001", body="[removed]")])},
    )
    posts = source(platform, subreddits=["burgers"]).fetch(None, now=NOW).posts
    by_id = {p.external_id: p for p in posts}
    removed, deleted = by_id["t3_1p0002"], by_id["t3_1p0001"]
    assert removed.raw["removed"] is True and removed.raw["removed_by_category"] == "moderator"
    assert removed.text == "Acme burger number 2\n\n[removed]"
    assert deleted.raw["deleted"] is True and deleted.author is None
    gone = by_id["t1_c00001"]
    assert gone.text == "[removed]" and gone.raw["removed"] is True


def test_search_site_wide_and_only_in_the_subreddits(platform: PlatformServer) -> None:
    serve_token(platform)
    serve_listing(platform, "/search", {None: listing([link(1, BASE_TIME + 10)])})
    posts = source(platform, query='acme OR "אקמה"').fetch(None, now=NOW).posts
    assert ids(posts) == ["t3_1p0001"]
    search = next(r for r in platform.requests if r.path == "/search")
    assert search.arg("q") == 'acme OR "אקמה"'
    assert (search.arg("sort"), search.arg("type"), search.arg("restrict_sr")) == (
        "new",
        "link",
        None,
    )
    serve_listing(platform, "/r/burgers+grills/search", {None: listing([])})
    only = source(
        platform,
        query="acme",
        subreddits=["burgers", "grills"],
        posts=False,
        comments=False,
        search_only_in_subreddits=True,
    )
    result = only.fetch(None, now=NOW)
    assert result.posts == [] and result.exhausted
    assert platform.requests[-1].path == "/r/burgers+grills/search"
    assert platform.requests[-1].arg("restrict_sr") == "on"


def test_pages_to_the_checkpoint_and_resumes(platform: PlatformServer) -> None:
    serve_token(platform)
    # Ten minutes apart: more than the overlap that is read again.
    pages: dict[str | None, dict[str, Any]] = {
        None: listing([link(4, BASE_TIME + 2400), link(3, BASE_TIME + 1800)], after="t3_1p0003"),
        "t3_1p0003": listing([link(2, BASE_TIME + 1200), link(1, BASE_TIME + 600)]),
    }
    serve_listing(platform, "/r/burgers/new", pages)
    reddit = source(platform, subreddits=["burgers"], comments=False)
    first = reddit.fetch(None, now=NOW)
    assert ids(first.posts) == [f"t3_1p000{n}" for n in (1, 2, 3, 4)] and first.exhausted
    mark = first.checkpoint["listings"]["r/burgers/new"]
    assert mark["newest"] == BASE_TIME + 2400
    again = reddit.fetch(roundtrip(first.checkpoint), now=NOW)
    assert again.posts == [] and not again.problems
    # A new post on top: only it comes; the walk stops at the checkpoint (no second page).
    pages[None] = listing([link(5, BASE_TIME + 3000), *pages[None]["data"]["children"]])
    pages[None]["data"]["after"] = "t3_1p0003"
    asked = len(platform.requests)
    late = reddit.fetch(roundtrip(again.checkpoint), now=NOW)
    assert ids(late.posts) == ["t3_1p0005"]
    assert [r.arg("after") for r in platform.requests[asked:]] == [None]


def test_a_fetch_cut_by_limit_loses_and_doubles_nothing(platform: PlatformServer) -> None:
    serve_token(platform)
    posts = [link(n, BASE_TIME + 10 * n) for n in range(6, 0, -1)]
    serve_listing(
        platform,
        "/r/burgers/new",
        {None: listing(posts[:3], after="t3_1p0004"), "t3_1p0004": listing(posts[3:])},
    )
    serve_listing(
        platform,
        "/r/burgers/comments",
        {None: listing([comment(1, BASE_TIME + 1, parent="t3_1p0001")])},
    )
    reddit = source(platform, subreddits=["burgers"])
    taken: list[str] = []
    checkpoint: dict[str, Any] | None = None
    rounds = 0
    while True:
        rounds += 1
        result = reddit.fetch(checkpoint, limit=2, now=NOW)
        assert len(result.posts) <= 2
        taken += ids(result.posts)
        checkpoint = roundtrip(result.checkpoint)
        if result.exhausted:
            break
    assert taken == [f"t3_1p000{n}" for n in range(1, 7)] + ["t1_c00001"]
    assert rounds == 4
    assert reddit.fetch(checkpoint, limit=2, now=NOW).posts == []


def test_seen_ids_are_bounded_and_pruned_to_the_overlap(platform: PlatformServer) -> None:
    serve_token(platform)
    newest = BASE_TIME + 600
    old = [[f"t3_old{n}", BASE_TIME] for n in range(10)]  # long before the overlap
    full = [[f"t3_same{n}", newest] for n in range(MAX_SEEN)]
    checkpoint = {
        "query": None,
        "listings": {"r/burgers/new": {"newest": newest, "seen": old + full}},
    }
    serve_listing(
        platform,
        "/r/burgers/new",
        {None: listing([link(1, newest + 1), link(2, BASE_TIME - 7200)])},
    )
    result = source(platform, subreddits=["burgers"], comments=False).fetch(checkpoint, now=NOW)
    assert ids(result.posts) == ["t3_1p0001"]
    mark = result.checkpoint["listings"]["r/burgers/new"]
    assert mark["newest"] == newest + 1 and len(mark["seen"]) == MAX_SEEN
    names = {name for name, _ in mark["seen"]}
    assert "t3_1p0001" in names and not any(name.startswith("t3_old") for name in names)


def test_more_new_items_than_reddit_lists_is_a_problem(
    platform: PlatformServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import flarewatch.sources.reddit as reddit_module

    monkeypatch.setattr(reddit_module, "MAX_PAGES", 1)
    serve_token(platform)
    pages: dict[str | None, dict[str, Any]] = {None: listing([link(1, BASE_TIME)])}
    serve_listing(platform, "/r/burgers/new", pages)
    reddit = source(platform, subreddits=["burgers"], comments=False)
    first = reddit.fetch(None, now=NOW)
    assert not first.problems  # the first poll reads what Reddit lists
    pages[None] = listing([link(3, BASE_TIME + 900), link(2, BASE_TIME + 600)], after="t3_1p0002")
    late = reddit.fetch(first.checkpoint, now=NOW)
    assert ids(late.posts) == ["t3_1p0002", "t3_1p0003"]
    [gap] = late.problems
    assert "may be missed" in gap.message and "every" in gap.message


def test_rate_limit_answers(platform: PlatformServer) -> None:
    serve_token(platform)
    answers = [
        Reply.raw(
            "<html>Too Many Requests</html>",
            429,
            content_type="text/html; charset=UTF-8",
            **{"retry-after": "0"},
        ),
        Reply.json(listing([link(1, BASE_TIME)]), **rate_headers("590.0", "10", "246")),
    ]
    platform.route("GET", "/search", lambda _request: answers.pop(0))
    result = source(platform, query="acme").fetch(None, now=NOW)
    assert ids(result.posts) == ["t3_1p0001"]
    assert result.quota is not None
    assert (result.quota["remaining"], result.quota["limit"]) == (590, 600)
    # Spent: Reddit's reset (seconds from now) is when to come back.
    platform.route(
        "GET",
        "/search",
        Reply.json(
            {"message": "Too Many Requests", "error": 429}, 429, **rate_headers("0", "600", "300")
        ),
    )
    with pytest.raises(SourceError) as caught:
        source(platform, query="acme").fetch(None, now=NOW)
    assert caught.value.retry_at == NOW + timedelta(seconds=300)
    assert "rate limited" in str(caught.value)


def test_an_expired_token_is_renewed_once_and_kept(platform: PlatformServer) -> None:
    token_calls = serve_token(platform, ["token-old", "token-new"])
    serve_listing(platform, "/search", {None: listing([link(1, BASE_TIME)])}, token="token-new")
    reddit = source(platform, query="acme")
    assert ids(reddit.fetch(None, now=NOW).posts) == ["t3_1p0001"]
    assert len(token_calls) == 2
    refused = [r for r in platform.requests if r.path == "/search"][0]
    assert refused.headers["authorization"] == "bearer token-old"
    reddit.fetch(None, now=NOW)
    assert len(token_calls) == 2  # the token is kept between polls


def test_a_token_refused_twice_is_one_credential_line(platform: PlatformServer) -> None:
    serve_token(platform, ["token-1"])
    serve_listing(platform, "/search", {None: listing([])}, token="never-valid")
    with pytest.raises(CredentialError) as caught:
        source(platform, query="acme").fetch(None, now=NOW)
    message = str(caught.value)
    assert "REDDIT_CLIENT_ID" in message and "REDDIT_CLIENT_SECRET" in message
    assert "acme-reddit" in message and "\n" not in message


@pytest.mark.parametrize(
    ("status", "body", "said"),
    [
        (401, {"message": "Unauthorized", "error": 401}, "Unauthorized"),
        (200, {"error": "invalid_grant"}, "invalid_grant"),
    ],
)
def test_a_wrong_app_secret_is_one_clear_line(
    platform: PlatformServer, status: int, body: dict[str, Any], said: str
) -> None:
    platform.route("POST", TOKEN, Reply.json(body, status))
    with pytest.raises(CredentialError) as caught:
        source(platform, query="acme").fetch(None, now=NOW)
    message = str(caught.value)
    assert said in message and "refused the app's credentials" in message
    assert "REDDIT_CLIENT_ID (client_id_env)" in message
    assert "REDDIT_CLIENT_SECRET (client_secret_env)" in message
    assert "reddit.com/prefs/apps" in message and "\n" not in message
    assert not any(r.path == "/search" for r in platform.requests)


def test_a_missing_secret_variable_names_it(tmp_path: Path) -> None:
    config = SourceConfig(
        key="acme-reddit",
        kind="reddit",
        query="acme",
        client_id_env="REDDIT_CLIENT_ID",
        client_secret_env="REDDIT_CLIENT_SECRET",
    )
    with pytest.raises(CredentialError, match="REDDIT_CLIENT_SECRET") as caught:
        build_source(config, tmp_path, EnvironmentSecrets({"REDDIT_CLIENT_ID": CLIENT_ID}))
    assert "client_secret_env" in str(caught.value)


def test_bad_items_are_problems_and_the_rest_are_kept(platform: PlatformServer) -> None:
    serve_token(platform)
    broken = link(3, BASE_TIME + 30)
    del broken["data"]["created_utc"]
    nameless = link(4, BASE_TIME + 40)
    nameless["data"]["name"] = None
    empty = comment(5, BASE_TIME + 50, parent="t3_1p0001", body="")
    children = [
        empty,
        nameless,
        {"kind": "t5", "data": {"display_name": "burgers", "name": "t5_2qh1i"}},
        "junk",
        broken,
        link(2, BASE_TIME + 20),
        link(1, BASE_TIME + 10),
    ]
    serve_listing(platform, "/r/burgers/new", {None: listing(children)})
    result = source(platform, subreddits=["burgers"], comments=False).fetch(None, now=NOW)
    assert ids(result.posts) == ["t3_1p0001", "t3_1p0002"]
    messages = [p.message for p in result.problems]
    assert len(messages) == 5 and all("skipped" in m for m in messages)
    assert any("'t5'" in m for m in messages) and any("text" in m for m in messages)
    # An item with a fullname is not read again; the ones without cannot be told apart.
    again = source(platform, subreddits=["burgers"], comments=False).fetch(
        roundtrip(result.checkpoint), now=NOW
    )
    assert again.posts == [] and len(again.problems) == 4
    assert not any("text" in p.message for p in again.problems)


def test_truncated_and_malformed_answers_store_nothing(platform: PlatformServer) -> None:
    serve_token(platform)
    body = json.dumps(listing([link(1, BASE_TIME)])).encode()
    platform.route(
        "GET",
        "/search",
        Reply(200, body, {"Content-Type": "application/json"}, cut_after=len(body) // 2),
    )
    with pytest.raises(SourceError, match="truncated"):
        source(platform, query="acme").fetch(None, now=NOW)
    platform.route(
        "GET",
        "/search",
        Reply.raw('{"kind": "Listing", "data": {"chil', content_type="application/json"),
    )
    with pytest.raises(SourceError, match="not well-formed JSON"):
        source(platform, query="acme").fetch(None, now=NOW)
    platform.route("GET", "/search", Reply.json({"kind": "t3", "data": {}}))
    with pytest.raises(SourceError, match="not a Reddit Listing"):
        source(platform, query="acme").fetch(None, now=NOW)


def test_a_private_or_missing_subreddit_is_a_problem_not_a_failure(
    platform: PlatformServer,
) -> None:
    serve_token(platform)
    platform.route(
        "GET",
        "/r/secretburgers/new",
        Reply.json({"reason": "private", "message": "Forbidden", "error": 403}, 403),
    )
    platform.route(
        "GET",
        "/r/nosuchburgers/new",
        Reply(302, b"", {"Location": "/subreddits/search.json?q=nosuchburgers"}),
    )
    platform.route("GET", "/subreddits/search.json", Reply.json(listing([])))
    serve_listing(platform, "/r/burgers/new", {None: listing([link(1, BASE_TIME)])})
    result = source(
        platform, subreddits=["secretburgers", "nosuchburgers", "burgers"], comments=False
    ).fetch(None, now=NOW)
    assert ids(result.posts) == ["t3_1p0001"]
    assert len(result.problems) == 2
    assert "Forbidden" in result.problems[0].message
    assert "no such subreddit" in result.problems[1].message
    assert all("'subreddits'" in p.message for p in result.problems)
    # Refused listings keep no mark: once Reddit lists them they are read from the start.
    assert set(result.checkpoint["listings"]) == {"r/burgers/new"}


def test_a_new_query_starts_its_own_history(platform: PlatformServer) -> None:
    serve_token(platform)
    serve_listing(platform, "/search", {None: listing([link(1, BASE_TIME)])})
    first = source(platform, query="acme").fetch(None, now=NOW)
    assert source(platform, query="acme").fetch(first.checkpoint, now=NOW).posts == []
    changed = source(platform, query="acme burgers").fetch(first.checkpoint, now=NOW)
    assert ids(changed.posts) == ["t3_1p0001"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"query": "acme", "colour": "red"}, "colour"),
        ({"subreddits": ["no spaces"]}, "not a subreddit name"),
        ({}, "query"),
        ({"query": "acme", "search_only_in_subreddits": True}, "needs both"),
        ({"subreddits": ["burgers"], "posts": False, "comments": False}, "nothing to read"),
        ({"query": "acme", "auth_endpoint": "www.reddit.com"}, "not a web address"),
        ({"query": "x" * 513}, "512"),
    ],
)
def test_options_are_checked(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        SourceConfig(
            key="r",
            kind="reddit",
            client_id_env="REDDIT_CLIENT_ID",
            client_secret_env="REDDIT_CLIENT_SECRET",
            **options,
        )


def test_subreddit_names_are_normalised() -> None:
    options = RedditOptions(
        subreddits=["r/burgers", "/r/Grills/", "BURGERS"],
        client_id_env="A",
        client_secret_env="B",
    )
    assert options.subreddits == ["burgers", "Grills"]
    with pytest.raises(ValidationError, match="client_id_env"):
        RedditOptions(subreddits=["burgers"], client_secret_env="B")  # type: ignore[call-arg]


WORKSPACE = """slug = "acme"
name = "Acme Burgers"

[[topics]]
key = "brand"
query = "acme"

[[sources]]
key = "acme-reddit"
kind = "reddit"
subreddits = ["burgers"]
comments = false
client_id_env = "REDDIT_CLIENT_ID"
client_secret_env = "REDDIT_CLIENT_SECRET"
endpoint = "{url}"
auth_endpoint = "{url}"
"""


def test_sources_test_prints_the_ingest_format(
    platform: PlatformServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve_token(platform)
    recent = datetime.now(UTC).timestamp() - 600  # the command reads with the real clock
    serve_listing(
        platform,
        "/r/burgers/new",
        {None: listing([link(2, recent + 20), link(1, recent + 10)])},
    )
    path = tmp_path / "acme.toml"
    path.write_text(WORKSPACE.format(url=platform.url()), encoding="utf-8")
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(app, ["sources", "test", "acme-reddit", "-w", str(path), "--jsonl"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == ["t3_1p0001", "t3_1p0002"]
    assert records[0]["platform"] == "reddit" and records[0]["subreddit"] == "burgers"
    assert records[0]["url"].startswith("https://www.reddit.com/r/burgers/comments/1p0001/")
    monkeypatch.delenv("REDDIT_CLIENT_SECRET")
    failed = CliRunner().invoke(app, ["sources", "test", "acme-reddit", "-w", str(path)])
    assert failed.exit_code == 1 and failed.stdout == ""
    assert "REDDIT_CLIENT_SECRET" in failed.stderr and failed.stderr.count("\n") == 1


def test_a_token_near_its_expiry_is_renewed_before_use(platform: PlatformServer) -> None:
    issued: list[str] = []

    def token(_request: Any) -> Reply:
        issued.append(f"short-{len(issued)}")
        # Shorter than the renewal margin: never reused.
        return Reply.json(
            {"access_token": issued[-1], "token_type": "bearer", "expires_in": 30, "scope": "*"}
        )

    platform.route("POST", TOKEN, token)
    platform.route("GET", "/search", Reply.json(listing([link(1, BASE_TIME)])))
    reddit = source(platform, query="acme")
    reddit.fetch(None, now=NOW)
    reddit.fetch(None, now=NOW)
    searches = [r.headers["authorization"] for r in platform.requests if r.path == "/search"]
    assert searches == ["bearer short-0", "bearer short-1"]


def test_a_trickling_server_is_cut_at_the_poll_deadline(platform: PlatformServer) -> None:
    import time

    serve_token(platform)
    body = json.dumps(listing([link(1, BASE_TIME)])).encode()
    platform.route(
        "GET",
        "/search",
        Reply(200, body, {"Content-Type": "application/json"}, trickle_seconds=0.2),
    )
    with pytest.raises(SourceError, match="deadline|out of time"):
        source(platform, query="acme").fetch(None, now=NOW, deadline=time.monotonic() + 1.0)
