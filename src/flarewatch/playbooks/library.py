"""The playbook document: its shape, the shipped library (data/*.toml) and checking a copy.

A playbook is data, one TOML file per scenario with its texts in English, Hebrew and Polish:
stages (containment, taking responsibility, practical actions, compensation, follow-up) whose
steps become a case's tasks, due a number of minutes after the case opened, and the goals the
case should meet. A workspace edits a playbook by saving a new version of the same document
(playbooks/service.py); this module only reads and checks documents.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from flarewatch.config import toml_writer
from flarewatch.config.workspace import describe_validation_error
from flarewatch.detect.explain import N_
from flarewatch.errors import InputError

LANGUAGES = ("en", "he", "pl")
STAGES: dict[str, str] = {
    "containment": N_("Containment"),
    "responsibility": N_("Taking responsibility"),
    "actions": N_("Practical actions"),
    "compensation": N_("Compensation"),
    "follow_up": N_("Follow-up"),
}
GOAL_KINDS = ("first_response", "negative_share", "volume_baseline")
DEFAULT_NEGATIVE_SHARE = 0.2  # a negative_share goal without a target: under 20%
KEY_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"
DOC = "docs/cases.md#playbooks"

Stage = Literal["containment", "responsibility", "actions", "compensation", "follow_up"]
GoalKind = Literal["first_response", "negative_share", "volume_baseline"]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Texts(_Doc):
    """One text in every language the interface speaks."""

    en: str = Field(min_length=1)
    he: str = Field(min_length=1)
    pl: str = Field(min_length=1)

    def in_language(self, language: str) -> str:
        return str(getattr(self, language, None) or self.en)


class Step(Texts):
    stage: Stage
    due_minutes: int = Field(ge=0, le=60 * 24 * 90)


class GoalSpec(_Doc):
    kind: GoalKind
    within_minutes: int = Field(gt=0, le=60 * 24 * 90)
    target: float | None = Field(default=None, gt=0, lt=1)

    @model_validator(mode="after")
    def _usual_share(self) -> GoalSpec:
        if self.kind == "negative_share" and self.target is None:
            self.target = DEFAULT_NEGATIVE_SHARE
        return self


class PlaybookBody(_Doc):
    """A playbook without its key and version (the API's body; the key is in the path)."""

    kind: Literal["plan", "note"] = "plan"
    follow_up_days: int = Field(default=7, ge=0, le=365)
    title: Texts
    summary: Texts
    goals: list[GoalSpec] = Field(
        default_factory=list, description="One per kind; when a kind repeats, the last counts."
    )
    steps: list[Step] = Field(min_length=1)


class PlaybookDoc(PlaybookBody):
    key: str = Field(pattern=KEY_PATTERN)
    version: int = Field(default=1, ge=1)

    def stages(self) -> list[tuple[str, list[Step]]]:
        """The steps under their stages, in the stages' order, each stage's steps by due time."""
        grouped = [
            (stage, sorted((s for s in self.steps if s.stage == stage), key=_due))
            for stage in STAGES
        ]
        return [(stage, steps) for stage, steps in grouped if steps]


def _due(step: Step) -> int:
    return step.due_minutes


def check_playbook(data: dict[str, Any], where: str) -> PlaybookDoc:
    """The document checked; every problem at once, each with where it is and what to do."""
    try:
        return PlaybookDoc.model_validate(data)
    except ValidationError as err:
        problems = "; ".join(describe_validation_error(e, DOC) for e in err.errors())
        raise InputError(f"{where}: {problems}") from None


def parse_toml(text: str, where: str) -> PlaybookDoc:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InputError(f"{where}: not valid TOML ({err}); see {DOC}") from None
    return check_playbook(data, where)


@cache
def shipped() -> dict[str, PlaybookDoc]:
    """The library shipped with Flarewatch, by key (file name without .toml)."""
    found: dict[str, PlaybookDoc] = {}
    folder = resources.files("flarewatch.playbooks") / "data"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        doc = parse_toml(entry.read_text(encoding="utf-8"), f"playbooks/data/{entry.name}")
        if f"{doc.key}.toml" != entry.name:
            raise InputError(f"playbooks/data/{entry.name}: key {doc.key!r} must match the name")
        found[doc.key] = doc
    return found


def to_toml(doc: PlaybookDoc) -> str:
    """The document as a TOML file (what `playbooks show --toml` prints and `save` reads)."""
    header = f"Playbook {doc.key}, version {doc.version}: edit and save with 'playbooks save'."
    return toml_writer.to_toml(doc.model_dump(exclude_none=True), header)
