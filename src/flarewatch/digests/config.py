"""The workspace file's `[[digests]]` tables: which summary, when (local time), to whom."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from flarewatch.oncall.config import DAY_NAMES, parse_clock

PERIODS: tuple[str, ...] = ("daily", "weekly")


class DigestConfig(BaseModel):
    """One `[[digests]]` table."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    period: Literal["daily", "weekly"]
    at: str = Field(
        default="08:00",
        description="Local time in the workspace's timezone: '08:00' daily, 'mon 08:00' weekly",
    )
    to: list[str] = Field(
        min_length=1,
        description="'person:KEY', 'route:NAME' or an Apprise URL (mailto://… gets HTML)",
    )
    language: str | None = Field(
        default=None,
        description="en, he or pl; default: each route's language, else the workspace's first",
    )

    @model_validator(mode="after")
    def _when(self) -> DigestConfig:
        self.when()
        return self

    def when(self) -> tuple[int | None, time]:
        """(weekday 0=Monday or None for daily, local time of day)."""
        parts = self.at.split()
        if self.period == "daily":
            if len(parts) != 1:
                raise ValueError(f"at {self.at!r}: a daily digest is sent at a time, e.g. '08:00'")
            return None, parse_clock(parts[0])
        if len(parts) != 2 or parts[0].lower()[:3] not in DAY_NAMES:
            raise ValueError(
                f"at {self.at!r}: a weekly digest is sent on a day at a time, e.g. 'mon 08:00'"
            )
        return DAY_NAMES.index(parts[0].lower()[:3]), parse_clock(parts[1])


def digest_problems(
    data: dict[str, Any], problem: Callable[[tuple[Any, ...], str], Any]
) -> list[Any]:
    """`to` entries naming a person or route the file lacks, and URLs Apprise cannot read."""
    from flarewatch.alerts.notify import route_problem

    def names(table: str, field: str) -> set[str]:
        items = data.get(table)
        return {
            item[field]
            for item in (items if isinstance(items, list) else [])
            if isinstance(item, dict) and isinstance(item.get(field), str)
        }

    known = {"person": names("people", "key"), "route": names("alert_routes", "name")}
    out = []
    digests = data.get("digests")
    for index, digest in enumerate(digests if isinstance(digests, list) else []):
        targets = digest.get("to") if isinstance(digest, dict) else None
        for n, target in enumerate(targets if isinstance(targets, list) else []):
            if not isinstance(target, str):
                continue
            kind, _, key = target.partition(":")
            if kind in known and "//" not in target:
                if key not in known[kind]:
                    have = ", ".join(sorted(known[kind])) or "none"
                    out.append(
                        problem(
                            ("digests", index, "to", n),
                            f"{target!r}: there is no {kind} {key!r}; known: {have}",
                        )
                    )
                continue
            wrong = route_problem(target.strip())
            if wrong:
                out.append(problem(("digests", index, "to", n), wrong))
    return out
