"""The drafts' pages: the new-draft page, the draft page (editor with the live tone check,
versions, approval panel, comments) and their form posts; the case page's "Communication"
section gets its rows from `case_drafts_context`. The changes go through comms/draft_actions.py,
like the API's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from flarewatch.cases.models import Case
from flarewatch.cases.roles import ROLE_NAMES
from flarewatch.cases.service import get_case
from flarewatch.comms import draft_actions, drafts
from flarewatch.comms.draft_actions import NewDraft
from flarewatch.comms.models import AUDIENCES, DRAFT_KINDS, DRAFT_PLATFORMS, Draft
from flarewatch.errors import InputError
from flarewatch.i18n.labels import N_
from flarewatch.i18n.languages import is_rtl
from flarewatch.playbooks.library import STAGES
from flarewatch.tone.check import STAGE_REQUIREMENTS, check, draft_language, requirements_for
from flarewatch.tone.rules import LANGUAGES
from flarewatch.web.deps import WorkspaceAccess, get_db, workspace_access
from flarewatch.web.pages import back_to, page
from flarewatch.web.params import MAX_DB_INT, CaseId
from flarewatch.web.security import check_csrf
from flarewatch.web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)
DraftId = Annotated[int, Path(ge=1, le=MAX_DB_INT, description="The draft's id.")]
CASE = "/w/{slug}/cases/{case_id}"
# The live check reads at most this much: the editor's limit, with room for a paste.
TONE_CHECK_CHARS = 2 * drafts.MAX_DRAFT_CHARS


# What the pages call the platforms and audiences (catalogue texts; brand names stay as they are).
PLATFORM_NAMES = {
    "x": N_("X"),
    "bluesky": N_("Bluesky"),
    "mastodon": N_("Mastodon"),
    "facebook": N_("Facebook"),
    "instagram": N_("Instagram"),
    "email": N_("E-mail"),
    "sms": N_("SMS"),
}
AUDIENCE_NAMES = {
    "customers": N_("Customers"),
    "employees": N_("Employees"),
    "press": N_("Press"),
    "regulators": N_("Regulators"),
    "partners": N_("Partners"),
}


@dataclass(frozen=True)
class CaseDrafts:
    """The case page's "Communication" section: the case's drafts, newest first."""

    drafts: list[Draft]
    platform_names: dict[str, str]


def case_drafts_context(db: Session, case: Case) -> CaseDrafts:
    return CaseDrafts(drafts.case_drafts(db, case.id), PLATFORM_NAMES)


def text_direction(language: str) -> str:
    return "rtl" if is_rtl(language) else "ltr"


def _choices() -> dict[str, Any]:
    return {
        "kinds": DRAFT_KINDS,
        "platform_names": PLATFORM_NAMES,
        "audience_names": AUDIENCE_NAMES,
        "stage_names": STAGES,
        "platforms": DRAFT_PLATFORMS,
        "audiences": AUDIENCES,
        "stages": tuple(STAGE_REQUIREMENTS),
        "draft_languages": LANGUAGES,
        # A step named after a built-in role reads as its translated label.
        "role_keys": tuple(ROLE_NAMES),
    }


def _draft_url(access: WorkspaceAccess, case_id: int, draft_id: int) -> str:
    return f"/w/{access.workspace.slug}/cases/{case_id}/drafts/{draft_id}"


@router.get(CASE + "/drafts/new")
def new_draft_page(
    request: Request,
    case_id: CaseId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    case = get_case(db, case_id, workspace_id=access.workspace.id)
    return page(
        request, db, "comms/draft_new.html", access=access, case=case, draft=None, **_choices()
    )


@router.post(CASE + "/drafts", dependencies=[Depends(check_csrf)])
def create_draft(
    case_id: CaseId,
    text: str = Form(""),
    platform: str = Form(""),
    kind: str = Form("statement"),
    audience: str = Form(""),
    stage: str = Form(""),
    language: str = Form(""),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    get_case(db, case_id, workspace_id=access.workspace.id)  # another workspace's: not found
    if not platform:
        raise InputError("Choose where the draft goes (the platform) and save it again.")
    new = NewDraft(text, platform, kind, audience or None, stage or None, language or None)
    draft = draft_actions.create(db, access, case_id, new)
    return back_to(_draft_url(access, case_id, draft.id))


@router.post(CASE + "/drafts/tone", dependencies=[Depends(check_csrf)])
def tone_check(
    request: Request,
    case_id: CaseId,
    text: str = Form(""),
    platform: str = Form(""),
    stage: str = Form(""),
    language: str = Form(""),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    """The editor's live tone check: the flags with phrase, reason and suggestion."""
    get_case(db, case_id, workspace_id=access.workspace.id)
    clipped = text[:TONE_CHECK_CHARS]
    flags: list[dict[str, Any]] = []
    chosen = language if language in LANGUAGES else None
    if clipped.strip():
        chosen = chosen or draft_language(clipped)
        required = requirements_for(stage) if stage in STAGE_REQUIREMENTS else ()
        where = platform if platform in DRAFT_PLATFORMS else None
        flags = [f.as_dict() for f in check(clipped, chosen, where, required)]
    return render(
        request,
        "comms/_tone_flags.html",
        access=access,
        flags=flags,
        checked=bool(clipped.strip()),
        flag_language=chosen or "en",
        flag_dir=text_direction(chosen or "en"),
    )


@router.get(CASE + "/drafts/{draft_id}")
def draft_page(
    request: Request,
    case_id: CaseId,
    draft_id: DraftId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    draft = draft_actions.draft_of_case(db, access, case_id, draft_id)
    shown = draft_actions.view(db, draft)
    deciders = shown.state.deciders() if shown.state is not None else []
    return page(
        request,
        db,
        "comms/draft.html",
        access=access,
        case=get_case(db, case_id),
        draft=draft,
        shown=shown,
        text_dir=text_direction(draft.language),
        my_turn=access.user.email in deciders,
        is_author=access.user.email == draft.created_by.lower(),
        publishable=drafts.is_publishable(draft),
        **_choices(),
    )


@router.post(CASE + "/drafts/{draft_id}/versions", dependencies=[Depends(check_csrf)])
def revise(
    case_id: CaseId,
    draft_id: DraftId,
    text: str = Form(""),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    draft_actions.revise(db, access, case_id, draft_id, text)
    return back_to(_draft_url(access, case_id, draft_id))


@router.post(CASE + "/drafts/{draft_id}/submit", dependencies=[Depends(check_csrf)])
def submit(
    case_id: CaseId,
    draft_id: DraftId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    draft_actions.submit(db, access, case_id, draft_id)
    return back_to(_draft_url(access, case_id, draft_id) + "#approval")


@router.post(CASE + "/drafts/{draft_id}/decision", dependencies=[Depends(check_csrf)])
def decide(
    case_id: CaseId,
    draft_id: DraftId,
    decision: str = Form(""),
    version: int = Form(0, ge=0, le=MAX_DB_INT),
    comment: str = Form(""),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    """Approve or request changes; the form names the version the approver read."""
    draft_actions.draft_of_case(db, access, case_id, draft_id)  # another's: not found
    if decision not in ("approve", "request_changes"):
        raise InputError("Choose Approve or Request changes.")
    draft_actions.decide(db, access, case_id, draft_id, decision, version, comment or None)
    return back_to(_draft_url(access, case_id, draft_id) + "#approval")


@router.post(CASE + "/drafts/{draft_id}/comments", dependencies=[Depends(check_csrf)])
def add_comment(
    case_id: CaseId,
    draft_id: DraftId,
    text: str = Form(""),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    draft_actions.add_comment(db, access, case_id, draft_id, text)
    return back_to(_draft_url(access, case_id, draft_id) + "#comments")


@router.post(CASE + "/drafts/{draft_id}/recall", dependencies=[Depends(check_csrf)])
def recall(
    case_id: CaseId,
    draft_id: DraftId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    draft_actions.recall(db, access, case_id, draft_id)
    return back_to(_draft_url(access, case_id, draft_id))


@router.post(CASE + "/drafts/{draft_id}/withdraw", dependencies=[Depends(check_csrf)])
def withdraw(
    case_id: CaseId,
    draft_id: DraftId,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    draft_actions.withdraw(db, access, case_id, draft_id)
    return back_to(_draft_url(access, case_id, draft_id))
