from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from flarewatch.enrich.cli import analyze

app = typer.Typer()
app.command()(analyze)


def test_analyze_keeps_fields_in_order_and_adds_enrichment(tmp_path: Path) -> None:
    src = tmp_path / "posts.jsonl"
    rows = [
        {"id": "a", "text": "I love this brand, great support 😍", "likes": 3},
        {"text": "השירות גרוע, לא ממליץ", "platform": "facebook", "author_followers": 100},
    ]
    src.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8"
    )
    result = CliRunner().invoke(app, [str(src), "--languages", "en,he"])
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert list(out[0])[:3] == ["id", "text", "likes"]
    assert out[0]["language"] == "en" and out[0]["sentiment"] == "positive"
    assert out[1]["language"] == "he" and out[1]["sentiment"] == "negative"
    for key in (
        "sentiment_score",
        "emotions",
        "emotion",
        "emotion_intensity",
        "spam_score",
        "is_spam",
        "reach",
        "engagement",
        "engagement_velocity",
    ):
        assert key in out[1]


def test_malformed_lines_are_reported_and_others_processed() -> None:
    stdin = (
        '{"text": "fine post about nothing"}\nnot json\n{"no_text": 1}\n{"text": "ok then, good"}\n'
    )
    result = CliRunner().invoke(app, [], input=stdin)
    assert result.exit_code == 1
    assert "line 2:" in result.stderr and "line 3:" in result.stderr and "'text'" in result.stderr
    assert len(result.stdout.splitlines()) == 2


def test_unknown_or_missing_backend_and_file_are_clear_errors(tmp_path: Path) -> None:
    src = tmp_path / "posts.jsonl"
    src.write_text('{"text": "fine"}\n', encoding="utf-8")
    bad = CliRunner().invoke(app, [str(src), "--backend", "bert"])
    assert bad.exit_code == 2
    assert "unknown sentiment backend 'bert'" in bad.stderr and "e5" in bad.stderr
    missing = CliRunner().invoke(app, [str(tmp_path / "nope.jsonl")])
    assert missing.exit_code == 2 and "no such file" in missing.stderr
    ok = CliRunner().invoke(app, [str(src), "--backend", "use"])
    assert ok.exit_code == 0, ok.output
    row = json.loads(ok.stdout.splitlines()[0])  # stdout holds only the JSON lines
    assert row["sentiment_backend"] == "use" and row["text"] == "fine"
