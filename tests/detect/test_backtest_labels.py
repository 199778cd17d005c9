"""`flarewatch backtest SERIES.csv --labels WINDOWS.json`: NAB scores of a user's own history."""

from __future__ import annotations

import csv
import importlib.util
import json
import math
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from flarewatch.detect.cli import backtest

app = typer.Typer()
app.command()(backtest)
runner = CliRunner()

START = datetime(2026, 3, 1)
STEP = timedelta(minutes=5)
ROWS = 6 * 24 * 12  # six days of 5-minute counts
SPIKE = ROWS - 100


def stamp(row: int) -> str:
    return (START + STEP * row).strftime("%Y-%m-%d %H:%M:%S")


def write_series(path: Path) -> None:
    """A daily cycle of mentions with a burst of 30 minutes near the end."""
    rng = np.random.default_rng(7)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["timestamp", "value"])
        for i in range(ROWS):
            hour = ((START + STEP * i).hour * 60 + (START + STEP * i).minute) / 60
            rate = 20 * (1.2 + math.sin(hour / 24 * 2 * math.pi)) / 12
            value = int(rng.poisson(rate))
            if SPIKE <= i < SPIKE + 6:
                value += int(8 * rate) + 10
            writer.writerow([stamp(i), value])


@pytest.fixture
def history(tmp_path: Path) -> tuple[Path, Path]:
    series = tmp_path / "acme_Twitter_volume_ACME.csv"
    write_series(series)
    labels = tmp_path / "windows.json"
    labels.write_text(
        json.dumps(
            {
                "realTweets/Twitter_volume_OTHER.csv": [],
                "realTweets/Twitter_volume_ACME.csv": [
                    [stamp(SPIKE - 20) + ".000000", stamp(SPIKE + 40) + ".000000"]
                ],
            }
        )
    )
    return series, labels


def test_labels_report_nab_scores_onsets_and_lead(history: tuple[Path, Path]) -> None:
    series, labels = history
    out = series.parent / "scores.csv"
    result = runner.invoke(
        app, [str(series), "--labels", str(labels), "--output", str(out), "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    # The file name ends with "_" + the key's name, so that key is used.
    assert report["labels_key"] == "realTweets/Twitter_volume_ACME.csv"
    assert (report["rows"], report["probation_rows"], report["windows"]) == (ROWS, 259, 1)
    profiles = [p["profile"] for p in report["alert_onsets"]]
    assert profiles == ["standard", "reward_low_FP_rate", "reward_low_FN_rate"]
    assert [p["profile"] for p in report["anomaly_score"]] == profiles

    rows = list(csv.DictReader(out.open()))
    flags = [r["alert"] == "1" for r in rows]
    onsets = [i for i, f in enumerate(flags) if f and (i == 0 or not flags[i - 1])]
    scored = [i for i in onsets if i >= 259]
    in_window = [i for i in scored if SPIKE - 20 <= i <= SPIKE + 40]
    assert in_window, "the burst is detected"
    alert = report["alert_onsets"][0]
    assert alert["threshold_tuned"] is False
    assert alert["windows_hit"] == 1 and alert["windows_scored"] == 1
    assert alert["onsets"] == len(scored)
    assert alert["false_positives"] == len(scored) - len(in_window)
    assert alert["median_lead_minutes"] == (SPIKE + 40 - in_window[0]) * 5
    days = (ROWS - 259) * 5 / 1440
    assert alert["onsets_per_day"] == pytest.approx(len(scored) / days)

    tuned = report["anomaly_score"][0]
    assert tuned["threshold_tuned"] is True
    # Tuning may always fall back to "never", which scores 0, so a tuned score is never below.
    assert tuned["score"] >= 0.0
    assert tuned["windows_hit"] == 1 and 0.0 < tuned["threshold"] <= 1.0


def test_labels_leave_the_scores_csv_unchanged(history: tuple[Path, Path]) -> None:
    series, labels = history
    plain, labelled = series.parent / "plain.csv", series.parent / "labelled.csv"
    assert runner.invoke(app, [str(series), "--output", str(plain)]).exit_code == 0
    result = runner.invoke(app, [str(series), "--labels", str(labels), "-o", str(labelled)])
    assert result.exit_code == 0, result.output
    assert labelled.read_bytes() == plain.read_bytes()
    assert list(csv.reader(plain.open()))[0] == ["timestamp", "value", "anomaly_score", "alert"]


def test_labels_print_a_table(history: tuple[Path, Path]) -> None:
    series, labels = history
    result = runner.invoke(app, [str(series), "--labels", str(labels)])
    assert result.exit_code == 0, result.output
    for text in ("NAB score, standard", "reward_low_FN_rate", "alert onsets", "anomaly_score"):
        assert text in result.stdout
    assert "windows hit" in result.stdout and "1/1" in result.stdout
    assert "timestamp,value" not in result.stdout  # without --output only the report is printed


@pytest.mark.parametrize(
    ("labels_text", "expected"),
    [
        ("{not json", "not valid JSON (line 1"),
        ('{"Twitter_volume_ACME.csv": [["2026-03-06", "later"]]}', "'later' is not a date-time"),
        ('{"Twitter_volume_OTHER.csv": []}', "no series matches acme_Twitter_volume_ACME.csv"),
        (
            '{"Twitter_volume_ACME.csv": [["2027-01-01", "2027-01-02"]]}',
            "covers no row of the series",
        ),
    ],
)
def test_bad_labels_exit_2_naming_file_and_problem(
    history: tuple[Path, Path], labels_text: str, expected: str
) -> None:
    series, labels = history
    labels.write_text(labels_text)
    out = series.parent / "scores.csv"
    result = runner.invoke(app, [str(series), "--labels", str(labels), "-o", str(out)])
    assert result.exit_code == 2
    assert f"error: labels {labels}: " in result.output and expected in result.output
    assert not out.exists()  # nothing half-done is left behind


def test_missing_labels_file_and_json_without_labels(history: tuple[Path, Path]) -> None:
    series, labels = history
    missing = runner.invoke(app, [str(series), "--labels", str(labels.with_name("nope.json"))])
    assert missing.exit_code == 2 and "nope.json: file not found" in missing.output
    alone = runner.invoke(app, [str(series), "--json"])
    assert alone.exit_code == 2 and "--json" in alone.output and "--labels" in alone.output


def test_labels_need_a_series_not_a_workspace(history: tuple[Path, Path]) -> None:
    _, labels = history
    result = runner.invoke(
        app, ["--workspace", "acme", "--since", "2026-03-01", "--labels", str(labels)]
    )
    assert result.exit_code == 2 and "--labels and --json score a SERIES.csv" in result.output


REAL = Path(__file__).resolve().parents[2].parent / "shared"
REAL_SERIES = REAL / "datasets" / "detection" / "nab-realtweets-dev"


def test_real_series_scores_match_the_reference_scorer(tmp_path: Path) -> None:
    """End to end on a real NAB series: what `backtest --labels` prints is what the project's
    validated scorer says about the CSV that `backtest` wrote."""
    scorer = REAL / "tools" / "nab_score.py"
    if not (scorer.exists() and (REAL_SERIES / "windows.json").exists()):
        pytest.skip(f"{REAL} is absent (../shared is not part of a fresh clone)")
    spec = importlib.util.spec_from_file_location("nab_score_reference", scorer)
    assert spec and spec.loader
    reference = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reference)

    results, onsets_dir = tmp_path / "scores", tmp_path / "onsets"
    results.mkdir()
    onsets_dir.mkdir()
    out = results / "Twitter_volume_KO.csv"
    labels = tmp_path / "windows.json"
    all_windows = json.loads((REAL_SERIES / "windows.json").read_text())
    key = "realTweets/Twitter_volume_KO.csv"
    labels.write_text(json.dumps({key: all_windows[key]}))
    result = runner.invoke(
        app,
        [str(REAL_SERIES / "Twitter_volume_KO.csv"), "--labels", str(labels), "-o", str(out)]
        + ["--json"],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)

    flags = [r["alert"] == "1" for r in csv.DictReader(out.open())]
    with (onsets_dir / out.name).open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["timestamp", "anomaly_score"])
        for row, flag, before in zip(
            csv.DictReader(out.open()), flags, [False, *flags], strict=False
        ):
            writer.writerow([row["timestamp"], int(flag and not before)])
    views = (("anomaly_score", results, None), ("alert_onsets", onsets_dir, 0.5))
    for view, folder, threshold in views:
        expected = reference.score(str(labels), str(folder), str(REAL_SERIES), threshold)
        for mine in report[view]:
            theirs = expected["profiles"][mine["profile"]]
            assert mine["score"] == pytest.approx(theirs["score"], abs=1e-9)
            assert mine["threshold"] == theirs["threshold"]
            assert (mine["windows_hit"], mine["false_positives"]) == (theirs["tp"], theirs["fp"])
        assert report[view][0]["onsets_per_day"] == pytest.approx(
            expected["onsets_per_series_day"], abs=1e-9
        )
