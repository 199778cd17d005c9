"""Approvals (issue 21 §3): a draft goes through the workspace's approval steps before it can
be published.

`submit` sends the draft's current version to the steps of `[approvals]` (comms/
approval_config.py; legal, then the spokesperson, by default): one request per approver of
every step, bound to that version. The first step's approvers are asked (an in-app
notification with a link); each later step is asked once the step before is complete. A step
with `require = "any"` is complete with one approval, `"all"` with every approver's. The last
step's completion calls `drafts.mark_approved`, which locks the version. A request for changes
(a comment is required) ends the round: the draft goes to `changes_requested`, and a revised
version must be submitted again, starting from the first step.

Four eyes: the draft's creator and the author of the submitted version cannot approve it, and
are never asked. Only a pending approver of the current step decides (PermissionDeniedError
otherwise); a decision names the version it was made on, and one on an older version is
refused (StaleVersionError, 409). A kind of draft the workspace leaves out of
`[approvals] kinds` is approved by policy when it is submitted, through `mark_approved`.

A request unanswered after its step's `answer_within_minutes` escalates through on call once
(comms/approval_escalation.py, after each detection cycle), like an unanswered
routing request (cases/routing.py). Every step is written on the case timeline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flarewatch.accounts.notifications import notify
from flarewatch.accounts.service import get_user_by_email, role_in
from flarewatch.alerts.wording import spoken, wording
from flarewatch.cases.models import Case
from flarewatch.cases.roles import holders
from flarewatch.cases.routing import room_setup
from flarewatch.comms import drafts
from flarewatch.comms.approval_config import ApprovalsConfig, ApprovalStepConfig
from flarewatch.comms.approval_models import OPEN_STATUSES, DraftApproval, DraftComment
from flarewatch.comms.models import Draft
from flarewatch.db.base import utcnow
from flarewatch.detect.explain import N_
from flarewatch.errors import InputError, InvalidTransitionError, PermissionDeniedError
from flarewatch.workspaces.models import Workspace

MAX_COMMENT = 5_000

SUBMITTED = N_(
    "Draft #%(draft)s version %(version)s sent for approval: %(role)s first (%(people)s)"
)
APPROVED_BY_POLICY = N_(
    "Draft #%(draft)s version %(version)s needs no approval in this workspace (%(kind)s): "
    "approved by policy"
)
STEP_APPROVED = N_("%(person)s approved draft #%(draft)s version %(version)s for %(role)s")
STEP_APPROVED_NOTE = N_(
    "%(person)s approved draft #%(draft)s version %(version)s for %(role)s: %(comment)s"
)
NEXT_STEP = N_("Draft #%(draft)s now waits for %(role)s (%(people)s)")
CHANGES_REQUESTED = N_(
    "%(person)s asked for changes to draft #%(draft)s version %(version)s: %(comment)s"
)
COMMENTED = N_("%(person)s commented on draft #%(draft)s version %(version)s: %(comment)s")
RECALLED = N_("Draft #%(draft)s taken back from approval by %(person)s")
# In-app notifications (accounts/notifications.py).
ASKED = N_("Draft #%(draft)s on case #%(case)s waits for your approval (%(role)s)")
TOLD_CHANGES = N_("%(person)s asked for changes to your draft #%(draft)s: %(comment)s")
TOLD_APPROVED = N_("Your draft #%(draft)s is approved: version %(version)s is locked")


class StaleVersionError(InvalidTransitionError):
    """A decision on a version that is no longer the draft's current one (409)."""


@dataclass(frozen=True)
class ResolvedStep:
    """One approval step and the members it names on this case: (e-mail, what named them)."""

    index: int
    config: ApprovalStepConfig
    people: list[tuple[str, str]]


@dataclass
class StepState:
    index: int
    name: str
    require: str
    status: str  # waiting, pending, approved, changes_requested, cancelled
    rows: list[DraftApproval] = field(default_factory=list)


@dataclass
class ApprovalState:
    """A draft's latest submission: its steps, each approver's answer, and who decides now."""

    round: int
    version: int | None
    steps: list[StepState]

    def deciders(self) -> list[str]:
        """The e-mails of the approvers asked now (the current step's pending rows)."""
        return [r.approver for s in self.steps for r in s.rows if r.status == "pending"]

    def current_step(self) -> StepState | None:
        return next((s for s in self.steps if s.status == "pending"), None)


def approvals_config(workspace: Workspace) -> ApprovalsConfig:
    config = room_setup(workspace).config
    return config.approvals if config is not None else ApprovalsConfig()


def needs_approval(workspace: Workspace, kind: str) -> bool:
    return kind in approvals_config(workspace).kinds


def authors_of(session: Session, draft: Draft) -> set[str]:
    """Who may not approve the draft's current text: its creator and the version's author."""
    return {draft.created_by.lower(), drafts.version_of(session, draft).author.lower()}


def resolve_steps(session: Session, case: Case, config: ApprovalsConfig) -> list[ResolvedStep]:
    """Each step's approvers on this case: `role:KEY` is the role's holder now, `member:EMAIL`
    the member (someone no longer a member names nobody)."""
    held = holders(session, case.id)
    out = []
    for index, step in enumerate(config.effective_steps()):
        people: dict[str, str] = {}
        for approver in step.approvers:
            kind, _, key = approver.partition(":")
            email: str | None = None
            if kind == "role":
                holder = held.get(key)
                email = holder.person if holder is not None else None
            else:
                user = get_user_by_email(session, key)
                if (
                    user is not None
                    and user.active
                    and role_in(session, user.id, case.workspace_id)
                ):
                    email = user.email
            if email is not None:
                people.setdefault(email.lower(), approver)
        out.append(ResolvedStep(index, step, list(people.items())))
    return out


def submit(
    session: Session,
    draft_id: int,
    actor: str,
    *,
    workspace_id: int,
    now: datetime | None = None,
) -> list[DraftApproval]:
    """Sends the draft's current version to the approval steps (or approves it by policy when
    its kind needs none). Returns the new requests, the first step's pending."""
    draft = drafts.get_draft(session, draft_id, workspace_id=workspace_id)
    _check_submittable(draft)
    now = now or utcnow()
    case = session.get_one(Case, draft.case_id)
    workspace = session.get_one(Workspace, draft.workspace_id)
    config = approvals_config(workspace)
    if draft.kind not in config.kinds:
        said = wording(
            APPROVED_BY_POLICY, draft=draft.id, version=draft.current_version, kind=draft.kind
        )
        drafts.draft_event(session, case, draft, actor, said, now)
        drafts.mark_approved(session, draft, actor, now=now)
        return []
    authors = authors_of(session, draft)
    steps = resolve_steps(session, case, config)
    for step in steps:
        _check_step_has_someone(step, authors, case)
    round_number = _last_round(session, draft) + 1
    rows: list[DraftApproval] = []
    for step in steps:
        for email, via in step.people:
            if email in authors:
                continue  # four eyes: never asked to approve their own text
            rows.append(
                DraftApproval(
                    draft_id=draft.id,
                    round=round_number,
                    version=draft.current_version,
                    step=step.index,
                    step_name=step.config.name,
                    require=step.config.require,
                    approver=email,
                    via=via,
                    status="waiting",
                    escalate_to=step.config.escalate_to,
                )
            )
    session.add_all(rows)
    drafts.set_status(session, draft, "in_review", now=now)
    first = [r for r in rows if r.step == steps[0].index]
    said = wording(
        SUBMITTED,
        draft=draft.id,
        version=draft.current_version,
        role=steps[0].config.name,
        people=", ".join(r.approver for r in first),
    )
    drafts.draft_event(session, case, draft, actor, said, now, data={"round": round_number})
    _ask(session, case, draft, first, steps[0].config, now)
    session.flush()
    return rows


def approve(
    session: Session,
    draft_id: int,
    version: int,
    actor: str,
    *,
    workspace_id: int,
    comment: str | None = None,
    now: datetime | None = None,
) -> Draft:
    """`actor`'s approval of `version` for the current step; completing the last step approves
    and locks the draft."""
    draft, row = _deciding(session, draft_id, version, actor, workspace_id)
    now = now or utcnow()
    note = _clean_comment(comment, required=False)
    row.status, row.decided_at, row.comment = "approved", now, note
    case = session.get_one(Case, draft.case_id)
    message = STEP_APPROVED_NOTE if note else STEP_APPROVED
    params: dict[str, Any] = {"comment": note} if note else {}
    said = wording(
        message, person=actor, draft=draft.id, version=version, role=row.step_name, **params
    )
    drafts.draft_event(session, case, draft, actor, said, now, data={"approval_id": row.id})
    step_rows = [r for r in _round_rows(session, draft, row.round) if r.step == row.step]
    open_rows = [r for r in step_rows if r.status == "pending"]
    if row.require == "any":
        for other in open_rows:
            other.status = "not_needed"
        open_rows = []
    if open_rows:
        session.flush()
        return draft
    later = [r for r in _round_rows(session, draft, row.round) if r.step > row.step]
    if not later:
        drafts.mark_approved(session, draft, actor, now=now)
        _tell_author(session, case, draft, wording(TOLD_APPROVED, draft=draft.id, version=version))
        session.flush()
        return draft
    next_index = min(r.step for r in later)
    following = [r for r in later if r.step == next_index]
    config = _step_config(session, draft, following[0])
    said = wording(
        NEXT_STEP,
        draft=draft.id,
        role=following[0].step_name,
        people=", ".join(r.approver for r in following),
    )
    drafts.draft_event(session, case, draft, "system", said, now)
    _ask(session, case, draft, following, config, now)
    session.flush()
    return draft


def request_changes(
    session: Session,
    draft_id: int,
    version: int,
    actor: str,
    comment: str,
    *,
    workspace_id: int,
    now: datetime | None = None,
) -> Draft:
    """`actor` asks for changes (saying which): the round ends, the draft goes to
    `changes_requested`; a revised version is submitted again from the first step."""
    note = _clean_comment(comment, required=True)
    assert note is not None
    draft, row = _deciding(session, draft_id, version, actor, workspace_id)
    now = now or utcnow()
    row.status, row.decided_at, row.comment = "changes_requested", now, note
    for other in _round_rows(session, draft, row.round):
        if other.status in OPEN_STATUSES:
            other.status = "cancelled"
    drafts.set_status(session, draft, "changes_requested", now=now)
    case = session.get_one(Case, draft.case_id)
    said = wording(CHANGES_REQUESTED, person=actor, draft=draft.id, version=version, comment=note)
    drafts.draft_event(session, case, draft, actor, said, now, data={"approval_id": row.id})
    told = wording(TOLD_CHANGES, person=actor, draft=draft.id, comment=note)
    _tell_author(session, case, draft, told)
    session.flush()
    return draft


def comment(
    session: Session,
    draft_id: int,
    text: str,
    actor: str,
    *,
    workspace_id: int,
    now: datetime | None = None,
) -> DraftComment:
    """A comment on the draft's current version, on the timeline too."""
    draft = drafts.get_draft(session, draft_id, workspace_id=workspace_id)
    note = _clean_comment(text, required=True)
    assert note is not None
    if draft.status == "withdrawn":
        raise InvalidTransitionError(
            f"draft #{draft.id} was withdrawn; comment on the case instead"
        )
    now = now or utcnow()
    row = DraftComment(
        draft_id=draft.id, version=draft.current_version, author=actor, text=note, created_at=now
    )
    session.add(row)
    session.flush()
    said = wording(
        COMMENTED, person=actor, draft=draft.id, version=draft.current_version, comment=note
    )
    case = session.get_one(Case, draft.case_id)
    drafts.draft_event(session, case, draft, actor, said, now, data={"comment_id": row.id})
    session.flush()
    return row


def recall(
    session: Session,
    draft_id: int,
    actor: str,
    *,
    workspace_id: int,
    may_recall_others: bool = False,
    now: datetime | None = None,
) -> Draft:
    """The author takes the draft back from approval (to change it): its open requests are
    cancelled and it is a `draft` again. Someone else only with `may_recall_others` (admins)."""
    draft = drafts.get_draft(session, draft_id, workspace_id=workspace_id)
    if draft.status != "in_review":
        raise InvalidTransitionError(
            f"draft #{draft.id} is {draft.status}, not waiting for approval; nothing to recall"
        )
    if actor.lower() != draft.created_by.lower() and not may_recall_others:
        raise PermissionDeniedError(
            f"only the draft's author ({draft.created_by}) or a workspace admin can recall "
            f"draft #{draft.id}; comment on it instead"
        )
    now = now or utcnow()
    _cancel_open(session, draft)
    drafts.set_status(session, draft, "draft", now=now)
    said = wording(RECALLED, draft=draft.id, person=actor)
    drafts.draft_event(session, session.get_one(Case, draft.case_id), draft, actor, said, now)
    session.flush()
    return draft


def withdraw(
    session: Session, draft_id: int, actor: str, *, workspace_id: int, now: datetime | None = None
) -> Draft:
    """Ends the draft (drafts.withdraw_draft); its open approval requests are cancelled."""
    draft = drafts.get_draft(session, draft_id, workspace_id=workspace_id)
    _cancel_open(session, draft)
    return drafts.withdraw_draft(session, draft.id, actor, workspace_id=workspace_id, now=now)


def approval_state(session: Session, draft: Draft) -> ApprovalState | None:
    """The latest submission's steps and answers; None when the draft was never submitted."""
    last = _last_round(session, draft)
    if last == 0:
        return None
    rows = _round_rows(session, draft, last)
    steps: dict[int, StepState] = {}
    for row in rows:
        step = steps.setdefault(row.step, StepState(row.step, row.step_name, row.require, ""))
        step.rows.append(row)
    for step in steps.values():
        step.status = _step_status(step)
    return ApprovalState(last, rows[0].version if rows else None, list(steps.values()))


def comments(session: Session, draft: Draft) -> list[DraftComment]:
    return list(
        session.scalars(
            select(DraftComment).where(DraftComment.draft_id == draft.id).order_by(DraftComment.id)
        )
    )


def _check_submittable(draft: Draft) -> None:
    if draft.status == "in_review":
        raise InvalidTransitionError(
            f"draft #{draft.id} is already waiting for approval; recall it to change it"
        )
    if draft.status == "approved":
        raise InvalidTransitionError(
            f"draft #{draft.id} is already approved (version {draft.approved_version}); edit "
            "it to write a new version, then submit that"
        )
    if draft.status == "withdrawn":
        raise InvalidTransitionError(f"draft #{draft.id} was withdrawn; start a new draft")


def _check_step_has_someone(step: ResolvedStep, authors: set[str], case: Case) -> None:
    if any(email not in authors for email, _ in step.people):
        return
    named = ", ".join(step.config.approvers)
    roles = [a.partition(":")[2] for a in step.config.approvers if a.startswith("role:")]
    how = (
        f"give the role {' or '.join(repr(r) for r in roles)} on case #{case.id} to someone "
        f"(the case page's Roles, or 'flarewatch cases role {case.id} {roles[0]} EMAIL')"
        if roles
        else "add one of them to the workspace (Settings → Members)"
    )
    if step.people:
        raise InputError(
            f"approval step {step.config.name!r} names only the draft's author "
            f"({', '.join(e for e, _ in step.people)}), who cannot approve their own draft; "
            f"{how}, or change [approvals] in the workspace file"
        )
    raise InputError(
        f"approval step {step.config.name!r} names nobody on this case ({named}); {how}, or "
        "change [approvals] in the workspace file"
    )


def _deciding(
    session: Session, draft_id: int, version: int, actor: str, workspace_id: int
) -> tuple[Draft, DraftApproval]:
    """The draft and `actor`'s pending request of its current step, or why they cannot decide."""
    draft = drafts.get_draft(session, draft_id, workspace_id=workspace_id)
    if draft.status != "in_review":
        raise InvalidTransitionError(
            f"draft #{draft.id} is {draft.status}, not waiting for approval; nothing to decide"
        )
    if version != draft.current_version:
        raise StaleVersionError(
            f"you decided on version {version} of draft #{draft.id}, but its current text is "
            f"version {draft.current_version}; read version {draft.current_version} and decide "
            "again"
        )
    who = actor.strip().lower()
    if who in authors_of(session, draft):
        raise PermissionDeniedError(
            f"you wrote draft #{draft.id} (or its version {version}); someone else must "
            "approve it (four eyes)"
        )
    rows = _round_rows(session, draft, _last_round(session, draft))
    pending = [r for r in rows if r.status == "pending"]
    mine = next((r for r in pending if r.approver == who), None)
    if mine is not None:
        return draft, mine
    current = ", ".join(r.approver for r in pending) or "nobody"
    step = pending[0].step_name if pending else "—"
    if any(r.approver == who and r.status == "waiting" for r in rows):
        raise PermissionDeniedError(
            f"draft #{draft.id} waits for {step} first ({current}); you are asked once that "
            "step is complete"
        )
    if any(r.approver == who and r.status in ("approved", "not_needed") for r in rows):
        raise InvalidTransitionError(
            f"your part of draft #{draft.id}'s approval is done; it now waits for {current}"
        )
    raise PermissionDeniedError(
        f"only the approvers of the current step ({step}: {current}) can decide on draft "
        f"#{draft.id}; you can comment on it"
    )


def _ask(
    session: Session,
    case: Case,
    draft: Draft,
    rows: Sequence[DraftApproval],
    step: ApprovalStepConfig,
    now: datetime,
) -> None:
    """The step's requests are pending from now, each approver told in the app."""
    workspace = session.get_one(Workspace, case.workspace_id)
    link = f"/w/{workspace.slug}/cases/{case.id}/drafts/{draft.id}"
    for row in rows:
        row.status = "pending"
        row.requested_at = now
        row.answer_by = now + timedelta(minutes=step.answer_within_minutes)
        user = get_user_by_email(session, row.approver)
        if user is None:
            continue
        stored = wording(ASKED, draft=draft.id, case=case.id, role=row.step_name)
        notify(session, user, workspace.id, "approval", stored, spoken(stored), link)


def _tell_author(session: Session, case: Case, draft: Draft, stored: dict[str, Any]) -> None:
    user = get_user_by_email(session, draft.created_by)
    if user is None or role_in(session, user.id, case.workspace_id) is None:
        return  # a name typed on the command line: nobody to tell
    workspace = session.get_one(Workspace, case.workspace_id)
    link = f"/w/{workspace.slug}/cases/{case.id}/drafts/{draft.id}"
    notify(session, user, workspace.id, "approval", stored, spoken(stored), link)


def _step_config(session: Session, draft: Draft, row: DraftApproval) -> ApprovalStepConfig:
    """The step as configured now, else as recorded on its request (the file changed since)."""
    config = approvals_config(session.get_one(Workspace, draft.workspace_id))
    steps = config.effective_steps()
    if row.step < len(steps) and steps[row.step].name == row.step_name:
        return steps[row.step]
    return ApprovalStepConfig(
        name=row.step_name,
        approvers=[row.via],
        require="all" if row.require == "all" else "any",
        escalate_to=row.escalate_to,
    )


def _step_status(step: StepState) -> str:
    statuses = {r.status for r in step.rows}
    if "changes_requested" in statuses:
        return "changes_requested"
    if "pending" in statuses:
        return "pending"
    if "waiting" in statuses:
        return "waiting"
    if "approved" in statuses and statuses <= {"approved", "not_needed"}:
        return "approved"
    return "cancelled"


def _cancel_open(session: Session, draft: Draft) -> None:
    for row in _round_rows(session, draft, _last_round(session, draft)):
        if row.status in OPEN_STATUSES:
            row.status = "cancelled"


def _last_round(session: Session, draft: Draft) -> int:
    found = session.scalar(
        select(func.max(DraftApproval.round)).where(DraftApproval.draft_id == draft.id)
    )
    return int(found or 0)


def _round_rows(session: Session, draft: Draft, round_number: int) -> list[DraftApproval]:
    return list(
        session.scalars(
            select(DraftApproval)
            .where(DraftApproval.draft_id == draft.id, DraftApproval.round == round_number)
            .order_by(DraftApproval.step, DraftApproval.id)
        )
    )


def _clean_comment(text: str | None, *, required: bool) -> str | None:
    clean = (text or "").strip()
    if not clean:
        if required:
            raise InputError(
                "a comment is needed: say what should change, e.g. 'remove the second sentence'"
            )
        return None
    if len(clean) > MAX_COMMENT:
        raise InputError(
            f"the comment has {len(clean):,} characters; keep it under {MAX_COMMENT:,}"
        )
    return clean
