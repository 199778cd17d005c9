"""Reddit API answers in the documented shapes (Listing → children of kind t3/t1, fullnames,
`created_utc` in float epoch seconds, `after` cursors), with this project's own content."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import parse_qs

from tests.sources.platform_server import PlatformServer, Reply, Request

TOKEN = "/api/v1/access_token"
CLIENT_ID = "p-jcoLKBynTLew"
CLIENT_SECRET = "gko_LXELoV07ZBNUXrvWZfzE3aI"
BASE_TIME = 1_796_000_000.0  # 2026-11-30T…Z, float like Reddit's created_utc


def link(number: int, at: float, subreddit: str = "burgers", **fields: Any) -> dict[str, Any]:
    """A t3 (post) child as /r/{sub}/new and /search list it."""
    item_id = f"1p{number:04d}"
    permalink = f"/r/{subreddit}/comments/{item_id}/acme_burger_number_{number}/"
    data = {
        "subreddit": subreddit,
        "selftext": f"Body of post {number}",
        "author_fullname": f"t2_user{number}",
        "title": f"Acme burger number {number}",
        "name": f"t3_{item_id}",
        "id": item_id,
        "upvote_ratio": 0.97,
        "ups": 10 + number,
        "score": 10 + number,
        "num_comments": number,
        "num_crossposts": 0,
        "created": at,
        "created_utc": at,
        "author": f"user{number}",
        "permalink": permalink,
        "url": f"https://www.reddit.com{permalink}",
        "is_self": True,
        "over_18": False,
        "subreddit_id": "t5_2qh1i",
        "removed_by_category": None,
        "view_count": None,
        "stickied": False,
        "edited": False,
        "link_flair_text": None,
        **fields,
    }
    return {"kind": "t3", "data": data}


def comment(
    number: int, at: float, parent: str, subreddit: str = "burgers", **fields: Any
) -> dict[str, Any]:
    """A t1 (comment) child as /r/{sub}/comments lists it."""
    item_id = f"c{number:05d}"
    link_id = fields.pop("link_id", "t3_1p0001")
    data = {
        "subreddit": subreddit,
        "body": f"Comment {number} about acme",
        "author_fullname": f"t2_commenter{number}",
        "name": f"t1_{item_id}",
        "id": item_id,
        "link_id": link_id,
        "link_title": "Acme burger number 1",
        "parent_id": parent,
        "score": number,
        "ups": number,
        "created": at,
        "created_utc": at,
        "author": f"commenter{number}",
        "permalink": f"/r/{subreddit}/comments/{link_id[3:]}/acme/{item_id}/",
        "replies": "",
        "num_comments": 999,  # the post's count, not the comment's
        "over_18": False,
        "subreddit_id": "t5_2qh1i",
        "stickied": False,
        "edited": False,
        **fields,
    }
    return {"kind": "t1", "data": data}


def listing(children: list[dict[str, Any]], after: str | None = None) -> dict[str, Any]:
    return {
        "kind": "Listing",
        "data": {
            "after": after,
            "dist": len(children),
            "modhash": None,
            "geo_filter": "",
            "children": children,
            "before": None,
        },
    }


def rate_headers(remaining: str = "598.0", used: str = "2", reset: str = "540") -> dict[str, str]:
    return {
        "x-ratelimit-remaining": remaining,
        "x-ratelimit-used": used,
        "x-ratelimit-reset": reset,
    }


def serve_token(platform: PlatformServer, tokens: list[str] | None = None) -> list[Request]:
    """The token endpoint: checks HTTP basic auth and the grant, hands out `tokens` in turn."""
    issued = list(tokens or ["token-1"])
    calls: list[Request] = []

    def answer(request: Request) -> Reply:
        calls.append(request)
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        form = parse_qs(request.body.decode())
        if request.headers.get("authorization") != f"Basic {expected}":
            return Reply.json({"message": "Unauthorized", "error": 401}, 401)
        if form.get("grant_type") != ["client_credentials"]:
            return Reply.json({"error": "unsupported_grant_type"})
        token = issued.pop(0) if len(issued) > 1 else issued[0]
        return Reply.json(
            {"access_token": token, "token_type": "bearer", "expires_in": 86400, "scope": "*"}
        )

    platform.route("POST", TOKEN, answer)
    return calls


def serve_listing(
    platform: PlatformServer,
    path: str,
    pages: dict[str | None, dict[str, Any]],
    token: str = "token-1",
) -> None:
    """A listing whose pages are keyed by the `after` they answer; a wrong token is a 401."""

    def answer(request: Request) -> Reply:
        if request.headers.get("authorization") != f"bearer {token}":
            return Reply.json(
                {"message": "Unauthorized", "error": 401},
                401,
                **{"www-authenticate": 'Bearer realm="reddit", error="invalid_token"'},
            )
        return Reply.json(pages[request.arg("after")], **rate_headers())

    platform.route("GET", path, answer)
