"""The workspace file's `[[people]]`, `[[rotas]]` and `[[escalation]]` tables, and their checks.

Field checks live on the models; what the fields name (rota members, `person:`/`rota:`/`route:`
targets, contact URLs) is checked across the whole file by `oncall_problems`, so that
`workspace check` points at the exact table and key to fix.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, time
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from flarewatch.config.repeats import repeated

# Kept here rather than imported from config/workspace.py, which imports this module.
OncallSeverity = Literal["watch", "warning", "crisis"]
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
DAY_NAMES: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TARGET_KINDS: tuple[str, ...] = ("rota", "person", "route")
_CLOCK_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_HOURS_RE = re.compile(r"^\s*(\S+)\s*-\s*(\S+)\s*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def parse_clock(value: str) -> time:
    """'09:00' as a time; ValueError with the expected form otherwise."""
    found = _CLOCK_RE.match(value.strip())
    if not found:
        raise ValueError(f"{value!r} is not a time of day; write it as HH:MM, e.g. '09:00'")
    return time(int(found.group(1)), int(found.group(2)))


def parse_hours(value: str) -> tuple[time, time]:
    """'09:00-18:00' as (start, end); an end at or before the start runs past midnight."""
    found = _HOURS_RE.match(value)
    if not found:
        raise ValueError(f"{value!r} is not a span of hours; write it as '09:00-18:00'")
    start, end = parse_clock(found.group(1)), parse_clock(found.group(2))
    if start == end:
        raise ValueError(f"{value!r} is empty: the start and the end are the same time")
    return start, end


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown timezone {value!r}; use an IANA name such as 'Asia/Jerusalem'"
        ) from None
    return value


def _key(value: str) -> str:
    if not KEY_RE.match(value):
        raise ValueError("use lower-case letters, digits, '-' and '_', e.g. 'dana' or 'duty'")
    return value


def _days(value: list[str]) -> list[str]:
    out = []
    for day in value:
        short = day.strip().lower()[:3]
        if short not in DAY_NAMES or not day.strip().isalpha():
            raise ValueError(
                f"{day!r} is not a day name; use {', '.join(DAY_NAMES)}, e.g. ['fri', 'sat']"
            )
        out.append(short)
    return out


class PersonConfig(_Strict):
    """One `[[people]]` table: a member who can be paged, and how."""

    key: str
    name: str | None = None
    timezone: str = Field(default="UTC", description="The person's own IANA timezone")
    notify: list[str] = Field(
        min_length=1,
        description="Contact methods as Apprise URLs (mailto://…, tgram://…, ntfy://…)",
    )
    language: str | None = Field(
        default=None,
        description="Language of the pages this person gets: en, he or pl (default: the "
        "workspace's first language that has one, else en)",
    )

    @field_validator("key")
    @classmethod
    def _check_key(cls, value: str) -> str:
        return _key(value)

    @field_validator("timezone")
    @classmethod
    def _check_zone(cls, value: str) -> str:
        return _timezone(value)

    @field_validator("language")
    @classmethod
    def _check_language(cls, value: str | None) -> str | None:
        from flarewatch.i18n.languages import LANGUAGES

        if value is not None and value not in LANGUAGES:
            raise ValueError(
                f"no catalogue for {value!r}; use one of {', '.join(LANGUAGES)}, e.g. 'he'"
            )
        return value


class LayerConfig(_Strict):
    """A rotation: who takes which shift. A rota's own keys are its first layer."""

    rotation: Literal["daily", "weekly"] = "weekly"
    handover: str = Field(
        default="mon 09:00", description="'sun 09:00' for weekly, '09:00' for daily rotations"
    )
    members: list[str] = Field(default_factory=list)
    start: date = Field(
        default=date(2026, 1, 1),
        description="The first member's shift is the first that begins on or after this date",
    )
    days: list[str] | None = Field(
        default=None, description="Only on these days (rota's timezone), e.g. ['fri', 'sat']"
    )
    hours: str | None = Field(
        default=None, description="Only in these hours (rota's timezone), e.g. '18:00-09:00'"
    )

    @field_validator("days")
    @classmethod
    def _check_days(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _days(value)

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: str | None) -> str | None:
        if value is not None:
            parse_hours(value)
        return value

    @model_validator(mode="after")
    def _handover_form(self) -> LayerConfig:
        self.handover_at()
        return self

    def handover_at(self) -> tuple[int | None, time]:
        """(weekday 0=Monday or None for daily, time of day) of the handover."""
        parts = self.handover.split()
        if self.rotation == "daily":
            if len(parts) != 1:
                raise ValueError(
                    f"handover {self.handover!r}: a daily rotation hands over at a time of day, "
                    "e.g. handover = '09:00'"
                )
            return None, parse_clock(parts[0])
        if len(parts) != 2 or parts[0].lower()[:3] not in DAY_NAMES:
            raise ValueError(
                f"handover {self.handover!r}: a weekly rotation hands over on a day at a time, "
                "e.g. handover = 'sun 09:00'"
            )
        return DAY_NAMES.index(parts[0].lower()[:3]), parse_clock(parts[1])


class OverrideConfig(_Strict):
    """Someone else on call for a period, whatever the layers say."""

    person: str
    start: datetime = Field(description="Local time in the rota's timezone, or with an offset")
    end: datetime

    @model_validator(mode="after")
    def _order(self) -> OverrideConfig:
        if (self.start.tzinfo is None) != (self.end.tzinfo is None):
            raise ValueError("give both start and end with an offset, or neither")
        if self.end <= self.start:
            raise ValueError(
                f"end {self.end.isoformat()} is not after start {self.start.isoformat()}"
            )
        return self


class RotaConfig(LayerConfig):
    """One `[[rotas]]` table: its own rotation (the first layer), further layers, overrides."""

    key: str
    name: str | None = None
    timezone: str = "UTC"
    layers: list[LayerConfig] = Field(
        default_factory=list, description="Later layers win where their days and hours apply"
    )
    overrides: list[OverrideConfig] = Field(default_factory=list)

    @field_validator("key")
    @classmethod
    def _check_key(cls, value: str) -> str:
        return _key(value)

    @field_validator("timezone")
    @classmethod
    def _check_zone(cls, value: str) -> str:
        return _timezone(value)

    def all_layers(self) -> list[LayerConfig]:
        """The rota's own rotation first, then its `layers` (the last applicable one wins)."""
        own = LayerConfig.model_validate(self.model_dump(include=set(LayerConfig.model_fields)))
        return [own, *self.layers]


class StepConfig(_Strict):
    """One escalation step: whom to notify, how long to wait for an acknowledgement, how often."""

    notify: str = Field(description="'rota:KEY', 'person:KEY' or 'route:NAME'")
    wait_minutes: int = Field(default=5, ge=0, le=24 * 60)
    repeat: int = Field(default=1, ge=1, le=20, description="Send this step this many times")

    @field_validator("notify")
    @classmethod
    def _target_form(cls, value: str) -> str:
        kind, _, key = value.partition(":")
        if kind not in TARGET_KINDS or not key:
            raise ValueError(
                f"{value!r} names no one; write 'rota:KEY', 'person:KEY' or 'route:NAME'"
            )
        return value

    def target(self) -> tuple[str, str]:
        kind, _, key = self.notify.partition(":")
        return kind, key


class EscalationPolicyConfig(_Strict):
    """One `[[escalation]]` table: the steps for alerts at or above `severity`."""

    severity: OncallSeverity
    page: Literal["any_time", "working_hours"] = Field(
        default="any_time",
        description="working_hours: outside them (weekend, holiday, night) no one is paged; "
        "the alert waits for the digest",
    )
    steps: list[StepConfig] = Field(min_length=1)
    remind_minutes: int | None = Field(
        default=None,
        ge=1,
        le=7 * 24 * 60,
        description="While acknowledged and untouched this long, remind whoever was paged; "
        "again every as many minutes (none: no reminders)",
    )
    unacknowledge_minutes: int | None = Field(
        default=None,
        ge=1,
        le=30 * 24 * 60,
        description="Acknowledged but untouched this long: the acknowledgement lapses and "
        "the escalation starts again from its first step (none: it never lapses)",
    )
    ack_link_hours: int = Field(
        default=24,
        ge=1,
        le=30 * 24,
        description="How long the signed acknowledgement link in each message stays valid",
    )

    @model_validator(mode="after")
    def _reminders_before_lapse(self) -> EscalationPolicyConfig:
        if (
            self.remind_minutes is not None
            and self.unacknowledge_minutes is not None
            and self.remind_minutes >= self.unacknowledge_minutes
        ):
            raise ValueError(
                f"remind_minutes ({self.remind_minutes}) must be shorter than "
                f"unacknowledge_minutes ({self.unacknowledge_minutes}), or no reminder is "
                "ever sent before the acknowledgement lapses"
            )
        return self


def _item_list(data: dict[str, Any], name: str) -> list[tuple[int, dict[str, Any]]]:
    value = data.get(name)
    if not isinstance(value, list):
        return []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, dict)]


def _keys(data: dict[str, Any], name: str) -> set[str]:
    return {item["key"] for _, item in _item_list(data, name) if isinstance(item.get("key"), str)}


Problem = Callable[[tuple[Any, ...], str], Any]


def oncall_problems(data: dict[str, Any], problem: Problem) -> list[Any]:
    """What `people`, `rotas` and `escalation` name that the file does not have.

    Runs on the raw data, skipping values of the wrong type (the models report those);
    `problem(path, message)` makes one report.
    """
    from flarewatch.alerts.notify import route_problem

    out: list[Any] = []
    people, rotas = _keys(data, "people"), _keys(data, "rotas")
    routes = {
        item["name"]
        for _, item in _item_list(data, "alert_routes")
        if isinstance(item.get("name"), str)
    }
    out += _duplicates(data, "people", problem) + _duplicates(data, "rotas", problem)
    for index, person in _item_list(data, "people"):
        for n, url in enumerate(person.get("notify") or []):
            wrong = route_problem(url.strip()) if isinstance(url, str) else None
            if wrong:
                out.append(problem(("people", index, "notify", n), wrong))
    known = f"people: {', '.join(sorted(people)) or 'none yet'}"
    for index, rota in _item_list(data, "rotas"):
        layers = [((), rota)] + [
            (("layers", n), layer)
            for n, layer in enumerate(rota.get("layers") or [])
            if isinstance(layer, dict)
        ]
        for where, layer in layers:
            for n, member in enumerate(layer.get("members") or []):
                if isinstance(member, str) and member not in people:
                    out.append(
                        problem(
                            ("rotas", index, *where, "members", n),
                            f"{member!r} is not one of the people; add them under people or "
                            f"fix the key ({known})",
                        )
                    )
        for n, override in enumerate(rota.get("overrides") or []):
            who = override.get("person") if isinstance(override, dict) else None
            if isinstance(who, str) and who not in people:
                out.append(
                    problem(
                        ("rotas", index, "overrides", n, "person"),
                        f"{who!r} is not one of the people ({known})",
                    )
                )
    names = {"rota": rotas, "person": people, "route": routes}
    plural = {"rota": "rotas", "person": "people", "route": "named alert routes"}
    for index, policy in _item_list(data, "escalation"):
        steps = policy.get("steps")
        for n, step in enumerate(steps if isinstance(steps, list) else []):
            target = step.get("notify") if isinstance(step, dict) else None
            if not isinstance(target, str):
                continue
            kind, _, key = target.partition(":")
            if kind in names and key and key not in names[kind]:
                have = ", ".join(sorted(names[kind])) or "none"
                hint = " (give the route a name = …)" if kind == "route" else ""
                out.append(
                    problem(
                        ("escalation", index, "steps", n, "notify"),
                        f"{target!r}: there is no {kind} {key!r}{hint}; {plural[kind]}: {have}",
                    )
                )
    first: dict[str, int] = {}
    for index, policy in _item_list(data, "escalation"):
        severity = policy.get("severity")
        if not isinstance(severity, str):
            continue
        if severity in first:
            out.append(
                problem(
                    ("escalation", index, "severity"),
                    f"a policy for {severity!r} is already given in escalation[{first[severity]}]; "
                    "keep one per severity",
                )
            )
        first.setdefault(severity, index)
    return out


def _duplicates(data: dict[str, Any], name: str, problem: Problem) -> list[Any]:
    return repeated(data, name, problem, fix="give each its own key")


def policy_for(
    policies: Sequence[EscalationPolicyConfig], severity: str
) -> EscalationPolicyConfig | None:
    """The policy of the highest severity at or below `severity`, or None."""
    rank = {name: n for n, name in enumerate(("watch", "warning", "crisis"))}
    fitting = [p for p in policies if rank[p.severity] <= rank[severity]]
    return max(fitting, key=lambda p: rank[p.severity], default=None)


class NamedRouteConfig(BaseModel):
    """The part of an `[[alert_routes]]` table a `route:NAME` step needs."""

    model_config = ConfigDict(extra="ignore")

    url: str
    name: str | None = None


class OncallConfig(BaseModel):
    """The on-call part of a stored workspace configuration (`Workspace.config`).

    The runner reads only this part, so a field elsewhere in the file that a newer or older
    version judges differently cannot stop an escalation.
    """

    model_config = ConfigDict(extra="ignore")

    timezone: str = "UTC"
    weekend: list[str] | None = None
    working_hours: str = "09:00-18:00"
    holidays_country: str | None = None
    alert_routes: list[NamedRouteConfig] = Field(default_factory=list)
    people: list[PersonConfig] = Field(default_factory=list)
    rotas: list[RotaConfig] = Field(default_factory=list)
    escalation: list[EscalationPolicyConfig] = Field(default_factory=list)
