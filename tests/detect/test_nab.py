"""NAB scoring: hand-computed cases, labels files, name matching, and agreement with
../shared/tools/nab_score.py (validated against NAB's own scorer) where that tool is present."""

from __future__ import annotations

import csv
import importlib.util
import json
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from flarewatch.detect.nab import (
    PROFILES,
    LabelsError,
    match_key,
    onset_scores,
    parse_windows,
    prepare,
    probation_rows,
    read_windows,
    score_series,
)

T0 = datetime(2026, 3, 1, tzinfo=UTC)
STEP = timedelta(minutes=5)
SHARED_SCORER = Path(__file__).resolve().parents[2].parent / "shared" / "tools" / "nab_score.py"


def times(n: int) -> list[datetime]:
    return [T0 + STEP * i for i in range(n)]


def sigmoid(x: float) -> float:
    """NAB's scaled sigmoid, written out again here so the test does not reuse the module's."""
    return -1.0 if x > 3 else 2.0 / (1.0 + math.exp(5.0 * x)) - 1.0


def detections_at(n: int, rows: list[int]) -> list[float]:
    return [1.0 if i in rows else 0.0 for i in range(n)]


# 100 rows: rows 0..14 are probationary; one window over rows 40..49 (width 10).
WINDOW = [(T0 + STEP * 40, T0 + STEP * 49)]


def test_probationary_period_is_15_percent_at_most_750_rows() -> None:
    assert probation_rows(100) == 15
    assert probation_rows(4999) == 749
    assert probation_rows(15831) == 750


def test_earliest_detection_in_a_window_earns_full_credit() -> None:
    series = prepare("s", times(100), detections_at(100, [40, 45]), WINDOW)
    standard, low_fp, low_fn = score_series([series], threshold=0.5)
    assert standard.raw == pytest.approx(1.0, abs=1e-12)  # one credit, the best of the two
    assert standard.score == pytest.approx(100.0)  # null −1, perfect 1
    assert (standard.windows_hit, standard.false_positives, standard.onsets) == (1, 0, 2)
    assert low_fp.score == pytest.approx(100.0) and low_fn.score == pytest.approx(100.0)
    # Lead before the window's end: row 40 is 9 rows of 5 minutes before row 49.
    assert standard.median_lead_minutes == pytest.approx(45.0)


def test_late_detection_and_false_positives_by_hand() -> None:
    # Row 49 is the window's last row: σ(−1/10)/σ(−1). Row 60 follows the window by 11 rows:
    # σ(11/9). Rows 20 (before any window) and 95 (x = 46/9 > 3) cost the full A_fp. Row 10 is
    # probationary and does not count.
    series = prepare("s", times(100), detections_at(100, [10, 20, 49, 60, 95]), WINDOW)
    credit = sigmoid(-0.1) / sigmoid(-1.0)
    assert credit == pytest.approx(0.2482, abs=1e-4)
    fp_units = sigmoid(11 / 9) - 1.0 - 1.0
    scores = {p.profile.name: p for p in score_series([series], threshold=0.5)}
    expected_raw = {
        "standard": credit + 0.11 * fp_units,
        "reward_low_FP_rate": credit + 0.22 * fp_units,
        "reward_low_FN_rate": credit + 0.11 * fp_units,
    }
    nulls = {"standard": -1.0, "reward_low_FP_rate": -1.0, "reward_low_FN_rate": -2.0}
    for name, raw in expected_raw.items():
        got = scores[name]
        assert got.raw == pytest.approx(raw, abs=1e-12)
        assert got.null == nulls[name] and got.perfect == 1.0
        assert got.score == pytest.approx(100 * (raw - nulls[name]) / (1 - nulls[name]), abs=1e-9)
        assert got.false_positives == 3 and got.windows_hit == 1 and not got.tuned
    assert scores["standard"].median_lead_minutes == 0.0


def test_a_missed_window_costs_a_fn() -> None:
    series = prepare("s", times(100), detections_at(100, [20]), WINDOW)
    standard, _, low_fn = score_series([series], threshold=0.5)
    assert standard.raw == pytest.approx(-1.0 - 0.11)
    assert standard.score == pytest.approx(100 * (-0.11) / 2)  # below null: negative
    assert low_fn.raw == pytest.approx(-2.0 - 0.11)
    assert standard.windows_hit == 0 and standard.median_lead_minutes is None


def test_tuning_picks_the_best_threshold_and_never_when_nothing_helps() -> None:
    values = [0.0] * 100
    values[40], values[20], values[70] = 0.9, 0.5, 0.5
    standard = score_series([prepare("s", times(100), values, WINDOW)])[0]
    assert standard.tuned and standard.threshold == 0.9 and standard.score == pytest.approx(100)
    noise = [0.0] * 100
    noise[20] = noise[80] = 0.7  # only false positives: detecting nothing is best
    never = score_series([prepare("s", times(100), noise, WINDOW)])[0]
    assert never.threshold == 1.1 and never.score == pytest.approx(0.0)
    assert never.detections == 0


def test_a_window_in_the_probationary_period_counts_neither_way() -> None:
    early = [(T0 + STEP * 2, T0 + STEP * 5)] + WINDOW
    series = prepare("s", times(100), detections_at(100, [40]), early)
    standard = score_series([series], threshold=0.5)[0]
    assert standard.windows_scored == 1 and standard.null == -1.0
    assert standard.perfect == 2.0  # NAB's perfect counts every labelled window
    assert standard.score == pytest.approx(100 * 2 / 3)


def test_windows_between_rows_cover_the_rows_inside_them() -> None:
    between = [(T0 + STEP * 39 + timedelta(minutes=2), T0 + STEP * 49 + timedelta(minutes=1))]
    series = prepare("s", times(100), detections_at(100, [40]), between)
    assert list(np.flatnonzero(series.window >= 0) + series.probation) == list(range(40, 50))
    with pytest.raises(LabelsError, match="covers no row"):
        prepare("s", times(100), [0.0] * 100, [(T0 + timedelta(days=30), T0 + timedelta(days=31))])


def test_a_series_without_windows_has_no_score_but_counts_false_positives() -> None:
    series = prepare("s", times(100), detections_at(100, [20, 21, 60]), [])
    standard = score_series([series], threshold=0.5)[0]
    assert standard.score is None and standard.perfect == standard.null == 0.0
    assert standard.raw == pytest.approx(-0.33)
    assert (standard.false_positives, standard.onsets, standard.windows_scored) == (3, 2, 0)


def test_onset_scores_mark_the_first_row_of_each_run() -> None:
    assert onset_scores([False, True, True, False, True]) == [0.0, 1.0, 0.0, 0.0, 1.0]
    assert onset_scores([True, False]) == [1.0, 0.0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{", "not valid JSON (line 1"),
        ("[]", "expected a JSON object"),
        ('{"a.csv": "2015-03-01"}', "a.csv: expected a list of [start, end] pairs"),
        ('{"a.csv": [["2015-03-01"]]}', "a.csv, window 1"),
        ('{"a.csv": [["2015-03-01", "soon"]]}', "'soon' is not a date-time"),
        ('{"a.csv": [["2015-03-02", "2015-03-01"]]}', "ends (2015-03-01) before it starts"),
        (
            '{"a.csv": [["2015-03-01", "2015-03-03"], ["2015-03-02", "2015-03-04"]]}',
            "windows overlap at 2015-03-02",
        ),
    ],
)
def test_bad_labels_name_the_problem(text: str, expected: str) -> None:
    with pytest.raises(LabelsError) as err:
        parse_windows(text, "labels.json")
    assert str(err.value).startswith("labels.json: ") and expected in str(err.value)


def test_reading_labels_from_a_file(tmp_path: Path) -> None:
    with pytest.raises(LabelsError, match="file not found"):
        read_windows(tmp_path / "nope.json")
    path = tmp_path / "w.json"
    path.write_text('{"x/a.csv": [["2015-03-01 00:00:00.000000", "2015-03-01 05:00:00"]]}')
    [(start, end)] = read_windows(path)["x/a.csv"]
    assert start == datetime(2015, 3, 1, tzinfo=UTC) and end - start == timedelta(hours=5)


def test_series_files_match_keys_by_name_like_nab() -> None:
    keys = ["realTweets/Twitter_volume_AMZN.csv", "realTweets/Twitter_volume_FB.csv"]
    assert match_key(keys, Path("Twitter_volume_AMZN.csv")) == keys[0]
    assert match_key(keys, Path("out/mine_Twitter_volume_FB.csv")) == keys[1]
    with pytest.raises(LabelsError, match="no series matches Twitter_volume_AMZN_old.csv"):
        match_key(keys, Path("Twitter_volume_AMZN_old.csv"))
    both = ["a/x.csv", "b/x.csv"]
    assert match_key(both, Path("data/b/x.csv")) == "b/x.csv"
    with pytest.raises(LabelsError, match="several series match x.csv"):
        match_key(both, Path("c/x.csv"))
    # An exact name wins over a prefixed one.
    assert match_key(["x.csv", "my_x.csv"], Path("my_x.csv")) == "my_x.csv"


# -- agreement with the project's validated reference scorer ------------------------------------
def _shared_scorer() -> ModuleType:
    if not SHARED_SCORER.exists():
        pytest.skip(f"{SHARED_SCORER} is absent (../shared is not part of a fresh clone)")
    spec = importlib.util.spec_from_file_location("nab_score_reference", SHARED_SCORER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _generated(tmp_path: Path, seed: int) -> dict[str, list[float]]:
    """Three series of different lengths, windows in and after the probation, tied scores."""
    rng = np.random.default_rng(seed)
    series: dict[str, list[float]] = {}
    windows: dict[str, list[list[str]]] = {}
    for name, n in (("alpha", 900), ("beta", 6000), ("gamma", 2400)):
        scores = np.round(rng.random(n) ** 3, 2)  # ties, as real detectors' outputs have
        bounds, cursor = [], int(rng.integers(10, 60))
        while cursor < n - 40:
            width = int(rng.integers(1, 30))
            bounds.append((cursor, min(cursor + width - 1, n - 1)))
            scores[cursor : cursor + width] += rng.random() * 0.3
            cursor += width + int(rng.integers(20, n // 3))
        series[name] = [float(v) for v in np.minimum(scores, 1.0)]
        stamp = [t.strftime("%Y-%m-%d %H:%M:%S") for t in times(n)]
        windows[f"sub/{name}.csv"] = [[stamp[s] + ".0", stamp[e] + ".000000"] for s, e in bounds]
        with (tmp_path / "results" / f"det_{name}.csv").open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["timestamp", "anomaly_score"])
            writer.writerows(zip(stamp, series[name], strict=True))
    (tmp_path / "windows.json").write_text(json.dumps(windows))
    return series


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_scores_agree_with_the_reference_scorer(tmp_path: Path, seed: int) -> None:
    reference = _shared_scorer()
    (tmp_path / "results").mkdir()
    series = _generated(tmp_path, seed)
    labels = read_windows(tmp_path / "windows.json")
    prepared = [
        prepare(key, times(len(series[Path(key).stem])), series[Path(key).stem], spans)
        for key, spans in sorted(labels.items())
    ]
    for fixed in (None, 0.5):
        expected = reference.score(
            str(tmp_path / "windows.json"), str(tmp_path / "results"), fixed_threshold=fixed
        )
        ours = {p.profile.name: p for p in score_series(prepared, threshold=fixed)}
        assert set(ours) == set(expected["profiles"]) == {p.name for p in PROFILES}
        for name, theirs in expected["profiles"].items():
            mine = ours[name]
            assert mine.score == pytest.approx(theirs["score"], abs=1e-9)
            assert mine.raw == pytest.approx(theirs["raw"], abs=1e-9)
            assert mine.threshold == theirs["threshold"]
            assert (mine.windows_hit, mine.false_positives) == (theirs["tp"], theirs["fp"])
            assert (mine.detections, mine.onsets) == (theirs["detections"], theirs["onsets"])
            assert mine.null == theirs["null"] and mine.perfect == theirs["perfect"]
        days = sum(p.scored_days for p in prepared)
        assert days == pytest.approx(expected["series_days"], abs=1e-9)
