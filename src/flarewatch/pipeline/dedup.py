"""Exact deduplication.

The same item often arrives twice: one article through two feeds, a post re-fetched after a
restart. Those are folded. The same text from *different* authors is not: that is a copy-paste
campaign, a signal that near-duplicate detection and the spam scorer count, not noise to drop.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flarewatch.mentions.post import Post


def identity_key(post: Post) -> tuple[str, str]:
    """Same content by the same author (or, for anonymous items, at the same URL)."""
    who = (post.author or "").casefold() or (post.url or "")
    return post.content_hash, who


@dataclass(slots=True)
class DedupResult:
    unique: list[Post]
    # external id of a duplicate → external id of the post it repeats (within the batch)
    duplicates: dict[str, str]


def dedup_batch(posts: Iterable[Post]) -> DedupResult:
    """Drop repeated external ids and fold exact repeats onto their first occurrence."""
    unique: list[Post] = []
    duplicates: dict[str, str] = {}
    seen_ids: set[str] = set()
    first_by_key: dict[tuple[str, str], str] = {}
    for post in posts:
        if post.external_id in seen_ids:
            continue
        seen_ids.add(post.external_id)
        key = identity_key(post)
        original = first_by_key.get(key)
        if original is not None:
            duplicates[post.external_id] = original
            continue
        first_by_key[key] = post.external_id
        unique.append(post)
    return DedupResult(unique=unique, duplicates=duplicates)


def split_known(
    posts: list[Post], known: Mapping[tuple[str, str], int]
) -> tuple[list[Post], dict[str, int]]:
    """Separate posts whose identity is already stored (→ stored raw_post id) from new ones."""
    new: list[Post] = []
    repeats: dict[str, int] = {}
    for post in posts:
        stored = known.get(identity_key(post))
        if stored is None:
            new.append(post)
        else:
            repeats[post.external_id] = stored
    return new, repeats
