"""Through the runner: each cycle's follow-up reminds a contact's assignee once when its
window is closing (runtime/embedded.py `_follow_up` → comms/contact/service.remind_closing)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from flarewatch.accounts import service as accounts
from flarewatch.accounts.models import Notification
from flarewatch.cases.models import CaseEvent
from flarewatch.comms.contact import messages
from flarewatch.comms.contact import service as contact
from flarewatch.db.engine import create_db_engine, session_scope
from flarewatch.db.migrate import upgrade
from flarewatch.mentions.models import RawPost
from flarewatch.runtime.embedded import EmbeddedRunner
from tests.cases.crisis import T0, make_crisis


def test_a_cycle_reminds_the_assignee_once_before_the_seven_days_end(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'run.db'}")
    upgrade(engine)
    with session_scope(engine) as session:
        crisis = make_crisis(session)
        crisis.source.enabled = False  # nothing to poll
        eli = accounts.create_user(session, "eli@acme.test", "Eli")
        accounts.add_member(session, crisis.workspace, eli, "responder")
        post = session.scalars(
            select(RawPost).where(RawPost.platform == "facebook").order_by(RawPost.created_at)
        ).first()
        assert post is not None
        row = contact.open_contact(
            session,
            crisis.case.id,
            post.id,
            "dana",
            workspace_id=crisis.workspace.id,
            assignee="eli@acme.test",
            now=T0,
        )
        comment_at = post.created_at
        closing = comment_at + timedelta(days=6, hours=2)
        contact_id, case_id = row.id, crisis.case.id

    for minutes in (0, 5):
        EmbeddedRunner(engine, clock=lambda m=minutes: closing + timedelta(minutes=m)).cycle(
            ["acme"]
        )

    with session_scope(engine) as session:
        eli = accounts.get_user_by_email(session, "eli@acme.test")
        assert eli is not None
        kinds = session.scalars(
            select(Notification.kind).where(Notification.user_id == eli.id)
        ).all()
        assert list(kinds).count("contact") == 1
        reminded = session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.kind == "contact")
        ).all()
        assert [e.data["message"] for e in reminded].count(messages.REMINDED) == 1
        assert contact.get_contact(session, contact_id, workspace_id=None).reminded_for == (
            comment_at + timedelta(days=7)
        )
    engine.dispose()
