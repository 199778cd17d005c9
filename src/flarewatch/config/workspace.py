"""Workspace files: one TOML file per client brand.

A bad file is reported with the file, the field and what to change, never with a bare traceback,
because the people who edit these files are communicators, not Python programmers.
"""

from __future__ import annotations

import re
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

Severity = Literal["watch", "warning", "crisis"]
SEVERITIES: tuple[str, ...] = ("watch", "warning", "crisis")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class WorkspaceConfigError(ValueError):
    """A workspace file that cannot be used, with every problem found in it."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
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


class SourceConfig(_Strict):
    key: str
    kind: str = Field(description="file, rss or scenario (see docs/sources.md)")
    path: str | None = None
    url: str | None = None
    platform: str | None = None
    # 0 or unset replays a scenario as fast as possible; 120 runs two hours in one minute.
    speed: float | None = Field(default=None, ge=0)
    enabled: bool = True
    # Scenario replays only: when the trigger happens (default: when the replay starts), and
    # how many days of baseline chatter come before it (default: the scenario's own).
    start: datetime | None = None
    history_days: float | None = Field(default=None, ge=0, le=60)

    @model_validator(mode="after")
    def _needs_location(self) -> SourceConfig:
        if self.kind in {"file", "scenario"} and not self.path:
            raise ValueError(f"a '{self.kind}' source needs 'path = \"...\"'")
        if self.kind == "rss" and not self.url:
            raise ValueError("an 'rss' source needs 'url = \"https://...\"'")
        if self.start is not None and self.start.tzinfo is None:
            raise ValueError("'start' needs a time zone, e.g. start = 2024-06-11T12:00:00+03:00")
        return self


class AlertRouteConfig(_Strict):
    url: str = Field(description="Apprise URL (mailto://…, json://host/path) or 'console'")
    min_severity: Severity = "watch"
    name: str | None = None


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
    sentiment_backend: Literal["default", "use", "e5", "transformers"] = Field(
        default="default",
        description="default (fast), use or e5 (slower, more accurate offline), transformers",
    )
    alert_cooldown_minutes: int = Field(
        default=30, ge=0, le=1440, description="Quiet time after an alert is resolved or noise"
    )
    topics: list[TopicConfig] = Field(default_factory=list)
    sources: list[SourceConfig] = Field(default_factory=list)
    alert_routes: list[AlertRouteConfig] = Field(default_factory=list)
    crisis_terms: list[str] = Field(default_factory=list)
    watch_authors: list[str] = Field(default_factory=list)

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG_RE.match(value):
            raise ValueError("use lower-case letters, digits and dashes, e.g. 'acme-burgers'")
        return value

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        bad = [v for v in value if not re.fullmatch(r"[a-z]{2}", v)]
        if bad:
            raise ValueError(f"use two-letter ISO 639-1 codes such as 'en', 'he', 'pl' (got {bad})")
        if not value:
            raise ValueError("name at least one language, e.g. languages = ['en']")
        return value

    @field_validator("sentiment_backend")
    @classmethod
    def _backend_installed(cls, value: str) -> str:
        from flarewatch.enrich.sentiment import backend_install_problem

        problem = backend_install_problem(value)
        if problem:
            raise ValueError(problem)
        return value

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

    @model_validator(mode="after")
    def _unique_keys(self) -> WorkspaceConfig:
        for kind, items in (("topic", self.topics), ("source", self.sources)):
            seen: set[str] = set()
            for item in items:
                if item.key in seen:
                    raise ValueError(f"two {kind}s use the key {item.key!r}; keys must be unique")
                seen.add(item.key)
        return self

    def check_queries(self) -> list[str]:
        """Problems with the topics' boolean queries, as user-facing lines."""
        from flarewatch.query import QuerySyntaxError, parse

        problems = []
        for index, topic in enumerate(self.topics):
            try:
                parse(topic.query)
            except QuerySyntaxError as err:
                problems.append(
                    f"topics[{index}].query ({topic.key}): {err.message} at column {err.column}"
                    f"\n      {err.query}\n      {' ' * (err.column - 1)}^"
                )
        return problems


def describe_validation_error(error: Any, doc: str) -> str:
    """One pydantic error as `field.path: what to do`, pointing at `doc` for the fields."""
    location = ""
    for part in error["loc"]:
        location += f"[{part}]" if isinstance(part, int) else (f".{part}" if location else part)
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = f"unknown field; remove it or check its spelling (see {doc})"
    elif error["type"] == "missing":
        message = f"required field is missing; add it (see {doc})"
    return f"{location or '(top level)'}: {message}"


def parse_workspace_toml(text: str, source: str = "<workspace>") -> WorkspaceConfig:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise WorkspaceConfigError(source, [f"not valid TOML: {err}"]) from None
    try:
        config = WorkspaceConfig.model_validate(data)
    except ValidationError as err:
        raise WorkspaceConfigError(
            source, [describe_validation_error(e, "docs/configuration.md") for e in err.errors()]
        ) from None
    problems = config.check_queries()
    if problems:
        raise WorkspaceConfigError(source, problems)
    return config


def load_workspace_file(path: Path) -> WorkspaceConfig:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WorkspaceConfigError(str(path), ["file not found; check the path"]) from None
    except UnicodeDecodeError:
        problem = "file is not UTF-8 text; save it as UTF-8"
        raise WorkspaceConfigError(str(path), [problem]) from None
    return parse_workspace_toml(text, str(path))
