"""Precision and recall of the tone check on the labelled drafts (docs/tone.md, "Measured").

``python -m flarewatch.tone.evaluate [--data DIR] [--split SPLIT] [--show-errors]``, SPLIT one of
dev, test, fresh, fresh2, fresh3, fresh4 and all (default test).

Each line of ``drafts_{en,he,pl}.jsonl`` is a realistic crisis draft labelled ``flag`` (true:
it has a tone problem) and ``split`` (``dev``: the half the rules were written against;
``test``: the other half, written at the same time; ``fresh``: written after the first rules,
then seen when the lists were widened; ``fresh2``: written after the widened rules were
committed and later used to widen the lists; ``fresh3``: written before that widening and
measured on the rules as they were, then seen; ``fresh4``: written after the second widening
and never used to change it, the blind figure, see docs/tone.md). A draft
counts as flagged when the check (no platform, no required elements) returns any flag. No
benchmark, no timing: a pure function over the files.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

from flarewatch.tone.check import check
from flarewatch.tone.rules import LANGUAGES

DEFAULT_DATA = Path(__file__).resolve().parents[3] / "tests" / "tone" / "data"


@dataclass(frozen=True)
class Score:
    language: str
    split: str
    drafts: int
    true_positive: int
    false_positive: int
    false_negative: int

    @property
    def precision(self) -> float | None:
        """None when nothing was flagged: no precision to measure."""
        flagged = self.true_positive + self.false_positive
        return self.true_positive / flagged if flagged else None

    @property
    def recall(self) -> float | None:
        wanted = self.true_positive + self.false_negative
        return self.true_positive / wanted if wanted else None


def load_drafts(path: Path) -> list[dict[str, object]]:
    """The labelled drafts of one file; a bad line is an error naming the file and line."""
    drafts = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}: not JSON ({exc}); one object a line") from exc
        if not isinstance(row.get("text"), str) or not isinstance(row.get("flag"), bool):
            raise ValueError(f'{path}:{number}: needs "text" (string) and "flag" (true/false)')
        drafts.append(row)
    return drafts


def score(language: str, drafts: list[dict[str, object]], split: str) -> tuple[Score, list[str]]:
    """The score of one language on one split, and a line per wrongly judged draft."""
    tp = fp = fn = count = 0
    errors = []
    for row in drafts:
        if split != "all" and row.get("split") != split:
            continue
        count += 1
        flags = check(str(row["text"]), language)
        flagged, wanted = bool(flags), bool(row["flag"])
        tp += flagged and wanted
        fp += flagged and not wanted
        fn += wanted and not flagged
        if flagged != wanted:
            kinds = ", ".join(f"{f.kind} «{f.phrase}»" for f in flags) or "no flag"
            errors.append(f"{row.get('id', '?')} labelled {wanted}: {kinds}: {row['text']}")
    return Score(language, split, count, tp, fp, fn), errors


def _figure(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flarewatch.tone.evaluate")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of drafts_*.jsonl")
    parser.add_argument(
        "--split",
        choices=("dev", "test", "fresh", "fresh2", "fresh3", "fresh4", "all"),
        default="test",
    )
    parser.add_argument("--show-errors", action="store_true", help="print each wrong draft")
    args = parser.parse_args(argv)
    print("language  split  drafts  precision  recall  (tp/fp/fn)")
    for language in LANGUAGES:
        path = args.data / f"drafts_{language}.jsonl"
        result, errors = score(language, load_drafts(path), args.split)
        print(
            f"{language:<9} {result.split:<6} {result.drafts:>6}  {_figure(result.precision):>9}  "
            f"{_figure(result.recall):>6}  ({result.true_positive}/{result.false_positive}/"
            f"{result.false_negative})"
        )
        if args.show_errors:
            for line in errors:
                print(f"  {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
