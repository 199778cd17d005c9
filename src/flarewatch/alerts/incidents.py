"""One incident, one alert: when two topics' signals rest on the same posts.

A story that several topics match (the brand, food safety, a boycott) makes each topic's detector
fire on its own. People want one alert and one case for it, with the topics listed. The rule is
kept free of the database so it can be read and tested in one place; the service gathers the
evidence (driving posts, which topics matched each post) and applies the verdict.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

# An alert's latest driving posts (detection ranks them, newest candidate first).
EVIDENCE_POSTS = 10
# Signals further apart than this are two episodes even when they share posts.
EPISODE_GAP = timedelta(minutes=60)
# Half of one side's driving posts are the other's, or matched by the other's topics...
STRONG_SHARE = 0.5
# ...and at least this much the other way, so a broad topic (the brand) does not swallow every
# narrow one it happens to contain: its own surge must be partly made of the narrow one's posts.
SOME_SHARE = 0.2


@dataclass(frozen=True, slots=True)
class Evidence:
    """What one signal rests on: its topics, driving posts and time span."""

    topic_ids: frozenset[int]
    post_ids: tuple[int, ...]
    start: datetime
    end: datetime


def same_incident(
    first: Evidence, second: Evidence, topics_of_post: Mapping[int, Collection[int]]
) -> bool:
    """Whether two signals are one incident.

    They must be within one episode gap of each other in time, and either share most of their
    driving posts outright, or most posts of one are also matched by the other's topics while
    some of the other's are matched by the first's (`topics_of_post`: post id → topic ids).
    """
    if first.start > second.end + EPISODE_GAP or second.start > first.end + EPISODE_GAP:
        return False
    mine, theirs = set(first.post_ids), set(second.post_ids)
    if not mine or not theirs:
        return False
    if len(mine & theirs) / min(len(mine), len(theirs)) >= STRONG_SHARE:
        return True
    mine_in_theirs = matched_share(mine, second.topic_ids, topics_of_post)
    theirs_in_mine = matched_share(theirs, first.topic_ids, topics_of_post)
    return (
        max(mine_in_theirs, theirs_in_mine) >= STRONG_SHARE
        and min(mine_in_theirs, theirs_in_mine) >= SOME_SHARE
    )


def matched_share(
    post_ids: Collection[int],
    topic_ids: Collection[int],
    topics_of_post: Mapping[int, Collection[int]],
) -> float:
    """The share of `post_ids` that at least one of `topic_ids` also matched."""
    if not post_ids:
        return 0.0
    wanted = set(topic_ids)
    hits = sum(1 for post_id in post_ids if wanted & set(topics_of_post.get(post_id, ())))
    return hits / len(post_ids)


def evidence_posts(post_ids: Iterable[int]) -> tuple[int, ...]:
    return tuple(post_ids)[:EVIDENCE_POSTS]
