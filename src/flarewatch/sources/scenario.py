"""Kind "scenario": replays a scenario file (see scenario_format.py and docs/scenarios.md).

Posts are generated from the file with its seed, so the same scenario and anchor always give the
same posts with the same ids; only the TOML is shipped. The trigger happens at the anchor (the
moment the replay starts, unless the source sets `start`), the baseline history lies before it,
and a replay clock running `speed` times faster than the wall clock releases the crisis posts.
"""

from __future__ import annotations

import copy
import hashlib
import math
import random
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator

from flarewatch.mentions.post import Post
from flarewatch.sources.base import FetchResult, SourceError
from flarewatch.sources.options import KindOptions
from flarewatch.sources.scenario_format import (
    SLOT_RE,
    WEEKDAYS,
    Event,
    Growth,
    Scenario,
    ScenarioError,
    Stream,
    load_scenario,
)

if TYPE_CHECKING:
    from flarewatch.config.workspace import SourceConfig
    from flarewatch.sources.secrets import Secrets

__all__ = ["ScenarioSource", "generate_posts", "load_scenario", "replay_clock"]

K = TypeVar("K", bound=str)
PLATFORM_HOSTS = {"twitter": "x", "facebook": "facebook", "instagram": "instagram"}


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:  # the normal approximation is close enough here and does not loop for long
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, count, product = math.exp(-lam), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _pick(rng: random.Random, weights: Mapping[K, float]) -> K:
    names = list(weights)
    return rng.choices(names, weights=[weights[n] for n in names])[0]


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:24] or "scenario"


class _Generator:
    """Turns one scenario and anchor into posts; every stream draws from its own seeded RNG."""

    def __init__(self, scenario: Scenario, anchor: datetime, prefix: str) -> None:
        self.s = scenario
        self.anchor = anchor
        self.prefix = prefix
        self.zone = ZoneInfo(scenario.timezone)
        self.event_posts: dict[str, dict[str, Post]] = {}
        self.authors: dict[tuple[str, str, int], tuple[str, str, int]] = {}

    def _rng(self, tag: str) -> random.Random:
        # A string seed is hashed with SHA-512 by `random`, so it is stable across processes.
        return random.Random(f"{self.s.seed}:{tag}")

    def _at(self, minutes: float) -> datetime:
        return self.anchor + timedelta(seconds=round(minutes * 60))

    def fill(self, rng: random.Random, template: str, lang: str) -> str:
        fillers = {**self.s.slots.get("all", {}), **self.s.slots.get(lang, {})}
        return SLOT_RE.sub(lambda m: rng.choice(fillers[m.group(1)]), template)

    def author(
        self, platform: str, lang: str, index: int, span: tuple[int, int]
    ) -> tuple[str, str, int]:
        """The same index on a platform is the same person, so regulars also join a crisis."""
        key = (platform, lang, index)
        if key not in self.authors:
            rng = self._rng(f"author:{platform}:{lang}:{index}")
            people = {**self.s.people.get("all", {}), **self.s.people.get(lang, {})}
            first = rng.choice(people.get("first") or ["user"])
            last = rng.choice(people.get("last") or [""])
            handle = rng.choice(people.get("handles") or ["user"]) + str(rng.randint(1, 999))
            low, high = span
            followers = int(math.exp(rng.uniform(math.log(low + 1), math.log(high + 1)))) - 1
            self.authors[key] = (handle, f"{first} {last}".strip(), max(followers, 0))
        return self.authors[key]

    def stream_post(
        self, rng: random.Random, stream: Stream, tag: str, number: int, minutes: float
    ) -> Post:
        lang = _pick(rng, stream.languages)
        tone = _pick(rng, stream.tone)
        template = rng.choice(self.s.texts[stream.texts][lang][tone])
        pool = stream.authors or 400
        handle, name, followers = self.author(
            stream.platform, lang, rng.randrange(pool), stream.followers
        )
        likes = int(followers * rng.uniform(0, 0.03))
        external_id = f"{self.prefix}-{tag}-{number}"
        host = PLATFORM_HOSTS.get(stream.platform, stream.platform)
        post = Post(
            external_id=external_id,
            text=self.fill(rng, template, lang),
            author=handle,
            author_name=name,
            author_followers=followers,
            platform=stream.platform,
            url=f"https://{host}.example/{handle}/{number}",
            language=lang,
            created_at=self._at(minutes),
            likes=likes,
            replies=int(likes * rng.uniform(0, 0.3)),
            shares=int(likes * rng.uniform(0, 0.2)),
            views=int(followers * rng.uniform(0.05, 0.4)) if stream.platform == "twitter" else 0,
            raw={"scenario": self.s.name, "stream": tag, "tone": tone},
        )
        if isinstance(stream, Growth):
            roll = rng.random()
            target = self.event_posts.get(stream.reply_to, {})
            target_post = target.get(lang) or next(iter(target.values()), None)
            if target_post is not None and roll < stream.reply_share:
                post.reply_to = target_post.external_id
            elif target_post is not None and roll < stream.reply_share + stream.repost_share:
                post.repost_of = target_post.external_id
                post.shares = int(likes * rng.uniform(0.1, 0.6))
        return post

    def event(self, event: Event) -> list[Post]:
        posts: dict[str, Post] = {}
        for position, (lang, text) in enumerate(event.text.items()):
            # A translation follows the original two minutes later, as people repost in English.
            external_id = f"{self.prefix}-{event.key}" + (f"-{lang}" if position else "")
            target = self.event_posts.get(event.reply_to or event.repost_of or "", {})
            target_post = target.get(lang) or next(iter(target.values()), None)
            target_id = target_post.external_id if target_post else None
            posts[lang] = Post(
                external_id=external_id,
                text=text,
                title=(event.title or {}).get(lang),
                author=event.author.lstrip("@"),
                author_name=event.author_name,
                author_followers=event.followers,
                author_verified=event.verified,
                platform=event.platform,
                url=event.url,
                language=lang,
                created_at=self._at(event.at_minutes + 2 * position),
                likes=event.likes,
                shares=event.shares,
                replies=event.replies,
                views=event.views,
                reply_to=target_id if event.reply_to else None,
                repost_of=target_id if event.repost_of else None,
                raw={"scenario": self.s.name, "event": event.key},
            )
        self.event_posts[event.key] = posts
        return list(posts.values())

    def baseline(self, index: int, stream: Stream, rate: float, start: datetime) -> list[Post]:
        tag = f"b{index}"
        rng = self._rng(tag)
        daily = self.s.daily_shape
        daily_mean = sum(daily) / 24
        weekly = [self.s.weekly_shape.get(day, 1.0) for day in WEEKDAYS]
        weekly_mean = sum(weekly) / 7 or 1.0
        end_minutes = self.s.duration_minutes
        minute = (start - self.anchor).total_seconds() / 60
        posts: list[Post] = []
        while minute < end_minutes:
            span = min(60.0, end_minutes - minute)
            local = self._at(minute + span / 2).astimezone(self.zone)
            shape = daily[local.hour] / daily_mean * weekly[local.weekday()] / weekly_mean
            count = _poisson(rng, rate * shape * span / 60)
            # Sorted so that post numbers follow time, which makes ids easy to read in order.
            for at in sorted(minute + rng.uniform(0, span) for _ in range(count)):
                posts.append(self.stream_post(rng, stream, tag, len(posts), at))
            minute += span
        return posts

    def growth(self, index: int, stream: Growth) -> list[Post]:
        tag = f"g{index}"
        rng = self._rng(tag)
        end = min(stream.end_minutes or self.s.duration_minutes, self.s.duration_minutes)
        posts: list[Post] = []
        minute = stream.start_minutes
        while minute < end:
            elapsed = minute - stream.start_minutes
            per_10 = stream.posts_per_10min * stream.growth_factor ** (elapsed / 10)
            if stream.max_per_10min is not None:
                per_10 = min(per_10, stream.max_per_10min)
            span = min(1.0, end - minute)
            count = _poisson(rng, per_10 / 10 * span)
            for at in sorted(minute + rng.uniform(0, span) for _ in range(count)):
                posts.append(self.stream_post(rng, stream, tag, len(posts), at))
            minute += span
        return posts


def generate_posts(
    scenario: Scenario,
    anchor: datetime,
    *,
    history_days: float | None = None,
    id_prefix: str | None = None,
) -> list[Post]:
    """Every post of the scenario with the trigger at `anchor`, sorted by created_at.

    The same scenario, anchor and history always give the same posts and ids; `id_prefix`
    defaults to the scenario name and the anchor, so two replays at different anchors never share
    an id.
    """
    if anchor.tzinfo is None:
        raise ValueError("anchor must be timezone-aware, e.g. datetime.now(UTC)")
    anchor = anchor.astimezone(UTC).replace(microsecond=0)
    days = scenario.history_days if history_days is None else history_days
    prefix = id_prefix or f"{_slug(scenario.name)[:16].strip('-')}-{anchor:%Y%m%dT%H%M%SZ}"
    gen = _Generator(scenario, anchor, prefix)
    posts: list[Post] = []
    # Events first: growth posts reply to them and need their ids.
    for event in sorted(scenario.all_events(), key=lambda e: e.at_minutes):
        posts += gen.event(event)
    generated: list[Post] = []
    history_start = anchor - timedelta(days=days)
    for index, stream in enumerate(scenario.baseline):
        generated += gen.baseline(index, stream, stream.posts_per_hour, history_start)
    for index, growth in enumerate(scenario.growth):
        generated += gen.growth(index, growth)
    take_down = scenario.take_down
    if take_down is not None:
        down_from = gen._at(take_down.at_minutes)
        down_until = gen._at(take_down.until_minutes) if take_down.until_minutes else None
        generated = [
            post
            for post in generated
            if post.platform != take_down.platform
            or post.created_at < down_from
            or (down_until is not None and post.created_at >= down_until)
        ]
    posts += generated
    posts.sort(key=lambda post: (post.created_at, post.external_id))
    return posts


def replay_clock(
    anchor: datetime, started: datetime, now: datetime, speed: float | None
) -> datetime | None:
    """Scenario time at wall-clock `now`; None when the replay runs as fast as possible."""
    if not speed:
        return None
    return anchor + (now - started) * speed


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


class ScenarioOptions(KindOptions):
    path: str  # the scenario TOML file, relative to the workspace file's folder
    # 0 or unset replays as fast as possible; 120 runs two hours in one minute.
    speed: float | None = Field(default=None, ge=0)
    # When the trigger happens (default: when the replay starts), and how many days of
    # baseline chatter come before it (default: the scenario's own).
    start: datetime | None = None
    history_days: float | None = Field(default=None, ge=0, le=60)

    @field_validator("start")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("'start' needs a time zone, e.g. start = 2024-06-11T12:00:00+03:00")
        return value


class ScenarioSource:
    kind = "scenario"
    Options = ScenarioOptions
    default_every = "0"  # every cycle: the replay clock decides what is due

    def __init__(
        self,
        key: str,
        path: Path,
        *,
        speed: float | None = None,
        start: datetime | None = None,
        history_days: float | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.key = key
        self.path = path
        self.speed = speed or None
        self.start = start
        self.history_days = history_days
        self._now = clock or (lambda: datetime.now(UTC))
        try:
            self.scenario = load_scenario(path)
            text = path.read_bytes()
        except ScenarioError as err:
            raise SourceError(f"source {key!r}: {err}") from None
        extra = f"|{history_days}".encode()
        self.digest = hashlib.sha256(text + extra).hexdigest()[:16]
        self._cache: tuple[datetime, list[Post]] | None = None

    @classmethod
    def from_config(cls, config: SourceConfig, base_dir: Path, secrets: Secrets) -> ScenarioSource:
        options = config.options()
        path = Path(options.path).expanduser()
        if not path.is_absolute():
            path = base_dir / path
        return cls(
            config.key,
            path,
            speed=options.speed,
            start=options.start,
            history_days=options.history_days,
        )

    def posts(self, anchor: datetime) -> list[Post]:
        if self._cache is None or self._cache[0] != anchor:
            prefix = f"{_slug(self.path.stem)}-{anchor:%Y%m%dT%H%M%SZ}"
            posts = generate_posts(
                self.scenario, anchor, history_days=self.history_days, id_prefix=prefix
            )
            for post in posts:
                post.source_key = self.key
            self._cache = (anchor, posts)
        return self._cache[1]

    def clock(self, checkpoint: dict[str, Any] | None, now: datetime | None = None) -> datetime:
        """The replay clock ("scenario now") for a runner that measures windows in scenario time.

        Before the first fetch this is the anchor the replay would start at; as fast as possible,
        it is the end of the scenario.
        """
        now = now or self._now()
        anchor, started = self._timeline(checkpoint, now)
        clock = replay_clock(anchor, started, now, self.speed)
        end = anchor + timedelta(minutes=self.scenario.duration_minutes)
        return end if clock is None else min(clock, end)

    def _timeline(
        self, checkpoint: dict[str, Any] | None, now: datetime
    ) -> tuple[datetime, datetime]:
        if checkpoint and "anchor" in checkpoint:
            return (
                datetime.fromisoformat(checkpoint["anchor"]),
                datetime.fromisoformat(checkpoint["started"]),
            )
        anchor = (self.start or now).astimezone(UTC).replace(microsecond=0)
        return anchor, now.astimezone(UTC)

    def _resume_index(self, checkpoint: dict[str, Any] | None, posts: list[Post]) -> int:
        if not checkpoint or "index" not in checkpoint:
            return 0
        if checkpoint.get("digest") == self.digest:
            return min(int(checkpoint["index"]), len(posts))
        # The file changed since: go on from the time reached; posts at that very second are
        # offered again and the (source, external id) key drops those already stored.
        reached = checkpoint.get("reached")
        if not reached:
            return 0
        reached_at = datetime.fromisoformat(reached)
        return next((i for i, p in enumerate(posts) if p.created_at >= reached_at), len(posts))

    def fetch(
        self,
        checkpoint: dict[str, Any] | None,
        *,
        limit: int = 1000,
        now: datetime | None = None,
        deadline: float | None = None,
    ) -> FetchResult:
        now = now or self._now()
        anchor, started = self._timeline(checkpoint, now)
        posts = self.posts(anchor)
        index = self._resume_index(checkpoint, posts)
        clock = replay_clock(anchor, started, now, self.speed)
        end = index
        while end < len(posts) and end - index < limit:
            if clock is not None and posts[end].created_at > clock:
                break
            end += 1
        # Copies: the pipeline fills in fields, and the cached posts must stay as generated.
        batch = copy.deepcopy(posts[index:end])
        ready_more = end < len(posts) and (clock is None or posts[end].created_at <= clock)
        reached = batch[-1].created_at if batch else None
        previous = (checkpoint or {}).get("reached") if not batch else None
        return FetchResult(
            posts=batch,
            checkpoint={
                "anchor": _iso(anchor),
                "started": _iso(started),
                "index": end,
                "total": len(posts),
                "reached": _iso(reached) if reached else previous,
                "digest": self.digest,
                "done": end >= len(posts),
            },
            exhausted=not ready_more,
        )
