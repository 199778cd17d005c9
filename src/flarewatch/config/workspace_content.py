"""Checks of what a workspace file's fields name, on the raw data: duplicate keys, queries,
notification schemes, each kind's own source keys, source files, installed sentiment extras.

They run even when other fields are invalid, so one `workspace check` lists all there is to fix.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from flarewatch.cases import room_config as room
from flarewatch.comms.advocates.config import advocate_problems
from flarewatch.comms.approval_config import approval_problems
from flarewatch.comms.publishing.channel_config import channel_problems
from flarewatch.comms.stakeholders.config import stakeholder_problems
from flarewatch.config.repeats import repeated
from flarewatch.config.toml_source import ConfigProblem, KeyPath, LineMap
from flarewatch.config.workspace_messages import key_path_text, option_message
from flarewatch.config.workspace_models import OPTIONS_ERROR, SourceConfig
from flarewatch.digests.config import digest_problems
from flarewatch.oncall.config import oncall_problems


def _items(data: dict[str, Any], name: str) -> list[tuple[int, dict[str, Any]]]:
    """The tables of array `name` that are tables at all (anything else is a field error)."""
    value = data.get(name)
    if not isinstance(value, list):
        return []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, dict)]


def content_problems(
    data: dict[str, Any], lines: LineMap, base_dir: Path | None
) -> list[ConfigProblem]:
    """Checks of what the fields name, on the raw data: they run even when other fields are
    invalid, skipping only values whose own type is wrong (pydantic reports those)."""

    def problem(path: KeyPath, message: str, blocking: bool = True) -> ConfigProblem:
        return ConfigProblem(key_path_text(path), message, lines.line_of(path), blocking)

    problems: list[ConfigProblem] = []
    for name in ("topics", "sources"):
        problems += repeated(data, name, problem, fix=f"give each of the {name} its own key")
    problems += query_problems([item for _, item in _items(data, "topics")], lines)
    problems += _route_problems(data, problem)
    problems += oncall_problems(data, problem) + digest_problems(data, problem)
    problems += room.room_problems(data, problem)
    problems += stakeholder_problems(data, problem) + advocate_problems(data, problem)
    problems += channel_problems(data, problem)
    problems += approval_problems(data, problem)
    problems += _source_problems(data, problem, base_dir)
    from flarewatch.enrich.sentiment import SENTIMENT_BACKENDS, backend_install_problem

    for key in ("sentiment_backend", "alert_sentiment_backend"):
        backend = data.get(key)
        if isinstance(backend, str):
            missing = backend_install_problem(backend) if backend in SENTIMENT_BACKENDS else None
            if missing:
                problems.append(problem((key,), missing))
    return problems


def query_problems(topics: list[dict[str, Any]], lines: LineMap) -> list[ConfigProblem]:
    from flarewatch.query import QuerySyntaxError, parse

    problems = []
    for index, topic in enumerate(topics):
        query = topic.get("query")
        if not isinstance(query, str):
            continue
        try:
            parse(query)
        except QuerySyntaxError as err:
            path: KeyPath = ("topics", index, "query")
            problems.append(
                ConfigProblem(
                    f"{key_path_text(path)} ({topic.get('key')})",
                    f"{err.message} at column {err.column}"
                    f"\n      {err.query}\n      {' ' * (err.column - 1)}^",
                    lines.line_of(path),
                )
            )
    return problems


def _route_problems(data: dict[str, Any], problem: Any) -> list[ConfigProblem]:
    from flarewatch.alerts.notify import route_problem

    problems = []
    for index, route in _items(data, "alert_routes"):
        url = route.get("url")
        if isinstance(url, str):
            wrong = route_problem(url.strip())
            if wrong:
                problems.append(problem(("alert_routes", index, "url"), wrong))
    return problems


def _option_problems(item: dict[str, Any], index: int, problem: Any) -> list[ConfigProblem]:
    from flarewatch.sources.registry import options_model, source_kinds

    kind = item.get("kind")
    if not isinstance(kind, str) or kind not in source_kinds():
        return []
    common = set(SourceConfig.model_fields)
    own = {k: v for k, v in item.items() if k not in common}
    try:
        options_model(kind).model_validate(own)
    except ValidationError as err:
        return [
            problem(("sources", index, *e["loc"]), option_message(e, kind)) for e in err.errors()
        ]
    return []


def _source_problems(
    data: dict[str, Any], problem: Any, base_dir: Path | None
) -> list[ConfigProblem]:
    from flarewatch.sources.base import SourceError
    from flarewatch.sources.file import file_format

    problems = []
    for index, item in _items(data, "sources"):
        try:
            source = SourceConfig.model_validate(item)
        except ValidationError as err:
            # A wrong common key (every = "often") stops pydantic before the kind's own keys
            # are checked; check them here so that one run lists every problem.
            if all(e["type"] != OPTIONS_ERROR for e in err.errors()):
                problems += _option_problems(item, index, problem)
            continue  # the rest is reported by the model validation
        except SourceError:
            continue
        options = source.options()
        path_value = getattr(options, "path", None)
        if source.kind not in ("file", "scenario") or not path_value:
            continue
        where: KeyPath = ("sources", index, "path")
        path = Path(os.path.expanduser(path_value))
        if source.kind == "file":
            try:
                file_format(path)
            except SourceError as err:
                problems.append(problem(where, str(err)))
                continue
        if base_dir is None:
            continue
        resolved = (path if path.is_absolute() else base_dir / path).resolve()
        if not resolved.is_file():
            what = "is a folder, not a file" if resolved.is_dir() else "does not exist"
            problems.append(
                problem(
                    where,
                    f"{resolved} {what} (a relative path is read from {base_dir.resolve()}, "
                    "the workspace file's folder); fix 'path' or create the file. Running the "
                    "workspace still loads it and shows this source as failing until then",
                    blocking=False,
                )
            )
    return problems
