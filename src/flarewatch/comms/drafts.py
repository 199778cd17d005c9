"""Drafts: what the brand will say, versioned, tone-checked on every edit, locked once approved.

Every text a draft has is a `DraftVersion` with the tone check's flags (tone/check.py). The
life cycle: `draft` → `in_review` (comms/approvals.py sends it to the approvers) → `approved`
or `changes_requested`; `withdrawn` ends it. The approved version is locked: editing an
approved draft writes a new version and takes the draft back to `draft`, so the new text needs
approval again; while a draft is in review its text cannot change (recall it first). Only the
approved, current version can be published (`approved_version`); every step is written on the
case timeline.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.alerts.wording import wording
from flarewatch.cases.models import Case, CaseEvent
from flarewatch.cases.service import get_case
from flarewatch.cases.timeline import add_entry
from flarewatch.comms.models import (
    AUDIENCES,
    DRAFT_KINDS,
    DRAFT_ORIGINS,
    DRAFT_PLATFORMS,
    Draft,
    DraftVersion,
)
from flarewatch.db.base import utcnow
from flarewatch.detect.explain import N_
from flarewatch.errors import InputError, InvalidTransitionError, NotFoundError
from flarewatch.tone.check import STAGE_REQUIREMENTS, check, draft_language
from flarewatch.tone.rules import LANGUAGES

MAX_DRAFT_CHARS = 20_000

DRAFT_CREATED = N_("Draft #%(draft)s written for %(platform)s (version %(version)s)")
DRAFT_REVISED = N_("Draft #%(draft)s changed: version %(version)s")
DRAFT_REVISED_AFTER_APPROVAL = N_(
    "Draft #%(draft)s changed after approval: version %(version)s needs approval again"
)
DRAFT_APPROVED = N_("Draft #%(draft)s approved: version %(version)s is locked")
DRAFT_WITHDRAWN = N_("Draft #%(draft)s withdrawn")


class ApprovalRequiredError(InvalidTransitionError):
    """The draft's current text is not approved: it cannot be published or sent."""


def create_draft(
    session: Session,
    case_id: int,
    text: str,
    author: str,
    *,
    workspace_id: int,
    platform: str,
    kind: str = "statement",
    audience: str | None = None,
    language: str | None = None,
    stage: str | None = None,
    mention_id: int | None = None,
    origin: str = "person",
    template_key: str | None = None,
    template_version: int | None = None,
    now: datetime | None = None,
) -> Draft:
    """A new draft on the case, its text as version 1, tone-checked; on the timeline."""
    case = get_case(session, case_id, workspace_id=workspace_id)
    _check_choice("kind", kind, DRAFT_KINDS)
    _check_choice("platform", platform, DRAFT_PLATFORMS)
    _check_choice("origin", origin, DRAFT_ORIGINS)
    if audience is not None:
        _check_choice("audience", audience, AUDIENCES)
    if language is not None:
        _check_choice("language", language, LANGUAGES)
    if stage is not None:
        _check_choice("stage", stage, tuple(STAGE_REQUIREMENTS))
    clean = _clean_text(text)
    now = now or utcnow()
    draft = Draft(
        workspace_id=case.workspace_id,
        case_id=case.id,
        kind=kind,
        platform=platform,
        audience=audience,
        language=language or draft_language(clean),
        stage=stage,
        mention_id=mention_id,
        origin=origin,
        template_key=template_key,
        template_version=template_version,
        status="draft",
        current_version=1,
        approved_version=None,
        created_by=author,
        created_at=now,
        updated_at=now,
    )
    session.add(draft)
    session.flush()
    session.add(_version(draft, 1, clean, author, now))
    said = wording(DRAFT_CREATED, draft=draft.id, platform=platform, version=1)
    draft_event(session, case, draft, author, said, now)
    session.flush()
    return draft


def revise_draft(
    session: Session,
    draft_id: int,
    text: str,
    author: str,
    *,
    workspace_id: int,
    now: datetime | None = None,
) -> DraftVersion:
    """A new version of the draft's text. Refused while it is in review or withdrawn; an
    approved draft goes back to `draft` (its approved version stays on record, locked)."""
    draft = get_draft(session, draft_id, workspace_id=workspace_id)
    if draft.status == "in_review":
        raise InvalidTransitionError(
            f"draft #{draft.id} is waiting for approval; recall it first, then change the text"
        )
    if draft.status == "withdrawn":
        raise InvalidTransitionError(
            f"draft #{draft.id} was withdrawn; start a new draft instead of changing it"
        )
    clean = _clean_text(text)
    now = now or utcnow()
    was_approved = draft.status == "approved"
    draft.current_version += 1
    version = _version(draft, draft.current_version, clean, author, now)
    session.add(version)
    draft.status = "draft"
    draft.updated_at = now
    message = DRAFT_REVISED_AFTER_APPROVAL if was_approved else DRAFT_REVISED
    said = wording(message, draft=draft.id, version=draft.current_version)
    draft_event(session, _case(session, draft), draft, author, said, now)
    session.flush()
    return version


def mark_approved(
    session: Session, draft: Draft, actor: str, *, now: datetime | None = None
) -> Draft:
    """Locks the current version as the approved text (comms/approvals.py calls this when the
    last approval step is complete)."""
    if draft.status == "withdrawn":
        raise InvalidTransitionError(f"draft #{draft.id} was withdrawn; it cannot be approved")
    now = now or utcnow()
    draft.status = "approved"
    draft.approved_version = draft.current_version
    draft.updated_at = now
    said = wording(DRAFT_APPROVED, draft=draft.id, version=draft.current_version)
    draft_event(session, _case(session, draft), draft, actor, said, now)
    session.flush()
    return draft


def set_status(session: Session, draft: Draft, status: str, *, now: datetime | None = None) -> None:
    """Moves the draft to `in_review`, `changes_requested` or back to `draft` (the approval
    workflow writes its own timeline entries). Approval goes through `mark_approved`."""
    if status not in ("draft", "in_review", "changes_requested"):
        raise ValueError(f"set_status cannot move a draft to {status!r}")
    if draft.status == "withdrawn":
        raise InvalidTransitionError(f"draft #{draft.id} was withdrawn; start a new draft")
    draft.status = status
    draft.updated_at = now or utcnow()
    session.flush()


def withdraw_draft(
    session: Session, draft_id: int, actor: str, *, workspace_id: int, now: datetime | None = None
) -> Draft:
    """Ends a draft that will not be used; its versions stay on record."""
    draft = get_draft(session, draft_id, workspace_id=workspace_id)
    if draft.status == "withdrawn":
        return draft
    now = now or utcnow()
    draft.status = "withdrawn"
    draft.updated_at = now
    draft_event(
        session, _case(session, draft), draft, actor, wording(DRAFT_WITHDRAWN, draft=draft.id), now
    )
    session.flush()
    return draft


def get_draft(session: Session, draft_id: int, *, workspace_id: int | None = None) -> Draft:
    draft = session.get(Draft, draft_id)
    if draft is None or (workspace_id is not None and draft.workspace_id != workspace_id):
        raise NotFoundError(f"draft #{draft_id} not found in this workspace")
    return draft


def case_drafts(session: Session, case_id: int, *, workspace_id: int | None = None) -> list[Draft]:
    """The case's drafts, newest first."""
    case = get_case(session, case_id, workspace_id=workspace_id)
    return list(
        session.scalars(select(Draft).where(Draft.case_id == case.id).order_by(Draft.id.desc()))
    )


def versions(session: Session, draft: Draft) -> list[DraftVersion]:
    """Every version of the draft, oldest first."""
    return list(
        session.scalars(
            select(DraftVersion)
            .where(DraftVersion.draft_id == draft.id)
            .order_by(DraftVersion.number)
        )
    )


def version_of(session: Session, draft: Draft, number: int | None = None) -> DraftVersion:
    """One version of the draft's text: the current one when `number` is None."""
    wanted = draft.current_version if number is None else number
    row = session.scalar(
        select(DraftVersion).where(DraftVersion.draft_id == draft.id, DraftVersion.number == wanted)
    )
    if row is None:
        raise NotFoundError(f"draft #{draft.id} has no version {wanted}")
    return row


def is_publishable(draft: Draft) -> bool:
    """True when the current text is the approved one."""
    return (
        draft.status == "approved"
        and draft.approved_version is not None
        and draft.approved_version == draft.current_version
    )


def approved_text(session: Session, draft: Draft) -> DraftVersion:
    """The locked, approved version to publish or send; ApprovalRequiredError otherwise. Every
    path that publishes or sends a draft goes through here (the approval gate)."""
    if not is_publishable(draft):
        raise ApprovalRequiredError(
            f"draft #{draft.id} is {draft.status} and its current text is not approved; "
            "send it for approval and publish it once it is approved"
        )
    assert draft.approved_version is not None
    return version_of(session, draft, draft.approved_version)


def tone_flags(draft: Draft, text: str) -> list[dict[str, Any]]:
    """The tone check of `text` as the draft's language, platform and stage ask."""
    required = STAGE_REQUIREMENTS.get(draft.stage or "", ())
    return [flag.as_dict() for flag in check(text, draft.language, draft.platform, required)]


def draft_event(
    session: Session,
    case: Case,
    draft: Draft,
    actor: str,
    said: dict[str, Any],
    at: datetime,
    *,
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    """A `draft` entry on the case timeline (translated from `said` when shown)."""
    return add_entry(
        session, case, "draft", actor, said, at, {"draft_id": draft.id, **(data or {})}
    )


def latest_versions(session: Session, drafts: Sequence[Draft]) -> dict[int, DraftVersion]:
    """Each draft's current version, in one query."""
    if not drafts:
        return {}
    wanted = {(d.id, d.current_version) for d in drafts}
    rows = session.scalars(
        select(DraftVersion).where(DraftVersion.draft_id.in_([d.id for d in drafts]))
    )
    return {row.draft_id: row for row in rows if (row.draft_id, row.number) in wanted}


def _version(draft: Draft, number: int, text: str, author: str, now: datetime) -> DraftVersion:
    return DraftVersion(
        draft_id=draft.id,
        number=number,
        text=text,
        author=author,
        created_at=now,
        flags=tone_flags(draft, text),
    )


def _case(session: Session, draft: Draft) -> Case:
    return session.get_one(Case, draft.case_id)


def _clean_text(text: str) -> str:
    clean = text.strip()
    if not clean:
        raise InputError("a draft needs some text; write what the brand will say")
    if len(clean) > MAX_DRAFT_CHARS:
        raise InputError(
            f"the draft has {len(clean):,} characters; keep it under {MAX_DRAFT_CHARS:,}"
        )
    return clean


def _check_choice(name: str, value: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise InputError(f"unknown {name} {value!r}; use one of {', '.join(allowed)}")
