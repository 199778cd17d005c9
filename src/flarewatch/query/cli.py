"""`flarewatch query`: check, match and import queries from the command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO

import typer
from rich.console import Console
from rich.markup import escape

from flarewatch.cli.common import user_console
from flarewatch.query.dialects import DIALECTS, convert_query
from flarewatch.query.errors import QueryProblem, QuerySyntaxError, caret_line
from flarewatch.query.jsonl import BadLine, read_posts
from flarewatch.query.matcher import Matcher
from flarewatch.query.parser import parse
from flarewatch.query.render import render
from flarewatch.query.validate import validate

app = typer.Typer(help="Check, test and import search queries.", no_args_is_help=True)
# Problems quote the query: shown with bidi controls visible. The query itself (check, import) is
# output to copy, so it stays as written.
_err = user_console(stderr=True, highlight=False, soft_wrap=True)
_out = Console(highlight=False, soft_wrap=True)

QUERY_HELP = "The query, e.g. '(outage OR awaria) AND NOT test'. Quote it for the shell."


def _print_problem(query: str, problem: QueryProblem) -> None:
    style = "bold red" if problem.severity == "error" else "yellow"
    _err.print(
        f"[{style}]{problem.severity}[/]: {escape(problem.message)} at column {problem.column}"
    )
    _err.print(escape(caret_line(query, problem.column, problem.width)))
    if problem.hint:
        _err.print(f"hint: {escape(problem.hint)}")


def _fail_syntax(err: QuerySyntaxError) -> None:
    _print_problem(err.query, err.to_problem())
    raise typer.Exit(2)


@app.command()
def check(query: str = typer.Argument(..., help=QUERY_HELP)) -> None:
    """Parse QUERY: print OK and its normalised form, or the error with a caret (exit code 2)."""
    problems = validate(query)
    errors = [p for p in problems if p.severity == "error"]
    for problem in problems:
        _print_problem(query, problem)
    if errors:
        raise typer.Exit(2)
    _out.print("OK")
    _out.print(escape(render(parse(query))))


@app.command()
def match(
    query: str = typer.Argument(..., help=QUERY_HELP),
    file: Path = typer.Argument(
        ..., help="Posts in the ingest JSONL format; '-' reads stdin.", allow_dash=True
    ),
    fold_diacritics: bool = typer.Option(
        False, "--fold-diacritics", help="Ignore diacritics: prad finds prąd."
    ),
) -> None:
    """Print the ids of the posts in FILE that QUERY matches, one per line.

    Malformed lines are reported on stderr with their line number; the others are still matched
    and the exit code is 1.
    """
    matcher = Matcher(fold_diacritics=fold_diacritics)
    try:
        matcher.add("q", query)
    except QuerySyntaxError as err:
        _fail_syntax(err)
    name = "<stdin>" if str(file) == "-" else str(file)
    bad = 0
    try:
        stream: IO[str] = (
            sys.stdin if str(file) == "-" else file.open(encoding="utf-8", errors="replace")
        )
    except OSError as err:
        _err.print(f"[bold red]error[/]: cannot read {escape(name)}: {escape(err.strerror or '')}")
        raise typer.Exit(1) from err
    with stream:
        for item in read_posts(stream):
            if isinstance(item, BadLine):
                bad += 1
                _err.print(
                    f"[bold red]error[/]: {escape(name)}, line {item.line}: {escape(item.message)}"
                )
            elif matcher.match(item):
                sys.stdout.write(item.external_id + "\n")
    sys.stdout.flush()
    if bad:
        raise typer.Exit(1)


@app.command("import")
def import_(
    query: str = typer.Argument(..., help="The query as written in the other tool."),
    dialect: str = typer.Option(
        ...,
        "--dialect",
        "-d",
        help=f"Where the query comes from: {', '.join(DIALECTS)}, or auto to guess (it says "
        "which it chose).",
    ),
) -> None:
    """Convert a query from another listening tool to Flarewatch syntax.

    The converted query goes to stdout; the warnings `check` would print for it and a one-line
    summary of what the import changed (operators read differently, site: values cleaned) go to
    stderr. An operator with no exact Flarewatch equivalent is an error (exit code 2) with its
    column and the nearest Flarewatch form.
    """
    if dialect.lower() not in (*DIALECTS, "auto"):
        _err.print(
            f"[bold red]error[/]: unknown dialect {escape(dialect)!r}; "
            f"choose {', '.join(DIALECTS)} or auto"
        )
        raise typer.Exit(2)
    try:
        result = convert_query(query, dialect)
    except QuerySyntaxError as err:
        _fail_syntax(err)
    for problem in result.warnings:
        _print_problem(result.converted, problem)
    if result.changes:
        _err.print(f"[yellow]changed[/]: {escape('; '.join(result.changes))}")
    _out.print(escape(result.query))
