"""The workspace file's case-room settings (docs/cases.md): the follow-up watch after a
response (`[followup]`). Plain pydantic models, imported by config/workspace.py."""

from __future__ import annotations

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
