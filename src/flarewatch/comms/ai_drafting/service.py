"""An AI draft on a case: the workspace's endpoint, the case facts and the post in; an
ordinary draft out (`comms.drafts.create_draft(origin="ai")`), tone-checked and waiting for
approval. The generated text is never published or sent from here: it goes through the same
approval gate as any draft. The timeline says the draft was written by AI, and by which model.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from pydantic import ValidationError
from sqlalchemy.orm import Session

from flarewatch.alerts.wording import wording
from flarewatch.cases.models import Case
from flarewatch.cases.routing import routings
from flarewatch.cases.service import get_case
from flarewatch.comms.ai_drafting.client import Endpoint, complete
from flarewatch.comms.ai_drafting.config import AIDraftingConfig
from flarewatch.comms.ai_drafting.prompt import CaseFacts, DraftAsk, build_messages, clean_answer
from flarewatch.comms.drafts import (
    MAX_DRAFT_CHARS,
    approved_text,
    case_drafts,
    create_draft,
    draft_event,
    is_publishable,
)
from flarewatch.comms.models import DRAFT_KINDS, DRAFT_PLATFORMS, Draft
from flarewatch.config.workspace_models import file_fields
from flarewatch.db.base import utcnow
from flarewatch.detect.explain import N_
from flarewatch.errors import InputError, InvalidTransitionError, NotFoundError
from flarewatch.mentions.models import Mention, RawPost
from flarewatch.sources.base import CredentialError
from flarewatch.sources.credentials import read_credential
from flarewatch.tone.rules import LANGUAGES
from flarewatch.workspaces.models import Workspace

AI_DRAFTED = N_(
    "Draft #%(draft)s was written by AI (model %(model)s); it needs approval like any draft"
)
HOW_TO_ENABLE = (
    "AI drafting is off for workspace {slug!r}: add an [ai_drafting] table to its workspace "
    'file with base_url and model (e.g. base_url = "http://localhost:11434/v1" and model = '
    '"llama3.1" for a local Ollama; for a hosted API also api_key_secret, the name of the '
    "secret holding its key), then load the file again with 'flarewatch workspace add FILE'"
)


class AIDraftingOffError(InvalidTransitionError):
    """The workspace has no [ai_drafting]: the request is fine, the workspace is not set up
    for it (409 on the web, exit 2 on the command line), and the message says how."""


def drafting_config(workspace: Workspace) -> AIDraftingConfig | None:
    """The workspace's `[ai_drafting]`, or None when AI drafting is off."""
    stored = file_fields(workspace.config).get("ai_drafting")
    if not stored:
        return None
    try:
        return AIDraftingConfig.model_validate(stored)
    except ValidationError as err:
        problem = err.errors()[0]["msg"]
        raise InputError(
            f"[ai_drafting] of workspace {workspace.slug!r} is not valid ({problem}); "
            "fix it in the workspace file and load it again"
        ) from None


def is_enabled(workspace: Workspace) -> bool:
    return bool(file_fields(workspace.config).get("ai_drafting"))


def endpoint_for(session: Session, workspace: Workspace) -> Endpoint:
    """The configured endpoint with its key (environment first, then stored credentials)."""
    config = drafting_config(workspace)
    if config is None:
        raise AIDraftingOffError(HOW_TO_ENABLE.format(slug=workspace.slug))
    api_key = None
    if config.api_key_secret:
        name = config.api_key_secret
        try:
            api_key = os.environ.get(name) or read_credential(session, workspace.id, name)
        except CredentialError as err:
            raise InputError(str(err)) from None
        if not api_key:
            raise InputError(
                f"[ai_drafting] api_key_secret names {name}, which is not set: export "
                f"{name}=… where Flarewatch runs, or store it under that name in the "
                "workspace settings → Credentials"
            )
    return Endpoint(
        base_url=config.base_url,
        model=config.model,
        api_key=api_key,
        timeout_seconds=config.timeout_seconds,
        temperature=config.temperature,
        max_tokens=config.max_tokens,
    )


def case_facts(session: Session, case: Case, workspace: Workspace) -> CaseFacts:
    """What the model may know: the case record, the owners' findings and approved statements."""
    findings = [r.findings for r in routings(session, case.id) if r.findings]
    approved = [
        d
        for d in reversed(case_drafts(session, case.id))
        if d.kind in ("statement", "update") and is_publishable(d)
    ]
    return CaseFacts(
        brand=workspace.name,
        title=case.title,
        severity=case.severity,
        status=case.status,
        summary=case.summary,
        findings=findings,
        statements=[approved_text(session, d).text for d in approved],
    )


@dataclass(frozen=True)
class Suggested:
    draft: Draft
    model: str
    truncated: bool


def suggest_draft(
    session: Session,
    case_id: int,
    actor: str,
    *,
    workspace_id: int,
    platform: str | None,
    kind: str | None = None,
    mention_id: int | None = None,
    stage: str | None = None,
    audience: str | None = None,
    language: str | None = None,
    template_text: str | None = None,
    client: httpx.Client | None = None,
    now: datetime | None = None,
) -> Suggested:
    """Asks the workspace's endpoint for a draft and stores it as a new draft (origin "ai")."""
    case = get_case(session, case_id, workspace_id=workspace_id)
    workspace = session.get_one(Workspace, case.workspace_id)
    endpoint = endpoint_for(session, workspace)
    if platform is None or platform not in DRAFT_PLATFORMS:
        raise InputError(f"unknown platform {platform!r}; use one of {', '.join(DRAFT_PLATFORMS)}")
    kind = kind or ("reply" if mention_id is not None else "statement")
    if kind not in DRAFT_KINDS:
        raise InputError(f"unknown kind {kind!r}; use one of {', '.join(DRAFT_KINDS)}")
    if language is not None and language not in LANGUAGES:
        raise InputError(f"unknown language {language!r}; use one of {', '.join(LANGUAGES)}")
    language = language or next((c for c in workspace.languages or [] if c in LANGUAGES), "en")
    post = _post(session, mention_id, workspace.id) if mention_id is not None else None
    ask = DraftAsk(
        platform=platform,
        kind=kind,
        language=language,
        stage=stage,
        audience=audience,
        template_text=template_text,
        post_text=_post_text(post) if post else None,
        post_platform=post.platform if post else None,
    )
    completion = complete(
        endpoint, build_messages(case_facts(session, case, workspace), ask), client=client
    )
    text = clean_answer(completion.text)[:MAX_DRAFT_CHARS]
    now = now or utcnow()
    draft = create_draft(
        session,
        case.id,
        text,
        actor,
        workspace_id=workspace.id,
        platform=platform,
        kind=kind,
        audience=audience,
        language=language,
        stage=stage,
        mention_id=mention_id,
        origin="ai",
        now=now,
    )
    said = wording(AI_DRAFTED, draft=draft.id, model=completion.model)
    data: dict[str, Any] = {"origin": "ai", "model": completion.model}
    draft_event(session, case, draft, actor, said, now, data=data)
    session.flush()
    return Suggested(draft, completion.model, completion.truncated)


def _post(session: Session, mention_id: int, workspace_id: int) -> RawPost:
    mention = session.get(Mention, mention_id)
    if mention is None or mention.workspace_id != workspace_id:
        raise NotFoundError(f"post {mention_id} not found in this workspace")
    return session.get_one(RawPost, mention.raw_post_id)


def _post_text(post: RawPost) -> str:
    return f"{post.title}\n{post.text}" if post.title else post.text
