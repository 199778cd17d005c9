"""An unused column that looks like the posts' time is a warning naming it (file, ingest)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flarewatch.sources.date_columns import (
    looks_like_date_name,
    unused_date_column,
)
from flarewatch.sources.file import FileSource


@pytest.mark.parametrize(
    "name",
    [
        "date",
        "Date",
        "Post Date",
        "timestamp",
        "published",
        "posted_at",
        "createdAt",
        "created",
        "data",
        "Data publikacji",
        "תאריך",
        "תאריך פרסום",
        "time",
    ],
)
def test_date_like_names(name: str) -> None:
    assert looks_like_date_name(name)
    assert unused_date_column({"id": "1", "text": "x", name: "anything"}) == name


@pytest.mark.parametrize("name", ["author", "mood", "dateline_free", "channel", "תגובה"])
def test_other_names_are_not_dates(name: str) -> None:
    assert not looks_like_date_name(name)
    assert unused_date_column({"id": "1", "text": "x", name: "hello"}) is None


@pytest.mark.parametrize(
    "value", ["2024-06-11", "2024-06-11T14:05:00Z", "11/06/2024", "11.06.24 14:05"]
)
def test_a_column_whose_values_are_dates(value: str) -> None:
    assert unused_date_column({"id": "1", "text": "x", "when_it_happened": value}) == (
        "when_it_happened"
    )


def test_no_warning_when_created_at_is_there() -> None:
    record = {"id": "1", "text": "x", "created_at": "2024-06-11T10:00:00Z", "date": "2024-06-11"}
    assert unused_date_column(record) is None
    # An empty created_at is no time at all.
    assert unused_date_column({**record, "created_at": ""}) == "date"


def test_an_empty_date_named_column_is_not_named() -> None:
    assert unused_date_column({"id": "1", "text": "x", "date": ""}) is None


def test_a_csv_export_warns_once_per_file_and_keeps_its_posts(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    rows = ["id,text,post date"] + [f"{i},acme post {i},2024-06-1{i} 10:00" for i in range(1, 6)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    source = FileSource("export", path)
    first = source.fetch(None, limit=2)
    assert len(first.posts) == 2 and not first.problems
    [warning] = first.warnings
    assert warning.where == "export.csv line 2"
    assert (
        "'post date'" in warning.message and "Rename that column to created_at" in warning.message
    )
    rest = source.fetch(first.checkpoint, limit=100)
    assert len(rest.posts) == 3 and rest.warnings == []  # once per file, not per batch


def test_a_jsonl_file_with_created_at_has_no_warning(tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl"
    lines = [
        json.dumps(
            {
                "id": str(i),
                "text": "acme",
                "created_at": "2024-06-11T10:00:00Z",
                "date_seen": "2024-06-12",
            }
        )
        for i in range(3)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = FileSource("posts", path).fetch(None)
    assert len(result.posts) == 3 and result.warnings == []


def test_flarewatch_ingest_prints_the_warning_and_imports_everything(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from flarewatch.cli.main import app
    from tests.runtime.conftest import WORKSPACE

    runner = CliRunner()
    workspace = tmp_path / "acme.toml"
    workspace.write_text(WORKSPACE.format(extra=""), encoding="utf-8")
    (tmp_path / "posts.jsonl").write_text("", encoding="utf-8")
    assert runner.invoke(app, ["workspace", "add", str(workspace)]).exit_code == 0
    export = tmp_path / "export.csv"
    export.write_text("id,text,Date\n1,acme fries,11/06/2024\n2,acme again,12/06/2024\n")
    result = runner.invoke(app, ["ingest", str(export), "--workspace", "acme"])
    assert result.exit_code == 0, result.output
    assert "warning:" in result.output and "'date'" in result.output
    assert "created_at" in result.output and "2 new post(s)" in result.output
    assert result.output.count("warning:") == 1, result.output
