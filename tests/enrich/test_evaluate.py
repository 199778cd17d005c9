from __future__ import annotations

from pathlib import Path

from flarewatch.enrich.training import evaluate, train


def test_missing_datasets_exit_2(tmp_path: Path, capsys: object) -> None:
    missing = tmp_path / "nowhere"
    assert evaluate.main(["--datasets", str(missing), "--output", str(tmp_path / "q.md")]) == 2
    assert train.main(["--datasets", str(missing), "--output", str(tmp_path / "m.npz")]) == 2
    assert not (tmp_path / "q.md").exists()


def test_evaluate_writes_report_on_a_tiny_dataset(tmp_path: Path) -> None:
    root = tmp_path / "data"
    rows = {
        "positive": "I love this, great",
        "negative": "I hate this, awful",
        "neutral": "the store opens at nine",
    }
    for folder, lang_text in (
        ("xlmt-english", rows),
        (
            "hebrew-facebook",
            {"positive": "כל הכבוד, מעולה", "negative": "גרוע, בושה", "neutral": "מחר בתשע"},
        ),
    ):
        (root / "sentiment" / folder).mkdir(parents=True)
        body = "text\tlabel\n" + "".join(f"{t}\t{lab}\n" for lab, t in lang_text.items())
        val = "dev.tsv" if folder == "hebrew-facebook" else "val.tsv"
        (root / "sentiment" / folder / "train.tsv").write_text(body, encoding="utf-8")
        (root / "sentiment" / folder / val).write_text(body, encoding="utf-8")
    out = tmp_path / "quality.md"
    assert evaluate.main(["--datasets", str(root), "--output", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "xlmt-english (en) | 3 |" in text and "VADER on xlmt-english" in text
    assert "hebrew-facebook: always" in text
