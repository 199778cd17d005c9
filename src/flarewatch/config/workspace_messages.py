"""What a workspace file's problems say: field paths the way the docs name them, and one line
of what to do about each validation error (shared by the models and the file checks)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def key_path_text(path: Sequence[Any]) -> str:
    """`("sources", 1, "url")` as `sources[1].url`, the way the docs name fields."""
    location = ""
    for part in path:
        location += f"[{part}]" if isinstance(part, int) else (f".{part}" if location else part)
    return location or "(top level)"


def validation_message(error: Any, doc: str) -> str:
    """What to do about one pydantic error, pointing at `doc` for the fields."""
    if error["type"] == "extra_forbidden":
        return f"unknown field; remove it or check its spelling (see {doc})"
    if error["type"] == "missing":
        return f"required field is missing; add it (see {doc})"
    return str(error["msg"]).removeprefix("Value error, ")


def describe_validation_error(error: Any, doc: str) -> str:
    """One pydantic error as `field.path: what to do`, pointing at `doc` for the fields."""
    return f"{key_path_text(error['loc'])}: {validation_message(error, doc)}"


def option_message(error: Any, kind: str) -> str:
    doc = f"docs/sources.md#{kind}"
    if error["type"] == "extra_forbidden":
        return f"unknown field for a '{kind}' source; remove it or check its spelling (see {doc})"
    return validation_message(error, doc)
