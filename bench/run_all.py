"""Run every benchmark and assemble docs/benchmarks.md with the machine and the date.

Each benchmark module has `run(quick: bool) -> str` returning its Markdown section, with its
figures measured as ratios against a baseline run in the same process; a module whose `run`
also takes `full` has a longer mode, run by `--full` (`make bench-latency`, `make bench-memory`).

With `--output` an existing file keeps the sections this run did not produce (by their `## `
heading, in their place), so a long mode run on its own adds its section to the others.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from flarewatch.machine import describe_machine

BENCHMARKS = [
    "bench.bench_pipeline",
    "bench.bench_e2e",
    "bench.bench_steady",
    "bench.bench_latency",
    "bench.bench_query",
    "bench.bench_enrich",
    "bench.bench_transformer",
    "bench.bench_detect",
    "bench.bench_alert_rescore",
    "bench.bench_sources",
    "bench.bench_exports",
    "bench.bench_cli",
]


def _split(text: str) -> tuple[str, dict[str, str]]:
    """The text before the first `## ` heading, and each section by its heading line."""
    head, *parts = text.split("\n## ")
    return head, {f"## {p.split(chr(10), 1)[0]}": f"## {p}".rstrip() + "\n" for p in parts}


def merge_sections(old: str, new: str) -> str:
    """`new`'s header and sections; `old`'s sections that `new` lacks stay, in their place."""
    head, fresh = _split(new)
    _, kept = _split(old)
    out = [head.rstrip() + "\n"]
    for heading, body in kept.items():
        out.append(fresh.pop(heading, body))
    out.extend(fresh.values())
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--output", type=Path, help="write the Markdown here (else print it)")
    parser.add_argument("--only", nargs="*", help="module names to run, e.g. bench.bench_query")
    parser.add_argument(
        "--full", action="store_true", help="long modes, for the modules that have one"
    )
    args = parser.parse_args()
    sections = [
        "# Benchmarks",
        "",
        f"Measured by `make bench` on {datetime.now(UTC):%Y-%m-%d} — {describe_machine()}.",
        "Each figure is measured in the same process as its baseline; ratios are what to compare "
        "across machines. `make bench-quick` is the small smoke run; `make bench-latency` and "
        "`make bench-memory` run the long latency and 1,000,000-post import benches and add "
        "their own sections, which later runs keep.",
        "",
    ]
    for name in args.only or BENCHMARKS:
        started = time.perf_counter()
        print(f"running {name} …", file=sys.stderr, flush=True)
        module = importlib.import_module(name)
        options = {"quick": args.quick}
        if args.full and "full" in inspect.signature(module.run).parameters:
            options["full"] = True
        sections.append(module.run(**options).rstrip() + "\n")
        print(f"  {name} took {time.perf_counter() - started:.1f} s", file=sys.stderr)
    text = "\n".join(sections)
    if args.output and args.output.exists():
        text = merge_sections(args.output.read_text(encoding="utf-8"), text)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
