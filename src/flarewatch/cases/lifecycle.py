"""The case life cycle as data: new → triage → responding → monitoring → closed."""

from __future__ import annotations

from flarewatch.cases.models import CASE_STATUSES

# Forward moves may skip steps (a clear-cut crisis goes straight to responding); the only ways
# back are a relapse while monitoring and reopening a closed case.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("triage", "responding", "monitoring", "closed"),
    "triage": ("responding", "monitoring", "closed"),
    "responding": ("monitoring", "closed"),
    "monitoring": ("responding", "closed"),
    "closed": ("responding",),
}

assert set(TRANSITIONS) == set(CASE_STATUSES)


def allowed_next(status: str) -> tuple[str, ...]:
    return TRANSITIONS.get(status, ())


def can_move(current: str, new: str) -> bool:
    return new in allowed_next(current)


def describe_move(current: str, new: str) -> str:
    if current == "closed" and new == "responding":
        return "reopened (closed → responding)"
    if current == "monitoring" and new == "responding":
        return "relapse (monitoring → responding)"
    return f"{current} → {new}"
