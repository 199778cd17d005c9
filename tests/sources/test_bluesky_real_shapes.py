"""Bluesky search and Jetstream against payloads in the full shape the AppView and Jetstream
send: BCP-47 `langs`, image/video/link/quote embeds (and their #view forms), quoted posts
that were deleted, facets of every feature, counts left out, unreadable client times, and
fields this code does not know."""

from __future__ import annotations

import json
import time
from typing import Any

from flarewatch.sources.bluesky import BlueskySource
from flarewatch.sources.jetstream import JetstreamSource

from .bluesky_payloads import DID
from .jetstream_server import jetstream_replay
from .platform_server import Reply

SEARCH = "/xrpc/app.bsky.feed.searchPosts"
OTHER = "did:plc:7ujxgz3kl2xhvdcvcrvbunrd"
BLOB = {"$type": "blob", "ref": {"$link": "bafkreif3"}, "mimeType": "image/jpeg", "size": 91234}


def author(did: str = DID, handle: str = "grill.example.com", **extra: Any) -> dict[str, Any]:
    return {
        "did": did,
        "handle": handle,
        "displayName": "Grill Fan",
        "avatar": "https://cdn.bsky.app/img/avatar/plain/did/abc@jpeg",
        "associated": {"chat": {"allowIncoming": "following"}},
        "viewer": {"muted": False, "blockedBy": False},
        "labels": [],
        "createdAt": "2024-02-07T10:00:00.000Z",
        "verification": {
            "verifications": [],
            "verifiedStatus": "none",
            "trustedVerifierStatus": "none",
        },
        **extra,
    }


def view(rkey: str, record: dict[str, Any], indexed: str, **extra: Any) -> dict[str, Any]:
    return {
        "uri": f"at://{DID}/app.bsky.feed.post/{rkey}",
        "cid": f"bafyreia{rkey}",
        "author": author(),
        "record": {"$type": "app.bsky.feed.post", **record},
        "bookmarkCount": 0,
        "replyCount": 0,
        "repostCount": 0,
        "likeCount": 0,
        "quoteCount": 0,
        "indexedAt": indexed,
        "viewer": {"threadMuted": False, "embeddingDisabled": False},
        "labels": [],
        **extra,
    }


def answer() -> dict[str, Any]:
    video_record = {
        "text": "",
        "createdAt": "2026-03-01T10:04:00.000Z",
        "langs": ["zh-Hant-TW"],
        "embed": {
            "$type": "app.bsky.embed.video",
            "video": {**BLOB, "mimeType": "video/mp4"},
            "alt": "烤莓 burger unboxing",
            "aspectRatio": {"width": 1080, "height": 1920},
        },
    }
    link_record = {
        "text": "grillberry recall: full story → news.example/recall…",
        "createdAt": "not a time",
        "langs": ["en-US"],
        "facets": [
            {
                "$type": "app.bsky.richtext.facet",
                "index": {"byteStart": 34, "byteEnd": 55},
                "features": [
                    {"$type": "app.bsky.richtext.facet#link", "uri": "https://news.example/recall"}
                ],
            },
            {
                "index": {"byteStart": 0, "byteEnd": 11},
                "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "grillberry"}],
            },
            {
                "index": {"byteStart": 12, "byteEnd": 18},
                "features": [{"$type": "app.bsky.richtext.facet#mention", "did": OTHER}],
            },
        ],
        "embed": {
            "$type": "app.bsky.embed.external",
            "external": {
                "uri": "https://news.example/recall?utm_source=bsky",
                "title": "Recall",
                "description": "",
                "thumb": BLOB,
            },
        },
    }
    reply_record = {
        "text": "grillberry answered me at last",
        "createdAt": "2026-03-01T10:02:00.000Z",
        "langs": [],
        "reply": {
            # The parent was deleted since: its reference still names it.
            "root": {"uri": f"at://{OTHER}/app.bsky.feed.post/3kgone", "cid": "bafyroot"},
            "parent": {"uri": f"at://{OTHER}/app.bsky.feed.post/3kgone", "cid": "bafyroot"},
        },
        "embed": {
            "$type": "app.bsky.embed.recordWithMedia",
            "record": {
                "$type": "app.bsky.embed.record",
                "record": {"uri": f"at://{OTHER}/app.bsky.feed.post/3kquoted", "cid": "bafyq"},
            },
            "media": {
                "$type": "app.bsky.embed.images",
                "images": [{"alt": "", "image": BLOB, "aspectRatio": {"width": 4, "height": 3}}],
            },
        },
    }
    quoting_deleted = {
        "text": "remember when grillberry said this?",
        "createdAt": "2026-03-01T10:01:00.000Z",
        "langs": ["iw"],
        "embed": {
            "$type": "app.bsky.embed.record",
            "record": {"uri": f"at://{OTHER}/app.bsky.feed.post/3kdeleted", "cid": "bafyd"},
        },
    }
    return {
        "cursor": None,
        "hitsTotal": 4,
        "posts": [
            view("3kvideo", video_record, "2026-03-01T10:04:01.000Z"),
            view(
                "3klink",
                link_record,
                "2026-03-01T10:03:01.000Z",
                author=author(handle="handle.invalid", createdAt="garbage", displayName=""),
                embed={
                    "$type": "app.bsky.embed.external#view",
                    "external": {"uri": "https://news.example/recall?utm_source=bsky", "title": ""},
                },
            ),
            {
                key: value
                for key, value in view("3kreply", reply_record, "2026-03-01T10:02:01.000Z").items()
                if not key.endswith("Count")  # counts can be left out
            },
            view(
                "3kquote",
                quoting_deleted,
                "2026-03-01T10:01:01.000Z",
                embed={
                    "$type": "app.bsky.embed.record#view",
                    "record": {
                        "$type": "app.bsky.embed.record#viewNotFound",
                        "uri": f"at://{OTHER}/app.bsky.feed.post/3kdeleted",
                        "notFound": True,
                    },
                },
            ),
        ],
    }


def test_search_reads_every_real_post_shape(platform) -> None:
    platform.route("GET", SEARCH, Reply.json(answer()))
    result = BlueskySource("bsky", "grillberry", endpoint=platform.url()).fetch(None)
    assert result.problems == []
    posts = {p.external_id.rsplit("/", 1)[1]: p for p in result.posts}
    assert set(posts) == {"3kvideo", "3klink", "3kreply", "3kquote"}

    video = posts["3kvideo"]
    assert video.text == "烤莓 burger unboxing"  # a video's alt sits on the embed itself
    assert video.language == "zh"  # "zh-Hant-TW" is longer than a stored language code

    link = posts["3klink"]
    assert link.language == "en"
    assert link.author == DID  # handle.invalid: the DID still resolves
    assert link.author_created_at is None and link.author_name is None
    # createdAt does not parse: dated by the AppView, the client's value kept in raw.
    assert link.created_at.isoformat() == "2026-03-01T10:03:01+00:00"
    assert link.raw["record_created_at"] == "not a time"
    assert link.links == [
        "https://news.example/recall?utm_source=bsky",
        "https://news.example/recall",
    ]

    reply = posts["3kreply"]
    assert reply.reply_to == f"at://{OTHER}/app.bsky.feed.post/3kgone"
    assert reply.repost_of == f"at://{OTHER}/app.bsky.feed.post/3kquoted"
    assert (reply.likes, reply.shares, reply.replies, reply.language) == (0, 0, 0, None)

    quote = posts["3kquote"]
    assert quote.repost_of == f"at://{OTHER}/app.bsky.feed.post/3kdeleted"
    assert quote.language == "he"  # the old code Google and others still write


def test_jetstream_matches_what_an_image_only_post_says_and_reads_bcp47_langs() -> None:
    base = int(time.time() * 1e6) - 3_600_000_000
    image_only = {
        "did": OTHER,
        "time_us": base + 1,
        "kind": "commit",
        "commit": {
            "rev": "3lrev000001",
            "operation": "create",
            "collection": "app.bsky.feed.post",
            "rkey": "3kimage",
            "record": {
                "$type": "app.bsky.feed.post",
                "createdAt": "2026-03-01T10:00:00.000Z",
                "langs": ["pl-PL"],
                "text": "",
                "embed": {
                    "$type": "app.bsky.embed.images",
                    "images": [{"alt": "Zimny burger z Grillberry", "image": BLOB}],
                },
            },
            "cid": "bafyreiimage",
        },
    }
    update = {
        "did": OTHER,
        "time_us": base + 2,
        "kind": "commit",
        "commit": {
            "rev": "3lrev000002",
            "operation": "update",
            "collection": "app.bsky.feed.post",
            "rkey": "3kimage",
            "record": {
                "$type": "app.bsky.feed.post",
                "text": "grillberry edited",
                "createdAt": "x",
            },
            "cid": "bafyreiupdate",
        },
    }
    with jetstream_replay([json.dumps(image_only), json.dumps(update)]) as replay:
        source = JetstreamSource("js", ["grillberry"], endpoint=replay.url, quiet_seconds=0.3)
        result = source.fetch(None)
    assert [p.external_id for p in result.posts] == [f"at://{OTHER}/app.bsky.feed.post/3kimage"]
    post = result.posts[0]
    assert (post.text, post.language) == ("Zimny burger z Grillberry", "pl")
    assert result.checkpoint == {"cursor": base + 2}
