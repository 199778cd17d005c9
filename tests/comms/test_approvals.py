"""Approvals of drafts (comms/approvals.py): the steps in order, any/all, four eyes, decisions
bound to the version, changes requested and resubmission, recall, approval by policy, and the
escalation of an unanswered request through on call (a real HTTP receiver, a set clock)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from flarewatch.accounts import service as accounts
from flarewatch.accounts.models import Notification
from flarewatch.cases.models import CaseEvent
from flarewatch.cases.roles import assign_role
from flarewatch.comms import approvals, drafts
from flarewatch.comms.approval_escalation import escalate_overdue
from flarewatch.comms.approvals import StaleVersionError
from flarewatch.config.workspace import WorkspaceConfig, parse_workspace_toml
from flarewatch.config.workspace_models import WorkspaceConfigError
from flarewatch.db.engine import sessionmaker_for
from flarewatch.errors import InputError, InvalidTransitionError, PermissionDeniedError
from tests.alerts.conftest import HttpReceiver, start_http_receiver
from tests.cases.crisis import T0, Crisis, make_crisis

MINUTE = timedelta(minutes=1)
WRITER, LEGAL, LEGAL2, SPOKES = (
    "writer@acme.test",
    "legal@acme.test",
    "counsel@acme.test",
    "spokes@acme.test",
)


@pytest.fixture
def db(any_engine: Engine) -> Iterator[Session]:
    with sessionmaker_for(any_engine)() as session:
        yield session


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    server, got = start_http_receiver()
    yield got
    server.shutdown()
    server.server_close()


def _crisis(db: Session, **approvals_table: Any) -> Crisis:
    crisis = make_crisis(db, settle=False)
    for email, role in ((WRITER, "responder"), (LEGAL, "approver"), (LEGAL2, "approver")):
        accounts.add_member(db, crisis.workspace, accounts.create_user(db, email), role)
    accounts.add_member(db, crisis.workspace, accounts.create_user(db, SPOKES), "responder")
    config: dict[str, Any] = {"slug": "acme", "name": "Acme Burgers"}
    if approvals_table:
        config["approvals"] = approvals_table
    crisis.workspace.config = WorkspaceConfig.model_validate(config).model_dump(mode="json")
    ws = crisis.workspace.id
    assign_role(db, crisis.case.id, "legal", LEGAL, "admin", workspace_id=ws, now=T0)
    assign_role(db, crisis.case.id, "spokesperson", SPOKES, "admin", workspace_id=ws, now=T0)
    db.flush()
    return crisis


def _draft(db: Session, crisis: Crisis, kind: str = "statement") -> int:
    draft = drafts.create_draft(
        db,
        crisis.case.id,
        "We are sorry. We are checking every grill and will update you by 18:00.",
        WRITER,
        workspace_id=crisis.workspace.id,
        platform="x",
        kind=kind,
        now=T0,
    )
    return draft.id


def _texts(db: Session, crisis: Crisis) -> list[str]:
    return list(
        db.scalars(
            select(CaseEvent.text)
            .where(CaseEvent.case_id == crisis.case.id, CaseEvent.kind == "draft")
            .order_by(CaseEvent.id)
        )
    )


def test_default_steps_legal_then_spokesperson_lock_the_version(db: Session) -> None:
    crisis = _crisis(db)
    ws = crisis.workspace.id
    draft_id = _draft(db, crisis)
    rows = approvals.submit(db, draft_id, WRITER, workspace_id=ws, now=T0)
    assert [(r.step_name, r.approver, r.status) for r in rows] == [
        ("legal", LEGAL, "pending"),
        ("spokesperson", SPOKES, "waiting"),
    ]
    draft = drafts.get_draft(db, draft_id)
    assert draft.status == "in_review"
    # The spokesperson is asked only after legal: deciding now is refused.
    with pytest.raises(PermissionDeniedError, match="waits for legal first"):
        approvals.approve(db, draft_id, 1, SPOKES, workspace_id=ws)
    approvals.approve(db, draft_id, 1, LEGAL, workspace_id=ws, comment="Fine legally", now=T0)
    assert draft.status == "in_review" and draft.approved_version is None
    with pytest.raises(drafts.ApprovalRequiredError):
        drafts.approved_text(db, draft)
    approvals.approve(db, draft_id, 1, SPOKES, workspace_id=ws, now=T0 + MINUTE)
    assert (draft.status, draft.approved_version) == ("approved", 1)
    assert drafts.approved_text(db, draft).number == 1
    assert _texts(db, crisis)[1:] == [
        f"Draft #{draft_id} version 1 sent for approval: legal first ({LEGAL})",
        f"{LEGAL} approved draft #{draft_id} version 1 for legal: Fine legally",
        f"Draft #{draft_id} now waits for spokesperson ({SPOKES})",
        f"{SPOKES} approved draft #{draft_id} version 1 for spokesperson",
        f"Draft #{draft_id} approved: version 1 is locked",
    ]
    told = db.scalars(select(Notification).order_by(Notification.id)).all()
    assert [(n.link.endswith(f"/drafts/{draft_id}"), n.text) for n in told] == [
        (True, f"Draft #{draft_id} on case #{crisis.case.id} waits for your approval (legal)"),
        (
            True,
            f"Draft #{draft_id} on case #{crisis.case.id} waits for your approval (spokesperson)",
        ),
        (True, f"Your draft #{draft_id} is approved: version 1 is locked"),
    ]
    state = approvals.approval_state(db, draft)
    assert state is not None and [s.status for s in state.steps] == ["approved", "approved"]


def test_any_needs_one_all_needs_every_approver(db: Session) -> None:
    crisis = _crisis(
        db,
        steps=[
            {"name": "counsel", "approvers": ["role:legal", f"member:{LEGAL2}"], "require": "any"},
            {
                "name": "board",
                "approvers": [f"member:{LEGAL}", f"member:{SPOKES}"],
                "require": "all",
            },
        ],
    )
    ws = crisis.workspace.id
    draft_id = _draft(db, crisis)
    approvals.submit(db, draft_id, WRITER, workspace_id=ws)
    approvals.approve(db, draft_id, 1, LEGAL2, workspace_id=ws)
    state = approvals.approval_state(db, drafts.get_draft(db, draft_id))
    assert state is not None
    assert [(r.approver, r.status) for r in state.steps[0].rows] == [
        (LEGAL, "not_needed"),
        (LEGAL2, "approved"),
    ]
    assert sorted(state.deciders()) == [LEGAL, SPOKES]
    approvals.approve(db, draft_id, 1, SPOKES, workspace_id=ws)
    assert drafts.get_draft(db, draft_id).status == "in_review"  # all: legal still has to
    with pytest.raises(InvalidTransitionError, match="your part"):
        approvals.approve(db, draft_id, 1, SPOKES, workspace_id=ws)
    approvals.approve(db, draft_id, 1, LEGAL, workspace_id=ws)
    assert drafts.get_draft(db, draft_id).status == "approved"


def test_four_eyes_outsiders_and_stale_versions_are_refused(db: Session) -> None:
    crisis = _crisis(db, steps=[{"name": "legal", "approvers": ["role:legal"]}])
    ws = crisis.workspace.id
    draft_id = _draft(db, crisis)
    approvals.submit(db, draft_id, WRITER, workspace_id=ws)
    with pytest.raises(PermissionDeniedError, match="four eyes"):
        approvals.approve(db, draft_id, 1, WRITER, workspace_id=ws)
    with pytest.raises(PermissionDeniedError, match=r"only the approvers of the current step"):
        approvals.approve(db, draft_id, 1, LEGAL2, workspace_id=ws)
    with pytest.raises(StaleVersionError, match="current text is version 1"):
        approvals.approve(db, draft_id, 2, LEGAL, workspace_id=ws)
    # The author recalls, changes the text, submits again: a decision on version 1 is stale.
    approvals.recall(db, draft_id, WRITER, workspace_id=ws)
    drafts.revise_draft(db, draft_id, "We are sorry; details at 18:00.", WRITER, workspace_id=ws)
    approvals.submit(db, draft_id, WRITER, workspace_id=ws)
    with pytest.raises(StaleVersionError):
        approvals.approve(db, draft_id, 1, LEGAL, workspace_id=ws)
    approvals.approve(db, draft_id, 2, LEGAL, workspace_id=ws)
    assert drafts.get_draft(db, draft_id).approved_version == 2
    # A step whose only approver wrote the draft cannot be satisfied: submit says what to do.
    own = drafts.create_draft(
        db, crisis.case.id, "Sorry.", LEGAL, workspace_id=ws, platform="x", now=T0
    )
    with pytest.raises(InputError, match="names only the draft's author"):
        approvals.submit(db, own.id, LEGAL, workspace_id=ws)


def test_changes_requested_needs_a_comment_and_a_new_round(db: Session) -> None:
    crisis = _crisis(db)
    ws = crisis.workspace.id
    draft_id = _draft(db, crisis)
    approvals.submit(db, draft_id, WRITER, workspace_id=ws)
    with pytest.raises(InputError, match="a comment is needed"):
        approvals.request_changes(db, draft_id, 1, LEGAL, "  ", workspace_id=ws)
    approvals.request_changes(db, draft_id, 1, LEGAL, "Drop the time", workspace_id=ws)
    draft = drafts.get_draft(db, draft_id)
    assert draft.status == "changes_requested"
    with pytest.raises(InvalidTransitionError, match="not waiting for approval"):
        approvals.approve(db, draft_id, 1, LEGAL, workspace_id=ws)
    state = approvals.approval_state(db, draft)
    assert state is not None and [s.status for s in state.steps] == [
        "changes_requested",
        "cancelled",
    ]
    approvals.comment(db, draft_id, "Will do", WRITER, workspace_id=ws)
    drafts.revise_draft(
        db, draft_id, "We are sorry and checking every grill.", WRITER, workspace_id=ws
    )
    rows = approvals.submit(db, draft_id, WRITER, workspace_id=ws)
    assert {(r.round, r.version) for r in rows} == {(2, 2)}
    assert [r.status for r in rows] == ["pending", "waiting"]  # from the first step again
    assert [c.text for c in approvals.comments(db, draft)] == ["Will do"]
    texts = _texts(db, crisis)
    assert f"{LEGAL} asked for changes to draft #{draft_id} version 1: Drop the time" in texts
    assert f"{WRITER} commented on draft #{draft_id} version 1: Will do" in texts
    told = db.scalars(select(Notification.text).order_by(Notification.id)).all()
    assert f"{LEGAL} asked for changes to your draft #{draft_id}: Drop the time" in told


def test_recall_and_submit_rules(db: Session) -> None:
    crisis = _crisis(db)
    ws = crisis.workspace.id
    draft_id = _draft(db, crisis)
    with pytest.raises(InvalidTransitionError, match="nothing to recall"):
        approvals.recall(db, draft_id, WRITER, workspace_id=ws)
    approvals.submit(db, draft_id, WRITER, workspace_id=ws)
    with pytest.raises(InvalidTransitionError, match="already waiting"):
        approvals.submit(db, draft_id, WRITER, workspace_id=ws)
    with pytest.raises(PermissionDeniedError, match="only the draft's author"):
        approvals.recall(db, draft_id, LEGAL, workspace_id=ws)
    approvals.recall(db, draft_id, WRITER, workspace_id=ws)
    draft = drafts.get_draft(db, draft_id)
    assert draft.status == "draft"
    state = approvals.approval_state(db, draft)
    assert state is not None and {s.status for s in state.steps} == {"cancelled"}
    assert state.deciders() == []
    approvals.withdraw(db, draft_id, WRITER, workspace_id=ws)
    with pytest.raises(InvalidTransitionError, match="withdrawn"):
        approvals.submit(db, draft_id, WRITER, workspace_id=ws)


def test_a_step_naming_nobody_refuses_submit_with_what_to_do(db: Session) -> None:
    crisis = _crisis(db, steps=[{"name": "executive", "approvers": ["role:executive"]}])
    draft_id = _draft(db, crisis)
    with pytest.raises(InputError) as refused:
        approvals.submit(db, draft_id, WRITER, workspace_id=crisis.workspace.id)
    assert "approval step 'executive' names nobody on this case (role:executive)" in str(
        refused.value
    )
    assert f"flarewatch cases role {crisis.case.id} executive EMAIL" in str(refused.value)
    assert drafts.get_draft(db, draft_id).status == "draft"


def test_a_reply_can_be_approved_by_policy(db: Session) -> None:
    crisis = _crisis(db, kinds=["statement", "update", "private_message"])
    ws = crisis.workspace.id
    reply = _draft(db, crisis, kind="reply")
    assert approvals.submit(db, reply, WRITER, workspace_id=ws) == []
    draft = drafts.get_draft(db, reply)
    assert drafts.approved_text(db, draft).number == 1
    assert _texts(db, crisis)[-2:] == [
        f"Draft #{reply} version 1 needs no approval in this workspace (reply): approved by policy",
        f"Draft #{reply} approved: version 1 is locked",
    ]
    statement = _draft(db, crisis)
    assert len(approvals.submit(db, statement, WRITER, workspace_id=ws)) == 2


def test_an_unanswered_request_escalates_once_after_its_time(
    db: Session, receiver: HttpReceiver
) -> None:
    crisis = make_crisis(db, settle=False)
    for email, role in ((WRITER, "responder"), (LEGAL, "approver")):
        accounts.add_member(db, crisis.workspace, accounts.create_user(db, email), role)
    crisis.workspace.config = WorkspaceConfig.model_validate(
        {
            "slug": "acme",
            "name": "Acme Burgers",
            "people": [{"key": "dana", "notify": [receiver.url("dana")]}],
            "approvals": {
                "steps": [
                    {
                        "name": "legal",
                        "approvers": [f"member:{LEGAL}"],
                        "answer_within_minutes": 30,
                        "escalate_to": "person:dana",
                    }
                ]
            },
        }
    ).model_dump(mode="json")
    ws = crisis.workspace.id
    draft_id = _draft(db, crisis)
    approvals.submit(db, draft_id, WRITER, workspace_id=ws, now=T0)
    assert escalate_overdue(db, crisis.workspace, T0 + 29 * MINUTE) == []
    escalated = escalate_overdue(db, crisis.workspace, T0 + 31 * MINUTE)
    assert [(r.approver, r.escalated_at) for r in escalated] == [(LEGAL, T0 + 31 * MINUTE)]
    assert [path for path, _ in receiver.requests] == ["/dana"]
    assert f"draft #{draft_id}" in receiver.requests[0][1]["title"]
    assert _texts(db, crisis)[-1] == (
        f"Draft #{draft_id} has waited 30 minutes for legal ({LEGAL}): escalated to dana"
    )
    assert escalate_overdue(db, crisis.workspace, T0 + 90 * MINUTE) == []  # once
    assert len(receiver.requests) == 1
    # Still open for the answer after the escalation.
    approvals.approve(db, draft_id, 1, LEGAL, workspace_id=ws)
    assert drafts.get_draft(db, draft_id).status == "approved"


def test_the_file_checks_what_the_steps_name() -> None:
    text = """
slug = "acme"
name = "Acme"
[[approvals.steps]]
name = "legal"
approvers = ["role:lawyer", "boss"]
escalate_to = "rota:nights"
[[approvals.steps]]
name = "legal"
approvers = ["role:legal"]
"""
    with pytest.raises(WorkspaceConfigError) as err:
        parse_workspace_toml(text, "acme.toml")
    said = "\n".join(err.value.problems)
    assert "'boss' names no approver; write 'role:KEY'" in said
    assert "'role:lawyer': 'lawyer' is not one of the roles" in said
    assert "'rota:nights': there is no rota 'nights' in this file" in said
    assert "the name 'legal' is already used by approvals.steps[0]" in said
