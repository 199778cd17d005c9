"""A topic's own noise, novelty and routine, and the surprise episode rule (`TopicDetector`).

Each rule reads and updates the detector it is handed, nothing else: the σ peak, busiest hour
and largest burst of each of the last NOISE_DAYS local days, and the surprise episode going on.
See the `detect.detector` module docstring for how the rules fit together.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flarewatch.detect.detector import TopicDetector

NOISE_DAYS = 14  # daily σ peaks remembered to learn a topic's own noise
NOISE_MIN_DAYS = 2
TYPICAL_PEAK_Z = 3.0  # what an ordinary day's biggest blip is scaled to
NOVELTY_MINUTES = 60  # the window whose count is compared with each day's busiest
NOVELTY_DIVISOR = 1.25  # σ is divided by this when the volume is no more than lately seen
ROUTINE_DAYS = 3  # a burst's excess reached by the topic's bursts on this many days is routine
ROUTINE_DIVISOR = 1.6  # σ is divided by this (instead of NOVELTY_DIVISOR) for a routine excess
SURPRISE_ON = 4.0  # σ (after the noise scaling) at which an unusual episode begins
SURPRISE_RISE = 3.0  # within an episode, a σ this many times its peak so far is news again
SURPRISE_CALM_MINUTES = 12 * 60  # below SURPRISE_ON this long ends the episode


def novelty_divisor(det: TopicDetector, z: float) -> float:
    """NOVELTY_DIVISOR when the last hour's volume is no more than the topic's busiest hour
    of the last NOISE_DAYS days (today not counted), else 1; also records today's busiest.

    Real streams repeat themselves: a bot's burst every few days, the daily TV mention. A
    volume the topic reached within two weeks needs a clearer σ to be news; a volume it has
    never reached lately is judged as before. Off during the first NOISE_MIN_DAYS days.

    A burst no bigger (by its excess over expectation) than the topic's bursts of
    ROUTINE_DAYS of those days is routine and needs ROUTINE_DIVISOR. Only bursts (raw `z`
    ≥ SURPRISE_ON) are remembered, so a calm topic's daily wobble never makes an onset
    routine, and the excess, unlike the count, does not call every quiet-hour surge routine
    because afternoons are busier.
    """
    count = det.sums[det.novelty_window][0]
    if count > det.day_top:
        det.day_top = count
    excess = count - det.sums[det.novelty_window][2]
    if z >= SURPRISE_ON and excess > det.day_excess:
        det.day_excess = excess  # the largest burst of the day, by its excess
    if count > det.top_seen:
        return 1.0
    return ROUTINE_DIVISOR if 0 < excess <= det.routine_excess else NOVELTY_DIVISOR


def ordinary_divisor(det: TopicDetector) -> float:
    """ROUTINE_DIVISOR for the surprise when the last hour's volume is no more than an
    ordinary day's busiest hour of this topic (reached on at least half of the last
    NOISE_DAYS days, today not counted), else 1.

    The surprise ranks episodes across topics by how unusual they are; a volume the topic
    reaches on most days is a burst of its usual kind at a quieter hour, not news. Alerts do
    not use it: a story at a quiet hour must still page (see docs/detection.md).
    """
    count = det.sums[det.novelty_window][0]
    return ROUTINE_DIVISOR if count <= det.top_ordinary else 1.0


def set_top_seen(det: TopicDetector) -> None:
    """The busiest hour, the ordinary day's busiest hour and the routine excess, from the
    days remembered."""
    enough = len(det.day_tops) >= NOISE_MIN_DAYS
    det.top_seen = max(det.day_tops) if enough else -math.inf
    ordered = sorted(det.day_tops)
    det.top_ordinary = ordered[len(ordered) // 2] if enough else -math.inf
    routine = enough and 0 < ROUTINE_DAYS <= len(det.day_excesses)
    det.routine_excess = sorted(det.day_excesses)[-ROUTINE_DAYS] if routine else -math.inf


def noise_factor(day_peaks: list[float]) -> float:
    """How much a topic's σ is scaled down: its median daily peak over TYPICAL_PEAK_Z.

    Until NOISE_MIN_DAYS days are seen (cold start) nothing is scaled, so a new topic is
    judged by the count tails alone.
    """
    if len(day_peaks) < NOISE_MIN_DAYS:
        return 1.0
    ordered = sorted(day_peaks)
    n = len(ordered)
    typical = ordered[n // 2] if n % 2 else 0.5 * (ordered[n // 2 - 1] + ordered[n // 2])
    return max(1.0, typical / TYPICAL_PEAK_Z)


def surprise_step(det: TopicDetector, z: float, z_slow: float = 0.0) -> float:
    """The σ when an unusual episode starts or clearly escalates; 0 while it merely lasts.

    The same-episode rule: an episode ends only after SURPRISE_CALM_MINUTES below
    SURPRISE_ON, so the bursts of one incident (and the aftershocks of a bot flood) are one
    surprise, not one per burst. A slow build (`z_slow`) can open an episode once, but does
    not keep it open: it stays high for hours by nature, and would swallow the next incident.
    """
    if z_slow >= SURPRISE_ON and det.slow_armed:
        det.slow_armed = False
        # Only a build no episode has announced is news: the hours after a burst are a
        # record too, but of the same incident.
        if z_slow > z and det.surprise_peak == 0.0:
            det.surprise_peak = z_slow
            det.surprise_quiet = 0
            return z_slow
    elif z_slow < SURPRISE_ON:
        det.slow_armed = True
    if z >= SURPRISE_ON:
        det.surprise_quiet = 0
        if det.surprise_peak == 0.0 or z >= SURPRISE_RISE * det.surprise_peak:
            det.surprise_peak = z
            return z
        return 0.0
    if det.surprise_peak > 0.0:
        det.surprise_quiet += 1
        if det.surprise_quiet >= max(1, SURPRISE_CALM_MINUTES // det.config.step_minutes):
            det.surprise_peak = 0.0
    return 0.0
