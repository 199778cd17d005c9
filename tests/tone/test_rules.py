"""The rule files: the shipped ones load; a broken one says where and what to fix."""

from __future__ import annotations

import tomllib

import pytest

from flarewatch.tone.rules import KINDS, RULES_DIR, RuleFileError, load, parse


@pytest.mark.parametrize("language", ["en", "he", "pl"])
def test_shipped_rules_cover_every_kind(language: str) -> None:
    rules = load(language)
    assert set(rules.kind_names) == set(KINDS)
    assert {r.kind for r in rules.phrases} == {"blame", "defensive", "legal_threat", "jargon"}
    assert all(r.reason and r.suggestion for r in rules.phrases)


def _shipped() -> dict[str, object]:
    return tomllib.loads((RULES_DIR / "en.toml").read_text(encoding="utf-8"))


def test_a_bad_pattern_names_the_rule_and_the_pattern() -> None:
    data = _shipped()
    data["rule"][1]["patterns"] = ["(unclosed"]  # type: ignore[index]
    with pytest.raises(RuleFileError, match=r"x.toml, \[\[rule\]\] 2, pattern 1 .*fix the regular"):
        parse(data, "en", "x.toml")


def test_a_missing_reason_or_kind_says_what_to_write() -> None:
    data = _shipped()
    del data["rule"][0]["reason"]  # type: ignore[index]
    with pytest.raises(RuleFileError, match="'reason' is missing"):
        parse(data, "en", "x.toml")
    data = _shipped()
    data["rule"][0]["kind"] = "rude"  # type: ignore[index]
    with pytest.raises(RuleFileError, match="kind 'rude': use one of blame"):
        parse(data, "en", "x.toml")
    data = _shipped()
    del data["kinds"]["jargon"]  # type: ignore[attr-defined]
    with pytest.raises(RuleFileError, match=r"\[kinds\] must name exactly"):
        parse(data, "en", "x.toml")


def test_unknown_language() -> None:
    with pytest.raises(RuleFileError, match="knows en, he, pl"):
        load("de")
