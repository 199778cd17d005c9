"""The NAB section of `make eval`, on a small NAB-style folder made here."""

from __future__ import annotations

import csv
import json
import math
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from flarewatch.detect.cli import backtest
from flarewatch.detect.evaluate_nab import leave_one_out, nab_section, run_nab
from flarewatch.detect.nab import PROFILES, LabelsError, prepare, score_series

START = datetime(2026, 3, 1)
STEP = timedelta(minutes=5)
ROWS = 5 * 24 * 12


def stamp(row: int) -> str:
    return (START + STEP * row).strftime("%Y-%m-%d %H:%M:%S")


def write_series(path: Path, seed: int, bursts: list[int]) -> None:
    rng = np.random.default_rng(seed)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["timestamp", "value"])
        for i in range(ROWS):
            t = START + STEP * i
            rate = 3 * (1.2 + math.sin((t.hour + t.minute / 60) / 24 * 2 * math.pi))
            value = int(rng.poisson(rate))
            if any(b <= i < b + 6 for b in bursts):
                value += 40
            writer.writerow([stamp(i), value])


@pytest.fixture
def nab_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "nab"
    (folder / "realTweets").mkdir(parents=True)
    write_series(folder / "realTweets" / "Twitter_volume_AAA.csv", 1, [1000])
    write_series(folder / "realTweets" / "Twitter_volume_BBB.csv", 2, [700, 1300])
    write_series(folder / "realTweets" / "unlabelled.csv", 3, [])  # named by no key: ignored
    windows = {
        "realTweets/Twitter_volume_AAA.csv": [[stamp(990), stamp(1040)]],
        "realTweets/Twitter_volume_BBB.csv": [[stamp(690), stamp(740)], [stamp(1290), stamp(1340)]],
    }
    (folder / "windows.json").write_text(json.dumps(windows))
    return folder


def table_rows(section: str, first_cell: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in section.splitlines()
        if line.startswith(f"| {first_cell}")
    ]


def test_section_tabulates_every_sensitivity_and_the_published_rows(nab_dir: Path) -> None:
    section = nab_section(nab_dir)
    assert section.startswith("### Real streams: NAB realTweets dev split")
    assert "Twitter_volume_AAA, Twitter_volume_BBB" in section and "3 labelled" in section
    flarewatch = table_rows(section, "Flarewatch")
    assert [r[0] for r in flarewatch] == [
        "Flarewatch `alert` onsets, fewer",
        "Flarewatch `alert` onsets, balanced (default)",
        "Flarewatch `alert` onsets, more",
        "Flarewatch `anomaly_score`, tuned over the 2",
        "Flarewatch `anomaly_score`, threshold tuned on the other 1 (leave one series out)",
    ]
    assert all(r[5].endswith("/3") for r in flarewatch[:-1])
    assert flarewatch[-1][4] == "per series"
    assert [r[0] for r in table_rows(section, "ARTime")] == ["ARTime (NAB leader), published"]
    assert table_rows(section, "Numenta HTM")[0][1:4] == ["70.4", "69.2", "72.4"]
    assert "_Measured " in section and " s._" in section


def test_per_series_figures_match_what_backtest_labels_prints(nab_dir: Path) -> None:
    """The evaluation goes through the same path as a user's `backtest --labels`."""
    section = nab_section(nab_dir)
    app = typer.Typer()
    app.command()(backtest)
    for name in ("Twitter_volume_AAA", "Twitter_volume_BBB"):
        result = CliRunner().invoke(
            app,
            [
                str(nab_dir / "realTweets" / f"{name}.csv"),
                "--labels",
                str(nab_dir / "windows.json"),
                "--json",
            ],
        )
        assert result.exit_code == 0, result.output
        alert = json.loads(result.stdout)["alert_onsets"][0]
        [row] = table_rows(section, name)
        assert row[2] == f"{alert['windows_hit']}/{alert['windows_scored']}"
        assert row[3] == str(alert["false_positives"])
        assert row[4] == f"{alert['onsets_per_day']:.2f}"


def test_leave_one_out_cuts_each_series_at_the_threshold_of_the_others() -> None:
    times = [START + STEP * i for i in range(1200)]
    window = [(times[800], times[850])]
    # A's window peaks at 0.5; B's at 0.9, and B also has a 0.5 outside its window.
    a_scores = [0.5 if i == 810 else 0.0 for i in range(1200)]
    b_scores = [0.9 if i == 810 else 0.5 if i == 300 else 0.0 for i in range(1200)]
    a = prepare("A", times, a_scores, window)
    b = prepare("B", times, b_scores, window)
    together = score_series([a, b])
    held_out = leave_one_out([a, b])
    for k, profile in enumerate(PROFILES):
        # Tuned on B alone the cut is 0.9, which misses A; tuned on A alone it is 0.5, which
        # catches B's window and pays for B's false positive.
        raw = a.evaluate(0.9, profile).raw + b.evaluate(0.5, profile).raw
        whole = together[k]
        expected = 100.0 * (raw - whole.null) / (whole.perfect - whole.null)
        assert held_out[k] == pytest.approx(expected)
        assert whole.score is not None and held_out[k] is not None
        assert held_out[k] < whole.score


def test_missing_data_is_skipped_with_the_reason(tmp_path: Path) -> None:
    section = nab_section(tmp_path / "absent")
    assert "_Skipped: no NAB data at" in section and "--nab-dir" in section


def test_a_labelled_series_without_its_csv_is_an_error(nab_dir: Path) -> None:
    (nab_dir / "realTweets" / "Twitter_volume_BBB.csv").unlink()
    with pytest.raises(LabelsError, match="no CSV in .* for realTweets/Twitter_volume_BBB.csv"):
        run_nab(nab_dir)
