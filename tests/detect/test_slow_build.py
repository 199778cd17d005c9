"""The slow-build signal: a rise over many hours that no short window calls surprising still
opens one surprise and one alert, named in plain words, while a steady daily rhythm never does.
Series are built here, seeded."""

from __future__ import annotations

import math
import random
from datetime import timedelta

from flarewatch.detect import explain as ex
from flarewatch.detect import slow_build
from flarewatch.detect.detector import (
    NOISE_MIN_DAYS,
    SLOW_HOLD_DAYS,
    SLOW_MARGIN,
    SLOW_MIN_DAYS,
    SLOW_SPANS,
    SURPRISE_ON,
    SURPRISE_SLOW_MARGIN,
    DetectorConfig,
    Interval,
    TopicDetector,
)

from .test_real_streams import PER_DAY, START, STEP, _noisy, _run

HOUR = 60 // STEP
DAYS = SLOW_MIN_DAYS + 2


def _rhythm(i: int) -> float:
    """Busy afternoons, quiet nights: about 70 to 280 posts an hour."""
    hour = (i % PER_DAY) / HOUR
    return 12.0 * (1 + 0.6 * math.sin((hour - 9) / 24 * 2 * math.pi))


def _series(seed: int, build: bool) -> tuple[list[float], int, int]:
    rng = random.Random(seed)
    counts = [_noisy(_rhythm(i), rng) for i in range(DAYS * PER_DAY)]
    first = (DAYS - 1) * PER_DAY + 4 * HOUR  # 04:00 on the last day
    length = 16 * HOUR  # sixteen hours climbing to ×2.2
    if build:
        for k in range(length):
            counts[first + k] = _noisy(_rhythm(first + k) * (1 + 1.2 * k / length), rng)
    return counts, first, length


def test_a_slow_build_opens_one_surprise_and_one_alert_in_its_own_words() -> None:
    for seed in (7, 8, 9):
        counts, first, length = _series(seed, build=True)
        _, results = _run(counts)
        build = results[first : first + length]
        news = [r.surprise for r in build if r.surprise > 0]
        assert len(news) == 1 and news[0] >= SURPRISE_ON
        alerts = [r.assessment for r in build if r.assessment.severity]
        assert alerts, "the build never paged"
        # No short window saw it first: the page is led by the slow build and says so.
        first_alert = alerts[0]
        assert first_alert.lead == "slow_build"
        factor = first_alert.factors[0]
        assert factor.name == "slow_build" and factor.message == ex.SLOW_BUILD
        assert factor.params["hours"] in SLOW_SPANS
        assert factor.params["count"] > factor.params["record"] > 0
        assert f"in the last {factor.params['hours']} hours" in factor.text
        assert "σ" not in factor.text


def test_a_steady_daily_rhythm_is_not_a_build() -> None:
    for seed in (7, 8, 9):
        counts, first, _ = _series(seed, build=False)
        det = TopicDetector(DetectorConfig(step_minutes=STEP))
        for i, c in enumerate(counts):
            r = det.step(Interval(START + timedelta(minutes=STEP * i), c))
            if i >= (NOISE_MIN_DAYS + 1) * PER_DAY:
                assert det.slow.z < SURPRISE_ON, f"seed {seed}, step {i}: {det.slow}"
                assert r.surprise == 0.0 and r.assessment.severity is None


def test_cold_start_and_checkpoint_of_the_slow_build() -> None:
    counts, first, _ = _series(7, build=True)
    det = TopicDetector(DetectorConfig(step_minutes=STEP))
    for i, c in enumerate(counts[:first]):
        det.step(Interval(START + timedelta(minutes=STEP * i), c))
        if i < SLOW_MIN_DAYS * PER_DAY:
            assert det.slow.z == 0.0  # SLOW_MIN_DAYS days of records are needed first
    assert all(len(tops) == DAYS - 1 for tops in det.span_tops)
    restored = TopicDetector.from_dict(DetectorConfig(step_minutes=STEP), det.to_dict())
    assert restored.span_tops == det.span_tops and restored.slow_armed == det.slow_armed
    old = det.to_dict()
    for key in ("span_tops", "span_top", "slow_armed"):
        del old[key]
    assert TopicDetector.from_dict(DetectorConfig(step_minutes=STEP), old).span_tops == [
        [] for _ in SLOW_SPANS
    ]


def _two_day_build(seed: int) -> tuple[list[float], int, int]:
    """A build over two days, the second climbing ×1.1 higher than the first: a story that
    keeps spreading. Returns the counts, the second day's first build step and its length."""
    rng = random.Random(seed)
    counts = [_noisy(_rhythm(i), rng) for i in range((DAYS + 1) * PER_DAY)]
    length = 16 * HOUR
    for day, top in ((DAYS - 1, 2.2), (DAYS, 2.42)):
        first = day * PER_DAY + 4 * HOUR
        for k in range(length):
            rise = 1 + (top - 1) * k / length
            counts[first + k] = _noisy(_rhythm(first + k) * rise, rng)
    return counts, DAYS * PER_DAY + 4 * HOUR, length


def test_a_build_that_goes_on_for_a_second_day_is_news_again(monkeypatch) -> None:
    """The first day of a build does not set the record its second day is judged by; without
    that hold the second day, ×1.1 over the first, stays under the ×1.22 margin."""
    for hold, news_expected in ((SLOW_HOLD_DAYS, True), (0, False)):
        monkeypatch.setattr(slow_build, "SLOW_HOLD_DAYS", hold)
        for seed in (7, 8, 9):
            counts, first, length = _two_day_build(seed)
            _, results = _run(counts)
            day_before = results[first - PER_DAY : first - PER_DAY + length]
            assert any(r.surprise >= SURPRISE_ON for r in day_before), f"seed {seed}"
            news = [r.surprise for r in results[first : first + length] if r.surprise > 0]
            if news_expected:
                assert len(news) == 1 and news[0] >= SURPRISE_ON, f"seed {seed}: {news}"
            else:
                assert not news, f"seed {seed}, no hold: {news}"


def test_the_hold_is_kept_in_the_checkpoint() -> None:
    counts, first, _ = _two_day_build(7)
    det = TopicDetector(DetectorConfig(step_minutes=STEP))
    for i, c in enumerate(counts[:first]):
        det.step(Interval(START + timedelta(minutes=STEP * i), c))
    assert det.held_days == SLOW_HOLD_DAYS  # yesterday was a build's day
    restored = TopicDetector.from_dict(DetectorConfig(step_minutes=STEP), det.to_dict())
    assert (restored.held_days, restored.build_today) == (det.held_days, det.build_today)
    assert restored.slow == det.slow
    # A checkpoint written before the hold existed loads with no day held out.
    old = det.to_dict()
    del old["slow_hold"]
    assert TopicDetector.from_dict(DetectorConfig(step_minutes=STEP), old).held_days == 0


def test_in_the_surprise_a_build_reads_on_its_own_margin() -> None:
    """The surprise ranks a build at SURPRISE_SLOW_MARGIN over the record as SURPRISE_ON (alerts
    keep SLOW_MARGIN), so a build ranks beside the bursts the ordinary-hour rule damps."""
    counts, first, length = _series(7, build=True)
    det = TopicDetector(DetectorConfig(step_minutes=STEP))
    news: list[tuple[float, float]] = []
    for i, c in enumerate(counts):
        r = det.step(Interval(START + timedelta(minutes=STEP * i), c))
        if first <= i < first + length and r.surprise > 0:
            news.append((r.surprise, det.slow.z))
    assert len(news) == 1
    surprise, slow_z = news[0]
    assert SURPRISE_SLOW_MARGIN < SLOW_MARGIN
    assert math.isclose(surprise, slow_z * SLOW_MARGIN / SURPRISE_SLOW_MARGIN)
    # In the alert it is the build's own σ-equivalent, on SLOW_MARGIN.
    assert 0 < slow_z < surprise
