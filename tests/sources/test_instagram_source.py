"""Kind "instagram" against a local server answering in the Graph API's documented shapes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from flarewatch.config.workspace import SourceConfig
from flarewatch.sources.base import CredentialError, SourceError
from flarewatch.sources.instagram import InstagramSource
from flarewatch.sources.registry import build_source
from flarewatch.sources.secrets import EnvironmentSecrets
from tests.sources.platform_server import PlatformServer, Reply

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
ACCOUNT = "17841405822304914"
MEDIA = "17895695668004550"


def media(media_id: str = MEDIA, when: str = "2026-12-03T09:15:02+0000", **extra: Any) -> dict:
    return {
        "id": media_id,
        "caption": "New burger, who's trying it? #acme",
        "media_type": "IMAGE",
        "permalink": f"https://www.instagram.com/p/C{media_id[-6:]}/",
        "timestamp": when,
        "username": "acmeburgers",
        "like_count": 120,
        "comments_count": 3,
        **extra,
    }


def comment(number: int, when: str, **extra: Any) -> dict:
    return {
        "id": f"1787091367915{number:04d}",
        "text": f"comment {number}",
        "timestamp": when,
        "username": f"fan{number}",
        "like_count": number,
        "hidden": False,
        **extra,
    }


def listing(data: list[dict], next_url: str | None = None) -> dict:
    page: dict[str, Any] = {"data": data}
    if data:
        page["paging"] = {"cursors": {"before": "QVFIUk1", "after": "QVFIUk5"}}
        if next_url:
            page["paging"]["next"] = next_url
    return page


def source(platform: PlatformServer, **options: Any) -> InstagramSource:
    return InstagramSource(
        "acme-ig",
        account_id=ACCOUNT,
        token="IGQ-token",
        token_env="IG_TOKEN",
        endpoint=platform.url("/v21.0"),
        **options,
    )


def serve(
    platform: PlatformServer,
    items: list[dict],
    comments: dict[str, list[dict]],
    tags: list[dict] | None = None,
) -> None:
    platform.route("GET", f"/v21.0/{ACCOUNT}/media", Reply.json(listing(items)))
    platform.route("GET", f"/v21.0/{ACCOUNT}/tags", Reply.json(listing(tags or [])))
    for media_id, found in comments.items():
        platform.route("GET", f"/v21.0/{media_id}/comments", Reply.json(listing(found)))


def test_media_comments_replies_and_tags_are_mapped(platform: PlatformServer) -> None:
    reply = comment(3, "2026-12-03T11:00:00+0000")
    hidden = comment(2, "2026-12-03T10:30:00+0000", hidden=True)
    top = comment(1, "2026-12-03T10:00:00+0000", replies={"data": [reply]})
    tagged = media(
        "18011223344556677",
        "2026-12-03T12:00:00+0000",
        username="someone",
        caption="Lunch at @acmeburgers was cold",
    )
    del tagged["media_type"]
    serve(platform, [media()], {MEDIA: [top, hidden]}, tags=[tagged])
    result = source(platform).fetch(None, now=NOW)
    assert not result.problems
    by_id = {p.external_id: p for p in result.posts}
    own = by_id[MEDIA]
    assert (own.text, own.author, own.likes, own.replies) == (
        "New burger, who's trying it? #acme",
        "acmeburgers",
        120,
        3,
    )
    assert own.created_at == datetime(2026, 12, 3, 9, 15, 2, tzinfo=UTC)
    assert own.platform == "instagram" and own.url.startswith("https://www.instagram.com/p/")
    assert by_id[top["id"]].reply_to == MEDIA and by_id[top["id"]].author == "fan1"
    assert by_id[reply["id"]].reply_to == top["id"] and by_id[reply["id"]].raw["type"] == "reply"
    assert by_id[hidden["id"]].raw["hidden"] is True
    assert by_id["18011223344556677"].author == "someone"
    assert by_id["18011223344556677"].raw["type"] == "tagged"
    fields = next(r for r in platform.requests if r.path.endswith("/comments")).arg("fields")
    assert fields is not None and "replies{" in fields and "hidden" in fields


def test_paging_and_checkpoint_resume_take_only_what_is_new(platform: PlatformServer) -> None:
    older = media("17800000000000001", "2026-12-02T08:00:00+0000")
    platform.route(
        "GET",
        f"/v21.0/{ACCOUNT}/media",
        lambda req: Reply.json(
            listing([older])
            if req.arg("after") == "p2"
            else listing([media()], platform.url(f"/v21.0/{ACCOUNT}/media?after=p2"))
        ),
    )
    comments = [comment(1, "2026-12-03T10:00:00+0000")]
    platform.route("GET", f"/v21.0/{MEDIA}/comments", lambda req: Reply.json(listing(comments)))
    platform.route("GET", f"/v21.0/{older['id']}/comments", Reply.json(listing([])))
    tags: list[dict] = []
    platform.route("GET", f"/v21.0/{ACCOUNT}/tags", lambda req: Reply.json(listing(tags)))
    ig = source(platform)
    first = ig.fetch(None, now=NOW)
    assert sorted(p.external_id for p in first.posts) == sorted(
        [MEDIA, older["id"], comments[0]["id"]]
    )
    second_page = [r for r in platform.requests if r.arg("after") == "p2"]
    assert second_page and second_page[0].arg("access_token") == "IGQ-token"
    again = ig.fetch(first.checkpoint, now=NOW)
    assert again.posts == [] and not again.problems
    comments.append(comment(5, "2026-12-04T11:00:00+0000"))  # order is not promised
    tags.append(media("18000000000000009", "2026-12-04T11:30:00+0000", username="other"))
    late = ig.fetch(json.loads(json.dumps(again.checkpoint)), now=NOW)
    assert sorted(p.external_id for p in late.posts) == sorted(
        [comments[1]["id"], "18000000000000009"]
    )
    assert ig.fetch(late.checkpoint, now=NOW).posts == []


def test_an_expired_token_is_one_line_naming_the_variable(platform: PlatformServer) -> None:
    platform.route(
        "GET",
        f"/v21.0/{ACCOUNT}/media",
        Reply.json(
            {
                "error": {
                    "message": "Error validating access token: The session has been "
                    "invalidated because the user changed their password.",
                    "type": "OAuthException",
                    "code": 190,
                    "error_subcode": 460,
                    "fbtrace_id": "A1b2",
                }
            },
            401,
        ),
    )
    with pytest.raises(CredentialError) as info:
        source(platform).fetch(None, now=NOW)
    assert "IG_TOKEN" in str(info.value) and "expired or was revoked" in str(info.value)
    assert "\n" not in str(info.value) and "IGQ-token" not in str(info.value)


def test_a_rate_limit_is_retried_later(platform: PlatformServer) -> None:
    platform.route(
        "GET",
        f"/v21.0/{ACCOUNT}/media",
        Reply.json(
            {
                "error": {
                    "message": "Application request limit reached",
                    "type": "OAuthException",
                    "code": 4,
                    "is_transient": True,
                    "fbtrace_id": "Z9",
                }
            },
            403,
            **{"X-App-Usage": '{"call_count":100,"total_time":20,"total_cputime":20}'},
        ),
    )
    with pytest.raises(SourceError, match="rate limited") as info:
        source(platform).fetch(None, now=NOW)
    assert info.value.retry_at is not None and not isinstance(info.value, CredentialError)


def test_an_unknown_account_says_to_check_the_id(platform: PlatformServer) -> None:
    platform.route(
        "GET",
        f"/v21.0/{ACCOUNT}/media",
        Reply.json(
            {
                "error": {
                    "message": f"Unsupported get request. Object with ID '{ACCOUNT}' does "
                    "not exist, cannot be loaded due to missing permissions, or does not "
                    "support this operation.",
                    "type": "GraphMethodException",
                    "code": 100,
                    "error_subcode": 33,
                    "fbtrace_id": "Q",
                }
            },
            400,
        ),
    )
    with pytest.raises(SourceError, match="Instagram account .* does not exist"):
        source(platform).fetch(None, now=NOW)


def test_malformed_and_truncated_answers_are_errors(platform: PlatformServer) -> None:
    platform.route(
        "GET", f"/v21.0/{ACCOUNT}/media", Reply.raw('{"data": [{"id": "1"', 200, "application/json")
    )
    with pytest.raises(SourceError, match="not well-formed JSON"):
        source(platform).fetch(None, now=NOW)
    body = json.dumps(listing([media()])).encode()
    platform.route("GET", f"/v21.0/{ACCOUNT}/media", Reply(200, body, cut_after=40))
    with pytest.raises(SourceError):
        source(platform).fetch(None, now=NOW)


def test_one_bad_item_is_a_problem_and_the_rest_are_kept(platform: PlatformServer) -> None:
    serve(
        platform,
        [media(), {"id": "17800000000000002", "caption": "no time"}],
        {
            MEDIA: [
                comment(1, "2026-12-03T10:00:00+0000"),
                comment(2, "2026-12-03T10:01:00+0000", text=None),
            ]
        },
    )
    result = source(platform, tags=False).fetch(None, now=NOW)
    assert sorted(p.external_id for p in result.posts) == sorted([MEDIA, comment(1, "")["id"]])
    assert len(result.problems) == 2
    assert not any(r.path.endswith("/tags") for r in platform.requests)


def test_built_from_the_workspace(platform: PlatformServer) -> None:
    config = SourceConfig.model_validate(
        {"key": "acme-ig", "kind": "instagram", "account_id": ACCOUNT, "token_env": "IG_TOKEN"}
    )
    built = build_source(config, Path("."), EnvironmentSecrets({"IG_TOKEN": "x"}))
    assert isinstance(built, InstagramSource) and built.endpoint.startswith("https://graph.")
    with pytest.raises(CredentialError, match="IG_TOKEN"):
        build_source(config, Path("."), EnvironmentSecrets({}))


def test_a_refused_tags_edge_costs_only_the_tags(platform: PlatformServer) -> None:
    serve(platform, [media()], {MEDIA: []})
    platform.route(
        "GET",
        f"/v21.0/{ACCOUNT}/tags",
        Reply.json(
            {
                "error": {
                    "message": "(#10) Application does not have permission for this action",
                    "type": "OAuthException",
                    "code": 10,
                    "fbtrace_id": "T",
                }
            },
            400,
        ),
    )
    result = source(platform).fetch(None, now=NOW)
    assert [p.external_id for p in result.posts] == [MEDIA]
    assert len(result.problems) == 1 and "tags = false" in result.problems[0].message
