"""`flarewatch backtest` on CSV series and on a stored workspace."""

from __future__ import annotations

import csv
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import typer
from sqlalchemy import Engine
from typer.testing import CliRunner

from flarewatch.db.engine import sessionmaker_for
from flarewatch.detect.backtest import parse_series, score_series
from flarewatch.detect.cli import backtest
from flarewatch.detect.replay import lead_times
from flarewatch.detect.synthetic import demo_scenario
from flarewatch.detect.types import AlertCandidate

from .helpers import make_workspace, store_posts

app = typer.Typer()
app.command()(backtest)
runner = CliRunner()


def _write_series(path: Path, step_minutes: int, spike_at: int | None, n: int) -> None:
    rng = np.random.default_rng(2)
    start = datetime(2026, 3, 1)
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["timestamp", "value"])
        for i in range(n):
            ts = start + timedelta(minutes=step_minutes * i)
            hour = ts.hour + ts.minute / 60
            rate = 20 * (1.2 + math.sin(hour / 24 * 2 * math.pi)) * step_minutes / 60
            value = int(rng.poisson(rate))
            if spike_at is not None and spike_at <= i < spike_at + 6:
                value += int(8 * rate) + 10
            w.writerow([ts.strftime("%Y-%m-%d %H:%M:%S"), value])


def test_csv_scores_every_row_and_flags_the_spike(tmp_path: Path) -> None:
    series, out = tmp_path / "series.csv", tmp_path / "scores.csv"
    n = 6 * 24 * 12  # six days of 5-minute counts
    _write_series(series, 5, n - 100, n)
    result = runner.invoke(app, [str(series), "--output", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == n
    assert list(rows[0]) == ["timestamp", "value", "anomaly_score", "alert"]
    assert all(0.0 <= float(r["anomaly_score"]) <= 1.0 for r in rows)
    alerts = [i for i, r in enumerate(rows) if r["alert"] == "1"]
    assert alerts and alerts[0] in range(n - 100, n - 94)
    # Quiet before the spike, apart from the cold start's first day at most.
    assert not [i for i in alerts if 288 <= i < n - 100]


def test_scores_are_strictly_online(tmp_path: Path) -> None:
    series = tmp_path / "s.csv"
    _write_series(series, 10, 500, 700)
    rows = parse_series(series.read_text())
    full = score_series(rows, 10)
    prefix = score_series(rows[:520], 10)
    # What the detector said at row t does not change when later rows exist.
    assert [s.score for s in full[:520]] == [s.score for s in prefix]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("time,count\n2026-03-01 00:00:00,3\n", "line 1: header lacks timestamp, value"),
        ("timestamp,value\n2026-03-01 00:00:00,3\nyesterday,4\n", "line 3: timestamp"),
        ("timestamp,value\n2026-03-01 00:00:00,3\n2026-03-01 00:01:00,x\n", "line 3: value"),
        ("timestamp,value\n2026-03-01 00:01:00,3\n2026-03-01 00:00:00,4\n", "sort the rows"),
        ("timestamp,value\n2026-03-01 00:00:00,3\n2026-03-01 00:00:30,3\n", "whole number"),
        ("", "file is empty"),
    ],
)
def test_bad_csv_names_file_line_and_fix(tmp_path: Path, content: str, expected: str) -> None:
    series = tmp_path / "bad.csv"
    series.write_text(content)
    result = runner.invoke(app, [str(series)])
    assert result.exit_code == 2
    assert "bad.csv" in result.output and expected in result.output


def test_missing_file_and_missing_arguments_exit_2(tmp_path: Path) -> None:
    assert runner.invoke(app, [str(tmp_path / "nope.csv")]).exit_code == 2
    assert runner.invoke(app, []).exit_code == 2
    assert runner.invoke(app, ["--help"]).exit_code == 0


def test_lead_time_is_measured_to_the_busiest_hour() -> None:
    t0 = datetime(2026, 3, 1, 12, tzinfo=UTC)
    counts = {t0 + timedelta(minutes=m): float(m) for m in range(120)}  # rising for 2 h
    alert = AlertCandidate(1, 1, "topic:1", "watch", 40.0, "t", "e", t0, t0 + timedelta(minutes=30))
    [(peak_at, _, lead)] = lead_times(counts, [alert], t0 + timedelta(hours=3))
    assert peak_at == t0 + timedelta(minutes=120)
    assert lead == timedelta(minutes=90)


def test_workspace_replay_lists_alerts_with_lead_time(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = demo_scenario(seed=4, days=3)
    with sessionmaker_for(engine)() as session:
        workspace, topic, source = make_workspace(session)
        store_posts(session, workspace, topic, source, scenario.posts)
        session.commit()
    monkeypatch.setattr("flarewatch.db.engine.get_engine", lambda *a, **k: engine)
    result = runner.invoke(
        app,
        [
            "--workspace",
            "acme",
            "--since",
            scenario.start.isoformat(),
            "--until",
            scenario.end.isoformat(),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "crisis" in result.output and "lead" in result.output
    assert runner.invoke(app, ["--workspace", "nope", "--since", "2026-03-01"]).exit_code == 2
