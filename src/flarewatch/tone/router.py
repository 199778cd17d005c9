"""API: POST /api/v1/tone/check, the tone check of a draft (docs/tone.md). Any signed-in person
or API token; nothing is stored."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from flarewatch.accounts.models import User
from flarewatch.tone.check import check, draft_language, requirements_for
from flarewatch.web.api.schemas import error_responses
from flarewatch.web.deps import current_user

router = APIRouter(tags=["tone"])

Language = Literal["en", "he", "pl"]
Platform = Literal["x", "bluesky", "mastodon", "facebook", "instagram", "email", "sms"]
Stage = Literal["containment", "responsibility", "actions", "compensation", "follow_up"]
Requirement = Literal["apology", "ownership", "next_step", "next_update"]


class ToneCheckIn(BaseModel):
    text: str = Field(min_length=1, max_length=100_000, description="The draft.")
    language: Language | None = Field(
        None,
        description=(
            "The draft's language; detected from the text when left out (English when it "
            "cannot be told)."
        ),
    )
    platform: Platform | None = Field(None, description="Check the length for this platform.")
    stage: Stage | None = Field(
        None, description="The playbook stage; it asks for elements (docs/tone.md)."
    )
    require: list[Requirement] = Field(
        default_factory=list, description="Elements the draft must have."
    )


class FlagOut(BaseModel):
    kind: str
    label: str = Field(description="The kind's name in the draft's language.")
    start: int | None = Field(description="Character offset of the phrase; null when missing.")
    end: int | None
    phrase: str
    reason: str
    suggestion: str


class ToneCheckOut(BaseModel):
    language: str
    clean: bool
    flags: list[FlagOut]


@router.post(
    "/tone/check", response_model=ToneCheckOut, responses=error_responses(400, 401, 413, 422)
)
def tone_check(body: ToneCheckIn, user: User = Depends(current_user)) -> ToneCheckOut:
    """Flag a draft: blame-shifting, defensiveness, legal threats, jargon, missing elements the
    stage asks for and over-length for the platform; each flag with its phrase, character span,
    reason and suggested rewording in the draft's language."""
    language = body.language or draft_language(body.text)
    flags = check(body.text, language, body.platform, requirements_for(body.stage, body.require))
    return ToneCheckOut(
        language=language,
        clean=not flags,
        flags=[FlagOut(**flag.as_dict()) for flag in flags],
    )
