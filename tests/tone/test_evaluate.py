"""The evaluation script over the labelled drafts (docs/tone.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flarewatch.tone.evaluate import DEFAULT_DATA, load_drafts, main, score


@pytest.mark.parametrize("language", ["en", "he", "pl"])
def test_the_labelled_sets_are_big_enough_and_balanced(language: str) -> None:
    drafts = load_drafts(DEFAULT_DATA / f"drafts_{language}.jsonl")
    halves = {split: [d for d in drafts if d["split"] == split] for split in ("dev", "test")}
    assert len(halves["dev"]) + len(halves["test"]) >= 40
    assert abs(len(halves["dev"]) - len(halves["test"])) <= 1
    for rows in halves.values():
        assert any(d["flag"] for d in rows) and any(not d["flag"] for d in rows)


def test_score_counts_hits_and_misses(tmp_path: Path) -> None:
    rows = [
        {"text": "No comment.", "flag": True, "split": "test"},  # true positive
        {"text": "We are sorry.", "flag": True, "split": "test"},  # false negative
        {"text": "Fake news.", "flag": False, "split": "test"},  # false positive
        {"text": "We are sorry.", "flag": False, "split": "dev"},  # other split
    ]
    result, errors = score("en", rows, "test")  # type: ignore[arg-type]
    assert (result.drafts, result.true_positive, result.false_positive) == (3, 1, 1)
    assert result.false_negative == 1 and result.precision == 0.5 and result.recall == 0.5
    assert len(errors) == 2
    path = tmp_path / "drafts_en.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    assert len(load_drafts(path)) == 4


def test_a_bad_line_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "drafts_en.jsonl"
    path.write_text('{"text": "a", "flag": true}\n{"text": "b"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"drafts_en.jsonl:2: needs"):
        load_drafts(path)


def test_main_prints_a_line_per_language(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--split", "all"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines[1:]] == ["en", "he", "pl"]
