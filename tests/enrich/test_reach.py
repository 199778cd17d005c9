from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flarewatch.enrich import engagement_velocity, reach_estimate
from flarewatch.mentions.post import Post


def test_reach_prefers_reported_views() -> None:
    assert reach_estimate(Post("1", "x", views=1234, author_followers=10)) == 1234.0


def test_reach_formula_without_views() -> None:
    post = Post("1", "x", platform="twitter", author_followers=1000, shares=2, likes=3, replies=1)
    assert reach_estimate(post) == 1000 * 0.10 + 2 * 60 + 4 * 5
    assert reach_estimate(Post("2", "x", platform="news")) == 0.0


def test_engagement_velocity_per_hour_with_floor() -> None:
    now = datetime(2024, 1, 1, 12, tzinfo=UTC)
    post = Post("1", "x", likes=10, replies=5, shares=2, created_at=now - timedelta(hours=2))
    assert engagement_velocity(post, now) == (10 + 10 + 6) / 2
    fresh = Post("2", "x", likes=1, created_at=now)
    assert engagement_velocity(fresh, now) == 1 / 0.25
