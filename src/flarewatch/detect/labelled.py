"""A backtest scored against labelled windows (`flarewatch backtest SERIES.csv --labels W.json`).

Two views of the same online run are scored the NAB way (`nab.py`):
* the `alert` onsets — the rows where an alert starts, i.e. what a person is paged for — taken
  as they are (a detection is an onset; nothing is tuned, so the score can fall below 0);
* the `anomaly_score` column with NAB's threshold tuned on the scored series, which tells how
  well the score ranks the labelled windows above the rest, at the best cut-off in hindsight.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from flarewatch.detect.backtest import Scored
from flarewatch.detect.nab import (
    NEVER_THRESHOLD,
    NabSeries,
    ProfileScore,
    labels_for,
    onset_scores,
    prepare,
    read_windows,
    score_series,
)


@dataclass(slots=True)
class LabelledBacktest:
    series: str
    labels: str
    key: str
    sensitivity: str
    nab: NabSeries
    alert_onsets: list[ProfileScore]
    anomaly_score: list[ProfileScore]


def score_against_labels(
    scored: Sequence[Scored], series: Path, labels: Path, sensitivity: str
) -> LabelledBacktest:
    windows = read_windows(labels)
    key, spans = labels_for(windows, series, str(labels))
    stamps = [s.row.timestamp for s in scored]
    onsets = prepare(key, stamps, onset_scores([s.alert for s in scored]), spans, str(labels))
    ranked = prepare(key, stamps, [s.score for s in scored], spans, str(labels))
    return LabelledBacktest(
        series=str(series),
        labels=str(labels),
        key=key,
        sensitivity=sensitivity,
        nab=ranked,
        alert_onsets=score_series([onsets], threshold=0.5),
        anomaly_score=score_series([ranked]),
    )


def per_day(count: int, days: float) -> float | None:
    return count / days if days > 0 else None


def profile_json(score: ProfileScore, days: float) -> dict[str, Any]:
    return {
        "profile": score.profile.name,
        "score": score.score,
        "threshold": score.threshold,
        "threshold_tuned": score.tuned,
        "raw": score.raw,
        "null": score.null,
        "perfect": score.perfect,
        "windows_hit": score.windows_hit,
        "windows_scored": score.windows_scored,
        "false_positives": score.false_positives,
        "detections": score.detections,
        "onsets": score.onsets,
        "onsets_per_day": per_day(score.onsets, days),
        "median_lead_minutes": score.median_lead_minutes,
    }


def report_json(report: LabelledBacktest) -> dict[str, Any]:
    days = report.nab.scored_days
    return {
        "series": report.series,
        "labels": report.labels,
        "labels_key": report.key,
        "sensitivity": report.sensitivity,
        "rows": report.nab.n_rows,
        "probation_rows": report.nab.probation,
        "windows": report.nab.n_windows,
        "scored_days": days,
        "alert_onsets": [profile_json(p, days) for p in report.alert_onsets],
        "anomaly_score": [profile_json(p, days) for p in report.anomaly_score],
    }


def fmt_score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def fmt_threshold(score: ProfileScore) -> str:
    if not score.tuned:
        return "each onset"
    return "never" if score.threshold >= NEVER_THRESHOLD else f"{score.threshold:.4g}"


def fmt_minutes(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} min"


def print_report(report: LabelledBacktest, console: Console) -> None:
    nab, days = report.nab, report.nab.scored_days
    table = Table(
        title=f"NAB scores of {Path(report.series).name}, sensitivity {report.sensitivity}",
        caption=f"Labels: {report.labels}, key {report.key}: {nab.n_windows} windows. "
        f"{nab.n_rows} rows, the first {nab.probation} probationary (not scored); {days:.1f} "
        "days scored. NAB score: 0 = never detecting, 100 = each window detected at its first "
        "row. Alert onsets are taken as they are; anomaly_score is cut at NAB's best threshold "
        "for this series, found in hindsight. The rows below the scores are at the standard "
        "profile's threshold.",
        caption_justify="left",
        box=box.SIMPLE_HEAD,
    )
    table.add_column("")
    table.add_column("alert onsets", justify="right")
    table.add_column("anomaly_score", justify="right")
    onsets, ranked = report.alert_onsets, report.anomaly_score
    for alert_score, tuned_score in zip(onsets, ranked, strict=True):
        table.add_row(
            f"NAB score, {alert_score.profile.name}",
            fmt_score(alert_score.score),
            fmt_score(tuned_score.score),
        )
    table.add_section()
    alert, tuned = onsets[0], ranked[0]

    def rate(score: ProfileScore) -> str:
        value = per_day(score.onsets, days)
        return "–" if value is None else f"{value:.2f}"

    rows = (
        ("threshold", fmt_threshold),
        ("windows hit", lambda s: f"{s.windows_hit}/{s.windows_scored}"),
        ("false positives (rows outside windows)", lambda s: str(s.false_positives)),
        ("onsets per day", rate),
        ("median lead before window end", lambda s: fmt_minutes(s.median_lead_minutes)),
    )
    for label, show in rows:
        table.add_row(label, show(alert), show(tuned))
    console.print(table)
