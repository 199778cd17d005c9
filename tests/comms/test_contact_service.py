"""Private contact as a case task: opening (task, deadline, timeline), recording sent messages
through the approval gate or by hand, answers, outcomes and the closing-window reminder."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from flarewatch.accounts import service as accounts
from flarewatch.accounts.models import Notification
from flarewatch.cases.models import CaseEvent, Task
from flarewatch.comms import drafts
from flarewatch.comms.contact import service as contact
from flarewatch.db.engine import sessionmaker_for
from flarewatch.errors import InputError, InvalidTransitionError, NotFoundError
from flarewatch.mentions.models import RawPost
from tests.cases.crisis import T0, Crisis, make_crisis

DAY = timedelta(days=1)


@pytest.fixture
def db(any_engine: Engine) -> Iterator[Session]:
    with sessionmaker_for(any_engine)() as session:
        yield session


def post_on(db: Session, crisis: Crisis, platform: str) -> RawPost:
    return db.scalars(
        select(RawPost)
        .where(RawPost.workspace_id == crisis.workspace.id, RawPost.platform == platform)
        .order_by(RawPost.created_at)
    ).first()  # type: ignore[return-value]


def team(db: Session, crisis: Crisis) -> None:
    for name in ("dana", "eli"):
        user = accounts.create_user(db, f"{name}@acme.test", name.title())
        accounts.add_member(db, crisis.workspace, user, "responder")


def contact_events(db: Session, crisis: Crisis) -> list[CaseEvent]:
    return list(
        db.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_id == crisis.case.id, CaseEvent.kind == "contact")
            .order_by(CaseEvent.id)
        )
    )


def test_opening_creates_a_task_due_when_the_window_closes(db: Session) -> None:
    crisis = make_crisis(db)
    team(db, crisis)
    post = post_on(db, crisis, "facebook")
    row = contact.open_contact(
        db,
        crisis.case.id,
        post.id,
        "dana@acme.test",
        workspace_id=crisis.workspace.id,
        assignee="eli@acme.test",
        now=post.created_at + DAY,
    )
    assert (row.channel, row.status, row.handle) == ("facebook", "to_contact", "angry0")
    assert row.deadline == post.created_at + 7 * DAY
    task = db.get_one(Task, row.task_id)
    assert (task.assignee, task.due_at, task.status) == ("eli@acme.test", row.deadline, "open")
    assert task.title == "Contact angry0 privately (Facebook Messenger)"
    [opened] = contact_events(db, crisis)
    assert opened.data["contact_id"] == row.id
    assert opened.data["message"] == contact.OPENED_UNTIL
    # A playbook step due sooner makes the task due sooner; the window stays.
    other = contact.open_contact(
        db,
        crisis.case.id,
        post_on(db, crisis, "instagram").id,
        "dana@acme.test",
        workspace_id=crisis.workspace.id,
        due_at=T0 + timedelta(hours=2),
        now=T0 + timedelta(hours=1),
    )
    assert db.get_one(Task, other.task_id).due_at == T0 + timedelta(hours=2)
    with pytest.raises(InvalidTransitionError, match="still open"):
        contact.open_contact(
            db, crisis.case.id, post.id, "dana@acme.test", workspace_id=crisis.workspace.id
        )
    with pytest.raises(NotFoundError, match="not a member"):
        contact.open_contact(
            db,
            crisis.case.id,
            post_on(db, crisis, "twitter").id,
            "dana@acme.test",
            workspace_id=crisis.workspace.id,
            assignee="nobody@acme.test",
        )
    with pytest.raises(NotFoundError, match="post #999999"):
        contact.open_contact(
            db, crisis.case.id, 999999, "dana@acme.test", workspace_id=crisis.workspace.id
        )


def test_sent_answered_closed_on_the_timeline_and_the_second_reply_refused(db: Session) -> None:
    crisis = make_crisis(db)
    ws = crisis.workspace.id
    post = post_on(db, crisis, "facebook")
    row = contact.open_contact(
        db, crisis.case.id, post.id, "dana", workspace_id=ws, now=post.created_at + DAY
    )
    sent_at = post.created_at + 2 * DAY
    contact.record_sent(db, row.id, "dana", workspace_id=ws, note="Offered a refund", now=sent_at)
    assert (row.status, row.deadline) == ("sent", None)
    assert row.attempts[0]["channel"] == "facebook"
    assert row.attempts[0]["approved"] is False
    assert db.get_one(Task, row.task_id).status == "done"
    with pytest.raises(InvalidTransitionError, match="only one is allowed"):
        contact.record_sent(db, row.id, "dana", workspace_id=ws, now=sent_at + DAY)
    # Another channel is always open: e-mail.
    contact.record_sent(db, row.id, "dana", workspace_id=ws, channel="email", now=sent_at + DAY)
    answered = sent_at + 2 * DAY
    contact.record_answer(
        db, row.id, "dana", workspace_id=ws, at=answered, now=answered + timedelta(hours=1)
    )
    assert (row.status, row.deadline) == ("answered", answered + DAY)
    # Within the 24 hours after their answer a message may go out again.
    contact.record_sent(db, row.id, "dana", workspace_id=ws, now=answered + timedelta(hours=3))
    contact.close_contact(
        db, row.id, "dana", workspace_id=ws, outcome="compensated", note="Voucher sent"
    )
    assert (row.status, row.outcome, row.outcome_note) == ("closed", "compensated", "Voucher sent")
    said = [e.data["message"] for e in contact_events(db, crisis)]
    assert said == [
        contact.OPENED_UNTIL,
        contact.SENT_BY_HAND["platform"],
        contact.SENT_BY_HAND["email"],
        contact.ANSWERED_UNTIL,
        contact.SENT_BY_HAND["platform"],
        contact.CLOSED["compensated"],
    ]
    notes = db.scalars(
        select(CaseEvent.text).where(CaseEvent.case_id == crisis.case.id, CaseEvent.kind == "note")
    ).all()
    assert notes == ["Offered a refund", "Voucher sent"]
    with pytest.raises(InvalidTransitionError, match="is closed"):
        contact.record_answer(db, row.id, "dana", workspace_id=ws, at=answered)
    with pytest.raises(InputError, match="outcome"):
        other = contact.open_contact(db, crisis.case.id, post.id, "dana", workspace_id=ws)
        contact.close_contact(db, other.id, "dana", workspace_id=ws, outcome="happy")


def test_an_approved_draft_passes_the_gate_and_an_unapproved_one_is_by_hand(db: Session) -> None:
    crisis = make_crisis(db)
    ws = crisis.workspace.id
    post = post_on(db, crisis, "instagram")
    row = contact.open_contact(db, crisis.case.id, post.id, "dana", workspace_id=ws, now=T0)
    draft = drafts.create_draft(
        db,
        crisis.case.id,
        "We are sorry. Could you send us the batch number?",
        "dana",
        workspace_id=ws,
        platform="instagram",
        kind="private_message",
    )
    contact.record_sent(db, row.id, "dana", workspace_id=ws, draft_id=draft.id, now=T0)
    assert row.attempts[-1] | {"at": None} == {
        "at": None,
        "channel": "instagram",
        "by": "dana",
        "draft_id": draft.id,
        "draft_version": 1,
        "approved": False,
        "note": None,
    }
    drafts.mark_approved(db, draft, "legal")
    contact.record_sent(db, row.id, "dana", workspace_id=ws, channel="email", draft_id=draft.id)
    assert (row.attempts[-1]["approved"], row.attempts[-1]["draft_version"]) == (True, 1)
    assert contact_events(db, crisis)[-1].data["message"] == contact.SENT_APPROVED["email"]
    statement = drafts.create_draft(
        db, crisis.case.id, "Statement.", "dana", workspace_id=ws, platform="x"
    )
    with pytest.raises(InputError, match="not a private message"):
        contact.record_sent(
            db, row.id, "dana", workspace_id=ws, channel="email", draft_id=statement.id
        )


def test_the_assignee_is_reminded_once_per_closing_window(db: Session) -> None:
    crisis = make_crisis(db)
    team(db, crisis)
    ws = crisis.workspace
    post = post_on(db, crisis, "facebook")
    row = contact.open_contact(
        db, crisis.case.id, post.id, "dana", workspace_id=ws.id, assignee="eli@acme.test", now=T0
    )
    assert contact.remind_closing(db, ws, post.created_at + 5 * DAY) == []
    closing = post.created_at + 6 * DAY + timedelta(hours=1)
    assert contact.remind_closing(db, ws, closing) == [row]
    assert contact.remind_closing(db, ws, closing + timedelta(hours=2)) == []
    eli = accounts.get_user_by_email(db, "eli@acme.test")
    notes = db.scalars(select(Notification).where(Notification.user_id == eli.id)).all()
    assert [n.kind for n in notes].count("contact") == 1
    assert contact_events(db, crisis)[-1].data["message"] == contact.REMINDED
    # Their answer opens a new 24-hour window: reminded again 4 hours before it ends.
    sent = closing + timedelta(hours=1)
    contact.record_sent(db, row.id, "eli", workspace_id=ws.id, now=sent)
    contact.record_answer(db, row.id, "eli", workspace_id=ws.id, at=sent + DAY, now=sent + DAY)
    assert contact.remind_closing(db, ws, sent + DAY + timedelta(hours=19)) == []
    assert contact.remind_closing(db, ws, sent + DAY + timedelta(hours=21)) == [row]
    assert contact.remind_closing(db, ws, sent + DAY + timedelta(hours=22)) == []


def test_bad_times_are_refused_with_how_to_fix(db: Session) -> None:
    crisis = make_crisis(db)
    ws = crisis.workspace.id
    row = contact.open_contact(
        db, crisis.case.id, post_on(db, crisis, "twitter").id, "dana", workspace_id=ws, now=T0
    )
    with pytest.raises(InputError, match="timezone"):
        contact.record_answer(db, row.id, "dana", workspace_id=ws, at=T0.replace(tzinfo=None))
    with pytest.raises(InputError, match="in the future"):
        contact.record_answer(db, row.id, "dana", workspace_id=ws, at=T0 + DAY, now=T0)
    with pytest.raises(InputError, match="use one of"):
        contact.record_sent(db, row.id, "dana", workspace_id=ws, channel="pigeon")
    # X, their settings unknown: it may work, so it is recorded.
    contact.record_sent(db, row.id, "dana", workspace_id=ws, now=T0)
    assert row.attempts[0]["channel"] == "x"
