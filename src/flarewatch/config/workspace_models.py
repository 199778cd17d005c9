"""The workspace file's models: topics, sources, alert routes and the workspace itself.

Each field's validator says what to change in words a communicator can act on; the checks that
read what the fields name (queries, files, notification schemes) are in `workspace_content.py`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from flarewatch.cases import room_config as room
from flarewatch.comms.advocates.config import AdvocateConfig
from flarewatch.comms.ai_drafting.config import AIDraftingConfig
from flarewatch.comms.approval_config import ApprovalsConfig
from flarewatch.comms.publishing.channel_config import ChannelConfig
from flarewatch.comms.replies.config import RepliesConfig
from flarewatch.comms.stakeholders.config import StakeholderUpdateConfig
from flarewatch.config.toml_source import ConfigProblem, LineMap
from flarewatch.config.workspace_messages import key_path_text, option_message
from flarewatch.digests.config import DigestConfig
from flarewatch.oncall.config import (
    EscalationPolicyConfig,
    PersonConfig,
    RotaConfig,
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
            found = [(tuple(e["loc"]), option_message(e, self.kind)) for e in err.errors()]
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
    # Stakeholder updates and advocates (docs/communication-stakeholders.md).
    stakeholder_updates: list[StakeholderUpdateConfig] = Field(default_factory=list)
    advocates: list[AdvocateConfig] = Field(default_factory=list)
    # The brand's own accounts approved drafts are published through (comms/publishing).
    channels: list[ChannelConfig] = Field(default_factory=list)
    replies: RepliesConfig = Field(default_factory=RepliesConfig)  # docs/communication.md
    approvals: ApprovalsConfig = Field(default_factory=ApprovalsConfig)  # docs/communication.md
    # Optional AI drafting (docs/communication-public-ai.md); None: off.
    ai_drafting: AIDraftingConfig | None = None

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
        from flarewatch.config.workspace_content import query_problems

        return [p.describe() for p in query_problems(raw, LineMap(""))]


def file_fields(stored: Mapping[str, Any] | None) -> dict[str, Any]:
    """A workspace's stored configuration (`Workspace.config`) cut to the workspace file's own
    fields: without `base_dir` (where a synced file was read from, workspaces/service.py) and
    the web's on-call origin marks (oncall/editing.py), which the file's model refuses."""
    return {k: v for k, v in (stored or {}).items() if k in WorkspaceConfig.model_fields}
