"""People, rotas and escalation policies edited in the web app (docs/oncall.md, "Editing on
the web").

They stay where the workspace file puts them, in the workspace's stored configuration
(`Workspace.config`: `people`, `rotas`, `escalation`), so the runner, the rota page, `oncall
now|simulate` and `workspace export` read an edit at once and unchanged. Each entry the web
added or changed is marked in `Workspace.config["oncall_origin"]` (table → key → "web"); a file
sync (`workspace add FILE`) keeps the web's entries the file does not define, and where the file
defines the same key the file wins and says so (`merge_oncall`), as with sources.

An edit is checked by the same rules, with the same messages, as `workspace check`: the table's
model field by field, then what the whole configuration names (`oncall_problems`,
`digest_problems`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from flarewatch.config.workspace import CONFIG_DOC, key_path_text, validation_message
from flarewatch.errors import InputError, NotFoundError
from flarewatch.oncall.config import (
    EscalationPolicyConfig,
    PersonConfig,
    RotaConfig,
    oncall_problems,
)
from flarewatch.workspaces.models import Workspace

Table = Literal["people", "rotas", "escalation"]
TABLES: tuple[Table, ...] = ("people", "rotas", "escalation")
ORIGIN_KEY = "oncall_origin"
ORIGIN_WEB = "web"
MODELS: dict[str, type[BaseModel]] = {
    "people": PersonConfig,
    "rotas": RotaConfig,
    "escalation": EscalationPolicyConfig,
}
# What identifies an entry of each table (a policy is one per severity).
IDENTITY: dict[str, str] = {"people": "key", "rotas": "key", "escalation": "severity"}
SINGULAR: dict[str, str] = {"people": "person", "rotas": "rota", "escalation": "policy"}


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One thing to fix: the field (`handover`, `layers[0].members[1]`, or elsewhere in the
    configuration, `rotas[0].members[2]`) and the same message `workspace check` gives."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class OncallEditError(InputError):
    """An edit refused, with every problem found, field by field."""

    def __init__(self, what: str, problems: list[FieldProblem], done: str = "saved") -> None:
        self.problems = problems
        super().__init__(f"{what} was not {done}: " + "; ".join(str(p) for p in problems))


@dataclass(slots=True)
class Saved:
    """What an edit changed, for the audit log."""

    table: str
    key: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    renamed_from: str | None = None


@dataclass(slots=True)
class MergeResult:
    """A file's on-call tables merged with the web's entries (`merge_oncall`)."""

    config: dict[str, Any]
    kept: list[str] = field(default_factory=list)  # "rota 'night'": the web's, kept
    replaced: list[str] = field(default_factory=list)  # "rota 'duty'": the file's won
    problems: list[str] = field(default_factory=list)  # what the kept entries name
    # The same entries as (table, key), for a note in the reader's language (workspaces/service).
    kept_items: list[tuple[str, str]] = field(default_factory=list)
    replaced_items: list[tuple[str, str]] = field(default_factory=list)


def entries(config: dict[str, Any] | None, table: str) -> list[dict[str, Any]]:
    return [dict(item) for item in (config or {}).get(table) or [] if isinstance(item, dict)]


def origins(config: dict[str, Any] | None) -> dict[str, dict[str, str]]:
    stored = (config or {}).get(ORIGIN_KEY) or {}
    return {table: dict(stored.get(table) or {}) for table in TABLES}


def origin_of(config: dict[str, Any] | None, table: str, key: str) -> str:
    """ "web" when the entry was added or changed on the web since the last file sync."""
    return origins(config).get(table, {}).get(key, "file")


def _identity(table: str, item: dict[str, Any]) -> str:
    return str(item.get(IDENTITY[table], ""))


def _model_problems(table: str, item: dict[str, Any]) -> tuple[dict[str, Any], list[FieldProblem]]:
    try:
        model = MODELS[table].model_validate(item)
    except ValidationError as err:
        # A rule of the whole entry (a handover in the wrong form) names the entry itself.
        return {}, [
            FieldProblem(
                key_path_text(e["loc"]) if e["loc"] else SINGULAR[table],
                validation_message(e, CONFIG_DOC),
            )
            for e in err.errors()
        ]
    return model.model_dump(mode="json"), []


def _cross_problems(data: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    from flarewatch.digests.config import digest_problems

    def problem(path: tuple[Any, ...], message: str) -> tuple[tuple[Any, ...], str]:
        return (path, message)

    return oncall_problems(data, problem) + digest_problems(data, problem)


def _new_cross_problems(
    before: dict[str, Any], after: dict[str, Any], table: str, index: int | None
) -> list[FieldProblem]:
    """Problems of the whole configuration that the edit brings in; those of the edited entry
    are named by its own fields."""
    old = {message for _, message in _cross_problems(before)}
    out = []
    for path, message in _cross_problems(after):
        if message in old:
            continue
        if index is not None and path[:2] == (table, index):
            out.append(FieldProblem(key_path_text(path[2:]), message))
        else:
            out.append(FieldProblem(key_path_text(path), message))
    return out


def _store(
    workspace: Workspace, table: str, items: list[dict[str, Any]], marks: dict[str, dict[str, str]]
) -> None:
    # A new dict, so SQLAlchemy sees the JSON column change.
    workspace.config = {**(workspace.config or {}), table: items, ORIGIN_KEY: marks}


def save_entry(
    workspace: Workspace, table: str, original: str | None, item: dict[str, Any]
) -> Saved:
    """Add (`original` None) or replace the entry `original` of `table` with `item`.

    Refused with OncallEditError, every problem field by field, when the entry breaks a rule
    of the workspace file or leaves something in the configuration naming what is gone.
    """
    if table not in TABLES:
        raise NotFoundError(f"unknown table {table!r}; use one of {', '.join(TABLES)}")
    config = dict(workspace.config or {})
    items = entries(config, table)
    keys = [_identity(table, existing) for existing in items]
    index: int | None = None
    if original is not None:
        if original not in keys:
            raise NotFoundError(
                f"there is no {SINGULAR[table]} {original!r}; {table}: {', '.join(keys) or 'none'}"
            )
        index = keys.index(original)
    if table == "rotas" and index is not None and "overrides" not in item:
        # The file's overrides are not on the form: they stay as they are.
        item = {**item, "overrides": items[index].get("overrides") or []}
    what = f"{SINGULAR[table]} {_identity(table, item) or original or ''!r}"
    cleaned, problems = _model_problems(table, item)
    candidate_items = list(items)
    if index is None:
        candidate_items.append(cleaned or item)
        at = len(candidate_items) - 1
    else:
        candidate_items[index] = cleaned or item
        at = index
    candidate = {**config, table: candidate_items}
    problems += _new_cross_problems(config, candidate, table, at)
    if problems:
        raise OncallEditError(what, problems)
    key = _identity(table, cleaned)
    marks = origins(config)
    if original is not None and original != key:
        marks[table].pop(original, None)
    marks[table][key] = ORIGIN_WEB
    _store(workspace, table, candidate_items, marks)
    before = items[index] if index is not None else None
    renamed = original if original is not None and original != key else None
    return Saved(table, key, before, cleaned, renamed_from=renamed)


def delete_entry(workspace: Workspace, table: str, key: str) -> Saved:
    """Remove an entry; refused while something else (a rota, a step, a digest) names it."""
    if table not in TABLES:
        raise NotFoundError(f"unknown table {table!r}; use one of {', '.join(TABLES)}")
    config = dict(workspace.config or {})
    items = entries(config, table)
    keys = [_identity(table, existing) for existing in items]
    if key not in keys:
        raise NotFoundError(
            f"there is no {SINGULAR[table]} {key!r}; {table}: {', '.join(keys) or 'none'}"
        )
    index = keys.index(key)
    remaining = items[:index] + items[index + 1 :]
    problems = _new_cross_problems(config, {**config, table: remaining}, table, None)
    if problems:
        raise OncallEditError(f"{SINGULAR[table]} {key!r}", problems, done="deleted")
    marks = origins(config)
    marks[table].pop(key, None)
    _store(workspace, table, remaining, marks)
    return Saved(table, key, items[index], None)


def app_change_problems(
    session: Session, workspace: Workspace, table: str, key: str, now: datetime
) -> list[FieldProblem]:
    """Overrides and swaps made in the app, not over yet, that name the rota or person `key`:
    renaming or deleting it would leave them naming no one, so the edit is refused."""
    from flarewatch.oncall.changes import changes_of

    if table not in ("rotas", "people"):
        return []
    found = changes_of(session, workspace.id, now, statuses=("requested", "accepted"))
    named = [
        c
        for c in found
        if (c.rota_key == key if table == "rotas" else key in (c.person, c.replaces))
    ]
    if not named:
        return []
    ids = ", ".join(f"#{c.id}" for c in named)
    return [
        FieldProblem(
            IDENTITY[table],
            f"{SINGULAR[table]} {key!r} is named by overrides or swaps on the rota page that "
            f"are not over ({ids}); cancel them there first, or keep the key",
        )
    ]


def merge_oncall(stored: dict[str, Any] | None, from_file: dict[str, Any]) -> MergeResult:
    """The on-call tables a file sync stores: the file's entries, then the web's entries the
    file does not define. Where the file defines a key the web edited, the file wins and the
    result says so. The origin marks are kept for the web's entries only."""
    marks = origins(stored)
    merged: dict[str, Any] = {}
    result = MergeResult(config=merged)
    kept_marks: dict[str, dict[str, str]] = {table: {} for table in TABLES}
    for table in TABLES:
        file_items = [copy.deepcopy(item) for item in entries(from_file, table)]
        file_keys = {_identity(table, item) for item in file_items}
        for item in entries(stored, table):
            key = _identity(table, item)
            if marks[table].get(key) != ORIGIN_WEB:
                continue
            label = f"{SINGULAR[table]} {key!r}"
            if key in file_keys:
                mine = next(i for i in file_items if _identity(table, i) == key)
                if mine != item:
                    result.replaced.append(label)
                    result.replaced_items.append((table, str(key)))
                continue
            file_items.append(item)
            kept_marks[table][key] = ORIGIN_WEB
            result.kept.append(label)
            result.kept_items.append((table, str(key)))
        merged[table] = file_items
    merged[ORIGIN_KEY] = kept_marks
    if result.kept:
        data = {**from_file, **merged}
        result.problems = [
            f"{key_path_text(path)}: {message}" for path, message in _cross_problems(data)
        ]
    return result
