"""Synthetic, labelled data for tests and the evaluation: a restaurant chain's week of chatter
with a "worm in burger" story, and count series of several anomaly shapes.

Generated from a seed, so every figure in docs/detection.md can be reproduced exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from flarewatch.detect.runner import PostRow

BRAND_EN = "BurgerBar"
BRAND_HE = "בורגרבר"
PLACES = ["Tel Aviv", "Haifa", "Dizengoff", "the mall", "Herzliya", "Jerusalem", "the station"]
ITEMS = ["burger", "fries", "milkshake", "onion rings", "salad", "chicken wrap", "coffee"]
GOOD = ["great", "amazing", "fine", "decent", "tasty", "perfect", "really good"]
BAD = ["cold", "slow", "overpriced", "bland", "soggy", "too salty"]
EN_NORMAL = [
    "Had lunch at {brand} {place}, the {item} was {adj}",
    "Anyone tried the new {item} at {brand}?",
    "{brand} {item} is {adj} as always",
    "waiting in line at {brand} in {place}, {item} time",
    "{brand} {place} staff were so nice today",
    "date night at {brand}, {item} and a movie",
]
EN_NEG = [
    "{brand} {place} the {item} was {bad} today, disappointed",
    "why is {brand} {item} so {bad} lately",
    "waited 40 minutes at {brand} {place}, {item} {bad}",
]
HE_NORMAL = [
    "אכלתי היום ב{brand} ב{place}, היה {adj}",
    "מישהו ניסה את המנה החדשה של {brand}?",
    "ארוחת ערב ב{brand}, כרגיל טעים",
]
HE_NEG = ["השירות ב{brand} ב{place} איטי מדי", "הצ'יפס ב{brand} היה קר היום"]
NEWS_NORMAL = [
    "{brand} opens a new branch in {place}",
    "{brand} adds a {item} to its menu this season",
]
CRISIS_EN = [
    "Found a WORM in my burger at {brand} {place}!!! disgusting",
    "there was a worm in my {brand} burger, never going back",
    "is it true? a worm inside a {brand} burger in {place}?",
    "worm in the burger at {brand}?! this is how you get food poisoning",
    "my friend found a worm in her {brand} burger too, lawsuit time",
    "{brand} worm burger video is everywhere, boycott",
]
CRISIS_HE = [
    "מצאו תולעת בהמבורגר של {brand} ב{place}",
    "תולעת בהמבורגר של {brand}?? חרם",
    "ראיתם את הסרטון של התולעת בהמבורגר ב{brand}?",
]
CRISIS_NEWS = [
    "Customer reports worm found in {brand} burger in {place}",
    "{brand} investigates worm in burger complaint after video spreads",
]


@dataclass(slots=True)
class Scenario:
    posts: list[PostRow]
    onset: datetime | None
    start: datetime
    end: datetime
    timezone: str = "Asia/Jerusalem"


def _hourly_rate(local_hour: float, mean: float) -> float:
    # Lunch and dinner peaks, a quiet night: the shape of a restaurant brand's chatter.
    lunch = math.exp(-((local_hour - 13.0) ** 2) / 4.0)
    dinner = math.exp(-((local_hour - 20.0) ** 2) / 5.0)
    return mean * (0.15 + 1.4 * lunch + 1.6 * dinner)


def demo_scenario(
    seed: int = 7,
    days: int = 7,
    mean_per_hour: float = 25.0,
    crisis: bool = True,
    crisis_hours: float = 2.5,
    crisis_hour_utc: int = 10,
    start: datetime = datetime(2026, 3, 1, tzinfo=UTC),
) -> Scenario:
    """Normal chatter for `days`, then (optionally) the worm story growing across platforms."""
    rng = np.random.default_rng(seed)
    users = [f"user{i}" for i in range(3000)]
    followers = np.minimum(rng.lognormal(5.5, 1.6, len(users)), 40_000).astype(int)
    posts: list[PostRow] = []
    next_id = 1

    def pick(options: list[str]) -> str:
        return options[int(rng.integers(len(options)))]

    def fill(template: str, he: bool) -> str:
        return template.format(
            brand=BRAND_HE if he else BRAND_EN,
            place=pick(PLACES),
            item=pick(ITEMS),
            adj=pick(GOOD),
            bad=pick(BAD),
        )

    def add(
        when: datetime,
        text: str,
        platform: str,
        negative: bool,
        user: int,
        followers_override: int | None = None,
    ) -> None:
        nonlocal next_id
        f = int(followers_override if followers_override is not None else followers[user])
        posts.append(
            PostRow(
                post_id=next_id,
                created_at=when,
                text=text,
                platform=platform,
                author=users[user],
                author_id=user + 1,
                followers=f,
                negative=negative,
                reach=float(f),
                engagement=float(rng.poisson(3 + f / 2000)),
                mention_id=next_id,
            )
        )
        next_id += 1

    onset_minute = days * 1440 + crisis_hour_utc * 60
    total_minutes = onset_minute + (int(crisis_hours * 60) + 60 if crisis else 0)
    tz_offset = 2  # Asia/Jerusalem in March, close enough for the shape of the day
    for minute in range(total_minutes):
        when = start + timedelta(minutes=minute)
        local_hour = ((minute / 60.0) + tz_offset) % 24
        for _ in range(int(rng.poisson(_hourly_rate(local_hour, mean_per_hour) / 60.0))):
            at = when + timedelta(seconds=float(rng.uniform(0, 59)))
            he = rng.random() < 0.35
            negative = rng.random() < 0.15
            r = rng.random()
            if r < 0.1:
                add(at, fill(pick(NEWS_NORMAL), False), "news", False, int(rng.integers(50)))
                continue
            platform = "facebook" if r < 0.55 else "twitter"
            if he:
                text = fill(pick(HE_NEG if negative else HE_NORMAL), True)
            else:
                text = fill(pick(EN_NEG if negative else EN_NORMAL), False)
            add(at, text, platform, negative, int(rng.integers(len(users))))

    onset = start + timedelta(minutes=onset_minute) if crisis else None
    if onset is not None:
        end_minute = int(crisis_hours * 60)
        for k in range(end_minute):
            # Doubling roughly every 20 minutes, from one post per ~8 minutes to several a minute.
            rate = min(6.0, 0.12 * math.exp(k / 29.0))
            for _ in range(int(rng.poisson(rate))):
                at = onset + timedelta(minutes=k, seconds=float(rng.uniform(0, 59)))
                if k < 20:
                    platform = "facebook"
                elif k < 60:
                    platform = "facebook" if rng.random() < 0.5 else "twitter"
                else:
                    platform = pick(["facebook", "twitter", "twitter", "news"])
                if platform == "news":
                    text = fill(pick(CRISIS_NEWS), False)
                elif rng.random() < 0.3:
                    text = fill(pick(CRISIS_HE), True)
                else:
                    text = fill(pick(CRISIS_EN), False)
                big = 120_000 if 35 <= k <= 90 and rng.random() < 0.05 else None
                add(
                    at,
                    text,
                    platform,
                    platform != "news" or rng.random() < 0.5,
                    int(rng.integers(len(users))),
                    big,
                )
        # The first post is the originator's.
        add(onset - timedelta(seconds=30), fill(CRISIS_EN[0], False), "facebook", True, 2999)
    posts.sort(key=lambda p: (p.created_at, p.post_id))
    end = start + timedelta(minutes=total_minutes)
    return Scenario(posts=posts, onset=onset, start=start, end=end)


@dataclass(slots=True)
class LabelledSeries:
    """A count series with its true event (None: no event; anything flagged is a false alarm)."""

    name: str
    shape: str
    start: datetime
    step_minutes: int
    values: list[float]
    onset: int | None  # index of the first event interval
    end: int | None  # index after the event (where the label stops)
    peak: int | None


SHAPES = ("sudden", "gradual", "daily", "weekly", "outliers", "quiet", "none")


def labelled_series(shape: str, seed: int, days: int = 14, step_minutes: int = 5) -> LabelledSeries:
    """One series of a named shape. Events sit in the last three days; the rest is history."""
    rng = np.random.default_rng(seed * 101 + SHAPES.index(shape))
    n = days * 1440 // step_minutes
    per_hour = step_minutes / 60.0
    t = np.arange(n) * per_hour  # hours since start
    hour = t % 24
    weekday = (t // 24).astype(int) % 7
    base_level = 40.0
    daily = 1.0 + 0.6 * np.sin((hour - 9) / 24 * 2 * np.pi)
    if shape == "daily":
        daily = 0.2 + 1.8 * np.exp(-((hour - 13) ** 2) / 6) + 1.5 * np.exp(-((hour - 20) ** 2) / 5)
    weekly = np.ones(n)
    if shape == "weekly":
        weekly = np.where(weekday >= 5, 0.35, 1.15)
    level = 0.5 if shape == "quiet" else base_level
    rate = level * daily * weekly * per_hour
    # Day-to-day wobble: real chatter is over-dispersed, not Poisson.
    wobble = rng.gamma(20.0, 1 / 20.0, size=days).repeat(1440 // step_minutes)[:n]
    rate = rate * wobble
    onset = end = peak = None
    extra = np.zeros(n)
    steps_per_hour = 60 // step_minutes
    if shape != "none" and shape != "outliers":
        onset = int(rng.integers(n - 3 * 1440 // step_minutes, n - 12 * steps_per_hour))
        if shape == "quiet":
            # A quiet topic (one post every two hours) suddenly gets a handful an hour.
            length = 3 * steps_per_hour
            extra[onset : onset + length] = rng.uniform(4, 8) * per_hour
        elif shape == "gradual":
            length = 4 * steps_per_hour
            ramp = np.linspace(0, 1, length)
            extra[onset : onset + length] = (
                ramp * rng.uniform(1.5, 3.0) * rate[onset : onset + length]
            )
        else:
            length = 2 * steps_per_hour
            mult = rng.uniform(1.2, 2.5)
            extra[onset : onset + length] = mult * rate[onset : onset + length]
        end = onset + length
    values = rng.poisson(rate + extra).astype(float)
    if shape == "outliers":
        # One-interval blips (a bot burst, a duplicate flood): not a snowball, not an event.
        # Spaced a day apart: two bursts within minutes would be an event in their own right.
        day = 1440 // step_minutes
        for d in rng.choice(np.arange(1, days), size=6, replace=False):
            i = int(d * day + rng.integers(day))
            values[i] += rate[i] * rng.uniform(8, 15) + 10
    if onset is not None and end is not None:
        peak = onset + int(np.argmax(values[onset:end]))
    return LabelledSeries(
        name=f"{shape}-{seed}",
        shape=shape,
        start=datetime(2026, 3, 2, tzinfo=UTC),
        step_minutes=step_minutes,
        values=[float(v) for v in values],
        onset=onset,
        end=end,
        peak=peak,
    )
