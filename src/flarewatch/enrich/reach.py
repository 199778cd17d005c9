"""Reach and engagement normalised across platforms.

Reach estimate (people who plausibly saw the post)::

    reach = views                                           if the platform reports views
          = followers * ORGANIC[platform]
            + shares * SHARE_FANOUT[platform]
            + (likes + replies) * INTERACTION_EXPOSURE      otherwise

``ORGANIC`` is the share of an author's followers who see an average post (organic reach rates that
platforms' own creator docs and industry studies put at a few percent on Facebook/Instagram and
around 10% on X); ``SHARE_FANOUT`` is how many extra people a reshare exposes. News and web pages
have no follower count: their reach is their reported views or the interaction-based term.

Engagement is a weighted interaction count, comparable across platforms::

    engagement = likes * 1 + replies * 2 + shares * 3

(a reply or a share costs the user more than a like, and a share carries the post further).
Engagement velocity is engagement per hour since publication, with the age floored at 15 minutes
so a post seconds old does not read as viral.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flarewatch.mentions.post import Post

ORGANIC: dict[str, float] = {
    "twitter": 0.10,
    "x": 0.10,
    "facebook": 0.05,
    "instagram": 0.08,
    "tiktok": 0.15,
    "reddit": 0.02,
    "youtube": 0.10,
    "linkedin": 0.06,
    "telegram": 0.30,
    "mastodon": 0.10,
}
SHARE_FANOUT: dict[str, float] = {
    "twitter": 60.0,
    "x": 60.0,
    "facebook": 40.0,
    "instagram": 30.0,
    "tiktok": 80.0,
    "reddit": 10.0,
    "youtube": 30.0,
    "linkedin": 25.0,
    "telegram": 50.0,
    "mastodon": 20.0,
}
DEFAULT_ORGANIC = 0.05
DEFAULT_FANOUT = 20.0
INTERACTION_EXPOSURE = 5.0
MIN_AGE_HOURS = 0.25


def reach_estimate(post: Post) -> float:
    if post.views > 0:
        return float(post.views)
    platform = post.platform.lower()
    followers = max(post.author_followers or 0, 0)
    return round(
        followers * ORGANIC.get(platform, DEFAULT_ORGANIC)
        + max(post.shares, 0) * SHARE_FANOUT.get(platform, DEFAULT_FANOUT)
        + (max(post.likes, 0) + max(post.replies, 0)) * INTERACTION_EXPOSURE,
        2,
    )


def engagement(post: Post) -> float:
    return float(max(post.likes, 0) + 2 * max(post.replies, 0) + 3 * max(post.shares, 0))


def engagement_velocity(post: Post, now: datetime | None = None) -> float:
    """Weighted interactions per hour since the post was published."""
    now = now or datetime.now(UTC)
    created = post.created_at
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    hours = max((now - created).total_seconds() / 3600.0, MIN_AGE_HOURS)
    return round(engagement(post) / hours, 4)
