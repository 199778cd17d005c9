"""Playbooks in a workspace (the shipped library and the workspace's own versions) and
applying one to a case: its steps become tasks due relative to the case's start, its goals
the case's goals, and the case records which version was applied.

Every function flushes but never commits: the caller owns the transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flarewatch.alerts.wording import spoken, wording
from flarewatch.cases.goals import add_goal
from flarewatch.cases.models import Case, CaseEvent
from flarewatch.cases.service import add_task, get_case
from flarewatch.db.base import utcnow
from flarewatch.detect.explain import N_
from flarewatch.errors import InvalidTransitionError, NotFoundError
from flarewatch.playbooks.library import LANGUAGES, PlaybookDoc, check_playbook, shipped
from flarewatch.playbooks.models import CasePlaybook, WorkspacePlaybook
from flarewatch.workspaces.models import Workspace

PLAYBOOK_APPLIED = N_("Playbook %(playbook)s (version %(version)s) applied; tasks added: %(tasks)s")
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Playbook:
    """A playbook as a workspace sees it: the newest version, shipped or its own."""

    doc: PlaybookDoc
    version: int
    origin: str  # shipped, workspace

    @property
    def key(self) -> str:
        return self.doc.key


def available(session: Session, workspace_id: int | None) -> list[Playbook]:
    """Every playbook the workspace can apply, by key; its own newest version where it has one."""
    found = {key: Playbook(doc, doc.version, "shipped") for key, doc in shipped().items()}
    if workspace_id is not None:
        for row in _newest_rows(session, workspace_id):
            try:
                doc = PlaybookDoc.model_validate(row.data)
            except ValidationError as err:
                # Saved versions are checked; one that no longer reads (an older document
                # shape) must not hide the others: the shipped one stands in for it.
                log.warning(
                    "playbook %s version %s of workspace %s does not read: %s",
                    row.key,
                    row.version,
                    workspace_id,
                    err.errors()[0]["msg"],
                )
                continue
            found[row.key] = Playbook(doc, row.version, "workspace")
    return [found[key] for key in sorted(found)]


def resolve(session: Session, workspace_id: int | None, key: str) -> Playbook:
    for playbook in available(session, workspace_id):
        if playbook.key == key:
            return playbook
    keys = ", ".join(p.key for p in available(session, workspace_id))
    raise NotFoundError(f"playbook {key!r} not found; known playbooks: {keys}")


def versions(session: Session, workspace_id: int, key: str) -> list[WorkspacePlaybook]:
    """The workspace's saved versions of a playbook, oldest first."""
    return list(
        session.scalars(
            select(WorkspacePlaybook)
            .where(WorkspacePlaybook.workspace_id == workspace_id, WorkspacePlaybook.key == key)
            .order_by(WorkspacePlaybook.version)
        )
    )


def save_version(
    session: Session, workspace_id: int, data: dict[str, Any], actor: str, where: str = "playbook"
) -> WorkspacePlaybook:
    """Checks the document and stores it as the workspace's next version of its key (the
    shipped file's version + 1 for the first copy); the version in the document is replaced."""
    doc = check_playbook({**data, "version": 1}, where)
    base = shipped()[doc.key].version if doc.key in shipped() else 0
    latest = session.scalar(
        select(func.max(WorkspacePlaybook.version)).where(
            WorkspacePlaybook.workspace_id == workspace_id, WorkspacePlaybook.key == doc.key
        )
    )
    version = max(base, int(latest or 0)) + 1
    stored = doc.model_copy(update={"version": version}).model_dump(exclude_none=True)
    row = WorkspacePlaybook(
        workspace_id=workspace_id,
        key=doc.key,
        version=version,
        data=stored,
        saved_by=actor,
        saved_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def apply_playbook(
    session: Session,
    case_id: int,
    key: str,
    actor: str,
    *,
    language: str | None = None,
    workspace_id: int | None = None,
) -> CasePlaybook:
    """Applies the workspace's newest version of a playbook to a case, once per playbook.

    Each step becomes a task titled in `language` (default: the workspace's first interface
    language) and due `due_minutes` after the case opened; each goal becomes the case's goal of
    its kind. The timeline says which version was applied.
    """
    case = get_case(session, case_id, workspace_id=workspace_id)
    if case.status == "closed":
        raise InvalidTransitionError(
            f"case #{case.id} is closed; reopen it before applying a playbook"
        )
    playbook = resolve(session, case.workspace_id, key)
    earlier = session.scalars(
        select(CasePlaybook).where(CasePlaybook.case_id == case.id, CasePlaybook.key == key)
    ).first()
    if earlier is not None:
        raise InvalidTransitionError(
            f"playbook {key!r} was already applied to case #{case.id} (version "
            f"{earlier.version}); its tasks are on the case"
        )
    words = language or _workspace_language(session, case.workspace_id)
    steps: list[dict[str, Any]] = []
    for stage, stage_steps in playbook.doc.stages():
        for step in stage_steps:
            task = add_task(
                session,
                case.id,
                step.in_language(words),
                actor,
                due_at=case.opened_at + timedelta(minutes=step.due_minutes),
            )
            steps.append(
                {
                    "stage": stage,
                    "task_id": task.id,
                    "due_minutes": step.due_minutes,
                    "title": {lang: step.in_language(lang) for lang in LANGUAGES},
                }
            )
    for goal in {g.kind: g for g in playbook.doc.goals}.values():  # the last of a kind counts
        add_goal(
            session,
            case.id,
            goal.kind,
            goal.within_minutes,
            actor,
            target=goal.target,
            playbook=key,
        )
    applied = CasePlaybook(
        case_id=case.id,
        key=key,
        version=playbook.version,
        origin=playbook.origin,
        title={lang: playbook.doc.title.in_language(lang) for lang in LANGUAGES},
        steps=steps,
        applied_by=actor,
        applied_at=utcnow(),
    )
    session.add(applied)
    said = wording(
        PLAYBOOK_APPLIED,
        playbook=playbook.doc.title.in_language(words),
        version=playbook.version,
        tasks=len(steps),
    )
    session.add(
        CaseEvent(
            case_id=case.id,
            at=utcnow(),
            kind="playbook",
            actor=actor,
            text=spoken(said),
            data={"playbook": key, "version": playbook.version, "origin": playbook.origin, **said},
        )
    )
    case.updated_at = utcnow()
    session.flush()
    return applied


def case_playbooks(session: Session, case_id: int) -> list[CasePlaybook]:
    return list(
        session.scalars(
            select(CasePlaybook).where(CasePlaybook.case_id == case_id).order_by(CasePlaybook.id)
        )
    )


def _workspace_language(session: Session, workspace_id: int) -> str:
    workspace = session.get(Workspace, workspace_id)
    for code in (workspace.languages if workspace is not None else None) or []:
        if code in LANGUAGES:
            return str(code)
    return "en"


def _newest_rows(session: Session, workspace_id: int) -> list[WorkspacePlaybook]:
    newest = (
        select(WorkspacePlaybook.key, func.max(WorkspacePlaybook.version).label("version"))
        .where(WorkspacePlaybook.workspace_id == workspace_id)
        .group_by(WorkspacePlaybook.key)
        .subquery()
    )
    return list(
        session.scalars(
            select(WorkspacePlaybook)
            .join(
                newest,
                (WorkspacePlaybook.key == newest.c.key)
                & (WorkspacePlaybook.version == newest.c.version),
            )
            .where(WorkspacePlaybook.workspace_id == workspace_id)
        )
    )


def follow_up_days(session: Session, case: Case) -> int | None:
    """How long the follow-up watch should last by the playbooks applied to the case: the
    longest `follow_up_days` of the versions applied (0 asks for nothing). None when no
    playbook was applied or none asks: the workspace's `[followup] days` stands."""
    asked = [
        doc.follow_up_days
        for applied in case_playbooks(session, case.id)
        if (doc := _applied_doc(session, case.workspace_id, applied)) is not None
        and doc.follow_up_days > 0
    ]
    return max(asked) if asked else None


def _applied_doc(session: Session, workspace_id: int, applied: CasePlaybook) -> PlaybookDoc | None:
    """The version of a playbook that was applied to a case: the workspace's saved version,
    else the shipped file (None when neither is there any more or it no longer reads)."""
    if applied.origin == "workspace":
        data = session.scalar(
            select(WorkspacePlaybook.data).where(
                WorkspacePlaybook.workspace_id == workspace_id,
                WorkspacePlaybook.key == applied.key,
                WorkspacePlaybook.version == applied.version,
            )
        )
        if data is not None:
            try:
                return PlaybookDoc.model_validate(data)
            except ValidationError:
                log.warning("playbook %s version %s does not read", applied.key, applied.version)
    return shipped().get(applied.key)
