"""Kind "discourse" against a local server answering like a Discourse forum's JSON API."""

from __future__ import annotations

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
from flarewatch.sources.registry import build_source
from flarewatch.sources.secrets import EnvironmentSecrets
from tests.sources.platform_server import PlatformServer, Reply, Request

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def at(minutes_ago: float) -> str:
    return (NOW - timedelta(minutes=minutes_ago)).isoformat().replace("+00:00", "Z")


def forum_post(
    post_id: int, topic_id: int, number: int, minutes_ago: float, **fields: Any
) -> dict[str, Any]:
    """A post as /posts.json and /t/{id}/posts.json give it (Discourse's serializer fields)."""
    return {
        "id": post_id,
        "name": "Dana Levi",
        "username": "dana",
        "avatar_template": "/user_avatar/forum.example/dana/{size}/7_2.png",
        "created_at": at(minutes_ago),
        "cooked": f"<p>post {post_id} about grillberry</p>",
        "post_number": number,
        "post_type": 1,
        "updated_at": at(minutes_ago),
        "reply_count": 0,
        "reply_to_post_number": None,
        "quote_count": 0,
        "incoming_link_count": 0,
        "reads": 3,
        "score": 0.6,
        "yours": False,
        "topic_id": topic_id,
        "topic_slug": f"topic-{topic_id}",
        "topic_title": f"Topic {topic_id}",
        "category_id": 5,
        "display_username": "Dana Levi",
        "version": 1,
        "actions_summary": [],
        "moderator": False,
        "admin": False,
        "staff": False,
        "user_id": 7,
        "hidden": False,
        "trust_level": 2,
        "deleted_at": None,
        "user_deleted": False,
        "wiki": False,
        **fields,
    }


class Forum:
    """The forum's posts, answered through the endpoints the connector reads."""

    def __init__(self, platform: PlatformServer) -> None:
        self.platform = platform
        self.posts: dict[int, dict[str, Any]] = {}
        platform.route("GET", "/posts.json", self.latest)
        platform.route("GET", "/search.json", self.search)

    def add(self, *posts: dict[str, Any]) -> None:
        for post in posts:
            self.posts[post["id"]] = post
            self.platform.route("GET", f"/t/{post['topic_id']}/posts.json", self.topic_posts)
            self.platform.route("GET", f"/t/{post['topic_id']}.json", self.topic)
            self.platform.route(
                "GET",
                f"/posts/by_number/{post['topic_id']}/{post['post_number']}.json",
                Reply.json(post),
            )

    def latest(self, request: Request) -> Reply:
        # PostsController#latest: ids in (before - 50, before], newest first.
        before = int(request.arg("before") or max(self.posts, default=0))
        window = [p for i, p in self.posts.items() if before - 50 < i <= before]
        window.sort(key=lambda p: p["created_at"], reverse=True)
        return Reply.json({"latest_posts": window})

    def search(self, request: Request) -> Reply:
        query = (request.arg("q") or "").replace(" order:latest", "")
        found = sorted(
            (p for p in self.posts.values() if query in p["cooked"]),
            key=lambda p: p["created_at"],
            reverse=True,
        )
        page = int(request.arg("page") or 1)
        shown = found[(page - 1) * 2 : page * 2]  # two a page, to page in the tests
        return Reply.json(
            {
                "posts": [
                    {
                        "id": p["id"],
                        "name": p["name"],
                        "username": p["username"],
                        "avatar_template": p["avatar_template"],
                        "created_at": p["created_at"],
                        "like_count": 0,
                        "blurb": "…" + p["cooked"][3:40] + "…",
                        "post_number": p["post_number"],
                        "topic_title_headline": p["topic_title"],
                        "topic_id": p["topic_id"],
                    }
                    for p in shown
                ],
                "topics": [
                    {"id": p["topic_id"], "title": p["topic_title"], "slug": p["topic_slug"]}
                    for p in shown
                ],
                "users": [],
                "categories": [],
                "tags": [],
                "groups": [],
                "grouped_search_result": {
                    "more_posts": None,
                    "term": request.arg("q"),
                    "more_full_page_results": len(found) > page * 2 or None,
                    "post_ids": [p["id"] for p in shown],
                },
            }
        )

    def topic_posts(self, request: Request) -> Reply:
        wanted = {int(i) for i in request.query.get("post_ids[]", [])}
        topic_id = int(request.path.split("/")[2])
        posts = [self.posts[i] for i in sorted(wanted) if i in self.posts]
        return Reply.json({"post_stream": {"posts": posts}, "id": topic_id})

    def topic(self, request: Request) -> Reply:
        topic_id = int(request.path.split("/")[2].removesuffix(".json"))
        posts = sorted(
            (p for p in self.posts.values() if p["topic_id"] == topic_id),
            key=lambda p: p["post_number"],
        )
        return Reply.json(
            {
                "id": topic_id,
                "title": f"Topic {topic_id}",
                "slug": f"topic-{topic_id}",
                "post_stream": {"posts": posts[:1], "stream": [p["id"] for p in posts]},
            }
        )


def source(platform: PlatformServer, secrets: dict[str, str] | None = None, **options: Any):  # noqa: ANN201
    config = SourceConfig.model_validate(
        {"key": "forum", "kind": "discourse", "endpoint": platform.url(), **options}
    )
    return build_source(config, Path("."), EnvironmentSecrets(secrets or {}))


def ids(result: Any) -> list[int]:
    return [int(p.external_id) for p in result.posts]


def test_latest_posts_map_every_field(platform: PlatformServer) -> None:
    forum = Forum(platform)
    first = forum_post(
        101,
        9,
        1,
        30,
        cooked='<p>Worms in my <a href="/t/recall/3">Grillberry</a>\x00 burger '
        '<img src="//cdn.forum.example/w.png"> <a href="https://news.example/x">news</a></p>',
        actions_summary=[{"id": 2, "count": 4, "can_act": True}],
        reply_count=2,
        reads=40,
        trust_level=1,
        moderator=True,
    )
    reply = forum_post(
        104, 9, 3, 20, reply_to_post_number=1, like_count=5, name=None, display_username="Dana"
    )
    gone = forum_post(90, 9, 2, 3000)  # older than the history: not read, looked up by number
    far = forum_post(105, 9, 4, 10, reply_to_post_number=2)
    closed = forum_post(106, 9, 5, 5, post_type=3, cooked="")  # "closed the topic"
    forum.add(first, reply, gone, far, closed)
    result = source(platform).fetch(None, now=NOW)
    assert ids(result) == [101, 104, 105]
    post, answer, later = result.posts
    assert post.text == "Worms in my Grillberry burger news"
    assert post.links == [f"{platform.url()}/t/recall/3", "https://news.example/x"]
    assert post.title == "Topic 9" and post.author == "dana" and post.author_name == "Dana Levi"
    assert post.url == f"{platform.url()}/t/topic-9/9/1"
    assert post.created_at == NOW - timedelta(minutes=30)
    assert (post.likes, post.replies, post.views) == (4, 2, 40)
    assert post.raw["trust_level"] == 1 and post.raw["moderator"] is True
    assert post.raw["topic_id"] == 9 and post.raw["post_number"] == 1
    assert post.platform == "forum" and post.source_key == "forum"
    assert answer.reply_to == "101" and answer.likes == 5 and answer.author_name == "Dana"
    assert later.reply_to == "90"  # post #2 of the topic, looked up by its number
    assert result.problems == [] and result.exhausted
    assert result.checkpoint == {"streams": {"latest": {"newest": 106}}}


def test_latest_reads_windows_forward_and_resumes(platform: PlatformServer) -> None:
    forum = Forum(platform)
    forum.add(*(forum_post(i, 1, i, 2000 - i) for i in range(1, 61)))  # all older than a day
    forum.add(*(forum_post(i, 2, i, 200 - i) for i in range(61, 140, 3)))  # gaps: PMs, deleted
    discourse = source(platform)
    first = discourse.fetch(None, now=NOW)
    assert ids(first) == list(range(61, 140, 3))
    assert first.checkpoint == {"streams": {"latest": {"newest": 139}}}
    again = discourse.fetch(first.checkpoint, now=NOW)
    assert again.posts == [] and again.checkpoint == first.checkpoint
    forum.add(*(forum_post(i, 2, i, 1) for i in (140, 141, 250)))
    later = discourse.fetch(again.checkpoint, now=NOW)
    assert ids(later) == [140, 141, 250]
    befores = [r.arg("before") for r in platform.requests[-4:]]
    assert befores == [None, "189", "239", "250"]


def test_a_fetch_cut_by_limit_continues_with_the_next_post(platform: PlatformServer) -> None:
    forum = Forum(platform)
    forum.add(*(forum_post(i, 1, i, 100 - i) for i in range(10, 16)))
    discourse = source(platform)
    first = discourse.fetch(None, limit=4, now=NOW)
    assert ids(first) == [10, 11, 12, 13] and first.exhausted is False
    second = discourse.fetch(first.checkpoint, limit=4, now=NOW)
    assert ids(second) == [14, 15] and second.exhausted is True


def test_search_pages_down_to_the_checkpoint_and_reads_whole_posts(
    platform: PlatformServer,
) -> None:
    forum = Forum(platform)
    forum.add(
        forum_post(201, 20, 1, 50),
        forum_post(202, 21, 1, 40, cooked="<p>nothing to see</p>"),
        forum_post(203, 20, 2, 30, reply_to_post_number=1),
        forum_post(204, 22, 1, 20),
        forum_post(205, 22, 2, 3000),  # older than the history (ids aside)
    )
    discourse = source(platform, query="grillberry")
    first = discourse.fetch(None, limit=2, now=NOW)
    assert ids(first) == [201, 203] and first.exhausted is False
    assert first.posts[0].text == "post 201 about grillberry"  # the whole post, not the blurb
    assert first.posts[1].reply_to == "201" and first.posts[1].title == "Topic 20"
    assert platform.requests[0].arg("q") == "grillberry order:latest"
    assert first.checkpoint["streams"]["search"] == {"query": "grillberry", "newest": 203}
    whole = [r for r in platform.requests if r.path == "/t/20/posts.json"]
    assert whole and whole[0].query["post_ids[]"] == ["201", "203"]
    second = discourse.fetch(first.checkpoint, limit=2, now=NOW)
    assert ids(second) == [204] and second.exhausted is True
    forum.add(forum_post(206, 22, 3, 1))
    third = discourse.fetch(second.checkpoint, now=NOW)
    assert ids(third) == [206]
    assert [r.arg("page") for r in platform.requests[-2:]] == ["1", None]  # then /t/22/posts


def test_a_search_the_forum_refuses_says_why(platform: PlatformServer) -> None:
    refused = {
        "posts": [],
        "topics": [],
        "grouped_search_result": {"error": "Your search term is too short.", "post_ids": []},
    }
    platform.route("GET", "/search.json", Reply.json(refused))
    with pytest.raises(SourceError, match="refused the search 'ab' \\(Your search term is too"):
        source(platform, query="ab").fetch(None, now=NOW)


def test_categories_read_the_new_posts_of_topics_active_since_the_checkpoint(
    platform: PlatformServer,
) -> None:
    forum = Forum(platform)
    forum.add(
        forum_post(300, 30, 1, 5000),  # the pinned "About" topic: old, listed first
        forum_post(301, 31, 1, 5000),  # an old topic with a new reply
        forum_post(310, 31, 2, 30, reply_to_post_number=1),
        forum_post(311, 32, 1, 20),
        forum_post(302, 33, 1, 4000),  # an old, quiet topic: not opened
    )

    def topics(request: Request) -> Reply:
        def listed(topic_id: int, last: float, pinned: bool = False) -> dict[str, Any]:
            return {
                "id": topic_id,
                "title": f"Topic {topic_id}",
                "slug": f"topic-{topic_id}",
                "posts_count": 2,
                "created_at": at(5000),
                "last_posted_at": at(last),
                "bumped_at": at(last),
                "pinned": pinned,
                "category_id": 5,
            }

        # By last activity, the pinned topic first (as Discourse lists a category).
        shown = [listed(30, 5000, pinned=True), listed(32, 20), listed(31, 30), listed(33, 4000)]
        return Reply.json({"users": [], "topic_list": {"per_page": 30, "topics": shown}})

    platform.route("GET", "/c/support.json", topics)
    discourse = source(platform, categories=["support"])
    result = discourse.fetch(None, now=NOW)
    assert ids(result) == [310, 311]
    assert result.posts[0].reply_to == "301" and result.posts[0].title == "Topic 31"
    opened = {r.path for r in platform.requests if r.path.endswith(".json")}
    assert "/t/33.json" not in opened and "/t/31.json" in opened
    state = result.checkpoint["streams"]["category:support"]
    assert state["newest"] == 311
    again = discourse.fetch(result.checkpoint, now=NOW)
    assert again.posts == []


def test_an_unknown_category_is_a_problem_and_the_search_is_still_read(
    platform: PlatformServer,
) -> None:
    Forum(platform).add(forum_post(1, 1, 1, 10))
    platform.route(
        "GET",
        "/c/nope.json",
        Reply.json(
            {
                "errors": ["The requested URL or resource could not be found."],
                "error_type": "not_found",
            },
            404,
        ),
    )
    result = source(platform, query="grillberry", categories=["nope"]).fetch(None, now=NOW)
    assert ids(result) == [1]
    assert len(result.problems) == 1 and "'nope'" in result.problems[0].where
    assert "check the slug" in result.problems[0].message
    assert "category:nope" in result.checkpoint["streams"]


def test_a_rate_limit_ends_the_poll_until_discourse_says(platform: PlatformServer) -> None:
    limited = {
        "errors": ["You’ve performed this action too many times. Please wait 42 seconds."],
        "error_type": "rate_limit",
        "extras": {"wait_seconds": 42, "time_left": "42 seconds"},
    }
    platform.route("GET", "/posts.json", Reply.json(limited, 429, **{"Retry-After": "42"}))
    with pytest.raises(SourceError) as info:
        source(platform).fetch(None, now=NOW)
    assert "rate limited" in str(info.value) and "performed this action" in str(info.value)
    assert info.value.retry_at == NOW + timedelta(seconds=42)
    platform.route(
        "GET", "/posts.json", Reply.json({**limited, "extras": {"wait_seconds": 600}}, 429)
    )
    with pytest.raises(SourceError) as body_only:
        source(platform).fetch(None, now=NOW)
    assert body_only.value.retry_at == NOW + timedelta(seconds=600)


def test_the_api_key_is_sent_and_a_rejected_one_is_one_line(platform: PlatformServer) -> None:
    forum = Forum(platform)
    forum.add(forum_post(1, 1, 1, 10))
    secrets = {"FORUM_KEY": "k-123", "FORUM_USER": "system"}
    options = {"api_key_env": "FORUM_KEY", "api_username_env": "FORUM_USER"}
    assert ids(source(platform, secrets, **options).fetch(None, now=NOW)) == [1]
    assert platform.requests[0].headers["api-key"] == "k-123"
    assert platform.requests[0].headers["api-username"] == "system"
    refused = {
        "errors": [
            "You are not permitted to view the requested resource. "
            "The API username or key is invalid."
        ],
        "error_type": "invalid_access",
    }
    platform.route("GET", "/posts.json", Reply.json(refused, 403))
    with pytest.raises(CredentialError) as info:
        source(platform, secrets, **options).fetch(None, now=NOW)
    message = str(info.value)
    assert "'forum'" in message and "FORUM_KEY" in message and "key is invalid" in message
    assert "\n" not in message and "k-123" not in message
    with pytest.raises(CredentialError, match="api_key_env"):
        source(platform).fetch(None, now=NOW)  # anonymous on a private forum


def test_a_missing_secret_variable_names_it(platform: PlatformServer) -> None:
    options = {"api_key_env": "FORUM_KEY", "api_username_env": "FORUM_USER"}
    with pytest.raises(CredentialError, match="FORUM_USER.*not set"):
        source(platform, {"FORUM_KEY": "k"}, **options)


def test_one_bad_post_is_a_problem_and_the_rest_are_kept(platform: PlatformServer) -> None:
    good = [forum_post(1, 1, 1, 30), forum_post(3, 1, 3, 10)]
    bad = [{**forum_post(2, 1, 2, 20), "topic_id": None}, forum_post(4, 1, 4, 5, created_at="?")]
    platform.route("GET", "/posts.json", Reply.json({"latest_posts": [*good, *bad]}))
    result = source(platform).fetch(None, now=NOW)
    assert ids(result) == [1, 3]
    assert len(result.problems) == 2
    assert any("topic_id" in p.message for p in result.problems)
    assert any("created_at" in p.message and "4" in p.where for p in result.problems)


def test_truncated_and_malformed_answers_are_errors(platform: PlatformServer) -> None:
    body = json.dumps({"latest_posts": [forum_post(1, 1, 1, 10)]}).encode()
    platform.route("GET", "/posts.json", Reply(200, body, cut_after=len(body) // 2))
    with pytest.raises(SourceError, match="truncated|cut off"):
        source(platform).fetch(None, now=NOW)
    platform.route("GET", "/posts.json", Reply.raw(body[:-3], content_type="application/json"))
    with pytest.raises(SourceError, match="not well-formed JSON"):
        source(platform).fetch(None, now=NOW)
    platform.route(
        "GET", "/posts.json", Reply.raw("<html>Welcome</html>", content_type="text/html")
    )
    with pytest.raises(SourceError, match="not well-formed JSON"):
        source(platform).fetch(None, now=NOW)
    platform.route("GET", "/posts.json", Reply.json({"posts": []}))
    with pytest.raises(SourceError, match="'latest_posts'.*endpoint is the Discourse forum"):
        source(platform).fetch(None, now=NOW)


@pytest.mark.parametrize(
    ("options", "message_part"),
    [
        ({"endpoint": "https://forum.example", "qeury": "x"}, "unknown field"),
        ({}, "endpoint"),
        ({"endpoint": " "}, "endpoint"),
        ({"endpoint": "forum.example"}, "not a web address"),
        ({"endpoint": "https://f.example", "api_key_env": "K"}, "go together"),
        ({"endpoint": "https://f.example", "categories": ["has space"]}, "not a category slug"),
        ({"endpoint": "https://f.example", "history_days": 400}, "history_days"),
    ],
)
def test_options_are_checked_with_clear_messages(options: dict, message_part: str) -> None:
    with pytest.raises(ValidationError, match=message_part):
        SourceConfig.model_validate({"key": "forum", "kind": "discourse", **options})


def test_sources_test_through_the_cli_prints_the_ingest_format(
    platform: PlatformServer, tmp_path: Path
) -> None:
    Forum(platform).add(forum_post(7, 1, 1, 10), forum_post(8, 1, 2, 5))
    workspace = tmp_path / "acme.toml"
    workspace.write_text(
        f"""
slug = "acme"
name = "Acme"

[[topics]]
key = "brand"
query = "grillberry"

[[sources]]
key = "forum"
kind = "discourse"
endpoint = "{platform.url()}"
history_days = 30
""",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        app, ["sources", "test", "forum", "--workspace", str(workspace), "--jsonl"]
    )
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == ["7", "8"]
    assert records[1]["text"] == "post 8 about grillberry" and records[1]["platform"] == "forum"
    assert records[1]["topic_id"] == 1 and records[1]["post_number"] == 2


def test_a_reply_to_a_deleted_post_is_kept_unlinked(platform: PlatformServer) -> None:
    Forum(platform).add(forum_post(5, 1, 9, 10, reply_to_post_number=7))  # post #7 is gone
    result = source(platform).fetch(None, now=NOW)
    assert ids(result) == [5] and result.problems == []
    assert result.posts[0].reply_to is None and result.posts[0].raw["reply_to_post_number"] == 7
    assert "/posts/by_number/1/7.json" in platform.paths()


def test_a_found_post_gone_before_it_is_read_is_a_problem(platform: PlatformServer) -> None:
    forum = Forum(platform)
    forum.add(forum_post(11, 40, 1, 20), forum_post(12, 41, 1, 10))
    platform.route("GET", "/t/40/posts.json", Reply.json({"errors": ["not found"]}, 404))
    result = source(platform, query="grillberry").fetch(None, now=NOW)
    assert ids(result) == [12]
    assert [p.where for p in result.problems] == ["discourse post 11"]
    assert "no longer readable" in result.problems[0].message


def test_a_long_gap_is_read_over_several_polls_without_skipping(platform: PlatformServer) -> None:
    forum = Forum(platform)
    forum.add(forum_post(10, 1, 1, 30), forum_post(1990, 2, 1, 20))
    discourse = source(platform)
    first = discourse.fetch({"streams": {"latest": {"newest": 0}}}, now=NOW)
    assert ids(first) == [10] and first.exhausted is False  # 20 windows of 50 ids a poll
    assert first.checkpoint == {"streams": {"latest": {"newest": 1000}}}
    second = discourse.fetch(first.checkpoint, now=NOW)
    assert ids(second) == [1990] and second.exhausted is True
