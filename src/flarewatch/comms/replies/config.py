"""`[replies]` in the workspace file: which posts the reply queue takes and whether a reply
needs approval before it is sent. A plain pydantic model, imported by config/workspace_models.py
(wired like cases/room_config.py)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator


class RepliesConfig(BaseModel):
    """`[replies]`: the reply queue's rules (comms/replies/selection.py)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    require_approval: bool = Field(
        default=True,
        description="A reply is sent only once approved (read by the approval chain)",
    )
    brand_handles: list[str] = Field(
        default_factory=list,
        description="The brand's own accounts, e.g. ['@acmeair', 'x:acme_help']: posts that "
        "address them are direct questions; posts by them never enter the queue",
    )
    brand_names: list[str] = Field(
        default_factory=list,
        description="Names people address the brand by ('Acme, …'); default: the workspace's name",
    )
    influential_followers: int = Field(
        default=10_000,
        ge=0,
        le=10**10,
        description="A negative post by an author with this many followers needs an answer",
    )
    influential_reach: float = Field(
        default=10_000.0,
        ge=0.0,
        le=1e12,
        description="…or a negative post with at least this estimated reach",
    )
    lookback_hours: int = Field(
        default=24,
        ge=0,
        le=24 * 30,
        description="The queue looks at the case's topics from this long before the alert",
    )

    @field_validator("brand_handles")
    @classmethod
    def _handles(cls, value: list[str]) -> list[str]:
        bad = [h for h in value if not h.strip().lstrip("@").split(":")[-1].strip().lstrip("@")]
        if bad:
            raise ValueError(
                "a brand handle needs a name, e.g. '@acmeair' or 'x:acmeair' (platform:handle)"
            )
        return [h.strip() for h in value]
