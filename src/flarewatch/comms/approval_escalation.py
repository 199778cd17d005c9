"""Escalation of draft approvals left unanswered (issue 21 §3): after its step's
`answer_within_minutes`, a pending request is escalated once through on call, like an
unanswered routing request (cases/routing.py): to the step's `escalate_to` (`rota:KEY`, whoever
is on call then; `person:KEY`; `route:NAME`), by default the first step of the workspace's
escalation policy for the case's severity. The runner calls `escalate_overdue` after each
detection cycle (runtime/embedded.py `_follow_up`); the approvers can still answer afterwards.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.alerts.message import AlertMessage
from flarewatch.alerts.notify import describe_route, notifier_for
from flarewatch.alerts.wording import wording
from flarewatch.cases.models import Case
from flarewatch.cases.routing import room_setup
from flarewatch.comms import drafts
from flarewatch.comms.approval_models import DraftApproval
from flarewatch.comms.models import Draft
from flarewatch.detect.explain import N_
from flarewatch.oncall.acklink import public_url
from flarewatch.oncall.config import policy_for
from flarewatch.oncall.escalation import recipients
from flarewatch.workspaces.models import Workspace

log = logging.getLogger(__name__)

ESCALATED = N_(
    "Draft #%(draft)s has waited %(minutes)s minutes for %(role)s (%(people)s): "
    "escalated to %(who)s"
)
ESCALATED_NOBODY = N_(
    "Draft #%(draft)s has waited %(minutes)s minutes for %(role)s (%(people)s), and nobody "
    "could be reached through %(target)s"
)


def escalate_overdue(session: Session, workspace: Workspace, now: datetime) -> list[DraftApproval]:
    """Escalates, once, every request of the workspace left unanswered past its step's time:
    one message per draft and step, to the step's `escalate_to` (by default the first step of
    the escalation policy for the case's severity), resolved through on call."""
    due = session.scalars(
        select(DraftApproval)
        .join(Draft, Draft.id == DraftApproval.draft_id)
        .where(
            Draft.workspace_id == workspace.id,
            Draft.status == "in_review",
            DraftApproval.status == "pending",
            DraftApproval.escalated_at.is_(None),
            DraftApproval.answer_by <= now,
        )
        .order_by(DraftApproval.answer_by, DraftApproval.id)
    ).all()
    groups: dict[tuple[int, int, int], list[DraftApproval]] = {}
    for row in due:
        groups.setdefault((row.draft_id, row.round, row.step), []).append(row)
    config = room_setup(workspace).config
    for rows in groups.values():
        for row in rows:
            row.escalated_at = now
        first = rows[0]
        draft = session.get_one(Draft, first.draft_id)
        case = session.get_one(Case, draft.case_id)
        assert first.requested_at is not None and first.answer_by is not None
        minutes = int((first.answer_by - first.requested_at).total_seconds() // 60)
        target = first.escalate_to or _policy_target(config, case.severity)
        reached: list[tuple[str, str]] | None = None
        if target is not None and config is not None:
            try:
                reached = recipients(config, target, now)
            except KeyError:
                reached = []
        people = ", ".join(r.approver for r in rows)
        base = {"draft": draft.id, "minutes": minutes, "role": first.step_name, "people": people}
        if not reached:
            said = wording(ESCALATED_NOBODY, target=target or "—", **base)
        else:
            title = f"Unanswered: draft #{draft.id} on case #{case.id} waits for approval"
            body = (
                f"Draft #{draft.id} (version {first.version}) on case #{case.id} has waited "
                f"{minutes} minutes for {first.step_name}: {people}.\n"
                f"{public_url()}/w/{workspace.slug}/cases/{case.id}/drafts/{draft.id}"
            )
            _send([url for _, url in reached], title, body, case)
            who = ", ".join(dict.fromkeys(person for person, _ in reached))
            said = wording(ESCALATED, who=who, **base)
        drafts.draft_event(session, case, draft, "system", said, now)
    session.flush()
    return list(due)


def _policy_target(config: Any, severity: str) -> str | None:
    """The first step of the escalation policy for this severity: who is paged first."""
    if config is None:
        return None
    policy = policy_for(config.escalation, severity)
    return policy.steps[0].notify if policy is not None and policy.steps else None


def _send(urls: Sequence[str], title: str, body: str, case: Case) -> None:
    """Sends to each URL; one failing never stops the others (logged)."""
    message = AlertMessage(
        alert_id=case.alert_id or 0, severity=case.severity, title=title, body=body
    )
    for url in urls:
        try:
            notifier_for(url).send(url, message)
        except Exception as err:  # noqa: BLE001 - one contact's failure must not stop the rest
            log.warning("escalating draft approval to %s failed: %s", describe_route(url), err)
