"""The workspace file's `[[stakeholder_updates]]` tables: which internal audience gets a
summary of each open case, where, in which language, and how often by the case's severity.

```toml
[[stakeholder_updates]]
audience = "executives"               # or marketing, hr, customer_care, or a name of your own
routes = ["route:exec-mail", "person:dana"]  # as a digest's `to`: person, route or a URL
language = "he"                       # optional: else each route's language
cadence = { crisis = 60, warning = 240, watch = 1440 }  # minutes; a severity left out: none
```
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from flarewatch.config.repeats import repeated
from flarewatch.i18n.labels import LABELS

SEVERITIES: tuple[str, ...] = ("watch", "warning", "crisis")
# The audiences a workspace names most: their names are catalogue labels (i18n/labels.py, also
# how timeline entries and the CLI name them); an audience of the workspace's own is shown as
# written.
BUILT_IN_AUDIENCES: tuple[str, ...] = ("executives", "marketing", "hr", "customer_care")
AUDIENCE_NAMES: dict[str, str] = {key: LABELS[key] for key in BUILT_IN_AUDIENCES}
MIN_CADENCE = 5  # minutes; the runtime's cycle is about a minute, a tighter cadence is noise
MAX_CADENCE = 7 * 24 * 60


class StakeholderUpdateConfig(BaseModel):
    """One `[[stakeholder_updates]]` table."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    audience: str = Field(
        pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$",
        description="executives, marketing, hr, customer_care or a key of your own",
    )
    routes: list[str] = Field(
        min_length=1,
        description="'person:KEY', 'route:NAME' or an Apprise URL (mailto://… gets HTML)",
    )
    language: str | None = Field(
        default=None,
        description="en, he or pl; default: each route's language, else the workspace's first",
    )
    cadence: dict[str, int] = Field(
        min_length=1,
        description="Minutes between updates per case severity, e.g. {crisis = 60, watch = 1440}",
    )

    @field_validator("cadence")
    @classmethod
    def _cadence(cls, value: dict[str, int]) -> dict[str, int]:
        for severity, minutes in value.items():
            if severity not in SEVERITIES:
                middle = (
                    " ('warning' is the one between watch and crisis)"
                    if severity
                    in (
                        "high",
                        "medium",
                    )
                    else ""
                )
                raise ValueError(
                    f"cadence names the severity {severity!r}; use {', '.join(SEVERITIES)}"
                    f"{middle} (a severity left out gets no updates)"
                )
            if not MIN_CADENCE <= minutes <= MAX_CADENCE:
                raise ValueError(
                    f"cadence {severity} = {minutes}: use {MIN_CADENCE} to {MAX_CADENCE} "
                    "minutes (a week)"
                )
        return value

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        from flarewatch.i18n.languages import LANGUAGES

        if value is not None and value not in LANGUAGES:
            raise ValueError(f"language {value!r}: use one of {', '.join(LANGUAGES)}")
        return value

    def every(self, severity: str) -> int | None:
        """Minutes between updates for a case of `severity`; None: it gets none."""
        return self.cadence.get(severity)


def audience_name(audience: str) -> str:
    """The audience's English name (a catalogue entry for the built-in ones)."""
    return AUDIENCE_NAMES.get(audience, audience)


def target_problems(
    data: dict[str, Any],
    table: str,
    field: str,
    problem: Callable[[tuple[Any, ...], str], Any],
    *,
    allow: tuple[str, ...] = (),  # lower case
) -> list[Any]:
    """Targets of `[[table]]` `field` (a string or a list of them) that name a person or route
    the file lacks, or a URL Apprise cannot read; `allow` are words taken as they are."""
    from flarewatch.alerts.notify import route_problem

    def names(items_name: str, key: str) -> set[str]:
        items = data.get(items_name)
        return {
            item[key]
            for item in (items if isinstance(items, list) else [])
            if isinstance(item, dict) and isinstance(item.get(key), str)
        }

    known = {"person": names("people", "key"), "route": names("alert_routes", "name")}
    out = []
    tables = data.get(table)
    for index, entry in enumerate(tables if isinstance(tables, list) else []):
        value = entry.get(field) if isinstance(entry, dict) else None
        many = isinstance(value, list)
        for n, target in enumerate(value if many else [value]):
            if not isinstance(target, str) or target.strip().lower() in allow:
                continue
            path = (table, index, field, n) if many else (table, index, field)
            kind, _, key = target.partition(":")
            if kind in known and "//" not in target:
                if key not in known[kind]:
                    have = ", ".join(sorted(known[kind])) or "none"
                    message = f"{target!r}: there is no {kind} {key!r}; known: {have}"
                    out.append(problem(path, message))
                continue
            wrong = route_problem(target.strip())
            if wrong:
                out.append(problem(path, wrong))
    return out


def stakeholder_problems(
    data: dict[str, Any], problem: Callable[[tuple[Any, ...], str], Any]
) -> list[Any]:
    """Unknown people, routes and bad URLs in `routes`, and an audience named twice."""
    out = target_problems(data, "stakeholder_updates", "routes", problem)
    return out + repeated(
        data,
        "stakeholder_updates",
        problem,
        field="audience",
        fix="give each audience one table (list every route in its `routes`)",
    )
