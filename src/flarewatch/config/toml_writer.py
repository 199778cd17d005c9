"""Write a workspace document as TOML, the format `flarewatch workspace add` reads.

Only what a workspace file holds is supported: strings, numbers, booleans, lists of those,
small tables (written inline) and arrays of tables (`[[topics]]`, `[[sources]]`, …). Strings are
written as TOML basic strings; JSON's escapes are a subset of TOML's, so `json.dumps` quotes them.
"""

from __future__ import annotations

import json
from typing import Any


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        inner = ", ".join(f"{_key(k)} = {toml_value(v)}" for k, v in value.items() if v is not None)
        return "{" + (f" {inner} " if inner else "") + "}"
    raise TypeError(f"cannot write {type(value).__name__} {value!r} to TOML")


def _key(name: str) -> str:
    bare = name.replace("_", "").replace("-", "").isalnum() and name.isascii()
    return name if bare else json.dumps(name, ensure_ascii=False)


def to_toml(document: dict[str, Any], header: str = "") -> str:
    """`document` as TOML: its plain keys first, then each list of tables as `[[name]]` blocks.
    None values are left out (TOML has no null; the loader's default applies)."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    if lines:
        lines.append("")
    tables: list[tuple[str, list[dict[str, Any]]]] = []
    for name, value in document.items():
        if value is None:
            continue
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            tables.append((name, value))
        else:
            lines.append(f"{_key(name)} = {toml_value(value)}")
    for name, rows in tables:
        for row in rows:
            lines.extend(["", f"[[{_key(name)}]]"])
            lines.extend(f"{_key(k)} = {toml_value(v)}" for k, v in row.items() if v is not None)
    return "\n".join(lines) + "\n"
