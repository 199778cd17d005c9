"""CLI start-up: wall time of `flarewatch --help` and `flarewatch query check`, each in a fresh
interpreter, against the baseline of a bare `python -c pass` and of importing every command
module up front (what the CLI did before its subcommands were imported lazily)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

EAGER = (
    "import flarewatch.cli.main, flarewatch.query.cli, flarewatch.alerts.cli, "
    "flarewatch.cases.cli, flarewatch.accounts.cli, flarewatch.cli.workspace, "
    "flarewatch.cli.sources, flarewatch.enrich.cli, flarewatch.detect.cli"
)
RUNS = {
    "baseline: `python -c pass`": ["-c", "pass"],
    "baseline: importing every command module up front": ["-c", EAGER],
    "`flarewatch --help`": ["-m", "flarewatch", "--help"],
    "`flarewatch query check 'acme AND (outage OR awaria)'`": [
        "-m",
        "flarewatch",
        "query",
        "check",
        "acme AND (outage OR awaria)",
    ],
}


def _seconds(args: list[str], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([sys.executable, *args], check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return times


def run(quick: bool) -> str:
    repeats = 3 if quick else 10
    lines = [
        "## CLI start-up",
        "",
        f"Wall time of a fresh process, median and slowest of {repeats} runs "
        "(`python bench/bench_cli.py`). Target: under 1 s for `--help` and `query check`.",
        "",
        "| command | median (s) | slowest (s) |",
        "| --- | ---: | ---: |",
    ]
    for label, args in RUNS.items():
        times = _seconds(args, repeats)
        lines.append(f"| {label} | {statistics.median(times):.2f} | {max(times):.2f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(run(quick="--quick" in sys.argv))
