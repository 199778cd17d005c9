"""Drafts: versions with tone flags, the lock on approved text, the approval gate and the
timeline entries (comms/drafts.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from flarewatch.cases.models import CaseEvent
from flarewatch.comms import drafts
from flarewatch.db.engine import sessionmaker_for
from flarewatch.errors import InputError, InvalidTransitionError, NotFoundError
from tests.cases.crisis import make_crisis


@pytest.fixture
def db(any_engine: Engine) -> Iterator[Session]:
    with sessionmaker_for(any_engine)() as session:
        yield session


def test_a_draft_keeps_every_version_with_its_tone_flags(db: Session) -> None:
    crisis = make_crisis(db)
    draft = drafts.create_draft(
        db,
        crisis.case.id,
        "No comment. The customer misused the grill.",
        "dana@acme.test",
        workspace_id=crisis.workspace.id,
        platform="x",
    )
    assert (draft.status, draft.current_version, draft.language) == ("draft", 1, "en")
    first = drafts.version_of(db, draft)
    assert {"defensive", "blame"} <= {flag["kind"] for flag in first.flags}
    drafts.revise_draft(
        db,
        draft.id,
        "We are sorry. We are checking every grill and will update you by 18:00.",
        "eli@acme.test",
        workspace_id=crisis.workspace.id,
    )
    texts = [(v.number, v.author) for v in drafts.versions(db, draft)]
    assert texts == [(1, "dana@acme.test"), (2, "eli@acme.test")]
    assert drafts.version_of(db, draft).flags == []
    events = db.scalars(select(CaseEvent).where(CaseEvent.kind == "draft")).all()
    assert [e.data["draft_id"] for e in events] == [draft.id, draft.id]
    assert "version 2" in events[-1].text


def test_only_the_approved_current_version_passes_the_gate(db: Session) -> None:
    crisis = make_crisis(db)
    ws = crisis.workspace.id
    draft = drafts.create_draft(
        db, crisis.case.id, "We are sorry.", "dana@acme.test", workspace_id=ws, platform="mastodon"
    )
    with pytest.raises(drafts.ApprovalRequiredError):
        drafts.approved_text(db, draft)
    drafts.set_status(db, draft, "in_review")
    with pytest.raises(InvalidTransitionError, match="recall it first"):
        drafts.revise_draft(db, draft.id, "Sorry!", "dana@acme.test", workspace_id=ws)
    drafts.mark_approved(db, draft, "legal@acme.test")
    assert drafts.approved_text(db, draft).text == "We are sorry."
    # Editing approved text writes a new version; the locked one stays, the gate closes.
    drafts.revise_draft(db, draft.id, "We are so sorry.", "dana@acme.test", workspace_id=ws)
    assert (draft.status, draft.approved_version, draft.current_version) == ("draft", 1, 2)
    assert drafts.version_of(db, draft, 1).text == "We are sorry."
    with pytest.raises(drafts.ApprovalRequiredError, match="not approved"):
        drafts.approved_text(db, draft)
    drafts.withdraw_draft(db, draft.id, "dana@acme.test", workspace_id=ws)
    with pytest.raises(InvalidTransitionError, match="withdrawn"):
        drafts.mark_approved(db, draft, "legal@acme.test")


def test_bad_input_is_refused_with_the_choices(db: Session) -> None:
    crisis = make_crisis(db)
    ws = crisis.workspace.id
    with pytest.raises(InputError, match="use one of x, bluesky"):
        drafts.create_draft(db, crisis.case.id, "Hi", "d", workspace_id=ws, platform="myspace")
    with pytest.raises(InputError, match="needs some text"):
        drafts.create_draft(db, crisis.case.id, "  ", "d", workspace_id=ws, platform="x")
    with pytest.raises(NotFoundError):
        drafts.get_draft(db, 999, workspace_id=ws)
    hebrew = drafts.create_draft(
        db, crisis.case.id, "אנחנו מצטערים ובודקים את זה", "d", workspace_id=ws, platform="sms"
    )
    assert hebrew.language == "he"
