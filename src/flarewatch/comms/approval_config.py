"""The workspace file's `[approvals]` table (docs/communication.md, "Approvals"): the ordered
steps a draft goes through before it can be published, and which kinds of draft need them.

Plain pydantic models, imported by config/workspace_models.py (the `approvals` field of the
workspace); `approval_problems` checks what the steps name against the rest of the file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# comms/models.py DRAFT_KINDS, repeated: the workspace file's models load without SQLAlchemy.
DRAFT_KINDS = ("statement", "reply", "update", "private_message")
APPROVER_KINDS = ("role", "member")


class ApprovalStepConfig(BaseModel):
    """`[[approvals.steps]]`: one sign-off a draft needs, in order."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=100, description="e.g. legal, spokesperson")
    approvers: list[str] = Field(
        min_length=1,
        description="'role:KEY' (whoever holds that role on the case) or 'member:EMAIL'",
    )
    require: Literal["any", "all"] = Field(
        default="any", description="any: one approver's yes is enough; all: every approver's"
    )
    answer_within_minutes: int = Field(
        default=60, ge=1, le=7 * 24 * 60, description="Unanswered after this, it escalates"
    )
    escalate_to: str | None = Field(
        default=None,
        description="rota:KEY, person:KEY or route:NAME; default: the first step of the "
        "escalation policy for the case's severity",
    )

    @field_validator("approvers")
    @classmethod
    def _approvers(cls, value: list[str]) -> list[str]:
        for approver in value:
            kind, _, key = approver.partition(":")
            if kind not in APPROVER_KINDS or not key.strip():
                raise ValueError(
                    f"{approver!r} names no approver; write 'role:KEY' (a case role, e.g. "
                    "'role:legal') or 'member:EMAIL' (a member of the workspace)"
                )
        return [f"{a.partition(':')[0]}:{a.partition(':')[2].strip()}" for a in value]


# The steps a workspace has when its file names none (issue 21 §3): legal, then the
# spokesperson, either holder of the role on the case.
DEFAULT_STEPS: tuple[ApprovalStepConfig, ...] = (
    ApprovalStepConfig(name="legal", approvers=["role:legal"]),
    ApprovalStepConfig(name="spokesperson", approvers=["role:spokesperson"]),
)


class ApprovalsConfig(BaseModel):
    """`[approvals]`: the steps, and the kinds of draft that go through them."""

    model_config = ConfigDict(extra="forbid")

    steps: list[ApprovalStepConfig] = Field(
        default_factory=list, description="In order; none: legal, then spokesperson"
    )
    kinds: list[Literal["statement", "reply", "update", "private_message"]] = Field(
        default_factory=lambda: list(DRAFT_KINDS),
        description="Kinds of draft that need approval; a kind left out is approved by policy "
        "when it is submitted, e.g. kinds = ['statement', 'update', 'private_message']",
    )

    @field_validator("kinds")
    @classmethod
    def _kinds(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    def effective_steps(self) -> list[ApprovalStepConfig]:
        return list(self.steps) if self.steps else list(DEFAULT_STEPS)


def approval_problems(
    data: dict[str, Any], problem: Callable[[tuple[Any, ...], str], Any]
) -> list[Any]:
    """What `[[approvals.steps]]` name that the file does not have: a role that is not one of
    the roles, an `escalate_to` without its rota, person or route. On the raw data."""
    from flarewatch.cases.room_config import DEFAULT_ROLES

    approvals = data.get("approvals")
    steps = approvals.get("steps") if isinstance(approvals, dict) else None
    if not isinstance(steps, list):
        return []

    def keys(name: str, field: str) -> set[str]:
        value = data.get(name)
        items = value if isinstance(value, list) else []
        return {item.get(field) for item in items if isinstance(item, dict)} - {None}

    roles = keys("roles", "key") or set(DEFAULT_ROLES)
    targets = {"rota": keys("rotas", "key"), "person": keys("people", "key")}
    targets["route"] = keys("alert_routes", "name")
    out: list[Any] = []
    names: dict[str, int] = {}
    for index, step in enumerate(steps):
        if not isinstance(step, dict):
            continue
        name = step.get("name")
        if isinstance(name, str):
            if name in names:
                out.append(
                    problem(
                        ("approvals", "steps", index, "name"),
                        f"the name {name!r} is already used by approvals.steps[{names[name]}]; "
                        "give each step its own name",
                    )
                )
            names.setdefault(name, index)
        for n, approver in enumerate(step.get("approvers") or []):
            if not isinstance(approver, str):
                continue
            kind, _, key = approver.partition(":")
            if kind == "role" and key.strip() and key.strip() not in roles:
                out.append(
                    problem(
                        ("approvals", "steps", index, "approvers", n),
                        f"{approver!r}: {key.strip()!r} is not one of the roles "
                        f"({', '.join(sorted(roles))})",
                    )
                )
        target = step.get("escalate_to")
        if isinstance(target, str):
            kind, _, key = target.partition(":")
            if kind not in targets or not key:
                out.append(
                    problem(
                        ("approvals", "steps", index, "escalate_to"),
                        f"{target!r} names no one; write 'rota:KEY', 'person:KEY' or 'route:NAME'",
                    )
                )
            elif key not in targets[kind]:
                out.append(
                    problem(
                        ("approvals", "steps", index, "escalate_to"),
                        f"{target!r}: there is no {kind} {key!r} in this file",
                    )
                )
    return out
