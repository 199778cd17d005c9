"""Workspace files: one TOML file per client brand.

A bad file is reported with the file, the field and what to change, never with a bare traceback,
because the people who edit these files are communicators, not Python programmers.

This module reads and checks a file (`check_workspace_text`, `load_workspace_file`); the models
are in `workspace_models.py`, the checks of what the fields name in `workspace_content.py` and
the wording of validation errors in `workspace_messages.py`. Their public names are importable
from here as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from flarewatch.config.toml_source import ConfigProblem, read_toml_leniently
from flarewatch.config.workspace_content import content_problems
from flarewatch.config.workspace_messages import (
    describe_validation_error,
    key_path_text,
    validation_message,
)
from flarewatch.config.workspace_models import (
    CONFIG_DOC,
    OPTIONS_ERROR,
    SEVERITIES,
    SLUG_RE,
    WEEKDAY_NAMES,
    AlertRouteConfig,
    Severity,
    SourceConfig,
    TopicConfig,
    WorkspaceConfig,
    WorkspaceConfigError,
    file_fields,
    supported_languages,
)

__all__ = [
    "CONFIG_DOC",
    "OPTIONS_ERROR",
    "SEVERITIES",
    "SLUG_RE",
    "WEEKDAY_NAMES",
    "AlertRouteConfig",
    "Severity",
    "SourceConfig",
    "TopicConfig",
    "WorkspaceCheck",
    "WorkspaceConfig",
    "WorkspaceConfigError",
    "check_workspace_file",
    "check_workspace_text",
    "describe_validation_error",
    "file_fields",
    "key_path_text",
    "load_workspace_file",
    "parse_workspace_toml",
    "supported_languages",
    "validation_message",
]


@dataclass(slots=True)
class WorkspaceCheck:
    """Everything found wrong with one workspace file, and its configuration when it loads."""

    source: str
    config: WorkspaceConfig | None
    problems: list[ConfigProblem] = field(default_factory=list)

    @property
    def errors(self) -> list[ConfigProblem]:
        """Problems that stop the workspace from loading."""
        return [p for p in self.problems if p.blocking]

    @property
    def warnings(self) -> list[ConfigProblem]:
        """Problems of this machine that a running workspace shows as source health instead."""
        return [p for p in self.problems if not p.blocking]

    def config_or_raise(self) -> WorkspaceConfig:
        if self.errors or self.config is None:
            raise WorkspaceConfigError(self.source, self.errors)
        return self.config


def check_workspace_text(
    text: str, source: str = "<workspace>", base_dir: Path | None = None
) -> WorkspaceCheck:
    """Every problem of a workspace file at once: TOML syntax, fields, then what the fields name
    (queries, notification schemes, source files, installed sentiment extras).

    Each layer runs even when an earlier one found problems, on whatever parts of the file it can
    read, so one run of `workspace check` lists all there is to fix. `base_dir` (the file's
    folder) enables the checks of source paths; without it they are skipped.
    """
    read = read_toml_leniently(text)
    problems = list(read.problems)
    if not read.complete:
        return WorkspaceCheck(source, None, problems)
    config: WorkspaceConfig | None = None
    try:
        config = WorkspaceConfig.model_validate(read.data)
    except ValidationError as err:
        for error in _expanded(err.errors()):
            path = tuple(error["loc"])
            if error["type"] == "missing" and path in read.skipped_keys:
                continue  # that line had a syntax error, already reported
            problems.append(
                ConfigProblem(
                    key_path_text(path),
                    validation_message(error, CONFIG_DOC),
                    read.line_map.line_of(path),
                )
            )
    problems += content_problems(read.data, read.line_map, base_dir)
    problems.sort(key=lambda p: p.line if p.line is not None else 1 << 30)
    if any(p.blocking for p in problems):
        config = None
    return WorkspaceCheck(source, config, problems)


def _expanded(errors: list[Any]) -> list[Any]:
    """Pydantic's errors with a kind's option errors split into one per field."""
    out: list[Any] = []
    for error in errors:
        if error["type"] != OPTIONS_ERROR:
            out.append(error)
            continue
        for loc, message in error["ctx"]["fields"]:
            missing = message.startswith("required field is missing")
            out.append(
                {
                    "type": "missing" if missing else "value_error",
                    "loc": (*error["loc"], *loc),
                    "msg": message,
                }
            )
    return out


def check_workspace_file(path: Path) -> WorkspaceCheck:
    """`check_workspace_text` for a file; relative source paths are read from its folder."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return WorkspaceCheck(
            str(path), None, [ConfigProblem("", "file not found; check the path")]
        )
    except IsADirectoryError:
        problem = ConfigProblem("", "this is a folder; name the workspace .toml file in it")
        return WorkspaceCheck(str(path), None, [problem])
    except UnicodeDecodeError:
        problem = ConfigProblem("", "file is not UTF-8 text; save it as UTF-8")
        return WorkspaceCheck(str(path), None, [problem])
    return check_workspace_text(text, str(path), path.parent)


def parse_workspace_toml(text: str, source: str = "<workspace>") -> WorkspaceConfig:
    """The configuration in `text`, or WorkspaceConfigError with every problem in it."""
    return check_workspace_text(text, source).config_or_raise()


def load_workspace_file(path: Path) -> WorkspaceConfig:
    """The configuration in the file at `path`, or WorkspaceConfigError with every problem.

    Problems that are not in the file (a source file not there yet) do not stop loading: the
    source reports them as its health. `check_workspace_file` lists them too.
    """
    return check_workspace_file(path).config_or_raise()
