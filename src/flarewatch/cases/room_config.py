"""The workspace file's case-room settings (docs/cases.md): the follow-up watch after a
response (`[followup]`), the case types (`[[case_types]]`) and the owners cases are routed to
(`[[owners]]`). Plain pydantic models, imported by config/workspace.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class FollowupConfig(BaseModel):
    """`[followup]`: how long a case is watched after it moves to monitoring, and the rule
    that calls a relapse (docs/cases.md, "Return to routine")."""

    model_config = ConfigDict(extra="forbid")

    days: int = Field(default=7, ge=1, le=90, description="How many days the watch lasts")
    window_hours: int = Field(
        default=6, ge=1, le=72, description="The stretch of time each check compares"
    )
    volume_factor: float = Field(
        default=2.0,
        ge=1.0,
        le=100.0,
        description="Relapse when the story's posts reach this many times the settled level",
    )
    min_posts: int = Field(
        default=10, ge=1, le=100_000, description="…and at least this many posts in the window"
    )
    negative_rise: float = Field(
        default=0.15,
        gt=0.0,
        le=1.0,
        description="Relapse when the negative share rises this much above the settled share",
    )


# The case types a workspace has when its file names none (issue 20 §2); their names are
# translated (cases/routing.py). A workspace's own `[[case_types]]` replace them.
DEFAULT_CASE_TYPES: tuple[str, ...] = (
    "product_safety",
    "service_failure",
    "employee_conduct",
    "data_privacy",
    "legal",
    "false_accusation",
    "executive_statement",
)


class OwnerConfig(BaseModel):
    """`[[owners]]`: a person or team inside the brand who can check the facts of a case."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    key: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["person", "team"] = "team"
    contacts: list[str] = Field(
        min_length=1,
        description="How to reach them: Apprise URLs (mailto://…, slack://…, tgram://…)",
    )


class CaseTypeConfig(BaseModel):
    """`[[case_types]]`: a kind of case and the owner a case of that kind is routed to."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    key: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    name: str | None = Field(default=None, description="Shown name; built-in keys are translated")
    owner: str | None = Field(default=None, description="The key of an [[owners]] table")
    answer_within_minutes: int = Field(
        default=60, ge=1, le=7 * 24 * 60, description="Unanswered after this, it escalates"
    )
    escalate_to: str | None = Field(
        default=None,
        description="rota:KEY, person:KEY or route:NAME; default: the first step of the "
        "escalation policy for the case's severity",
    )


# The roles a workspace has when its file names none (issue 20 §3), translated in cases/roles.py.
DEFAULT_ROLES: tuple[str, ...] = (
    "incident_lead",
    "spokesperson",
    "legal",
    "social_media",
    "customer_care",
    "it",
    "executive",
)


class RoleConfig(BaseModel):
    """`[[roles]]`: a role on a case and the checklist its holder gets as tasks."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    key: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    name: str | None = Field(default=None, description="Shown name; built-in keys are translated")
    checklist: list[str] = Field(
        default_factory=list, description="Tasks the holder gets when the role is assigned"
    )
    checklist_due_minutes: int = Field(
        default=60,
        ge=1,
        le=30 * 24 * 60,
        description="The checklist's tasks are due this long after",
    )


class RoleRuleConfig(BaseModel):
    """`[[role_rules]]`: who takes a role on a case, by its severity and type."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    role: str
    person: str = Field(description="The e-mail of a member of the workspace")
    min_severity: Literal["watch", "warning", "crisis"] = "watch"
    case_types: list[str] = Field(
        default_factory=list, description="Only cases of these types (routing sets the type)"
    )


class TasksConfig(BaseModel):
    """`[tasks]`: reminders of a case's tasks."""

    model_config = ConfigDict(extra="forbid")

    remind_minutes: int = Field(
        default=30, ge=0, le=7 * 24 * 60, description="Remind the assignee this long before due"
    )


def room_problems(
    data: dict[str, Any], problem: Callable[[tuple[Any, ...], str], Any]
) -> list[Any]:
    """What `[[case_types]]`, `[[owners]]`, `[[roles]]` and `[[role_rules]]` name that the file
    does not have, and duplicate keys; on the raw data (the models report wrong types)."""
    from flarewatch.alerts.notify import route_problem

    def items(name: str) -> list[tuple[int, dict[str, Any]]]:
        value = data.get(name)
        return [
            (i, v)
            for i, v in enumerate(value if isinstance(value, list) else [])
            if isinstance(v, dict)
        ]

    out: list[Any] = []
    keys: dict[str, set[str]] = {}
    for name in ("owners", "case_types", "roles"):
        seen: dict[str, int] = {}
        for index, item in items(name):
            key = item.get("key")
            if not isinstance(key, str):
                continue
            if key in seen:
                out.append(
                    problem(
                        (name, index, "key"),
                        f"the key {key!r} is already used by {name}[{seen[key]}]",
                    )
                )
            seen.setdefault(key, index)
        keys[name] = set(seen)
    for index, owner in items("owners"):
        for n, url in enumerate(owner.get("contacts") or []):
            wrong = route_problem(url.strip()) if isinstance(url, str) else None
            if wrong:
                out.append(problem(("owners", index, "contacts", n), wrong))
    owners = ", ".join(sorted(keys["owners"])) or "none yet"
    people = {p.get("key") for _, p in items("people")}
    rotas = {r.get("key") for _, r in items("rotas")}
    routes = {r.get("name") for _, r in items("alert_routes")}
    targets = {"rota": rotas, "person": people, "route": routes}
    for index, case_type in items("case_types"):
        owner = case_type.get("owner")
        if isinstance(owner, str) and owner not in keys["owners"]:
            out.append(
                problem(
                    ("case_types", index, "owner"),
                    f"{owner!r} is not one of the owners; add an [[owners]] table with its "
                    f"contacts or fix the key (owners: {owners})",
                )
            )
        target = case_type.get("escalate_to")
        if isinstance(target, str):
            kind, _, key = target.partition(":")
            if kind not in targets or not key:
                out.append(
                    problem(
                        ("case_types", index, "escalate_to"),
                        f"{target!r} names no one; write 'rota:KEY', 'person:KEY' or 'route:NAME'",
                    )
                )
            elif key not in targets[kind]:
                out.append(
                    problem(
                        ("case_types", index, "escalate_to"),
                        f"{target!r}: there is no {kind} {key!r} in this file",
                    )
                )
    roles = keys["roles"] or set(DEFAULT_ROLES)
    for index, rule in items("role_rules"):
        role = rule.get("role")
        if isinstance(role, str) and role not in roles:
            out.append(
                problem(
                    ("role_rules", index, "role"),
                    f"{role!r} is not one of the roles ({', '.join(sorted(roles))})",
                )
            )
    return out
