"""One topic's minute-by-minute detection loop, free of the database.

The live service feeds it rows it read from storage; the evaluation and the workspace backtest
feed it the same shapes, so every path runs literally the same code.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flarewatch.alerts.wording import (
    STORY_GROWING,
    UNUSUAL_ACTIVITY,
    UNUSUAL_NEGATIVE,
    english,
    wording,
)
from flarewatch.detect.detector import Interval, StepResult, TopicDetector
from flarewatch.detect.lexicon import find_terms
from flarewatch.detect.score import INFLUENCER_FOLLOWERS, Influencer
from flarewatch.detect.stories import StoryPost, StoryTracker
from flarewatch.detect.types import AlertCandidate

MINUTE = timedelta(minutes=1)
DRIVING_POSTS = 10
# Alerts cite driving posts from at most the last 60 minutes of their window, which ends a
# minute after the minute evaluated: older posts are never read again, so they are dropped.
RECENT_MINUTES = 61
# And at most this many (the newest): a topic at 1,000 posts/s would otherwise hold 3.6M.
RECENT_POSTS_MAX = 50_000


@dataclass(slots=True)
class PostRow:
    """A topic's mention as detection needs it."""

    post_id: int  # raw_post id: what alerts cite
    created_at: datetime
    text: str
    platform: str
    author: str | None = None
    author_id: int | None = None
    followers: int | None = None
    negative: bool = False
    reach: float = 0.0
    engagement: float = 0.0
    mention_id: int | None = None
    story_key: str | None = None  # as stored, for posts clustered by an earlier run
    positive: bool = False
    sentiment_score: float = 0.0  # P(positive) - P(negative), in [-1, 1]
    cluster: str | None = None  # near-duplicate cluster (the original's external id)


@dataclass(slots=True)
class MinuteTotals:
    """A rollup row's figures (or the same figures computed from the posts)."""

    count: float = 0.0
    negative: float = 0.0
    reach: float = 0.0
    engagement: float = 0.0
    author_ids: list[int] = field(default_factory=list)
    platforms: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, posts: list[PostRow]) -> MinuteTotals:
        platforms: Counter[str] = Counter(p.platform for p in posts)
        return cls(
            count=float(len(posts)),
            negative=float(sum(p.negative for p in posts)),
            reach=sum(p.reach for p in posts),
            engagement=sum(p.engagement for p in posts),
            author_ids=sorted({p.author_id for p in posts if p.author_id is not None}),
            platforms=dict(platforms),
        )


@dataclass(slots=True)
class _Recent:
    post_id: int
    minute: datetime
    negative: bool
    reach: float
    story_key: str
    positive: bool = False
    sentiment_score: float = 0.0
    cluster: str | None = None

    @classmethod
    def of(cls, post: PostRow, minute: datetime, story_key: str) -> _Recent:
        return cls(
            post.post_id,
            minute,
            post.negative,
            post.reach,
            story_key,
            post.positive,
            post.sentiment_score,
            post.cluster,
        )


def rank_key_posts(posts: list[_Recent]) -> list[_Recent]:
    """The posts to show a person: no positive chatter, one per near-duplicate cluster (the
    earliest, usually the original), negative before neutral, then by the cluster's reach
    (a copy-paste campaign reaches as far as all its copies), then by how negative."""
    groups: dict[str, list[_Recent]] = {}
    for post in posts:
        if not post.positive:
            groups.setdefault(post.cluster or f"#{post.post_id}", []).append(post)
    ranked = []
    for members in groups.values():
        first = min(members, key=lambda p: (p.minute, p.post_id))
        negative = any(p.negative for p in members)
        reach = sum(p.reach for p in members)
        negativity = -min(p.sentiment_score for p in members)
        ranked.append(((not negative, -reach, -negativity, first.minute, first.post_id), first))
    ranked.sort(key=lambda pair: pair[0])
    return [post for _, post in ranked]


class TopicRunner:
    def __init__(
        self,
        detector: TopicDetector,
        tracker: StoryTracker,
        extra_terms: tuple[str, ...] = (),
        watched: frozenset[str] = frozenset(),
    ) -> None:
        self.detector = detector
        self.tracker = tracker
        self.extra_terms = extra_terms
        self.watched = watched
        self.recent: deque[_Recent] = deque(maxlen=RECENT_POSTS_MAX)

    def remember(self, posts: list[PostRow]) -> None:
        """Seed the driving-post memory with posts an earlier run already processed."""
        for post in posts:
            minute = post.created_at.replace(second=0, microsecond=0)
            self.recent.append(_Recent.of(post, minute, post.story_key or ""))

    def run_minute(
        self, minute: datetime, posts: list[PostRow], totals: MinuteTotals | None = None
    ) -> tuple[StepResult, Interval, list[tuple[PostRow, str]]]:
        """Cluster the minute's posts, then score the topic as of the minute's end."""
        terms: Counter[str] = Counter()
        influencers: list[Influencer] = []
        assigned: list[tuple[PostRow, str]] = []
        for post in posts:
            key = self.tracker.add(
                StoryPost(post.post_id, post.created_at, post.text, post.author, post.platform)
            )
            assigned.append((post, key))
            terms.update(find_terms(post.text, self.extra_terms))
            handle = (post.author or "").lower()
            watched = bool(handle) and handle in self.watched
            if watched or (post.followers or 0) >= INFLUENCER_FOLLOWERS:
                influencers.append(Influencer(post.author or "?", post.followers, watched))
            self.recent.append(_Recent.of(post, minute, key))
        while self.recent and self.recent[0].minute <= minute - timedelta(minutes=RECENT_MINUTES):
            self.recent.popleft()
        story, story_max = self.tracker.signal(minute + MINUTE)
        totals = totals if totals is not None else MinuteTotals.of(posts)
        iv = Interval(
            start=minute,
            count=totals.count,
            negative=totals.negative,
            reach=totals.reach,
            engagement=totals.engagement,
            # Posts without known authors (some feeds) must not read as "no distinct authors".
            authors=list(totals.author_ids) if totals.author_ids else None,
            platforms=dict(totals.platforms) or None,
            crisis_terms=dict(terms) or None,
            influencers=influencers or None,
            story=story,
            story_max=story_max,
        )
        return self.detector.step(iv), iv, assigned

    def candidate(
        self, result: StepResult, iv: Interval, workspace_id: int, topic_id: int, topic_name: str
    ) -> AlertCandidate:
        a = result.assessment
        story = iv.story
        detector = self.detector
        # The episode keeps the group key it started with, so a story that grows into a
        # topic-wide surge stays one open signal instead of splitting into two alerts.
        if detector.episode_group is None:
            story_led = story is not None and any(f.name == "story_growth" for f in a.factors)
            detector.episode_group = (
                f"story:{topic_id}:{story.key}" if story_led and story else f"topic:{topic_id}"
            )
        group = detector.episode_group
        since = max(result.window_start, result.window_end - timedelta(minutes=60))
        posts = [p for p in self.recent if p.minute >= since]
        if group.startswith("story:"):
            story_key = group.rsplit(":", 1)[1]
            posts = [p for p in posts if p.story_key == story_key] or posts
        posts = rank_key_posts(posts)
        if group.startswith("story:") and story is not None:
            title = wording(STORY_GROWING, topic=topic_name, label=story.label)
        else:
            lead = UNUSUAL_NEGATIVE if a.lead == "negative" else UNUSUAL_ACTIVITY
            title = wording(lead, topic=topic_name)
        return AlertCandidate(
            workspace_id=workspace_id,
            topic_id=topic_id,
            group_key=group,
            severity=a.severity or "watch",
            risk_score=a.risk,
            title=english(title["message"], **title["params"]),
            title_message=title,
            explanation=a.explanation,
            window_start=result.window_start,
            window_end=result.window_end,
            factors=a.factors,
            post_ids=[p.post_id for p in posts[:DRIVING_POSTS]],
            usual_negative_share=result.baseline.negative_share if result.baseline else None,
        )


@dataclass(slots=True)
class ReplayStep:
    minute: datetime
    result: StepResult
    candidate: AlertCandidate | None


def replay_posts(
    runner: TopicRunner,
    posts: list[PostRow],
    start: datetime,
    end: datetime,
    topic_id: int = 1,
    topic_name: str = "topic",
) -> list[ReplayStep]:
    """Run a topic over [start, end) minute by minute from posts alone (no rollup table)."""
    by_minute: dict[datetime, list[PostRow]] = {}
    for post in posts:
        minute = post.created_at.replace(second=0, microsecond=0)
        by_minute.setdefault(minute, []).append(post)
    steps: list[ReplayStep] = []
    minute = start.replace(second=0, microsecond=0)
    while minute < end:
        result, iv, _ = runner.run_minute(minute, by_minute.get(minute, []))
        candidate = None
        if result.emit and result.assessment.severity is not None:
            candidate = runner.candidate(result, iv, 0, topic_id, topic_name)
        steps.append(ReplayStep(minute, result, candidate))
        minute += MINUTE
    return steps
