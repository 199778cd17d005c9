"""The progress display of long imports shows the rate, so a backfill's speed is visible."""

from __future__ import annotations

import io

from rich.console import Console

from flarewatch.cli.common import progress_bar


def _drawn(rate: str | None) -> str:
    out = Console(file=io.StringIO(), force_terminal=True, width=160, color_system=None)
    with progress_bar(out, rate=rate) as bar:
        task = bar.add_task("ingesting posts.jsonl", total=None)
        bar.update(task, advance=0)
        bar.refresh()
        first = out.file.getvalue()  # type: ignore[attr-defined]
        for _ in range(3):
            bar.update(task, advance=1_000)
        bar.refresh()
        return first + "\n" + out.file.getvalue()  # type: ignore[attr-defined]


def test_an_import_shows_its_rate_in_posts_per_second() -> None:
    drawn = _drawn("posts")
    assert "3000/?" in drawn
    assert "– posts/s" in drawn  # no rate before anything was counted
    last = drawn.rsplit("3000/?", 1)[1]
    number = last.split("posts/s")[0].split()[-1]
    assert float(number.replace(",", "")) > 0


def test_without_a_unit_no_rate_is_shown() -> None:
    assert "/s" not in _drawn(None)
