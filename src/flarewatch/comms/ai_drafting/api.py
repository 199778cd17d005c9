"""API: POST /api/v1/workspaces/{slug}/cases/{case_id}/drafts/suggest, an AI draft on a case."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from flarewatch.comms.ai_drafting import manage
from flarewatch.comms.drafts import version_of
from flarewatch.web.api.schemas import CHANGE, Text
from flarewatch.web.deps import WorkspaceAccess, get_db, workspace_access
from flarewatch.web.params import MAX_DB_INT, CaseId

router = APIRouter(tags=["communication"])


class SuggestIn(BaseModel):
    # The choices of comms/models.py and tone/check.py, spelled out for the OpenAPI document (a
    # test keeps them equal). A missing platform is refused after the case is found (a foreign
    # case is 404 whatever the body says).
    platform: (
        Literal["x", "bluesky", "mastodon", "facebook", "instagram", "email", "sms"] | None
    ) = Field(None, description="Where the draft goes.")
    # A string checked by the service after the case: other forms' "kind" fields (a goal's)
    # sent to a foreign case must get its 404, not a 422 about this field.
    kind: Text | None = Field(
        None,
        max_length=24,
        description="statement, reply, update or private_message; default: reply when post_id "
        "is given, else statement.",
    )
    post_id: int | None = Field(None, ge=1, le=MAX_DB_INT, description="The mention to answer.")
    stage: (
        Literal["containment", "responsibility", "actions", "compensation", "follow_up"] | None
    ) = Field(None, description="The playbook stage: what the text must contain.")
    audience: Literal["customers", "employees", "press", "regulators", "partners"] | None = None
    language: Literal["en", "he", "pl"] | None = Field(
        None, description="The draft's language; default the workspace's first."
    )
    template_text: Text | None = Field(None, max_length=64 * 1024)


class SuggestedOut(BaseModel):
    id: int
    case_id: int
    status: str
    origin: str
    kind: str
    platform: str
    language: str
    stage: str | None
    mention_id: int | None
    version: int
    text: str
    flags: list[dict[str, Any]] = Field(description="The tone check's flags on the text.")
    model: str = Field(description="The model that wrote it.")
    truncated: bool = Field(description="The answer hit max_tokens and may be cut short.")
    created_at: datetime


@router.post(
    "/workspaces/{slug}/cases/{case_id}/drafts/suggest",
    response_model=SuggestedOut,
    responses=CHANGE,
    status_code=201,
)
def suggest_draft(
    case_id: CaseId,
    body: SuggestIn,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> SuggestedOut:
    """Asks the workspace's AI endpoint ([ai_drafting]) for a draft; it is stored as a new
    draft (origin "ai"), tone-checked and waiting for approval. 409 when AI drafting is off
    (the message says how to turn it on), 400 when the endpoint fails."""
    suggested = manage.suggest(
        db,
        access,
        case_id,
        platform=body.platform,
        kind=body.kind,
        mention_id=body.post_id,
        stage=body.stage,
        audience=body.audience,
        language=body.language,
        template_text=body.template_text,
    )
    draft = suggested.draft
    version = version_of(db, draft)
    return SuggestedOut(
        id=draft.id,
        case_id=draft.case_id,
        status=draft.status,
        origin=draft.origin,
        kind=draft.kind,
        platform=draft.platform,
        language=draft.language,
        stage=draft.stage,
        mention_id=draft.mention_id,
        version=version.number,
        text=version.text,
        flags=list(version.flags),
        model=suggested.model,
        truncated=suggested.truncated,
        created_at=draft.created_at,
    )
