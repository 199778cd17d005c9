"""Seasonal, spike-robust baselines from a topic's own hourly history.

The expected rate for a local hour is a median over comparable past hours, chosen by how much
history exists (the cold-start ladder, also in docs/detection.md):

1. weekly  — ≥ 3 earlier weeks: the same hour of the same weekday (e.g. "Tuesday 14:00");
2. daily   — ≥ 3 earlier days: the same hour on days of the same kind (workday vs weekend,
             per the workspace's weekend days), or on all days when too few of that kind;
3. global  — ≥ 6 hours: every hour seen in the last week (no seasonality yet);
4. prior   — less: a fixed prior rate with wide dispersion and higher absolute floors.

At the global level the rate is the 90th percentile of hours rather than the median, because
without a day of history the daily cycle is unknown and every morning would look like a surge.

Medians ignore past spikes, so last Tuesday's crisis does not hide this Tuesday's.

On top of the seasonal rate, two things are learned from how the topic's own recent hours
compared with what was expected of them (the log-ratio residuals, stored with each hour):

* level — the median residual of the last 24 hours: a topic whose whole conversation moved
  up or down (a product launch week, a holiday lull) is judged against its new level rather than
  against last week's hour-of-week profile;
* noise — the robust spread (MAD) of the last week's residuals, as the over-dispersion φ: a topic
  whose hours routinely swing ×2 needs a bigger swing to look unusual than a steady one.
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass

from flarewatch.detect.stats import mad, median

HISTORY_HOURS = 28 * 24
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DEFAULT_WEEKEND = ("sat", "sun")
RATE_FLOOR = 0.1  # posts per hour; a topic never expects exactly nothing
PRIOR_RATE = 2.0  # posts per hour assumed before any history exists
PRIOR_PHI = 1.0
PHI_MIN = 0.05
PHI_MAX = 1.5
GLOBAL_PHI = 0.3
NEG_SHARE_PRIOR = 0.15
NEG_SHARE_PRIOR_WEIGHT = 20.0
LEVEL_HOURS = 24  # the level follows the median residual of the last day
LEVEL_MIN_HOURS = 6
LEVEL_MAX_LOG = 1.5  # never more than ×4.5 either way: a real crisis is not absorbed as "level"
NOISE_HOURS = 7 * 24
NOISE_MIN_HOURS = 12
NOISE_PHI_MIN = PHI_MIN  # never judged as purely Poisson, however steady the last week
RESIDUAL_MIN_EXPECTED = 5.0  # posts per hour; see HourlyHistory.residuals
UNKNOWN = -1.0  # an hour whose expectation was not recorded (older checkpoints)


@dataclass(slots=True)
class Baseline:
    """What one local hour of a topic is expected to look like."""

    level: str  # weekly, daily, global, prior
    label: str  # e.g. "Tuesday 14:00 baseline"
    rate: float  # posts per hour
    phi: float  # negative binomial over-dispersion
    negative_share: float
    reach_rate: float  # reach per hour
    engagement_rate: float  # engagement per hour
    samples: int
    seasonal_rate: float = 0.0  # the rate before the level adjustment: what residuals compare to
    level_factor: float = 1.0


def weekday_of(hour_index: int) -> int:
    """Monday = 0 for an hour counted from 1970-01-01 00:00 local (a Thursday)."""
    return (hour_index // 24 + 3) % 7


def weekend_indices(weekend: list[str] | tuple[str, ...] | None) -> frozenset[int]:
    names = weekend if weekend else DEFAULT_WEEKEND
    return frozenset(WEEKDAYS.index(n[:3].lower()) for n in names if n[:3].lower() in WEEKDAYS)


class HourlyHistory:
    """A ring of the last 28 days of hourly totals keyed by local hour index."""

    __slots__ = (
        "hour",
        "count",
        "negative",
        "reach",
        "engagement",
        "story_max",
        "expected",
        "first_hour",
    )

    def __init__(self) -> None:
        # Typed arrays, not lists: 10 000 topics × 672 hours × 7 fields stay ~380 MB of RAM
        # instead of gigabytes of boxed floats.
        self.hour = array("q", [-1]) * HISTORY_HOURS
        self.count = array("d", [0.0]) * HISTORY_HOURS
        self.negative = array("d", [0.0]) * HISTORY_HOURS
        self.reach = array("d", [0.0]) * HISTORY_HOURS
        self.engagement = array("d", [0.0]) * HISTORY_HOURS
        self.story_max = array("d", [0.0]) * HISTORY_HOURS
        self.expected = array("d", [UNKNOWN]) * HISTORY_HOURS  # the seasonal rate it was judged by
        self.first_hour: int | None = None

    def put(
        self,
        hour: int,
        count: float,
        negative: float,
        reach: float,
        engagement: float,
        story_max: float,
        expected: float = UNKNOWN,
    ) -> None:
        i = hour % HISTORY_HOURS
        self.hour[i] = hour
        self.count[i] = count
        self.negative[i] = negative
        self.reach[i] = reach
        self.engagement[i] = engagement
        self.story_max[i] = story_max
        self.expected[i] = expected
        if self.first_hour is None or hour < self.first_hour:
            self.first_hour = hour

    def has(self, hour: int) -> bool:
        return self.hour[hour % HISTORY_HOURS] == hour

    def valid(self, hours: list[int]) -> list[int]:
        return [h for h in hours if self.has(h)]

    def residuals(self, hour: int, span: int) -> list[float]:
        """log((count + 1) / (expected + 1)) of the completed hours in [hour - span, hour).

        Hours expecting fewer than RESIDUAL_MIN_EXPECTED posts are left out: there the ratio is
        mostly Poisson noise (an hour expecting 0.5 posts usually has none, which reads as a
        level drop), and the count tails already cover it.
        """
        out = []
        for h in range(hour - span, hour):
            i = h % HISTORY_HOURS
            if self.hour[i] == h and self.expected[i] >= RESIDUAL_MIN_EXPECTED:
                out.append(math.log((self.count[i] + 1.0) / (self.expected[i] + 1.0)))
        return out

    def to_dict(self) -> dict[str, object]:
        keep = [i for i, h in enumerate(self.hour) if h >= 0]
        return {
            "first_hour": self.first_hour,
            "rows": [
                [
                    self.hour[i],
                    self.count[i],
                    self.negative[i],
                    round(self.reach[i], 1),
                    round(self.engagement[i], 1),
                    self.story_max[i],
                    round(self.expected[i], 3),
                ]
                for i in keep
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> HourlyHistory:
        history = cls()
        rows = data.get("rows", [])
        assert isinstance(rows, list)
        for row in rows:
            expected = row[6] if len(row) > 6 else UNKNOWN  # rows of older checkpoints have 6
            history.put(int(row[0]), row[1], row[2], row[3], row[4], row[5], expected)
        first = data.get("first_hour")
        history.first_hour = int(first) if isinstance(first, int) else history.first_hour
        return history


def _robust_rate(values: list[float]) -> float:
    """Median, but never below a trimmed mean, so quiet topics (mostly 0, some 1) expect > 0."""
    if not values:
        return RATE_FLOOR
    trimmed = sorted(values)[:-1] if len(values) >= 4 else values
    return max(median(values), sum(trimmed) / len(trimmed), RATE_FLOOR)


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def _dispersion(values: list[float], centre: float) -> float:
    if len(values) < 3:
        return PRIOR_PHI
    spread = mad(values, median(values))
    phi = (spread * spread - centre) / (centre * centre) if centre > 0 else PHI_MAX
    # Few samples mean an uncertain level; widen the tail rather than trust it.
    phi = max(PHI_MIN, phi) + 0.25 / len(values)
    return min(PHI_MAX, phi)


def _clock(hour_index: int) -> str:
    return f"{hour_index % 24:02d}:00"


def baseline_for_hour(
    history: HourlyHistory, hour: int, weekend: frozenset[int] = frozenset({5, 6})
) -> Baseline:
    """The baseline for local hour `hour`, from completed hours before it only."""
    weekly = history.valid([hour - 168 * k for k in range(1, 5)])
    days = history.valid([hour - 24 * k for k in range(1, 15)])
    is_weekend = weekday_of(hour) in weekend
    same_kind = [h for h in days if (weekday_of(h) in weekend) == is_weekend]

    if len(weekly) >= 3:
        level, ref, spread_ref = "weekly", weekly, days
        label = f"{WEEKDAY_NAMES[weekday_of(hour)]} {_clock(hour)} baseline"
    elif len(same_kind) >= 3:
        level, ref, spread_ref = "daily", same_kind, same_kind
        label = f"{'weekend' if is_weekend else 'workday'} {_clock(hour)} baseline"
    elif len(days) >= 3:
        level, ref, spread_ref = "daily", days, days
        label = f"{_clock(hour)} baseline (all days)"
    else:
        recent = history.valid(list(range(hour - 168, hour)))
        if len(recent) < 6:
            return _prior(history, recent)
        level, ref, spread_ref = "global", recent, recent
        label = f"baseline of the last {len(recent)} hours (cold start)"

    counts = [history.count[h % HISTORY_HOURS] for h in ref]
    rate = _robust_rate(counts)
    spread_counts = [history.count[h % HISTORY_HOURS] for h in spread_ref]
    phi = _dispersion(spread_counts, _robust_rate(spread_counts))
    if level == "global":
        # Without a day of history the daily cycle is unknown, so the morning rise would look
        # like a surge; judge against a busy hour (the 90th percentile) and a wider tail.
        rate = max(rate, _quantile(counts, 0.9))
        phi = max(phi, GLOBAL_PHI)
    seasonal = rate
    level_factor = 1.0
    # Only hours judged by a seasonal profile leave residuals (see `expected_for_history`), so
    # level and noise start after the first three days and are learned over the next ones.
    level_residuals = history.residuals(hour, LEVEL_HOURS)
    if len(level_residuals) >= LEVEL_MIN_HOURS:
        shift = max(-LEVEL_MAX_LOG, min(LEVEL_MAX_LOG, median(level_residuals)))
        level_factor = math.exp(shift)
        rate = max(RATE_FLOOR, rate * level_factor)
        if abs(shift) >= 0.2:
            label += f" ×{level_factor:.1f} (the last day's level)"
    noise_residuals = history.residuals(hour, NOISE_HOURS)
    if len(noise_residuals) >= NOISE_MIN_HOURS:
        spread = mad(noise_residuals, median(noise_residuals))
        # The seasonal rate itself rests on len(ref) hours; that uncertainty widens the tail.
        phi = min(PHI_MAX, max(NOISE_PHI_MIN, spread * spread) + 0.25 / len(ref))
    pooled = spread_ref if len(spread_ref) > len(ref) else ref
    total = sum(history.count[h % HISTORY_HOURS] for h in pooled)
    negative = sum(history.negative[h % HISTORY_HOURS] for h in pooled)
    share = (negative + NEG_SHARE_PRIOR * NEG_SHARE_PRIOR_WEIGHT) / (total + NEG_SHARE_PRIOR_WEIGHT)
    return Baseline(
        level=level,
        label=label,
        rate=rate,
        phi=phi,
        negative_share=share,
        reach_rate=max(1.0, median([history.reach[h % HISTORY_HOURS] for h in ref])),
        engagement_rate=max(1.0, median([history.engagement[h % HISTORY_HOURS] for h in ref])),
        samples=len(ref),
        seasonal_rate=seasonal,
        level_factor=level_factor,
    )


def expected_for_history(baseline: Baseline | None) -> float:
    """What to store as an hour's expectation: the seasonal rate, or unknown before a profile.

    Cold-start hours are judged against a busy-hour percentile or a prior, whose residuals
    would read as a level drop; they are left out of the level and noise estimates.
    """
    if baseline is None or baseline.level not in ("weekly", "daily"):
        return UNKNOWN
    return baseline.seasonal_rate


def _prior(history: HourlyHistory, recent: list[int]) -> Baseline:
    counts = [history.count[h % HISTORY_HOURS] for h in recent]
    # A mean over a handful of hours is all there is; the prior keeps a brand-new topic's
    # first busy hour from reading as a crisis, and the floors in score.py do the rest.
    rate = max(PRIOR_RATE, sum(counts) / len(counts)) if counts else PRIOR_RATE
    return Baseline(
        level="prior",
        label="cold-start prior (under 6 hours of history)",
        rate=rate,
        phi=PRIOR_PHI,
        negative_share=NEG_SHARE_PRIOR,
        reach_rate=1.0,
        engagement_rate=1.0,
        samples=len(counts),
        seasonal_rate=rate,
    )


def story_baseline(history: HourlyHistory, hour: int) -> float:
    """Typical size (posts in 30 min) of a topic's biggest story, from the last 3 days."""
    values = [
        history.story_max[h % HISTORY_HOURS] for h in history.valid(list(range(hour - 72, hour)))
    ]
    return max(2.0, median(values) + mad(values, median(values))) if values else 2.0
