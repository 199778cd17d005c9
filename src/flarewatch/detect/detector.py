"""The online per-topic detector: one `step` per interval, the same code live and in backtests.

State is O(window + 28 days of hours) per topic and every step is O(1) amortised: window sums
are kept running, and the seasonal baseline is recomputed only when the local hour changes. A
step at interval t only ever sees intervals ≤ t, which is what makes backtests honest.

Each topic also learns its own noise: the peak σ of each of its last 14 days. A topic whose
ordinary day already peaks at 8σ (bot floods, daily TV mentions) has its σ scaled down so that
an ordinary day's peak reads as TYPICAL_PEAK_Z; a calm topic is left as it is. It also
remembers each day's busiest hour: a volume reached within those 14 days needs NOVELTY_DIVISOR
times the σ, since real streams repeat their bursts (ROUTINE_DIVISOR when bursts as large came
on ROUTINE_DAYS of those days). A build over many hours, which no
window calls surprising once the level follows it, is caught as a record: the last 3, 6 or 12
hours above the busiest such span of those 14 days (`SlowBuild`; a build's day is held out of
the record its next day is judged by, so a build over two days is news on both). And each step
carries a `surprise`: the σ at the onset of an unusual episode (or at a clear escalation of
one), 0 while an episode already seen goes on, so that an incident is news once. In the
surprise only, a volume no more than an ordinary day's busiest hour (the median of those 14)
needs ROUTINE_DIVISOR times the σ, and a slow build reads on its own SURPRISE_SLOW_MARGIN.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flarewatch.detect import checkpoint, slow_build, surprise
from flarewatch.detect.baseline import (
    HISTORY_HOURS,
    Baseline,
    HourlyHistory,
    baseline_for_hour,
    expected_for_history,
    story_baseline,
    weekend_indices,
)
from flarewatch.detect.checkpoint import _KNOWN_EMPTY, _Extras, _extras_from_json, _extras_to_json
from flarewatch.detect.score import (
    Assessment,
    Evidence,
    Influencer,
    StorySignal,
    Thresholds,
    assess,
    thresholds_for,
)
from flarewatch.detect.slow_build import (
    NO_SLOW_BUILD,
    SLOW_HOLD_DAYS,
    SLOW_MARGIN,
    SLOW_MIN_DAYS,
    SLOW_SPANS,
    SURPRISE_SLOW_MARGIN,
    SlowBuild,
)
from flarewatch.detect.stats import MAX_Z, nb_z
from flarewatch.detect.surprise import (
    NOISE_DAYS,
    NOISE_MIN_DAYS,
    NOVELTY_DIVISOR,
    NOVELTY_MINUTES,
    ROUTINE_DAYS,
    ROUTINE_DIVISOR,
    SURPRISE_CALM_MINUTES,
    SURPRISE_ON,
    SURPRISE_RISE,
    TYPICAL_PEAK_Z,
)
from flarewatch.detect.types import SEVERITY_ORDER

# The noise, novelty and surprise rules, the slow builds and the checkpoint live in
# surprise.py, slow_build.py and checkpoint.py; every name stays importable from here.
__all__ = [
    "EPISODE_CALM_MINUTES",
    "EXTRAS_MINUTES",
    "HISTORY_HOURS",
    "MAX_Z",
    "NOISE_DAYS",
    "NOISE_MIN_DAYS",
    "NOVELTY_DIVISOR",
    "NOVELTY_MINUTES",
    "NO_SLOW_BUILD",
    "REFRESH_MINUTES",
    "ROUTINE_DAYS",
    "ROUTINE_DIVISOR",
    "SLOW_HOLD_DAYS",
    "SLOW_MARGIN",
    "SLOW_MIN_DAYS",
    "SLOW_SPANS",
    "SURPRISE_CALM_MINUTES",
    "SURPRISE_ON",
    "SURPRISE_RISE",
    "SURPRISE_SLOW_MARGIN",
    "TYPICAL_PEAK_Z",
    "WINDOW_MINUTES",
    "DetectorConfig",
    "Interval",
    "SlowBuild",
    "StepResult",
    "TopicDetector",
    "_KNOWN_EMPTY",
    "_Extras",
    "_extras_from_json",
    "_extras_to_json",
]

WINDOW_MINUTES = (10, 60, 180)
EXTRAS_MINUTES = 60  # authors, platforms, terms and influencers are looked at over the last hour
EPISODE_CALM_MINUTES = 12 * 60  # below watch this long ends an episode: one incident, one page
REFRESH_MINUTES = 30  # re-emit an ongoing episode this often so alert figures stay fresh


@dataclass(slots=True)
class Interval:
    """What happened to one topic in one interval (a minute live; any fixed step in a CSV)."""

    start: datetime  # timezone-aware
    count: float
    negative: float = 0.0
    reach: float = 0.0
    engagement: float = 0.0
    authors: list[int] | None = None  # None: unknown (CSV series)
    platforms: dict[str, int] | None = None
    crisis_terms: dict[str, int] | None = None
    influencers: list[Influencer] | None = None
    story: StorySignal | None = None  # the most notable story as of the end of this interval
    story_max: float = 0.0  # posts in the last 30 min of the topic's biggest story
    has_negative: bool = True


@dataclass(slots=True)
class StepResult:
    assessment: Assessment
    emit: bool  # start of an episode, a severity rise, or a periodic refresh
    window_start: datetime
    window_end: datetime
    baseline: Baseline | None = None
    surprise: float = 0.0  # σ at an unusual episode's onset or clear rise; 0 otherwise


@dataclass(slots=True)
class DetectorConfig:
    step_minutes: int = 1
    timezone: str = "UTC"
    weekend: list[str] | None = None
    sensitivity: str = "balanced"
    noise_marks: int = 0
    windows: list[int] = field(default_factory=list)  # in intervals; derived when empty

    def __post_init__(self) -> None:
        if not 1 <= self.step_minutes <= 60:
            raise ValueError("step_minutes must be between 1 and 60")
        if not self.windows:
            self.windows = sorted({max(1, round(w / self.step_minutes)) for w in WINDOW_MINUTES})


class TopicDetector:
    """Online anomaly and risk detector for one topic (or one CSV series)."""

    def __init__(self, config: DetectorConfig) -> None:
        self.config = config
        self.tz = ZoneInfo(config.timezone)
        self.weekend = weekend_indices(config.weekend)
        self.thresholds: Thresholds = thresholds_for(config.sensitivity, config.noise_marks)
        self.history = HourlyHistory()
        self.capacity = max(config.windows + [EXTRAS_MINUTES // config.step_minutes, 1])
        cap = self.capacity
        self.count = [0.0] * cap
        self.negative = [0.0] * cap
        self.expected = [0.0] * cap
        self.reach = [0.0] * cap
        self.engagement = [0.0] * cap
        self.extras: list[_Extras | None] = [None] * cap
        self.pos = -1  # ring index of the newest interval
        self.filled = 0
        self.sums: dict[int, list[float]] = {w: [0.0] * 5 for w in config.windows}
        self.cur_hour: int | None = None
        self.acc = [0.0] * 5  # count, negative, reach, engagement, story max of this hour
        self.baseline: Baseline | None = None
        self.story_expected = 2.0
        self.last_start: datetime | None = None
        self.episode: str | None = None
        self.episode_group: str | None = None  # set by the caller that names the signal
        self.calm = 0
        self.since_emit = 0
        self._offsets: dict[int, int] = {}
        self.day_peaks: list[float] = []  # σ peak of each of the last NOISE_DAYS local days
        self.day_peak = 0.0
        # The busiest NOVELTY_MINUTES count of each of the last NOISE_DAYS local days.
        self.day_tops: list[float] = []
        self.day_top = 0.0
        self.top_seen = -math.inf  # the busiest of day_tops; -inf: not learned, all is new
        self.top_ordinary = -math.inf  # a busiest hour reached on half of those days (median)
        # The largest NOVELTY_MINUTES excess over expectation of each of the last days.
        self.day_excesses: list[float] = []
        self.day_excess = 0.0
        self.routine_excess = -math.inf  # the ROUTINE_DAYS-th largest; -inf: not learned
        self.novelty_window = min(
            config.windows, key=lambda w: abs(w * config.step_minutes - NOVELTY_MINUTES)
        )
        self.cur_day: int | None = None
        self.surprise_peak = 0.0  # 0: no unusual episode going on
        self.surprise_quiet = 0
        self._surprise = 0.0
        # The busiest SLOW_SPANS-hour count of each of the last NOISE_DAYS local days, per span.
        self.span_tops: list[list[float]] = [[] for _ in SLOW_SPANS]
        self.span_top = [0.0 for _ in SLOW_SPANS]
        self.slow = NO_SLOW_BUILD  # the strongest slow build as of the last completed hour
        self.slow_armed = True  # False once a build has opened an episode, until it subsides
        self.build_today = False  # a slow build reached SURPRISE_ON today
        self.held_days = 0  # consecutive days, up to yesterday, kept out of the records
        self._step = timedelta(minutes=config.step_minutes)

    # -- time -------------------------------------------------------------------------------
    def _local_hour(self, start: datetime) -> int:
        seconds = int(start.timestamp())
        utc_hour = seconds // 3600
        offset = self._offsets.get(utc_hour)
        if offset is None:
            delta = start.astimezone(self.tz).utcoffset() or timedelta(0)
            offset = int(delta.total_seconds())
            if len(self._offsets) > 256:
                self._offsets.clear()
            self._offsets[utc_hour] = offset
        return (seconds + offset) // 3600

    def _roll_hour(self, hour: int) -> None:
        if self.cur_hour is not None:
            self.history.put(self.cur_hour, *self.acc, expected_for_history(self.baseline))
        day = hour // 24
        if self.cur_day is not None and day != self.cur_day:
            self.day_peaks = (self.day_peaks + [round(self.day_peak, 3)])[-NOISE_DAYS:]
            self.day_peak = 0.0
            self.day_tops = (self.day_tops + [self.day_top])[-NOISE_DAYS:]
            self.day_top = 0.0
            self.day_excesses = (self.day_excesses + [self.day_excess])[-NOISE_DAYS:]
            self.day_excess = 0.0
            self._set_top_seen()
            self._close_span_day()
        self.cur_day = day
        self.acc = [0.0] * 5
        self.cur_hour = hour
        self.baseline = baseline_for_hour(self.history, hour, self.weekend)
        self.story_expected = story_baseline(self.history, hour)
        self.slow = self._slow_build(hour)
        self._resum()

    def _close_span_day(self) -> None:
        """Store the day's busiest spans as records (`slow_build.close_span_day`)."""
        slow_build.close_span_day(self)

    def _slow_build(self, hour: int) -> SlowBuild:
        """The strongest build ending at `hour` (`slow_build.slow_build`)."""
        return slow_build.slow_build(self, hour)

    def _resum(self) -> None:
        """Recompute running sums exactly, so float drift never accumulates past an hour."""
        for w, sums in self.sums.items():
            n = min(w, self.filled)
            idx = [(self.pos - k) % self.capacity for k in range(n)]
            sums[0] = sum(self.count[i] for i in idx)
            sums[1] = sum(self.negative[i] for i in idx)
            sums[2] = sum(self.expected[i] for i in idx)
            sums[3] = sum(self.reach[i] for i in idx)
            sums[4] = sum(self.engagement[i] for i in idx)

    # -- the step ---------------------------------------------------------------------------
    def step(self, iv: Interval) -> StepResult:
        if self.last_start is not None and iv.start <= self.last_start:
            raise ValueError(
                f"intervals must move forward in time ({iv.start} after {self.last_start})"
            )
        self.last_start = iv.start
        hour = self._local_hour(iv.start)
        if hour != self.cur_hour:
            self._roll_hour(hour)
        baseline = self.baseline
        assert baseline is not None
        acc = self.acc
        acc[0] += iv.count
        acc[1] += iv.negative
        acc[2] += iv.reach
        acc[3] += iv.engagement
        acc[4] = max(acc[4], iv.story_max)

        expected = baseline.rate * self.config.step_minutes / 60.0
        cap = self.capacity
        self.pos = (self.pos + 1) % cap
        self.filled = min(cap, self.filled + 1)
        filled, pos = self.filled, self.pos
        for w, sums in self.sums.items():
            if filled > w:
                old = (pos - w) % cap
                sums[0] += iv.count - self.count[old]
                sums[1] += iv.negative - self.negative[old]
                sums[2] += expected - self.expected[old]
                sums[3] += iv.reach - self.reach[old]
                sums[4] += iv.engagement - self.engagement[old]
            else:
                sums[0] += iv.count
                sums[1] += iv.negative
                sums[2] += expected
                sums[3] += iv.reach
                sums[4] += iv.engagement
        p = self.pos
        self.count[p] = iv.count
        self.negative[p] = iv.negative
        self.expected[p] = expected
        self.reach[p] = iv.reach
        self.engagement[p] = iv.engagement
        self.extras[p] = (
            _Extras(iv.authors, iv.platforms, iv.crisis_terms, iv.influencers)
            if iv.authors or iv.platforms or iv.crisis_terms or iv.influencers
            else (_KNOWN_EMPTY if iv.authors is not None else None)
        )
        assessment, window = self._evaluate(iv, baseline)
        emit = self._episode(assessment)
        end = iv.start + self._step
        return StepResult(
            assessment, emit, end - self._step * window, end, baseline, self._surprise
        )

    def _trimmed(self, w: int, values: list[float], share: float) -> float:
        """How far the window's largest interval stands above its second largest.

        Subtracted from the window total: a one-interval blip (a bot burst, a duplicate flood)
        stands alone and is removed, while a real onset has neighbours of similar size and
        keeps nearly all its evidence.
        """
        n = min(w, self.filled)
        first = second = 0.0
        for k in range(n):
            i = (self.pos - k) % self.capacity
            excess = values[i] - self.expected[i] * share
            if excess > first:
                first, second = excess, first
            elif excess > second:
                second = excess
        return max(0.0, first - max(second, 0.0))

    def _evaluate(self, iv: Interval, baseline: Baseline) -> tuple[Assessment, int]:
        phi = baseline.phi
        share = baseline.negative_share
        best: tuple[float, int, float, float] | None = None  # z, window, z_vol, z_neg
        for w, sums in self.sums.items():
            x, neg, mu = sums[0], sums[1], sums[2]
            z_vol = nb_z(x, mu, phi) if x > mu + 1.0 else 0.0
            z_neg = (
                nb_z(neg, mu * share, phi) if iv.has_negative and neg > mu * share + 1.0 else 0.0
            )
            if w >= 2 and max(z_vol, z_neg) >= 2.5:
                if z_vol >= 2.5:
                    z_vol = nb_z(x - self._trimmed(w, self.count, 1.0), mu, phi)
                if z_neg >= 2.5:
                    z_neg = nb_z(neg - self._trimmed(w, self.negative, share), mu * share, phi)
            z = max(z_vol, z_neg)
            if best is None or z > best[0]:
                best = (z, w, z_vol, z_neg)
        assert best is not None
        z, w, z_vol, z_neg = best
        self.day_peak = max(self.day_peak, z)
        noise = self.noise_factor() * self._novelty_divisor(z)
        z, z_vol, z_neg = z / noise, z_vol / noise, z_neg / noise
        self._surprise = self._surprise_step(
            z / self._ordinary_divisor(), self.slow.z * SLOW_MARGIN / SURPRISE_SLOW_MARGIN
        )
        story = iv.story
        # As for the surprise, a slow build may open an alert episode but not hold one open:
        # it lasts for hours by nature, and would keep the page open into the next incident.
        slow = self.slow if self.episode is None else NO_SLOW_BUILD
        if z < 2.5 and slow.z < 2.5 and (story is None or story.recent < 4):
            return Assessment(0.0, None, []), w
        sums = self.sums[w]
        ev = Evidence(
            baseline=baseline,
            window_minutes=w * self.config.step_minutes,
            count=sums[0],
            expected=sums[2],
            z_volume=z_vol,
            negative=sums[1],
            expected_negative=sums[2] * share,
            z_negative=z_neg,
            reach=sums[3],
            expected_reach=baseline.reach_rate * w * self.config.step_minutes / 60.0,
            engagement=sums[4],
            expected_engagement=baseline.engagement_rate * w * self.config.step_minutes / 60.0,
            story=story,
            story_expected=self.story_expected,
            has_negative=iv.has_negative,
            slow_z=slow.z,
            slow_hours=slow.hours,
            slow_count=slow.count,
            slow_record=slow.record,
        )
        self._add_extras(ev, min(w, max(1, EXTRAS_MINUTES // self.config.step_minutes)))
        return assess(ev, self.thresholds), w

    def _novelty_divisor(self, z: float) -> float:
        """NOVELTY_DIVISOR, ROUTINE_DIVISOR or 1 (`surprise.novelty_divisor`)."""
        return surprise.novelty_divisor(self, z)

    def _ordinary_divisor(self) -> float:
        """ROUTINE_DIVISOR or 1 for the surprise (`surprise.ordinary_divisor`)."""
        return surprise.ordinary_divisor(self)

    def _set_top_seen(self) -> None:
        surprise.set_top_seen(self)

    def noise_factor(self) -> float:
        """How much this topic's σ is scaled down: its median daily peak over TYPICAL_PEAK_Z.

        Until NOISE_MIN_DAYS days are seen (cold start) nothing is scaled, so a new topic is
        judged by the count tails alone.
        """
        return surprise.noise_factor(self.day_peaks)

    def _surprise_step(self, z: float, z_slow: float = 0.0) -> float:
        """The σ when an unusual episode starts or clearly escalates (`surprise.surprise_step`)."""
        return surprise.surprise_step(self, z, z_slow)

    def _add_extras(self, ev: Evidence, n: int) -> None:
        authors: set[int] = set()
        platforms: Counter[str] = Counter()
        terms: Counter[str] = Counter()
        influencers: dict[str, Influencer] = {}
        known_authors = False
        for k in range(min(n, self.filled)):
            extra = self.extras[(self.pos - k) % self.capacity]
            if extra is None:
                continue
            if extra.authors is not None:
                known_authors = True
                authors.update(extra.authors)
            platforms.update(extra.platforms or {})
            terms.update(extra.terms or {})
            for inf in extra.influencers or []:
                influencers[inf.handle] = inf
        ev.unique_authors = len(authors) if known_authors else None
        ev.platforms = [p for p, _ in platforms.most_common()]
        ev.crisis_terms = dict(terms)
        ev.influencers = sorted(influencers.values(), key=lambda i: -(i.followers or 0))

    def _episode(self, assessment: Assessment) -> bool:
        """Decide whether this step is news: alerting does its own grouping, but a replayed
        week should not hand it one candidate per minute of a long episode."""
        sev = assessment.severity
        steps_calm = max(1, EPISODE_CALM_MINUTES // self.config.step_minutes)
        steps_refresh = max(1, REFRESH_MINUTES // self.config.step_minutes)
        if sev is None:
            if self.episode is not None:
                self.calm += 1
                if self.calm >= steps_calm:
                    self.episode = None
                    self.episode_group = None
            return False
        self.calm = 0
        self.since_emit += 1
        if self.episode is None or SEVERITY_ORDER[sev] > SEVERITY_ORDER[self.episode]:
            self.episode = sev
            self.since_emit = 0
            return True
        if self.since_emit >= steps_refresh:
            self.since_emit = 0
            return True
        return False

    # -- durability -------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return checkpoint.detector_to_dict(self)

    @classmethod
    def from_dict(cls, config: DetectorConfig, data: dict[str, Any]) -> TopicDetector:
        return checkpoint.detector_from_dict(cls, config, data)
