"""Pure: the on-call editor's forms as workspace-file entries, and entries as form values.

A form gives strings; an entry is what the workspace file would hold, so `oncall.editing`
checks it with the file's own models and messages. Empty optional fields are left out (the
file's defaults apply); a step row with every field empty, or a layer row without members, is
no row.
Contact URLs hold tokens: the form shows them masked (`describe_route`), and a line left as
shown keeps the stored URL it stands for.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

_SPLIT = re.compile(r"[\s,]+")

LAYER_FIELDS = ("rotation", "handover", "members", "days", "hours", "start")
STEP_FIELDS = ("notify", "wait_minutes", "repeat")
FormValues = dict[str, list[str]]


def words(value: str) -> list[str]:
    """'dana, piotr noa' → ['dana', 'piotr', 'noa']."""
    return [word for word in _SPLIT.split(value.strip()) if word]


def _set(entry: dict[str, Any], name: str, value: str) -> None:
    if value.strip():
        entry[name] = value.strip()


def _rows(
    form: Mapping[str, Sequence[str]], prefix: str, names: tuple[str, ...]
) -> list[dict[str, str]]:
    columns = {name: list(form.get(f"{prefix}_{name}", [])) for name in names}
    count = max((len(values) for values in columns.values()), default=0)
    rows = []
    for n in range(count):
        row = {name: (values[n] if n < len(values) else "") for name, values in columns.items()}
        if any(value.strip() for value in row.values()):
            rows.append(row)
    return rows


def first(form: Mapping[str, Sequence[str]], name: str) -> str:
    values = form.get(name) or [""]
    return values[0]


def person_entry(
    form: Mapping[str, Sequence[str]],
    stored_notify: Sequence[str] = (),
    masked: Callable[[str], str] = str,
) -> dict[str, Any]:
    entry: dict[str, Any] = {"key": first(form, "key").strip()}
    for name in ("name", "timezone", "language"):
        _set(entry, name, first(form, name))
    shown = {masked(url): url for url in stored_notify}
    lines = [line.strip() for line in first(form, "notify").splitlines() if line.strip()]
    entry["notify"] = [shown.get(line, line) for line in lines]
    return entry


def _layer(row: Mapping[str, str]) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    for name in ("rotation", "handover", "hours", "start"):
        _set(entry, name, row.get(name, ""))
    entry["members"] = words(row.get("members", ""))
    if row.get("days", "").strip():
        entry["days"] = words(row["days"])
    return entry


def rota_entry(form: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    own = {name: first(form, name) for name in ("rotation", "handover", "members", "start")}
    entry: dict[str, Any] = {"key": first(form, "key").strip()}
    for name in ("name", "timezone"):
        _set(entry, name, first(form, name))
    entry.update(_layer(own))
    # A layer row without members is no layer (clearing a row's members removes it).
    rows_ = _rows(form, "layer", LAYER_FIELDS)
    entry["layers"] = [_layer(row) for row in rows_ if row["members"].strip()]
    return entry


def policy_entry(form: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    for name in ("severity", "page", "remind_minutes", "unacknowledge_minutes", "ack_link_hours"):
        _set(entry, name, first(form, name))
    steps = []
    for row in _rows(form, "step", STEP_FIELDS):
        step: dict[str, Any] = {}
        for name in STEP_FIELDS:
            _set(step, name, row[name])
        steps.append(step)
    entry["steps"] = steps
    return entry


def joined(values: Sequence[str] | None) -> str:
    return ", ".join(values or [])


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def person_values(entry: Mapping[str, Any], masked: Callable[[str], str] = str) -> FormValues:
    """A stored person as the form shows it (contact URLs masked)."""
    values = {name: [_text(entry.get(name))] for name in ("key", "name", "timezone", "language")}
    values["notify"] = ["\n".join(masked(str(url)) for url in entry.get("notify") or [])]
    return values


def _layer_values(layer: Mapping[str, Any]) -> dict[str, str]:
    return {
        "rotation": _text(layer.get("rotation")),
        "handover": _text(layer.get("handover")),
        "members": joined(layer.get("members")),
        "days": joined(layer.get("days")),
        "hours": _text(layer.get("hours")),
        "start": _text(layer.get("start")),
    }


def rota_values(entry: Mapping[str, Any]) -> FormValues:
    values = {name: [_text(entry.get(name))] for name in ("key", "name", "timezone")}
    values.update({name: [value] for name, value in _layer_values(entry).items()})
    layers = [_layer_values(layer) for layer in entry.get("layers") or []]
    for name in LAYER_FIELDS:
        values[f"layer_{name}"] = [layer[name] for layer in layers]
    return values


def policy_values(entry: Mapping[str, Any]) -> FormValues:
    names = ("severity", "page", "remind_minutes", "unacknowledge_minutes", "ack_link_hours")
    values = {name: [_text(entry.get(name))] for name in names}
    steps = entry.get("steps") or []
    for name in STEP_FIELDS:
        values[f"step_{name}"] = [_text(step.get(name)) for step in steps]
    return values


def rows(
    values: Mapping[str, Sequence[str]], prefix: str, names: tuple[str, ...], spare: int = 1
) -> list[dict[str, str]]:
    """The form's rows of a repeated group (empty ones left out), then `spare` empty rows to
    add one."""
    blank = dict.fromkeys(names, "")
    return _rows(values, prefix, names) + [dict(blank) for _ in range(spare)]
