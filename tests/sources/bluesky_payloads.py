"""Bluesky payloads in the shapes the platform documents (app.bsky.feed.searchPosts postViews,
Jetstream commit events), with the tests' own content."""

from __future__ import annotations

import json
from typing import Any

DID = "did:plc:z72i7hdynmk6r22z27h6tvur"


def post_view(
    rkey: str,
    text: str,
    created: str,
    *,
    handle: str = "alice.bsky.social",
    did: str = DID,
    reply_parent: str | None = None,
    quote: str | None = None,
    with_media: bool = False,
) -> dict[str, Any]:
    uri = f"at://{did}/app.bsky.feed.post/{rkey}"
    record: dict[str, Any] = {
        "$type": "app.bsky.feed.post",
        "text": text,
        "createdAt": created,
        "langs": ["en"],
    }
    view: dict[str, Any] = {
        "uri": uri,
        "cid": "bafyreibjifzpqj6o6wcq3hejh7y4z4z2vmiklkvykc57tw3pcbx3kxifpm",
        "author": {
            "did": did,
            "handle": handle,
            "displayName": "Alice",
            "avatar": "https://cdn.bsky.app/img/avatar/plain/x/y@jpeg",
            "labels": [],
            "createdAt": "2023-04-12T04:53:57.057Z",
        },
        "record": record,
        "replyCount": 2,
        "repostCount": 3,
        "likeCount": 5,
        "quoteCount": 1,
        "indexedAt": created,
        "labels": [],
    }
    if reply_parent:
        ref = {"uri": reply_parent, "cid": "bafyparent"}
        record["reply"] = {"root": ref, "parent": ref}
    if quote:
        quoted = {"uri": quote, "cid": "bafyquoted"}
        if with_media:
            record["embed"] = {
                "$type": "app.bsky.embed.recordWithMedia",
                "record": {"$type": "app.bsky.embed.record", "record": quoted},
                "media": {"$type": "app.bsky.embed.images", "images": []},
            }
            view["embed"] = {
                "$type": "app.bsky.embed.recordWithMedia#view",
                "record": {"record": {"$type": "app.bsky.embed.record#viewRecord", **quoted}},
                "media": {"$type": "app.bsky.embed.images#view", "images": []},
            }
        else:
            record["embed"] = {"$type": "app.bsky.embed.record", "record": quoted}
            view["embed"] = {
                "$type": "app.bsky.embed.record#view",
                "record": {"$type": "app.bsky.embed.record#viewRecord", **quoted},
            }
    return view


def jetstream_post(time_us: int, rkey: str, text: str, *, did: str = DID) -> str:
    return json.dumps(
        {
            "did": did,
            "time_us": time_us,
            "kind": "commit",
            "commit": {
                "rev": f"3l3qo2vuowo2b{rkey[-2:]}",
                "operation": "create",
                "collection": "app.bsky.feed.post",
                "rkey": rkey,
                "record": {
                    "$type": "app.bsky.feed.post",
                    "createdAt": "2026-03-01T10:00:00.000Z",
                    "langs": ["en"],
                    "text": text,
                },
                "cid": "bafyreidwaivazkwu67xztlmuobx35hs2lnfh3kolmgfmucldvhd3sgzcqi",
            },
        }
    )


def jetstream_other(time_us: int, kind: str) -> str:
    if kind == "identity":
        body = {"identity": {"did": DID, "handle": "alice.bsky.social", "seq": 1, "time": "x"}}
    elif kind == "account":
        body = {"account": {"active": True, "did": DID, "seq": 2, "time": "x"}}
    else:
        body = {
            "commit": {
                "rev": "3l3f6nzl3cv2s",
                "operation": "delete",
                "collection": "app.bsky.feed.post",
                "rkey": "3l3f6nzl3cv2s",
            }
        }
        kind = "commit"
    return json.dumps({"did": DID, "time_us": time_us, "kind": kind, **body})
