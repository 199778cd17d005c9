"""The `flarewatch query` commands, driven through Typer's test runner."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from flarewatch.query.cli import app

runner = CliRunner()


def _posts(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "posts.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_check_ok_prints_normalised_form() -> None:
    result = runner.invoke(app, ["check", "(apple OR pear) pie"])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["OK", "(apple OR pear) AND pie"]


def test_check_error_exit_2_with_caret() -> None:
    result = runner.invoke(app, ["check", "apple AND (pie"])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert "'(' is never closed at column 11" in lines[0]
    assert lines[1] == "apple AND (pie"
    assert lines[2] == " " * 10 + "^"


def test_check_warning_still_ok() -> None:
    result = runner.invoke(app, ["check", "apple and pie"])
    assert result.exit_code == 0
    assert "lower-case 'and'" in result.stderr
    assert result.stdout.startswith("OK")


def test_match_prints_ids(tmp_path: Path) -> None:
    path = _posts(
        tmp_path,
        [
            json.dumps({"id": "1", "text": "Awaria prądu", "language": "pl"}),
            json.dumps({"id": "2", "text": "Brak awarii dzisiaj"}),
            json.dumps({"id": "3", "text": "unrelated"}),
            json.dumps({"id": 4, "text": "ביקור בישראל"}),
            json.dumps(
                {"id": "5", "text": "x", "title": "Awaria!", "created_at": "2024-05-01T10:00:00Z"}
            ),
        ],
    )
    result = runner.invoke(app, ["match", "awaria OR ישראל", str(path)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["1", "2", "4", "5"]


def test_match_bad_lines_reported_and_rest_processed(tmp_path: Path) -> None:
    path = _posts(
        tmp_path,
        [
            json.dumps({"id": "1", "text": "outage"}),
            "{not json",
            json.dumps({"text": "no id"}),
            json.dumps({"id": "4", "text": 5}),
            json.dumps({"id": "5", "text": "outage", "created_at": "yesterday"}),
            json.dumps(["a", "list"]),
            json.dumps({"id": "7", "text": "big outage"}),
        ],
    )
    result = runner.invoke(app, ["match", "outage", str(path)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == ["1", "7"]
    err = result.stderr
    for line in (2, 3, 4, 5, 6):
        assert f"{path}, line {line}:" in err
    assert "missing required field 'id'" in err
    assert "invalid JSON" in err


def test_match_stdin() -> None:
    data = json.dumps({"id": "a", "text": "outage"}) + "\n"
    result = runner.invoke(app, ["match", "outage", "-"], input=data)
    assert result.exit_code == 0
    assert result.stdout == "a\n"


def test_match_bad_query_exit_2(tmp_path: Path) -> None:
    path = _posts(tmp_path, [json.dumps({"id": "1", "text": "x"})])
    result = runner.invoke(app, ["match", "*bad", str(path)])
    assert result.exit_code == 2
    assert "wildcard" in result.stderr


def test_match_missing_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["match", "x", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 1
    assert "cannot read" in result.stderr


def test_match_fold_option(tmp_path: Path) -> None:
    path = _posts(tmp_path, [json.dumps({"id": "1", "text": "brak prądu", "language": "pl"})])
    assert runner.invoke(app, ["match", "prad", str(path)]).stdout == ""
    result = runner.invoke(app, ["match", "prad", str(path), "--fold-diacritics"])
    assert result.stdout == "1\n"


def test_import_command() -> None:
    result = runner.invoke(app, ["import", "BMW -bike", "--dialect", "talkwalker"])
    assert result.exit_code == 0
    assert result.stdout.strip() == "bmw AND NOT bike"
    bad = runner.invoke(app, ["import", "a AND userbio:x", "--dialect", "sprinklr"])
    assert bad.exit_code == 2
    assert "userbio" in bad.stderr
    unknown = runner.invoke(app, ["import", "a", "--dialect", "lexisnexis"])
    assert unknown.exit_code == 2
    assert "auto" in unknown.stderr


def test_import_prints_check_warnings_and_the_change_summary() -> None:
    result = runner.invoke(
        app, ["import", 'apple or pear site:"http://www.wort.lu"', "--dialect", "meltwater"]
    )
    assert result.exit_code == 0
    assert result.stdout.strip() == "apple OR (pear AND site:wort.lu)"
    # The same warning `check` prints for the converted query, with its caret line.
    assert "AND binds tighter than OR" in result.stderr
    summary = [line for line in result.stderr.splitlines() if line.startswith("changed:")]
    assert summary == [
        "changed: lower-case 'or' read as OR; site:http://www.wort.lu → site:wort.lu"
    ]


def test_import_keeps_unconverted_warnings() -> None:
    # X needs capitals: lower-case or stays a word, and the warning says so as check would.
    result = runner.invoke(app, ["import", "apple or pear", "--dialect", "x"])
    assert result.exit_code == 0
    assert "lower-case 'or' is searched as a word" in result.stderr
    assert "changed:" not in result.stderr


def test_import_auto_says_which_dialect() -> None:
    result = runner.invoke(app, ["import", "intitle:outage bank", "--dialect", "auto"])
    assert result.exit_code == 0
    assert result.stdout.strip() == "title:outage AND bank"
    assert "read as google" in result.stderr


def test_import_rejects_boost_with_column() -> None:
    result = runner.invoke(app, ["import", "apple^9 OR pear", "--dialect", "meltwater"])
    assert result.exit_code == 2
    assert "ranking boost" in result.stderr
    assert "cannot change what matches at column 6" in result.stderr


def test_every_command_has_help() -> None:
    for command in ("check", "match", "import"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0
    assert "--dialect" in runner.invoke(app, ["import", "--help"]).stdout
