"""A `TopicDetector`'s durable state: its checkpoint as JSON-ready data, and back.

Also the extras of one interval (authors, platforms, terms, influencers) as the detector's ring
holds them and a checkpoint writes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flarewatch.detect.baseline import HourlyHistory, baseline_for_hour, story_baseline
from flarewatch.detect.score import Influencer
from flarewatch.detect.slow_build import SLOW_SPANS
from flarewatch.detect.surprise import NOISE_DAYS

if TYPE_CHECKING:
    from flarewatch.detect.detector import DetectorConfig, TopicDetector


@dataclass(slots=True)
class _Extras:
    authors: list[int] | None
    platforms: dict[str, int] | None
    terms: dict[str, int] | None
    influencers: list[Influencer] | None


_KNOWN_EMPTY = _Extras([], None, None, None)  # a minute with no authors, where authors are known


def detector_to_dict(det: TopicDetector) -> dict[str, Any]:
    """The detector's state as JSON-ready data (`TopicDetector.to_dict`)."""

    def ring(values: list[float]) -> list[float]:
        return [round(v, 4) for v in values]

    return {
        "v": 1,
        "step_minutes": det.config.step_minutes,
        "history": det.history.to_dict(),
        "count": ring(det.count),
        "negative": ring(det.negative),
        "expected": ring(det.expected),
        "reach": ring(det.reach),
        "engagement": ring(det.engagement),
        "extras": [_extras_to_json(e) for e in det.extras],
        "pos": det.pos,
        "filled": det.filled,
        "cur_hour": det.cur_hour,
        "acc": det.acc,
        "last_start": det.last_start.isoformat() if det.last_start else None,
        "episode": det.episode,
        "episode_group": det.episode_group,
        "calm": det.calm,
        "since_emit": det.since_emit,
        "day_peaks": det.day_peaks,
        "day_peak": round(det.day_peak, 3),
        "day_tops": [round(t, 3) for t in det.day_tops],
        "day_top": round(det.day_top, 3),
        "day_excesses": [round(t, 3) for t in det.day_excesses],
        "day_excess": round(det.day_excess, 3),
        "cur_day": det.cur_day,
        "surprise": [round(det.surprise_peak, 3), det.surprise_quiet],
        "span_tops": [[round(t, 3) for t in tops] for tops in det.span_tops],
        "span_top": [round(t, 3) for t in det.span_top],
        "slow_armed": det.slow_armed,
        "slow_hold": [det.build_today, det.held_days],
    }


def detector_from_dict(
    cls: type[TopicDetector], config: DetectorConfig, data: dict[str, Any]
) -> TopicDetector:
    """A detector of class `cls` restored from `detector_to_dict` data
    (`TopicDetector.from_dict`); a fresh one when the data does not fit `config`."""
    det = cls(config)
    if data.get("v") != 1 or data.get("step_minutes") != config.step_minutes:
        return det  # an incompatible state is rebuilt from history by the caller
    det.history = HourlyHistory.from_dict(data["history"])
    if len(data["count"]) == det.capacity:
        det.count = list(data["count"])
        det.negative = list(data["negative"])
        det.expected = list(data["expected"])
        det.reach = list(data["reach"])
        det.engagement = list(data["engagement"])
        det.extras = [_extras_from_json(e) for e in data["extras"]]
        det.pos = int(data["pos"])
        det.filled = int(data["filled"])
    det.cur_hour = data["cur_hour"]
    det.acc = list(data["acc"])
    det.last_start = datetime.fromisoformat(data["last_start"]) if data["last_start"] else None
    det.episode = data.get("episode")
    det.episode_group = data.get("episode_group")
    det.calm = int(data.get("calm", 0))
    det.since_emit = int(data.get("since_emit", 0))
    # Checkpoints written before noise learning lack these; the topic relearns them.
    det.day_peaks = [float(p) for p in data.get("day_peaks", [])][-NOISE_DAYS:]
    det.day_peak = float(data.get("day_peak", 0.0))
    det.day_tops = [float(t) for t in data.get("day_tops", [])][-NOISE_DAYS:]
    det.day_top = float(data.get("day_top", 0.0))
    det.day_excesses = [float(t) for t in data.get("day_excesses", [])][-NOISE_DAYS:]
    det.day_excess = float(data.get("day_excess", 0.0))
    det._set_top_seen()
    det.cur_day = data.get("cur_day")
    peak, quiet = data.get("surprise", [0.0, 0])
    det.surprise_peak, det.surprise_quiet = float(peak), int(quiet)
    tops = data.get("span_tops", [])
    if len(tops) == len(SLOW_SPANS):  # older checkpoints lack them; the topic relearns them
        det.span_tops = [[float(t) for t in day][-NOISE_DAYS:] for day in tops]
        det.span_top = [float(t) for t in data.get("span_top", [0.0] * len(SLOW_SPANS))]
    det.slow_armed = bool(data.get("slow_armed", True))
    build_today, held_days = data.get("slow_hold", [False, 0])
    det.build_today, det.held_days = bool(build_today), int(held_days)
    if det.cur_hour is not None:
        det.baseline = baseline_for_hour(det.history, det.cur_hour, det.weekend)
        det.story_expected = story_baseline(det.history, det.cur_hour)
        det.slow = det._slow_build(det.cur_hour)
        det._resum()
    return det


def _extras_to_json(extra: _Extras | None) -> dict[str, Any] | None:
    if extra is None:
        return None
    return {
        "a": extra.authors,
        "p": extra.platforms,
        "t": extra.terms,
        "i": [[i.handle, i.followers, i.watched] for i in extra.influencers or []],
    }


def _extras_from_json(data: dict[str, Any] | None) -> _Extras | None:
    if data is None:
        return None
    return _Extras(
        data.get("a"),
        data.get("p"),
        data.get("t"),
        [Influencer(h, f, bool(w)) for h, f, w in data.get("i") or []],
    )
