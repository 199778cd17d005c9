"""Workspace files: one TOML file per client brand.

A bad file is reported with the file, the field and what to change, never with a bare traceback,
because the people who edit these files are communicators, not Python programmers.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from flarewatch.cases import room_config as room
from flarewatch.config.toml_source import ConfigProblem, KeyPath, LineMap, read_toml_leniently
from flarewatch.digests.config import DigestConfig, digest_problems
from flarewatch.oncall.config import (
    EscalationPolicyConfig,
    PersonConfig,
    RotaConfig,
    oncall_problems,
    parse_hours,
)

Severity = Literal["watch", "warning", "crisis"]
SEVERITIES: tuple[str, ...] = ("watch", "warning", "crisis")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
CONFIG_DOC = "docs/configuration.md"
OPTIONS_ERROR = "source_options"  # a kind's own keys are wrong; ctx["fields"] says which
# The baselines' day names (detect/baseline.py reads the first three letters of each).
WEEKDAY_NAMES: dict[str, str] = {
    name: name[:3]
    for name in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
}


@lru_cache(maxsize=1)
def supported_languages() -> tuple[str, ...]:
    """The ISO 639-1 codes that language identification (lingua) knows, sorted."""
    from lingua import Language

    return tuple(sorted(language.iso_code_639_1.name.lower() for language in Language.all()))


class WorkspaceConfigError(ValueError):
    """A workspace file that cannot be used, with every problem found in it."""

    def __init__(self, source: str, problems: Sequence[ConfigProblem | str]) -> None:
        self.source = source
        self.details = [
            p if isinstance(p, ConfigProblem) else ConfigProblem("", p) for p in problems
        ]
        self.problems = [p.describe() if isinstance(p, ConfigProblem) else p for p in problems]
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{source}: invalid workspace configuration\n{lines}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TopicConfig(_Strict):
    key: str = Field(description="Short stable identifier, e.g. 'brand'.")
    name: str | None = None
    query: str = Field(description="Boolean query, see docs/queries.md.")

    @field_validator("key")
    @classmethod
    def _key_is_slug(cls, value: str) -> str:
        if not SLUG_RE.match(value):
            raise ValueError("use lower-case letters, digits and dashes, e.g. 'brand-names'")
        return value


class SourceConfig(BaseModel):
    """One `[[sources]]` table: the keys every kind has, and the kind's own keys.

    The kind's keys (`path`, `url`, `hashtags`, `token_env`, …) are checked against that kind's
    `Options` model (see `sources/registry.py`), so a key that the kind does not know is an
    error, not silently ignored; `options()` hands them back as that model.
    """

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)

    key: str
    kind: str = Field(description="The connector; `flarewatch sources list` shows them all")
    platform: str | None = None
    enabled: bool = True
    every: str | float | None = Field(
        default=None, description='How often to poll, e.g. "2m"; default: the kind\'s own'
    )

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        from flarewatch.sources.registry import source_kinds

        if value not in source_kinds():
            raise ValueError(
                f"unknown kind {value!r}; use one of: {', '.join(source_kinds())} "
                "(see docs/sources.md)"
            )
        return value

    @field_validator("every")
    @classmethod
    def _every(cls, value: str | float | None) -> str | float | None:
        from flarewatch.sources.options import parse_every

        if value is not None:
            parse_every(value)
        return value

    @model_validator(mode="after")
    def _kind_options(self) -> SourceConfig:
        from flarewatch.sources.registry import options_model

        model = options_model(self.kind)
        try:
            model.model_validate(self.model_extra or {})
        except ValidationError as err:
            found = [(tuple(e["loc"]), _option_message(e, self.kind)) for e in err.errors()]
            # One error for pydantic, each field's own for `check_workspace_text` (in ctx).
            raise PydanticCustomError(
                OPTIONS_ERROR,
                "{summary}",
                {
                    "summary": "; ".join(f"{key_path_text(loc)}: {msg}" for loc, msg in found),
                    "fields": found,
                },
            ) from None
        return self

    def options(self) -> Any:
        """This kind's own keys, validated, as the kind's `Options` model."""
        from flarewatch.sources.registry import options_model

        return options_model(self.kind).model_validate(self.model_extra or {})

    def every_seconds(self) -> float:
        """Seconds between polls: `every`, or the kind's default."""
        from flarewatch.sources.options import parse_every
        from flarewatch.sources.registry import default_every

        return parse_every(self.every if self.every is not None else default_every(self.kind))


def _option_message(error: Any, kind: str) -> str:
    doc = f"docs/sources.md#{kind}"
    if error["type"] == "extra_forbidden":
        return f"unknown field for a '{kind}' source; remove it or check its spelling (see {doc})"
    return validation_message(error, doc)


class AlertRouteConfig(_Strict):
    url: str = Field(description="Apprise URL (mailto://…, json://host/path) or 'console'")
    min_severity: Severity = "watch"
    name: str | None = None
    language: str | None = Field(
        default=None,
        description="Language of this route's notifications: en, he or pl (default: the "
        "workspace's first language that has one, else en)",
    )

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        from flarewatch.i18n.languages import LANGUAGES

        if value is not None and value not in LANGUAGES:
            raise ValueError(
                f"notifications cannot be written in {value!r}: there is no translation "
                f"catalogue for it; use one of {', '.join(LANGUAGES)}, or leave language out"
            )
        return value


def _known_backend(value: str) -> str:
    # The backend registry is the one list: a new backend needs no edit here.
    from flarewatch.enrich.sentiment.registry import SENTIMENT_BACKENDS

    if value not in SENTIMENT_BACKENDS:
        quoted = [repr(name) for name in SENTIMENT_BACKENDS]
        expected = f"{', '.join(quoted[:-1])} or {quoted[-1]}" if len(quoted) > 1 else quoted[0]
        raise PydanticCustomError(
            "literal_error", "Input should be {expected}", {"expected": expected}
        )
    return value


class WorkspaceConfig(_Strict):
    slug: str
    name: str
    languages: list[str] = Field(default_factory=lambda: ["en"])
    timezone: str = "UTC"
    weekend: list[str] | None = Field(
        default=None, description="Local weekend days, e.g. ['fri', 'sat'] in Israel"
    )
    auto_case_severity: Severity | Literal["never"] = "crisis"
    sensitivity: Literal["fewer", "balanced", "more"] = "balanced"
    sentiment_backend: str = Field(
        default="default",
        description="default (fast), use or e5 (slower, more accurate offline), transformers",
    )
    # The accurate model an alert's mentions are re-scored with before it goes out (alerts/
    # rescoring.py); None: alerts use the pipeline's scores as they are.
    alert_sentiment_backend: str | None = Field(
        default=None,
        description="use or e5: re-score an alert's mentions with it before the alert goes out",
    )
    alert_rescore_posts: int = Field(
        default=200, ge=1, le=5000, description="At most this many of an alert's mentions"
    )
    alert_rescore_budget_seconds: float = Field(
        default=2.0, ge=0.0, le=60.0, description="How long re-scoring may hold an alert"
    )
    alert_cooldown_minutes: int = Field(
        default=30, ge=0, le=1440, description="Quiet time after an alert is resolved or noise"
    )
    topics: list[TopicConfig] = Field(default_factory=list)
    sources: list[SourceConfig] = Field(default_factory=list)
    alert_routes: list[AlertRouteConfig] = Field(default_factory=list)
    crisis_terms: list[str] = Field(default_factory=list)
    watch_authors: list[str] = Field(default_factory=list)
    # On call (docs/oncall.md): who can be paged, the rotas, and the escalation per severity.
    people: list[PersonConfig] = Field(default_factory=list)
    rotas: list[RotaConfig] = Field(default_factory=list)
    escalation: list[EscalationPolicyConfig] = Field(default_factory=list)
    digests: list[DigestConfig] = Field(default_factory=list)  # docs/oncall.md, "Digests"
    working_hours: str = Field(
        default="09:00-18:00", description="Local working hours, for page = 'working_hours'"
    )
    holidays_country: str | None = Field(
        default=None, description="ISO 3166 country code whose public holidays are days off"
    )
    followup: room.FollowupConfig = Field(default_factory=room.FollowupConfig)  # docs/cases.md
    case_types: list[room.CaseTypeConfig] = Field(default_factory=list)
    owners: list[room.OwnerConfig] = Field(default_factory=list)
    roles: list[room.RoleConfig] = Field(default_factory=list)
    role_rules: list[room.RoleRuleConfig] = Field(default_factory=list)
    tasks: room.TasksConfig = Field(default_factory=room.TasksConfig)

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG_RE.match(value):
            raise ValueError("use lower-case letters, digits and dashes, e.g. 'acme-burgers'")
        return value

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("name at least one language, e.g. languages = ['en']")
        bad = [v for v in value if v not in supported_languages()]
        if bad:
            raise ValueError(
                f"unsupported language code(s) {bad}; use two-letter ISO 639-1 codes such as "
                f"'en', 'he', 'pl'; supported: {', '.join(supported_languages())}"
            )
        return value

    @field_validator("weekend")
    @classmethod
    def _weekend(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        days = {**WEEKDAY_NAMES, **{short: short for short in WEEKDAY_NAMES.values()}}
        bad = [v for v in value if v.lower() not in days]
        if bad:
            raise ValueError(
                f"{', '.join(repr(v) for v in bad)} is not a day name; use "
                f"{', '.join(WEEKDAY_NAMES.values())} (or the full English names), "
                "e.g. weekend = ['fri', 'sat']"
            )
        return [days[v.lower()] for v in value]

    @field_validator("working_hours")
    @classmethod
    def _working_hours(cls, value: str) -> str:
        start, end = parse_hours(value)
        if end < start:
            raise ValueError(f"{value!r} runs past midnight; working hours end on the same day")
        return value

    @field_validator("holidays_country")
    @classmethod
    def _holidays_country(cls, value: str | None) -> str | None:
        if value is None:
            return None
        import holidays

        code = value.upper()
        if code not in holidays.list_supported_countries():
            raise ValueError(
                f"no public holidays are known for {value!r}; use a two-letter ISO 3166 "
                "country code such as 'IL', 'PL' or 'GB', or leave holidays_country out"
            )
        return code

    @field_validator("alert_sentiment_backend")
    @classmethod
    def _known_alert_backend(cls, value: str | None) -> str | None:
        return None if value is None else _known_backend(value)

    @field_validator("sentiment_backend")
    @classmethod
    def _known_sentiment_backend(cls, value: str) -> str:
        return _known_backend(value)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown timezone {value!r}; use an IANA name such as 'Asia/Jerusalem'"
            ) from None
        return value

    def check_queries(self) -> list[str]:
        """Problems with the topics' boolean queries, as user-facing lines."""
        raw = [topic.model_dump() for topic in self.topics]
        return [p.describe() for p in _query_problems(raw, LineMap(""))]


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
    problems += _content_problems(read.data, read.line_map, base_dir)
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


def _items(data: dict[str, Any], name: str) -> list[tuple[int, dict[str, Any]]]:
    """The tables of array `name` that are tables at all (anything else is a field error)."""
    value = data.get(name)
    if not isinstance(value, list):
        return []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, dict)]


def _content_problems(
    data: dict[str, Any], lines: LineMap, base_dir: Path | None
) -> list[ConfigProblem]:
    """Checks of what the fields name, on the raw data: they run even when other fields are
    invalid, skipping only values whose own type is wrong (pydantic reports those)."""

    def problem(path: KeyPath, message: str, blocking: bool = True) -> ConfigProblem:
        return ConfigProblem(key_path_text(path), message, lines.line_of(path), blocking)

    problems: list[ConfigProblem] = []
    for name in ("topics", "sources"):
        first: dict[str, int] = {}
        for index, item in _items(data, name):
            key = item.get("key")
            if not isinstance(key, str):
                continue
            if key in first:
                problems.append(
                    problem(
                        (name, index, "key"),
                        f"the key {key!r} is already used by {name}[{first[key]}]; "
                        f"give each of the {name} its own key",
                    )
                )
            first.setdefault(key, index)
    problems += _query_problems([item for _, item in _items(data, "topics")], lines)
    problems += _route_problems(data, problem)
    problems += oncall_problems(data, problem) + digest_problems(data, problem)
    problems += room.room_problems(data, problem)
    problems += _source_problems(data, problem, base_dir)
    from flarewatch.enrich.sentiment import SENTIMENT_BACKENDS, backend_install_problem

    for key in ("sentiment_backend", "alert_sentiment_backend"):
        backend = data.get(key)
        if isinstance(backend, str):
            missing = backend_install_problem(backend) if backend in SENTIMENT_BACKENDS else None
            if missing:
                problems.append(problem((key,), missing))
    return problems


def _query_problems(topics: list[dict[str, Any]], lines: LineMap) -> list[ConfigProblem]:
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
            problem(("sources", index, *e["loc"]), _option_message(e, kind)) for e in err.errors()
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
