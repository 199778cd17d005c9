"""Kind "facebook" against a local server answering in the Graph API's documented shapes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from flarewatch.config.workspace import SourceConfig
from flarewatch.sources.base import CredentialError, SourceError
from flarewatch.sources.facebook import FacebookSource
from flarewatch.sources.registry import build_source
from flarewatch.sources.secrets import EnvironmentSecrets
from tests.sources.platform_server import PlatformServer, Reply, Request

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
PAGE = "104598372391234"
POST = f"{PAGE}_822913345566778"


def graph_post(post_id: str = POST, when: str = "2026-12-03T09:15:02+0000", **extra: Any) -> dict:
    return {
        "id": post_id,
        "message": "Our new burger is here!",
        "created_time": when,
        "permalink_url": f"https://www.facebook.com/{post_id.replace('_', '/posts/')}",
        "from": {"name": "Acme Burgers", "id": PAGE},
        "shares": {"count": 4},
        "comments": {
            "data": [],
            "summary": {"order": "ranked", "total_count": 3, "can_comment": True},
        },
        "reactions": {"data": [], "summary": {"total_count": 57, "viewer_reaction": "NONE"}},
        **extra,
    }


def graph_comment(number: int, when: str, parent: str | None = None, **extra: Any) -> dict:
    comment: dict[str, Any] = {
        "id": f"822913345566778_{number}",
        "message": f"comment {number}",
        "created_time": when,
        "from": {"id": f"6{number:015d}", "name": f"Person {number}"},
        "is_hidden": False,
        "like_count": number,
        "comment_count": 0,
        "permalink_url": f"https://www.facebook.com/{PAGE}/posts/822913345566778?comment_id={number}",
        **extra,
    }
    if parent:
        comment["parent"] = {"id": parent}
    return comment


def listing(data: list[dict], next_url: str | None = None) -> dict:
    page: dict[str, Any] = {"data": data}
    if data:
        page["paging"] = {"cursors": {"before": "QVFIUmJlZAZDZD", "after": "QVFIUmFmdGVy"}}
        if next_url:
            page["paging"]["next"] = next_url
    return page


def source(platform: PlatformServer) -> FacebookSource:
    return FacebookSource(
        "acme-fb",
        page_id=PAGE,
        token="EAAB-token",
        token_env="FB_PAGE_TOKEN",
        endpoint=platform.url("/v21.0"),
    )


def serve(platform: PlatformServer, posts: list[dict], comments: dict[str, list[dict]]) -> None:
    platform.route("GET", f"/v21.0/{PAGE}/posts", Reply.json(listing(posts)))
    for post_id, items in comments.items():
        platform.route("GET", f"/v21.0/{post_id}/comments", Reply.json(listing(items)))


def test_posts_and_comments_are_mapped_with_replies_and_hidden_ones_kept(
    platform: PlatformServer,
) -> None:
    serve(
        platform,
        [graph_post()],
        {
            POST: [
                graph_comment(3, "2026-12-03T11:00:00+0000", parent="822913345566778_1"),
                graph_comment(2, "2026-12-03T10:30:00+0000", is_hidden=True),
                graph_comment(1, "2026-12-03T10:00:00+0000"),
            ]
        },
    )
    result = source(platform).fetch(None, now=NOW)
    assert not result.problems
    by_id = {p.external_id: p for p in result.posts}
    post = by_id[POST]
    assert (post.text, post.likes, post.shares, post.replies) == (
        "Our new burger is here!",
        57,
        4,
        3,
    )
    assert post.author == PAGE and post.author_name == "Acme Burgers"
    assert post.created_at == datetime(2026, 12, 3, 9, 15, 2, tzinfo=UTC)
    assert post.platform == "facebook" and post.url.startswith("https://www.facebook.com/")
    hidden = by_id["822913345566778_2"]
    assert hidden.raw["hidden"] is True and hidden.reply_to == POST
    reply = by_id["822913345566778_3"]
    assert reply.reply_to == "822913345566778_1" and reply.raw["type"] == "reply"
    assert reply.author_name == "Person 3" and reply.likes == 3
    request = next(r for r in platform.requests if r.path.endswith("/comments"))
    assert request.arg("filter") == "stream" and request.arg("order") == "reverse_chronological"
    assert "is_hidden" in (request.arg("fields") or "")
    assert request.arg("access_token") == "EAAB-token"
    listing_request = platform.requests[0]
    assert listing_request.arg("since") is not None


def test_paging_follows_next_urls_and_the_checkpoint_resumes(platform: PlatformServer) -> None:
    second = graph_post(f"{PAGE}_2", "2026-12-02T08:00:00+0000")
    platform.route(
        "GET",
        f"/v21.0/{PAGE}/posts",
        lambda req: Reply.json(
            listing([second])
            if req.arg("after") == "page2"
            else listing(
                [graph_post()],
                platform.url(f"/v21.0/{PAGE}/posts?after=page2&access_token=EAAB-token"),
            )
        ),
    )
    comments = [graph_comment(1, "2026-12-03T10:00:00+0000")]
    platform.route(
        "GET", f"/v21.0/{POST}/comments", lambda req: Reply.json(listing(list(comments)))
    )
    platform.route("GET", f"/v21.0/{PAGE}_2/comments", Reply.json(listing([])))
    fb = source(platform)
    first = fb.fetch(None, now=NOW)
    assert sorted(p.external_id for p in first.posts) == sorted(
        [POST, f"{PAGE}_2", "822913345566778_1"]
    )
    again = fb.fetch(first.checkpoint, now=NOW)
    assert again.posts == [] and not again.problems
    comments.insert(0, graph_comment(4, "2026-12-04T11:00:00+0000"))
    late = fb.fetch(json.loads(json.dumps(again.checkpoint)), now=NOW)
    assert [p.external_id for p in late.posts] == ["822913345566778_4"]


def test_the_comments_of_posts_older_than_the_rescan_window_are_not_read_again(
    platform: PlatformServer,
) -> None:
    serve(platform, [graph_post(when="2026-11-01T09:00:00+0000")], {POST: []})
    fb = FacebookSource(
        "acme-fb",
        page_id=PAGE,
        token="t",
        token_env="FB_PAGE_TOKEN",
        endpoint=platform.url("/v21.0"),
        history_days=60,
    )
    first = fb.fetch(None, now=NOW)
    assert [p.external_id for p in first.posts] == [POST]
    assert fb.fetch(first.checkpoint, now=NOW).posts == []


def test_a_limit_leaves_the_newer_posts_for_the_next_call(platform: PlatformServer) -> None:
    older = graph_post(f"{PAGE}_1", "2026-12-01T08:00:00+0000")
    serve(platform, [graph_post(), older], {POST: [], f"{PAGE}_1": []})
    fb = source(platform)
    first = fb.fetch(None, now=NOW, limit=1)
    assert [p.external_id for p in first.posts] == [f"{PAGE}_1"] and not first.exhausted
    rest = fb.fetch(first.checkpoint, now=NOW, limit=1)
    assert [p.external_id for p in rest.posts] == [POST]


def expired_token(_request: Request) -> Reply:
    return Reply.json(
        {
            "error": {
                "message": "Error validating access token: Session has expired on Tuesday, "
                "01-Dec-26 10:00:00 PST.",
                "type": "OAuthException",
                "code": 190,
                "error_subcode": 463,
                "fbtrace_id": "AbCdEfGh123",
            }
        },
        400,
    )


def test_an_expired_token_is_one_line_naming_the_variable(platform: PlatformServer) -> None:
    platform.route("GET", f"/v21.0/{PAGE}/posts", expired_token)
    with pytest.raises(CredentialError) as info:
        source(platform).fetch(None, now=NOW)
    message = str(info.value)
    assert "FB_PAGE_TOKEN" in message and "expired" in message and "long-lived" in message
    assert "\n" not in message and "EAAB-token" not in message


def test_a_rate_limit_ends_the_poll_until_meta_says(platform: PlatformServer) -> None:
    usage = json.dumps(
        {
            PAGE: [
                {
                    "type": "pages",
                    "call_count": 100,
                    "total_cputime": 12,
                    "total_time": 30,
                    "estimated_time_to_regain_access": 20,
                }
            ]
        }
    )
    platform.route(
        "GET",
        f"/v21.0/{PAGE}/posts",
        Reply.json(
            {
                "error": {
                    "message": "(#32) Page request limit reached",
                    "type": "OAuthException",
                    "code": 32,
                    "fbtrace_id": "X1",
                }
            },
            400,
            **{"X-Business-Use-Case-Usage": usage},
        ),
    )
    with pytest.raises(SourceError) as info:
        source(platform).fetch(None, now=NOW)
    assert "rate limited" in str(info.value) and info.value.retry_at is not None
    assert info.value.retry_at > datetime.now(UTC)


def test_usage_headers_become_the_quota(platform: PlatformServer) -> None:
    platform.route(
        "GET",
        f"/v21.0/{PAGE}/posts",
        Reply.json(
            listing([]), **{"X-App-Usage": '{"call_count":28,"total_time":25,"total_cputime":25}'}
        ),
    )
    result = source(platform).fetch(None, now=NOW)
    assert result.quota == {"remaining": 72, "limit": 100, "unit": "percent"}


def test_truncated_and_malformed_answers_are_errors(platform: PlatformServer) -> None:
    body = json.dumps(listing([graph_post()])).encode()
    platform.route("GET", f"/v21.0/{PAGE}/posts", Reply(200, body, cut_after=len(body) // 2))
    with pytest.raises(SourceError, match="truncated|cut off"):
        source(platform).fetch(None, now=NOW)
    platform.route("GET", f"/v21.0/{PAGE}/posts", Reply.json({"posts": []}))
    with pytest.raises(SourceError, match="'data'"):
        source(platform).fetch(None, now=NOW)


def test_an_error_status_without_graphs_error_object_says_what_came(
    platform: PlatformServer,
) -> None:
    refused = Reply.json({"message": "blocked by the office proxy"}, status=403)
    platform.route("GET", f"/v21.0/{PAGE}/posts", refused)
    with pytest.raises(SourceError) as caught:
        source(platform).fetch(None, now=NOW)
    said = str(caught.value)
    assert f"/v21.0/{PAGE}/posts: HTTP 403" in said and "blocked by the office proxy" in said
    assert "EAAB-token" not in said and not isinstance(caught.value, CredentialError)


def test_one_bad_comment_is_a_problem_and_the_rest_are_kept(platform: PlatformServer) -> None:
    bad = graph_comment(2, "not a time")
    serve(
        platform,
        [graph_post()],
        {
            POST: [
                graph_comment(3, "2026-12-03T11:00:00+0000"),
                bad,
                graph_comment(1, "2026-12-03T10:00:00+0000", message=""),
            ]
        },
    )
    result = source(platform).fetch(None, now=NOW)
    assert sorted(p.external_id for p in result.posts) == [POST, "822913345566778_3"]
    assert len(result.problems) == 2


def test_built_from_the_workspace_with_the_token_from_its_variable(
    platform: PlatformServer,
) -> None:
    config = SourceConfig.model_validate(
        {
            "key": "acme-fb",
            "kind": "facebook",
            "page_id": PAGE,
            "token_env": "FB_PAGE_TOKEN",
            "endpoint": platform.url("/v21.0"),
        }
    )
    built = build_source(config, Path("."), EnvironmentSecrets({"FB_PAGE_TOKEN": "secret"}))
    assert isinstance(built, FacebookSource) and built.token == "secret"
    with pytest.raises(CredentialError, match="FB_PAGE_TOKEN"):
        build_source(config, Path("."), EnvironmentSecrets({}))


def comment_pages(platform: PlatformServer, first: list[dict], second: list[dict]) -> None:
    next_url = platform.url(f"/v21.0/{POST}/comments?after=c2&access_token=t")
    platform.route(
        "GET",
        f"/v21.0/{POST}/comments",
        lambda req: Reply.json(
            listing(second) if req.arg("after") == "c2" else listing(first, next_url)
        ),
    )


def test_comment_paging_stops_at_the_boundary_when_newest_first(platform: PlatformServer) -> None:
    platform.route("GET", f"/v21.0/{PAGE}/posts", Reply.json(listing([graph_post()])))
    comment_pages(
        platform,
        [graph_comment(2, "2026-12-03T10:30:00+0000")],
        [graph_comment(1, "2026-12-03T10:00:00+0000")],
    )
    fb = source(platform)
    first = fb.fetch(None, now=NOW)
    assert len(first.posts) == 3
    comment_pages(
        platform,
        [
            graph_comment(3, "2026-12-04T10:30:00+0000"),
            graph_comment(2, "2026-12-03T10:30:00+0000"),
            graph_comment(1, "2026-12-03T10:00:00+0000"),
        ],
        [graph_comment(0, "2026-12-02T10:00:00+0000")],
    )
    before = len(platform.requests)
    later = fb.fetch(first.checkpoint, now=NOW)
    assert [p.external_id for p in later.posts] == ["822913345566778_3"]
    assert not any(r.arg("after") == "c2" for r in platform.requests[before:])


def test_ranked_comments_are_read_to_the_end(platform: PlatformServer) -> None:
    platform.route("GET", f"/v21.0/{PAGE}/posts", Reply.json(listing([graph_post()])))
    comment_pages(platform, [graph_comment(2, "2026-12-03T10:30:00+0000")], [])
    fb = source(platform)
    first = fb.fetch(None, now=NOW)
    # Ranked: an old comment first, a new one on the second page.
    comment_pages(
        platform,
        [
            graph_comment(2, "2026-12-03T10:30:00+0000"),
            graph_comment(1, "2026-12-03T10:00:00+0000"),
            graph_comment(4, "2026-12-04T09:00:00+0000"),
        ],
        [graph_comment(5, "2026-12-04T10:00:00+0000")],
    )
    later = fb.fetch(first.checkpoint, now=NOW)
    assert [p.external_id for p in later.posts] == ["822913345566778_4", "822913345566778_5"]
