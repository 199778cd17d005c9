"""`flarewatch backtest`: score a CSV series, or replay a workspace's stored history."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Optional  # noqa: UP035  (typer reads Optional annotations)

import typer

from flarewatch.detect.backtest import Scored, SeriesError, backtest_file, write_scores
from flarewatch.detect.nab import LabelsError

SENSITIVITIES = ("fewer", "balanced", "more")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=2)


def _parse_when(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise _fail(
            f"{option} {text!r} is not a date-time; use e.g. 2026-03-01 or '2026-03-01 14:00'"
        ) from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def backtest(
    series: Optional[Path] = typer.Argument(  # noqa: UP045
        None,
        help="CSV with a header 'timestamp,value' (optional columns: negative, reach), one row "
        "per fixed interval of 1 minute to 1 hour, e.g. '2026-03-01 14:05:00,37'.",
    ),
    output: Optional[Path] = typer.Option(  # noqa: UP045
        None,
        "--output",
        "-o",
        help="Where to write 'timestamp,value,anomaly_score,alert' (default: standard output; "
        "with --labels, not written unless given).",
    ),
    labels: Optional[Path] = typer.Option(  # noqa: UP045
        None,
        "--labels",
        help="NAB combined_windows JSON of labelled anomaly windows, e.g. "
        '{"realTweets/Twitter_volume_AMZN.csv": [["2015-03-05 03:22:53", "2015-03-06 '
        '12:12:53"]]}: print the NAB scores (standard, reward_low_FP_rate, reward_low_FN_rate) '
        "of the alert onsets and of anomaly_score (threshold tuned on this series), onsets per "
        "day, windows hit, false positives and the median lead before the window end. The key "
        "whose file name equals SERIES.csv's, or that SERIES.csv's name ends with after '_', "
        "is used.",
        show_default="no scores",
    ),
    as_json: bool = typer.Option(
        False, "--json", help="With --labels: print the scores as one JSON object."
    ),
    workspace: Optional[str] = typer.Option(  # noqa: UP045
        None,
        "--workspace",
        "-w",
        help="Instead of a CSV, replay this workspace's stored history (its slug) and list each "
        "alert with its lead time before the peak.",
        show_default="score SERIES.csv",
    ),
    since: Optional[str] = typer.Option(  # noqa: UP045
        None,
        "--since",
        help="With --workspace: start of the replay (UTC unless an offset is "
        "given), e.g. 2026-03-01.",
        show_default="the first stored post",
    ),
    until: Optional[str] = typer.Option(  # noqa: UP045
        None, "--until", help="With --workspace: end of the replay.", show_default="now"
    ),
    sensitivity: str = typer.Option(
        "balanced",
        "--sensitivity",
        help="fewer, balanced or more alerts (CSV mode; a workspace uses its own setting).",
    ),
    timezone: str = typer.Option(
        "UTC",
        "--timezone",
        help="CSV mode: IANA timezone whose hours and weekdays shape the seasonal baseline.",
    ),
) -> None:
    """Run the live detector, strictly online, over a CSV series or a workspace's history."""
    if sensitivity not in SENSITIVITIES:
        raise _fail(f"--sensitivity {sensitivity!r}: use one of {', '.join(SENSITIVITIES)}")
    if workspace is not None:
        if series is not None:
            raise _fail("give either a SERIES.csv or --workspace, not both")
        if labels is not None or as_json:
            raise _fail("--labels and --json score a SERIES.csv; drop them with --workspace")
        _replay(workspace, _parse_when(since, "--since"), _parse_when(until, "--until"))
        return
    if series is None:
        raise _fail("give a SERIES.csv to score, or --workspace SLUG --since DATE to replay")
    if as_json and labels is None:
        raise _fail("--json prints the NAB scores, so it needs --labels WINDOWS.json")
    try:
        scored = backtest_file(series, sensitivity, timezone)
    except SeriesError as err:
        raise _fail(str(err)) from None
    except Exception as err:  # noqa: BLE001  (e.g. an unknown timezone)
        raise _fail(f"{series}: {err}") from None
    if labels is not None:
        _score_labels(scored, series, labels, sensitivity, output, as_json)
        return
    if output is None:
        write_scores(scored, sys.stdout)  # type: ignore[arg-type]
        return
    _write(scored, series, output)


def _write(scored: list[Scored], series: Path, output: Path) -> None:
    with output.open("w", encoding="utf-8", newline="") as handle:
        write_scores(scored, handle)  # type: ignore[arg-type]
    alerts = sum(s.alert for s in scored)
    typer.echo(f"scored {len(scored)} rows of {series} → {output} ({alerts} alert rows)", err=True)


def _score_labels(
    scored: list[Scored],
    series: Path,
    labels: Path,
    sensitivity: str,
    output: Path | None,
    as_json: bool,
) -> None:
    from rich.console import Console

    from flarewatch.detect.labelled import print_report, report_json, score_against_labels

    try:
        report = score_against_labels(scored, series, labels, sensitivity)
    except LabelsError as err:
        raise _fail(f"labels {err}") from None
    if output is not None:
        _write(scored, series, output)
    if as_json:
        typer.echo(json.dumps(report_json(report), indent=1))
    else:
        print_report(report, Console())


def _replay(slug: str, since: datetime | None, until: datetime | None) -> None:
    from sqlalchemy import select

    from flarewatch.db.engine import get_engine, sessionmaker_for
    from flarewatch.detect.replay import replay_workspace
    from flarewatch.workspaces.models import Workspace

    if since is None:
        raise _fail("--workspace needs --since (e.g. --since 2026-03-01)")
    until = until or datetime.now(UTC)
    if until <= since:
        raise _fail("--until must be after --since")
    with sessionmaker_for(get_engine())() as session:
        ws = session.scalar(select(Workspace).where(Workspace.slug == slug))
        if ws is None:
            raise _fail(f"no workspace {slug!r}; list them with 'flarewatch workspace list'")
        replayed = replay_workspace(session, ws, since, until)
    if not replayed:
        typer.echo(
            f"no alerts for {slug} between {since:%Y-%m-%d %H:%M} and {until:%Y-%m-%d %H:%M} UTC"
        )
        return
    typer.echo("fired (UTC)       severity  risk  lead    topic / why")
    for r in replayed:
        c = r.candidate
        lead_min = int(r.lead.total_seconds() // 60)
        typer.echo(
            f"{c.window_end:%Y-%m-%d %H:%M}  {c.severity:<8}  {c.risk_score:>4.0f}  "
            f"{lead_min:>4} m  {r.topic}: {c.title}"
        )
        typer.echo(f"{'':>42}{c.explanation}")
