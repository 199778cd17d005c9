"""`validate`: everything the topic editor underlines while the user types. Never raises."""

from __future__ import annotations

from flarewatch.query.errors import QueryProblem, QuerySyntaxError
from flarewatch.query.parser import parse_with_warnings


def validate(query: str) -> list[QueryProblem]:
    """Errors (the query cannot be saved) and warnings (it can, but probably means something else),
    each with a 1-based column, sorted by column."""
    try:
        _, warnings = parse_with_warnings(query)
    except QuerySyntaxError as err:
        return [err.to_problem()]
    except Exception as err:  # the editor calls this on every keystroke: report, do not crash
        return [QueryProblem("error", f"internal error while checking the query: {err}", 1)]
    return sorted(warnings, key=lambda p: p.column)
