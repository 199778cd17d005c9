"""`flarewatch ingest --format`: another tool's export keeps its dates and warms detection."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from flarewatch.cli.common import ready_engine
from flarewatch.cli.main import app
from flarewatch.db.engine import session_scope
from flarewatch.detect.models import DetectorState
from flarewatch.mentions.models import RawPost

from ..sources.export_fixtures import write_brandwatch
from .conftest import WORKSPACE

runner = CliRunner()


def _add_acme(tmp_path: Path) -> None:
    workspace = tmp_path / "acme.toml"
    workspace.write_text(WORKSPACE.format(extra=""), encoding="utf-8")
    assert runner.invoke(app, ["workspace", "add", str(workspace)]).exit_code == 0


def test_ingest_brandwatch_export_keeps_its_history(tmp_path: Path) -> None:
    _add_acme(tmp_path)
    rows = [
        {
            "Date": f"2025-{month:02d}-10 12:00:00.0",
            "Full Text": f"acme burgers, month {month}",
            "Resource Id": f"bw-{month}",
            "Page Type": "twitter",
        }
        for month in range(1, 13)
    ]
    path = write_brandwatch(tmp_path / "brandwatch-2025.csv", rows)
    result = runner.invoke(app, ["ingest", str(path), "--workspace", "acme"])
    assert result.exit_code == 0, result.output
    assert "as a Brandwatch export" in result.output
    assert "12 new post(s)" in result.output
    assert "not used" in result.output  # the unused columns, named once
    with session_scope(ready_engine()) as session:
        first, last = session.execute(
            select(func.min(RawPost.created_at), func.max(RawPost.created_at))
        ).one()
        # Europe/Warsaw, named above the header: noon in January is 11:00 UTC.
        assert first.replace(tzinfo=UTC) == datetime(2025, 1, 10, 11, 0, tzinfo=UTC)
        assert last.replace(tzinfo=UTC) == datetime(2025, 12, 10, 11, 0, tzinfo=UTC)
        # Detection ran over the imported year, up to the last complete minute before the
        # export's last post: the baselines hold the year, not the import day.
        minute = session.scalar(select(func.max(DetectorState.last_minute)))
        assert minute is not None
        assert minute.replace(tzinfo=UTC) == datetime(2025, 12, 10, 10, 59, tzinfo=UTC)
    again = runner.invoke(app, ["ingest", str(path), "--workspace", "acme"])
    assert "0 new post(s) (12 already stored" in again.output


def test_ingest_with_map_and_a_bad_date(tmp_path: Path) -> None:
    _add_acme(tmp_path)
    path = tmp_path / "other.tsv"
    path.write_text(
        "Body\tPosted\tHandle\nacme is great\t2025-05-01 10:00\tann\nacme again\tyesterday\tbob\n",
        encoding="utf-8",
    )
    unknown = runner.invoke(app, ["ingest", str(path)])
    assert unknown.exit_code == 2 and "--map" in unknown.output
    result = runner.invoke(
        app,
        ["ingest", str(path), "--format", "csv", "--map", "text=Body,created_at=Posted"],
    )
    assert result.exit_code == 1, result.output  # one row skipped, named
    assert "other.tsv line 3" in result.output and "'Posted'" in result.output
    assert "'yesterday'" in result.output
    assert "1 new post(s)" in result.output
    bad = runner.invoke(app, ["ingest", str(path), "--format", "nope"])
    assert bad.exit_code == 2 and "brandwatch" in bad.output
