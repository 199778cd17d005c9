"""Slow builds (`TopicDetector`): the last 3, 6 or 12 hours above the busiest such span of the
last two weeks, a record no window calls surprising once the level follows the build.

Each rule reads and updates the detector it is handed, nothing else.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flarewatch.detect.baseline import HISTORY_HOURS
from flarewatch.detect.stats import MAX_Z
from flarewatch.detect.surprise import NOISE_DAYS, SURPRISE_ON

if TYPE_CHECKING:
    from flarewatch.detect.detector import TopicDetector

SLOW_SPANS = (3, 6, 12)  # hours over which a build's volume is compared with the last two weeks
SLOW_MIN_DAYS = 10  # days of records before a build counts: a few days' busiest is no record
SLOW_MARGIN = 0.2  # log-ratio (×1.22) over the busiest such span of the last days that reads as
# SURPRISE_ON: a volume the topic has not reached in two weeks, by a clear margin
SLOW_HOLD_DAYS = 1  # consecutive days of a build whose spans do not raise the record
SURPRISE_SLOW_MARGIN = 0.15  # in the surprise, a build this far (×1.16) over the record reads
# as SURPRISE_ON, so builds rank beside the bursts the ordinary-hour rule has damped


@dataclass(frozen=True, slots=True)
class SlowBuild:
    """A volume over the last `hours` complete hours above anything of the last two weeks."""

    z: float = 0.0  # σ-equivalent: SURPRISE_ON at SLOW_MARGIN above the record
    hours: int = 0
    count: float = 0.0
    record: float = 0.0  # the busiest such span of the last NOISE_DAYS days


NO_SLOW_BUILD = SlowBuild()


def close_span_day(det: TopicDetector) -> None:
    """Store the day's busiest spans as records, and note whether it was a build's day.

    A build that climbs for days (each day a little busier than the last) would otherwise
    set, on its first day, the record its next day is judged by, and be news for only one
    evening. As a past crisis does not raise the seasonal baseline, the days after a build's
    day are judged without it (`held_days`, SLOW_HOLD_DAYS consecutive days at most): a
    level that stays up is the record again after that.
    """
    for k in range(len(SLOW_SPANS)):
        det.span_tops[k] = (det.span_tops[k] + [det.span_top[k]])[-NOISE_DAYS:]
        det.span_top[k] = 0.0
    det.held_days = min(SLOW_HOLD_DAYS, det.held_days + 1) if det.build_today else 0
    det.build_today = False


def slow_build(det: TopicDetector, hour: int) -> SlowBuild:
    """The strongest build ending at `hour`: the last 3, 6 or 12 complete hours against the
    busiest such span of each of the last NOISE_DAYS local days (today not counted).

    A slow rise never makes any 10-minute or hour window surprising against a baseline
    that follows the level, yet it does reach a volume the topic has not had in two weeks.
    Scaled so that SLOW_MARGIN above that record reads as SURPRISE_ON. Off until
    SLOW_MIN_DAYS days are seen (cold start); also records today's busiest spans.
    """
    best = NO_SLOW_BUILD
    hist = det.history
    for k, span in enumerate(SLOW_SPANS):
        if not all(hist.has(h) for h in range(hour - span, hour)):
            continue  # a gap (a topic just created, a restart) is not a build
        count = sum(hist.count[h % HISTORY_HOURS] for h in range(hour - span, hour))
        tops = det.span_tops[k]
        tops = tops[: len(tops) - det.held_days]
        if len(tops) >= SLOW_MIN_DAYS:
            top = max(tops)
            if count > top > 0:
                z = min(MAX_Z, SURPRISE_ON * math.log(count / top) / SLOW_MARGIN)
                if z > best.z:
                    best = SlowBuild(z, span, count, top)
        det.span_top[k] = max(det.span_top[k], count)
    if best.z >= SURPRISE_ON:
        det.build_today = True
    return best
