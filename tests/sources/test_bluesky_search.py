"""Bluesky `mode = "search"` against a local AppView answering app.bsky.feed.searchPosts."""

from __future__ import annotations

from pathlib import Path

import pytest

from flarewatch.config.workspace import SourceConfig
from flarewatch.sources.base import CredentialError, SourceError
from flarewatch.sources.bluesky import BlueskySource
from flarewatch.sources.registry import build_source
from flarewatch.sources.secrets import EnvironmentSecrets

from .bluesky_payloads import DID, post_view
from .platform_server import Reply

SEARCH = "/xrpc/app.bsky.feed.searchPosts"
LOGIN = "/xrpc/com.atproto.server.createSession"
REFRESH = "/xrpc/com.atproto.server.refreshSession"


def _views(start: int, count: int) -> list[dict]:
    # Newest first, one minute apart, like sort=latest.
    return [
        post_view(f"3kq{n:06d}", f"acme post {n}", f"2026-03-01T10:{n:02d}:00.000Z")
        for n in range(start + count - 1, start - 1, -1)
    ]


def _source(platform, **kw) -> BlueskySource:
    return BlueskySource("bsky", "acme", endpoint=platform.url(), **kw)


def test_maps_post_views_and_pages_to_the_checkpoint(platform) -> None:
    pages = {
        None: {"cursor": "100", "hitsTotal": 6, "posts": _views(3, 3)},
        "100": {"posts": _views(0, 3)},  # the last page has no cursor
    }
    platform.route("GET", SEARCH, lambda req: Reply.json(pages[req.arg("cursor")]))
    source = _source(platform)
    result = source.fetch(None)
    assert [p.external_id.rsplit("/", 1)[1] for p in result.posts] == [
        f"3kq{n:06d}" for n in (5, 4, 3, 2, 1, 0)
    ]
    post = result.posts[0]
    assert post.external_id == f"at://{DID}/app.bsky.feed.post/3kq000005"
    assert post.url == "https://bsky.app/profile/alice.bsky.social/post/3kq000005"
    assert (post.author, post.author_name, post.language) == ("alice.bsky.social", "Alice", "en")
    assert (post.likes, post.shares, post.replies) == (5, 4, 2)
    assert post.created_at.isoformat() == "2026-03-01T10:05:00+00:00"
    assert result.exhausted and result.checkpoint["newest"].startswith("2026-03-01T10:05")
    first = platform.requests[0]
    assert (first.arg("q"), first.arg("sort"), first.arg("limit")) == ("acme", "latest", "100")

    # Next poll: one new post on top; the overlap is deduplicated, nothing comes twice.
    pages[None] = {"cursor": "200", "posts": [*_views(6, 1), *_views(3, 3)]}
    pages["200"] = {"cursor": "300", "posts": _views(0, 3)}  # older than the overlap: stop
    again = source.fetch(result.checkpoint)
    assert [p.external_id[-9:] for p in again.posts] == ["3kq000006"]
    assert platform.requests[-1].arg("since", "").startswith("2026-03-01T10:03")


def test_replies_and_quotes_become_thread_links(platform) -> None:
    parent = f"at://{DID}/app.bsky.feed.post/3kparent"
    quoted = f"at://{DID}/app.bsky.feed.post/3kquoted"
    views = [
        post_view("3kr1", "acme reply", "2026-03-01T10:03:00Z", reply_parent=parent),
        post_view("3kr2", "acme quote", "2026-03-01T10:02:00Z", quote=quoted),
        post_view("3kr3", "acme media", "2026-03-01T10:01:00Z", quote=quoted, with_media=True),
    ]
    platform.route("GET", SEARCH, Reply.json({"posts": views}))
    posts = _source(platform).fetch(None).posts
    assert posts[0].reply_to == parent and posts[0].repost_of is None
    assert posts[1].repost_of == quoted and posts[2].repost_of == quoted


def test_a_cut_batch_resumes_backwards_before_moving_on(platform) -> None:
    pages = {
        None: {"cursor": "c1", "posts": _views(4, 2)},
        "c1": {"cursor": "c2", "posts": _views(2, 2)},
        "c2": {"posts": _views(0, 2)},
    }
    platform.route("GET", SEARCH, lambda req: Reply.json(pages[req.arg("cursor")]))
    source = _source(platform)
    first = source.fetch(None, limit=2)
    assert not first.exhausted and first.checkpoint["backfill"]["cursor"] == "c1"
    rest = source.fetch(first.checkpoint, limit=10)
    taken = [p.external_id[-2:] for p in [*first.posts, *rest.posts]]
    assert taken == ["05", "04", "03", "02", "01", "00"]
    assert rest.exhausted and rest.checkpoint["newest"].startswith("2026-03-01T10:05")


def test_a_bad_item_is_a_problem_and_the_rest_are_kept(platform) -> None:
    views = _views(0, 2)
    views.insert(1, {"uri": "not-a-uri"})
    views.append("junk")
    views.append(post_view("3kempty", "", "2026-03-01T09:00:00Z"))
    platform.route("GET", SEARCH, Reply.json({"posts": views}))
    result = _source(platform).fetch(None)
    assert len(result.posts) == 2
    assert len(result.problems) == 3
    assert all("skipped" in p.message for p in result.problems)


def test_malformed_json_is_an_error_not_a_silent_success(platform) -> None:
    platform.route(
        "GET", SEARCH, Reply.raw('{"posts": [{"uri": "at://', content_type="application/json")
    )
    with pytest.raises(SourceError, match="not well-formed JSON"):
        _source(platform).fetch(None)


def test_rate_limit_is_retried_then_answered(platform) -> None:
    answers = [
        Reply.json(
            {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
            429,
            **{"Retry-After": "0", "RateLimit-Remaining": "0", "RateLimit-Limit": "3000"},
        ),
        Reply.json(
            {"posts": _views(0, 1)}, **{"RateLimit-Remaining": "2999", "RateLimit-Limit": "3000"}
        ),
    ]
    platform.route("GET", SEARCH, lambda req: answers.pop(0))
    result = _source(platform).fetch(None)
    assert len(result.posts) == 1
    assert result.quota and result.quota["remaining"] == 2999


def test_login_expired_token_is_refreshed(platform) -> None:
    tokens = iter(["access-1", "access-2"])
    platform.route(
        "POST",
        LOGIN,
        lambda req: Reply.json(
            {
                "accessJwt": next(tokens),
                "refreshJwt": "refresh-1",
                "handle": "brand.bsky.social",
                "did": DID,
            }
        ),
    )
    platform.route(
        "POST",
        REFRESH,
        Reply.json(
            {
                "accessJwt": "access-3",
                "refreshJwt": "refresh-2",
                "did": DID,
                "handle": "brand.bsky.social",
            }
        ),
    )

    def search(req):
        if req.headers.get("authorization") == "Bearer access-1":
            return Reply.json({"error": "ExpiredToken", "message": "Token has expired"}, 400)
        assert req.headers.get("authorization") == "Bearer access-3"
        return Reply.json({"posts": _views(0, 1)})

    platform.route("GET", SEARCH, search)
    source = _source(platform, handle="brand.bsky.social", app_password="abcd-efgh-ijkl-mnop")
    assert len(source.fetch(None).posts) == 1
    login = next(r for r in platform.requests if r.path == LOGIN)
    assert b"abcd-efgh-ijkl-mnop" in login.body
    # The session is kept: the next poll does not log in again.
    source.fetch(None)
    assert sum(r.path == LOGIN for r in platform.requests) == 1


def test_a_rejected_login_is_one_clear_credential_line(platform) -> None:
    platform.route(
        "POST",
        LOGIN,
        Reply.json(
            {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}, 401
        ),
    )
    source = _source(
        platform,
        handle="brand.bsky.social",
        app_password="wrong",
        password_variable="BSKY_APP_PASSWORD",
    )
    with pytest.raises(CredentialError) as caught:
        source.fetch(None)
    message = str(caught.value)
    assert "Invalid identifier or password" in message and "BSKY_APP_PASSWORD" in message
    assert "\n" not in message


def test_anonymous_search_refused_says_how_to_log_in(platform) -> None:
    platform.route(
        "GET",
        SEARCH,
        Reply.json({"error": "AuthMissing", "message": "Authentication Required"}, 401),
    )
    with pytest.raises(CredentialError, match="app_password_env"):
        _source(platform).fetch(None)


def test_built_from_config_with_secrets(platform, tmp_path: Path) -> None:
    config = SourceConfig(
        key="bsky",
        kind="bluesky",
        query="acme",
        endpoint=platform.url(),
        handle_env="BSKY_HANDLE",
        app_password_env="BSKY_APP_PASSWORD",
    )
    with pytest.raises(CredentialError, match="BSKY_HANDLE"):
        build_source(config, tmp_path, EnvironmentSecrets({}))
    source = build_source(
        config,
        tmp_path,
        EnvironmentSecrets({"BSKY_HANDLE": "brand.bsky.social", "BSKY_APP_PASSWORD": "x"}),
    )
    assert isinstance(source, BlueskySource) and source.handle == "brand.bsky.social"
    with pytest.raises(ValueError, match="query"):
        SourceConfig(key="b", kind="bluesky").options()


def test_an_image_only_post_reads_as_its_alt_text(platform) -> None:
    view = post_view("3kimg", "", "2026-03-01T10:00:00Z")
    view["record"]["embed"] = {
        "$type": "app.bsky.embed.images",
        "images": [{"alt": "Acme burger, raw inside", "image": {"$type": "blob"}}],
    }
    platform.route("GET", SEARCH, Reply.json({"posts": [view]}))
    [post] = _source(platform).fetch(None).posts
    assert post.text == "Acme burger, raw inside"
