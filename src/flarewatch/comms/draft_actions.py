"""The changes made to drafts from the web (pages and the JSON API): permission, service call,
audit, commit — one place, so a page and the API can never differ in who may do what.

Writing, changing, submitting and withdrawing a draft needs `case.edit`; deciding and
commenting need `case.note` (the approver role has it, a viewer does not) and, to decide, being
an approver the current step asks (comms/approvals.py). Nothing here sets a draft's status or
approved version directly: only the approval service does, through `drafts.mark_approved`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from flarewatch.accounts import service as accounts
from flarewatch.accounts.permissions import Permission
from flarewatch.comms import approvals, drafts
from flarewatch.comms.approval_models import DraftComment
from flarewatch.comms.models import Draft, DraftVersion
from flarewatch.errors import NotFoundError
from flarewatch.web.deps import WorkspaceAccess


@dataclass
class NewDraft:
    text: str
    platform: str
    kind: str = "statement"
    audience: str | None = None
    stage: str | None = None
    language: str | None = None


@dataclass
class DraftView:
    """A draft with everything its page and the API show."""

    draft: Draft
    versions: list[DraftVersion]
    state: approvals.ApprovalState | None
    comments: list[DraftComment]

    @property
    def current(self) -> DraftVersion:
        return self.versions[-1]


def draft_of_case(db: Session, access: WorkspaceAccess, case_id: int, draft_id: int) -> Draft:
    """The draft, when it belongs to this case of this workspace; 404 otherwise."""
    draft = drafts.get_draft(db, draft_id, workspace_id=access.workspace.id)
    if draft.case_id != case_id:
        raise NotFoundError(f"draft #{draft_id} is not a draft of case #{case_id}")
    return draft


def view(db: Session, draft: Draft) -> DraftView:
    return DraftView(
        draft,
        drafts.versions(db, draft),
        approvals.approval_state(db, draft),
        approvals.comments(db, draft),
    )


def create(db: Session, access: WorkspaceAccess, case_id: int, new: NewDraft) -> Draft:
    access.require(Permission.CASE_EDIT)
    draft = drafts.create_draft(
        db,
        case_id,
        new.text,
        access.user.email,
        workspace_id=access.workspace.id,
        platform=new.platform,
        kind=new.kind,
        audience=new.audience or None,
        stage=new.stage or None,
        language=new.language or None,
    )
    _audit(db, access, "draft.create", draft, {"case_id": case_id, "platform": new.platform})
    db.commit()
    return draft


def revise(db: Session, access: WorkspaceAccess, case_id: int, draft_id: int, text: str) -> Draft:
    access.require(Permission.CASE_EDIT)
    draft = draft_of_case(db, access, case_id, draft_id)
    version = drafts.revise_draft(
        db, draft.id, text, access.user.email, workspace_id=access.workspace.id
    )
    _audit(db, access, "draft.revise", draft, {"version": version.number})
    db.commit()
    return draft


def submit(db: Session, access: WorkspaceAccess, case_id: int, draft_id: int) -> Draft:
    access.require(Permission.CASE_EDIT)
    draft = draft_of_case(db, access, case_id, draft_id)
    approvals.submit(db, draft.id, access.user.email, workspace_id=access.workspace.id)
    _audit(db, access, "draft.submit", draft, {"version": draft.current_version})
    db.commit()
    return draft


def decide(
    db: Session,
    access: WorkspaceAccess,
    case_id: int,
    draft_id: int,
    decision: str,
    version: int,
    comment: str | None,
) -> Draft:
    """`approve` or `request_changes` of `version` by the signed-in approver."""
    access.require(Permission.CASE_NOTE)
    draft = draft_of_case(db, access, case_id, draft_id)
    ws = access.workspace.id
    if decision == "approve":
        approvals.approve(
            db, draft.id, version, access.user.email, workspace_id=ws, comment=comment
        )
    else:
        approvals.request_changes(
            db, draft.id, version, access.user.email, comment or "", workspace_id=ws
        )
    _audit(db, access, f"draft.{decision}", draft, {"version": version})
    db.commit()
    return draft


def add_comment(
    db: Session, access: WorkspaceAccess, case_id: int, draft_id: int, text: str
) -> DraftComment:
    access.require(Permission.CASE_NOTE)
    draft = draft_of_case(db, access, case_id, draft_id)
    row = approvals.comment(db, draft.id, text, access.user.email, workspace_id=access.workspace.id)
    db.commit()
    return row


def recall(db: Session, access: WorkspaceAccess, case_id: int, draft_id: int) -> Draft:
    access.require(Permission.CASE_EDIT)
    draft = draft_of_case(db, access, case_id, draft_id)
    approvals.recall(
        db,
        draft.id,
        access.user.email,
        workspace_id=access.workspace.id,
        may_recall_others=access.can(Permission.MEMBERS_MANAGE),
    )
    _audit(db, access, "draft.recall", draft, {})
    db.commit()
    return draft


def withdraw(db: Session, access: WorkspaceAccess, case_id: int, draft_id: int) -> Draft:
    access.require(Permission.CASE_EDIT)
    draft = draft_of_case(db, access, case_id, draft_id)
    approvals.withdraw(db, draft.id, access.user.email, workspace_id=access.workspace.id)
    _audit(db, access, "draft.withdraw", draft, {})
    db.commit()
    return draft


def _audit(
    db: Session, access: WorkspaceAccess, action: str, draft: Draft, details: dict[str, Any]
) -> None:
    accounts.record_audit(
        db,
        access.user,
        action,
        workspace_id=access.workspace.id,
        target_type="draft",
        target_id=draft.id,
        details=details,
    )
