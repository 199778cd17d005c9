"""Real Reddit answers (recorded by Async PRAW, see recorded/reddit/SOURCES.md) replayed from
the local server against the `reddit` connector."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flarewatch.sources.reddit import RedditOptions, RedditSource
from tests.sources.platform_server import PlatformServer, Reply, Request

RECORDED = Path(__file__).parent / "recorded" / "reddit"
HEADERS: dict[str, dict[str, str]] = json.loads((RECORDED / "headers.json").read_text())
# A minute after the recordings were made.
NOW = datetime(2020, 7, 10, 23, 46, 55, tzinfo=UTC)
# Where a listing ends (`after: null`, no children): not recorded, the documented shape.
END = {"kind": "Listing", "data": {"after": None, "dist": 0, "children": [], "before": None}}


def recorded(name: str) -> Reply:
    return Reply(200, (RECORDED / name).read_bytes(), dict(HEADERS[name]))


def serve_listing(platform: PlatformServer, path: str, name: str) -> None:
    cursor = json.loads((RECORDED / name).read_text())["data"]["after"]

    def answer(request: Request) -> Reply:
        assert request.headers["authorization"] == "bearer <ACCESS_TOKEN>"
        return recorded(name) if request.arg("after") is None else Reply.json(END)

    platform.route("GET", path, answer)
    assert cursor  # the recorded page names the next one


def reddit(platform: PlatformServer) -> RedditSource:
    options = RedditOptions(
        subreddits=["askreddit"],
        endpoint=platform.url(),
        auth_endpoint=platform.url(),
        client_id_env="REDDIT_CLIENT_ID",
        client_secret_env="REDDIT_CLIENT_SECRET",
    )
    return RedditSource("recorded", options, client_id="id", client_secret="secret")


def test_recorded_new_posts_and_comments_are_mapped(platform: PlatformServer) -> None:
    platform.route("POST", "/api/v1/access_token", recorded("access_token.json"))
    serve_listing(platform, "/r/askreddit/new", "askreddit_new.json")
    serve_listing(platform, "/r/askreddit/comments", "askreddit_comments.json")
    source = reddit(platform)
    result = source.fetch(None, now=NOW)
    assert not result.problems
    by_id: dict[str, Any] = {p.external_id: p for p in result.posts}
    assert [p.external_id for p in result.posts] == [
        "t3_hozfbb",
        "t3_hoztkv",
        "t3_hozu24",
        "t3_hozuhx",
        "t3_hozvuc",
        "t1_fxl1nct",  # oldest first: the listing's order, reversed
        "t1_fxl1p78",
        "t1_fxl1p7b",
        "t1_fxl1p7d",
        "t1_fxl1p7e",
        "t1_fxl1p7i",
    ]
    cinema = by_id["t3_hozfbb"]
    title = (
        "People who work in cinemas, what\u2019s your weirder found while cleaning after a movie?"
    )
    assert (cinema.title, cinema.text) == (title, title)  # a post without self text
    assert (cinema.author, cinema.likes, cinema.replies, cinema.shares) == ("iBaka_oO", 3, 3, 0)
    assert cinema.created_at == datetime(2020, 7, 10, 23, 15, 39, tzinfo=UTC)
    assert cinema.url == (
        "https://www.reddit.com/r/AskReddit/comments/hozfbb/"
        "people_who_work_in_cinemas_whats_your_weirder/"
    )
    assert cinema.links == [] and cinema.reply_to is None and cinema.repost_of is None
    assert cinema.raw["subreddit"] == "AskReddit" and cinema.raw["author_fullname"] == "t2_ip7m3"
    assert cinema.raw["over_18"] is False and cinema.platform == "reddit"
    germans = by_id["t1_fxl1p7i"]
    assert germans.reply_to == "t1_fxj90f6"  # a reply to another comment
    assert germans.text.startswith("The Germans are a very resilient group.")
    assert germans.text.endswith("\n\n\nThe German War Machine")
    assert germans.raw["link_id"] == "t3_hoocpo" and germans.replies == 0
    assert germans.url == (
        "https://www.reddit.com/r/AskReddit/comments/hoocpo/"
        "dear_non_germans_what_do_you_think_of_germany/fxl1p7i/"
    )
    wars = by_id["t1_fxl1p7e"]
    assert (
        wars.reply_to == "t3_hozvuc"
        and wars.text == "End two world wars when everyone else couldn't"
    )
    assert wars.author == "ThunderStruck115" and wars.likes == 1
    # The recorded rate-limit headers: 594.0 left of 600 (594 + 6 used), reset in 253 s.
    assert result.quota == {
        "remaining": 594,
        "limit": 600,
        "unit": "requests",
        "reset_at": (NOW + timedelta(seconds=253)).isoformat(),
    }
    # The recorded `after` cursors were followed to the listings' ends.
    afters = [r.arg("after") for r in platform.requests if r.method == "GET"]
    assert afters == [None, "t3_hozfbb", None, "t1_fxl1nct"]
    again = source.fetch(json.loads(json.dumps(result.checkpoint)), now=NOW)
    assert again.posts == [] and not again.problems
