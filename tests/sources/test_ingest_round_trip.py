"""`post_to_record` is the inverse of `post_from_record`: what it writes reads back the same."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import UTC, datetime

from flarewatch.mentions.post import Post
from flarewatch.sources.ingest import FIELDS, post_from_record, post_to_record

# raw, where and truncated describe where a record came from, not the post itself.
PROVENANCE = {"raw", "where", "truncated", "clean_text", "content_hash", "hashtags", "mentions"}

FULL = {
    "id": "tw-1",
    "text": "מצאתי תולעת בהמבורגר",
    "title": "A worm",
    "author": "@maya",
    "author_name": "Maya K.",
    "author_followers": "12,400",
    "author_verified": "yes",
    "author_created_at": "2019-01-02T03:04:05+02:00",
    "platform": "Twitter",
    "url": "https://example.org/p/1",
    "language": "HE",
    "country": "il",
    "created_at": "2024-06-11T12:00:00+03:00",
    "likes": 320,
    "shares": "4",
    "replies": 2,
    "views": 10000,
    "reply_to": "tw-0",
    "repost_of": "tw-00",
    "links": "https://a.example/1 | https://b.example/2",
    "subreddit": "burgers",  # a field beyond the format: kept in raw
}


def _same(one: Post, other: Post) -> None:
    for item in fields(Post):
        if item.name not in PROVENANCE:
            assert getattr(one, item.name) == getattr(other, item.name), item.name


def test_a_full_record_round_trips() -> None:
    post = post_from_record(FULL, source_key="export")
    record = post_to_record(post)
    assert set(FIELDS) <= set(record)
    assert record["author"] == "maya" and record["created_at"] == "2024-06-11T09:00:00+00:00"
    assert record["subreddit"] == "burgers"
    # Through JSON, as `flarewatch sources test --jsonl` prints it.
    again = post_from_record(json.loads(json.dumps(record)), source_key="export")
    _same(post, again)
    assert again.raw["subreddit"] == "burgers"
    assert post_to_record(again) == record


def test_a_minimal_post_leaves_out_what_it_does_not_have() -> None:
    post = Post(external_id="x-1", text="hi", created_at=datetime(2024, 1, 1, tzinfo=UTC))
    record = post_to_record(post)
    assert "title" not in record and "links" not in record and "author_followers" not in record
    again = post_from_record(record)
    _same(post, again)


def test_every_default_survives() -> None:
    post = post_from_record(
        {"id": "1", "text": "t", "created_at": 1718100000}, default_platform="news"
    )
    _same(post, post_from_record(post_to_record(post)))


def test_a_hashed_long_id_stays_the_same_id() -> None:
    post = post_from_record({"id": "https://example.org/" + "x" * 400, "text": "t"})
    assert post.external_id.startswith("sha256:")
    assert post_from_record(post_to_record(post)).external_id == post.external_id
