"""What real mention streams need: level shifts followed, a topic's own noise learned, one
surprise and one page per incident, and a stated cold start. Series are built here, seeded."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

from flarewatch.detect import surprise
from flarewatch.detect.backtest import Row, score_series
from flarewatch.detect.baseline import HourlyHistory, baseline_for_hour
from flarewatch.detect.detector import (
    NOISE_MIN_DAYS,
    NOVELTY_DIVISOR,
    ROUTINE_DIVISOR,
    SURPRISE_ON,
    SURPRISE_RISE,
    DetectorConfig,
    Interval,
    StepResult,
    TopicDetector,
)

START = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday
STEP = 5  # minutes, as in NAB's realTweets
PER_DAY = 24 * 60 // STEP


def _noisy(rate: float, rng: random.Random) -> float:
    """A count around `rate` with the ×1.3-ish wobble of real mention streams."""
    return float(max(0, round(rng.gauss(rate, (rate + 0.09 * rate * rate) ** 0.5))))


def _run(counts: list[float]) -> tuple[TopicDetector, list[StepResult]]:
    det = TopicDetector(DetectorConfig(step_minutes=STEP))
    out = [det.step(Interval(START + timedelta(minutes=STEP * i), c)) for i, c in enumerate(counts)]
    return det, out


def _onsets(flags: list[bool]) -> int:
    return sum(1 for i, f in enumerate(flags) if f and (i == 0 or not flags[i - 1]))


def test_baseline_follows_a_level_shift() -> None:
    rng = random.Random(1)
    shift_day = 8
    counts = [_noisy(20.0 if i < shift_day * PER_DAY else 60.0, rng) for i in range(11 * PER_DAY)]
    det, results = _run(counts)
    before = results[shift_day * PER_DAY - 1].baseline
    after = results[-1].baseline
    assert before is not None and after is not None
    assert before.level_factor < 1.3
    # Two days later the hour-of-day profile still remembers ×1, the level says ×3.
    assert after.seasonal_rate < 0.6 * 12 * 60.0
    assert after.level_factor > 2.0
    assert after.rate > 0.8 * 12 * 60.0
    assert "last day's level" in after.label
    # The new level is ordinary by then: nothing pages on its third day.
    assert not any(r.assessment.severity for r in results[-PER_DAY:])


def test_a_topic_with_daily_bot_floods_learns_its_own_noise() -> None:
    rng = random.Random(2)
    counts = [_noisy(10.0, rng) for _ in range(16 * PER_DAY)]
    for day in range(16):
        # A half-hour bot flood at ×6 every day, at a different hour each day.
        at = day * PER_DAY + rng.randrange(PER_DAY - 6)
        counts[at : at + 6] = [_noisy(60.0, rng) for _ in range(6)]
    det, results = _run(counts)
    assert det.noise_factor() > 1.5
    last_week = results[-7 * PER_DAY :]
    assert _onsets([r.assessment.severity is not None for r in last_week]) <= 1
    # A three-hour surge at ×10, well beyond what the floods taught, still pages.
    surge = counts + [_noisy(100.0, rng) for _ in range(36)]
    det, results = _run(surge)
    assert any(r.assessment.severity for r in results[-36:])
    assert max(r.surprise for r in results[-36:]) >= SURPRISE_ON


def test_one_incident_is_one_surprise_and_one_alert_episode() -> None:
    rng = random.Random(3)
    counts = [_noisy(10.0, rng) for _ in range(10 * PER_DAY)]
    first = 9 * PER_DAY
    for k in range(24):  # two hours at ×5, a two-hour lull, two more hours at ×5
        counts[first + k] = _noisy(50.0, rng)
        counts[first + 48 + k] = _noisy(50.0, rng)
    rows = [Row(i + 2, START + timedelta(minutes=STEP * i), "", c) for i, c in enumerate(counts)]
    scored = score_series(rows, STEP)
    incident = scored[first - 12 :]
    assert _onsets([s.alert for s in incident]) == 1
    # The score peaks at the onset: one row carries it, the rest of the incident reads 0.
    peaks = [i for i, s in enumerate(incident) if s.score > 0]
    assert len(peaks) == 1 and 12 <= peaks[0] < 24
    assert all(s.score == 0.0 for s in incident[peaks[0] + 1 :])


def test_a_clear_escalation_is_news_again() -> None:
    rng = random.Random(4)
    counts = [_noisy(10.0, rng) for _ in range(10 * PER_DAY)]
    first = 9 * PER_DAY
    for k in range(12):
        counts[first + k] = _noisy(30.0, rng)
    for k in range(12, 48):
        counts[first + k] = _noisy(300.0, rng)
    _, results = _run(counts)
    news = [r.surprise for r in results[first:] if r.surprise > 0]
    assert len(news) == 2 and news[1] >= SURPRISE_RISE * news[0]


def test_cold_start_learns_noise_and_level_over_the_first_days() -> None:
    rng = random.Random(5)
    counts = [_noisy(10.0, rng) for _ in range(6 * PER_DAY)]
    det = TopicDetector(DetectorConfig(step_minutes=STEP))
    factors: list[float] = []
    levels: list[float] = []
    for i, c in enumerate(counts):
        r = det.step(Interval(START + timedelta(minutes=STEP * i), c))
        if i % PER_DAY == PER_DAY - 1:
            factors.append(det.noise_factor())
            assert r.baseline is not None
            levels.append(r.baseline.level_factor)
    assert factors[: NOISE_MIN_DAYS - 1] == [1.0] * (NOISE_MIN_DAYS - 1)
    assert len(det.day_peaks) == 5
    # No seasonal profile before three days of history, so no level either.
    assert levels[:3] == [1.0, 1.0, 1.0]
    assert levels[4] != 1.0


def test_learned_state_survives_a_checkpoint_and_old_rows_still_load() -> None:
    rng = random.Random(6)
    counts = [_noisy(10.0, rng) for _ in range(5 * PER_DAY)]
    cfg = DetectorConfig(step_minutes=STEP)
    a, _ = _run(counts)
    b = TopicDetector.from_dict(cfg, a.to_dict())
    assert b.day_peaks == a.day_peaks and b.noise_factor() == a.noise_factor()
    for i in range(len(counts), len(counts) + 200):
        iv = Interval(START + timedelta(minutes=STEP * i), _noisy(10.0, rng))
        ra, rb = a.step(iv), b.step(iv)
        assert ra.assessment.risk == rb.assessment.risk and ra.surprise == rb.surprise
    # A checkpoint written before hours kept their expectation: six columns per row.
    old = {"first_hour": 100, "rows": [[100 + h, 12.0, 1.0, 0.0, 0.0, 0.0] for h in range(100)]}
    history = HourlyHistory.from_dict(old)
    assert history.residuals(200, 24) == []
    assert baseline_for_hour(history, 200).level_factor == 1.0


def test_a_burst_the_topic_had_lately_needs_a_clearer_sigma_than_a_new_one() -> None:
    rng = random.Random(7)
    days = 12
    counts = [_noisy(5.0, rng) for _ in range(days * PER_DAY)]
    # A half-hour burst of ~40 posts per 5 minutes on day 8: the topic has now seen this volume.
    burst_day = 8
    start = burst_day * PER_DAY + 100
    counts[start : start + 6] = [_noisy(40.0, rng) for _ in range(6)]
    det = TopicDetector(DetectorConfig(step_minutes=STEP))
    for i, c in enumerate(counts):
        det.step(Interval(START + timedelta(minutes=STEP * i), c))
    busiest = max(det.day_tops)
    assert busiest >= 6 * 30.0  # the burst day's busiest hour is remembered
    assert len(det.day_tops) == days - 1
    snapshot = det.to_dict()
    # The same volume again is divided by the novelty divisor; a bigger one is not.
    same, bigger = TopicDetector.from_dict(DetectorConfig(step_minutes=STEP), snapshot), det
    t = START + timedelta(minutes=STEP * len(counts))
    for k in range(12):
        at = t + timedelta(minutes=STEP * k)
        same.step(Interval(at, busiest / 12))
        bigger.step(Interval(at, 3 * busiest / 12))
    assert same._novelty_divisor(0.0) == NOVELTY_DIVISOR > 1.0
    assert bigger._novelty_divisor(0.0) == 1.0
    # In a backtest the repeated burst is not paged again, the first one was.
    repeat = counts + counts[burst_day * PER_DAY : (burst_day + 1) * PER_DAY]
    rows = [Row(i + 2, START + timedelta(minutes=STEP * i), "", c) for i, c in enumerate(repeat)]
    scored = score_series(rows, STEP)
    first = scored[start - 1 : start + 12]
    again = scored[days * PER_DAY + 99 : days * PER_DAY + 112]
    assert any(s.score > 0 for s in first)
    assert max(s.score for s in again) < max(s.score for s in first)


def test_novelty_is_off_while_a_topic_is_new_and_survives_a_checkpoint() -> None:
    rng = random.Random(8)
    det, _ = _run([_noisy(10.0, rng) for _ in range(NOISE_MIN_DAYS * PER_DAY - 1)])
    assert len(det.day_tops) < NOISE_MIN_DAYS and det._novelty_divisor(0.0) == 1.0
    det, _ = _run([_noisy(10.0, rng) for _ in range(4 * PER_DAY)])
    restored = TopicDetector.from_dict(DetectorConfig(step_minutes=STEP), det.to_dict())
    assert restored.day_tops == det.day_tops and restored.day_top == det.day_top
    # A checkpoint written before novelty existed loads with nothing remembered.
    old = det.to_dict()
    del old["day_tops"], old["day_top"]
    assert TopicDetector.from_dict(DetectorConfig(step_minutes=STEP), old).day_tops == []


def _bursts(days: int, burst_days: tuple[int, ...], seed: int) -> tuple[list[float], int]:
    """A quiet topic (~5 posts per 5 minutes) with the same half-hour bot burst of ~40 posts
    per 5 minutes on `burst_days`; returns the counts and the burst's offset in its day."""
    rng = random.Random(seed)
    counts = [_noisy(5.0, rng) for _ in range(days * PER_DAY)]
    offset = 100
    for day in burst_days:
        start = day * PER_DAY + offset
        counts[start : start + 6] = [_noisy(40.0, rng) for _ in range(6)]
    return counts, offset


def test_a_burst_the_topic_has_on_three_days_is_routine(monkeypatch) -> None:
    counts, offset = _bursts(12, (2, 5, 8), seed=7)
    det, _ = _run(counts)
    # Each burst day remembers its burst's excess (~210 posts over the hour's expectation).
    assert sum(e >= 150 for e in det.day_excesses) == 3
    assert len(det.day_excesses) == 11
    restored = TopicDetector.from_dict(DetectorConfig(step_minutes=STEP), det.to_dict())
    assert restored.day_excesses == [round(e, 3) for e in det.day_excesses]
    assert abs(restored.routine_excess - det.routine_excess) < 1e-3 and det.routine_excess > 0
    old = det.to_dict()  # written before bursts were remembered: nothing is routine yet
    del old["day_excesses"], old["day_excess"]
    assert TopicDetector.from_dict(DetectorConfig(step_minutes=STEP), old).routine_excess <= 0
    # A burst no bigger, a fourth time: σ needs ROUTINE_DIVISOR (more than the novelty's 1.25)
    t = START + timedelta(minutes=STEP * len(counts))
    for k in range(12):
        det.step(Interval(t + timedelta(minutes=STEP * k), 30.0 if k >= 6 else 5.0))
    assert det._novelty_divisor(0.0) == ROUTINE_DIVISOR > NOVELTY_DIVISOR
    # So in a backtest it scores lower than without the rule, while a burst seen on one day
    # only keeps the novelty divisor.
    repeat = counts + counts[8 * PER_DAY : 9 * PER_DAY]
    rows = [Row(i + 2, START + timedelta(minutes=STEP * i), "", c) for i, c in enumerate(repeat)]
    again = slice(12 * PER_DAY + offset - 1, 12 * PER_DAY + offset + 12)
    with_rule = max(s.score for s in score_series(rows, STEP)[again])
    monkeypatch.setattr(surprise, "ROUTINE_DAYS", 0)
    without_rule = max(s.score for s in score_series(rows, STEP)[again])
    assert with_rule < without_rule and without_rule > 0
    once, _ = _bursts(12, (8,), seed=7)
    det, _ = _run(once)
    assert det.routine_excess <= 0  # one burst day is not a routine


def test_a_calm_topic_has_no_routine() -> None:
    """Only bursts (σ ≥ SURPRISE_ON before any scaling) are remembered: the daily wobble of a
    calm topic never makes a real onset 'routine'."""
    counts, _ = _bursts(12, (), seed=9)
    det, _ = _run(counts)
    # The first day is judged by the warm-up baseline (cold start); after it, nothing.
    assert len(det.day_excesses) == 11 and all(e == 0.0 for e in det.day_excesses[1:])
    assert det.routine_excess == 0.0  # so no excess counts as routine


def _daily(i: int) -> float:
    """Busy afternoons, quiet nights: about 60 to 230 posts an hour."""
    hour = (i % PER_DAY) / 12
    return 12.0 * (1 + 0.6 * math.sin((hour - 9) / 24 * 2 * math.pi))


def _night_burst(factor: float, seed: int = 11) -> tuple[list[float], slice]:
    """Twelve days of a daily rhythm, then an hour at `factor` × the night's rate at 03:00."""
    rng = random.Random(seed)
    counts = [_noisy(_daily(i), rng) for i in range(12 * PER_DAY)]
    at = 12 * PER_DAY + 3 * 12
    counts += [_noisy(_daily(i), rng) for i in range(12 * PER_DAY, at)]
    counts += [_noisy(factor * _daily(i), rng) for i in range(at, at + 12)]
    return counts, slice(at, at + 12)


def test_a_burst_no_bigger_than_an_ordinary_days_busiest_hour_is_a_smaller_surprise(
    monkeypatch,
) -> None:
    counts, burst = _night_burst(3.0)
    det, results = _run(counts)
    # Half of the last days had a busiest hour at least this large: an ordinary volume here.
    ordinary = sorted(det.day_tops)[len(det.day_tops) // 2]  # the upper median
    assert det.sums[det.novelty_window][0] <= det.top_ordinary == ordinary
    assert det._ordinary_divisor() == ROUTINE_DIVISOR
    restored = TopicDetector.from_dict(DetectorConfig(step_minutes=STEP), det.to_dict())
    assert restored.top_ordinary == det.top_ordinary
    with_rule = max(r.surprise for r in results[burst])
    risks = [r.assessment.risk for r in results[burst]]
    monkeypatch.setattr(TopicDetector, "_ordinary_divisor", lambda self: 1.0)
    _, plain = _run(counts)
    without_rule = max(r.surprise for r in plain[burst])
    assert without_rule >= SURPRISE_ON and with_rule < without_rule
    # Only the surprise is damped: what pages (risk, severity) is the same either way.
    assert [r.assessment.risk for r in plain[burst]] == risks
    monkeypatch.undo()
    # A volume beyond an ordinary day's busiest hour is judged as before.
    counts, burst = _night_burst(12.0)
    det, results = _run(counts)
    assert det._ordinary_divisor() == 1.0
    assert max(r.surprise for r in results[burst]) >= SURPRISE_ON


def test_the_ordinary_busiest_hour_is_off_while_a_topic_is_new() -> None:
    rng = random.Random(12)
    det, _ = _run([_noisy(10.0, rng) for _ in range(NOISE_MIN_DAYS * PER_DAY - 1)])
    assert det.top_ordinary == -math.inf and det._ordinary_divisor() == 1.0
