"""Errors and problems reported for a query, always tied to a 1-based column."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


def caret_line(query: str, column: int, width: int = 1) -> str:
    """The query and a caret line under `column`; tabs are kept so the caret lines up."""
    prefix = "".join("\t" if ch == "\t" else " " for ch in query[: max(column - 1, 0)])
    return f"{query}\n{prefix}{'^' * max(width, 1)}"


class QuerySyntaxError(ValueError):
    """A query that cannot be parsed. `column` is 1-based, as editors count."""

    def __init__(
        self, message: str, column: int, query: str, hint: str | None = None, width: int = 1
    ) -> None:
        self.message = message
        self.column = max(1, min(column, len(query) + 1))
        self.query = query
        self.hint = hint
        self.width = width
        super().__init__(self._render())

    def caret(self) -> str:
        return caret_line(self.query, self.column, self.width)

    def _render(self) -> str:
        text = f"{self.message} at column {self.column}\n{self.caret()}"
        if self.hint:
            text += f"\nhint: {self.hint}"
        return text

    def __str__(self) -> str:
        return self._render()

    def to_problem(self) -> QueryProblem:
        return QueryProblem("error", self.message, self.column, self.hint, self.width)


@dataclass(frozen=True, slots=True)
class QueryProblem:
    """One finding of `validate`: an error makes the query unusable, a warning does not."""

    severity: Severity
    message: str
    column: int
    hint: str | None = None
    width: int = 1

    def to_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "message": self.message,
            "column": self.column,
            "hint": self.hint,
            "width": self.width,
        }
