"""One check shared by the workspace file's tables: a key (or another naming field) given twice
in one list of tables, found on the raw data so that it is reported even when other fields are
invalid. `problem(path, message)` makes one report, as the content checks do."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Problem = Callable[[tuple[Any, ...], str], Any]


def repeated(
    data: dict[str, Any], table: str, problem: Problem, *, fix: str, field: str = "key"
) -> list[Any]:
    """A problem for each table of `data[table]` whose `field` an earlier one already has;
    `fix` says what to do."""
    first: dict[str, int] = {}
    out: list[Any] = []
    value = data.get(table)
    for index, item in enumerate(value if isinstance(value, list) else []):
        name = item.get(field) if isinstance(item, dict) else None
        if not isinstance(name, str):
            continue
        if name in first:
            out.append(
                problem(
                    (table, index, field),
                    f"the {field} {name!r} is already used by {table}[{first[name]}]; {fix}",
                )
            )
        first.setdefault(name, index)
    return out
