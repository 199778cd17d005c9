"""The public update page (comms/public_page): only approved text, the approval gate on every
read, its timeline entries, and what the figures count."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from flarewatch.cases import goals
from flarewatch.cases.models import CaseEvent
from flarewatch.cases.service import add_posts
from flarewatch.comms import drafts
from flarewatch.comms.public_page import service
from flarewatch.db.engine import sessionmaker_for
from flarewatch.errors import InputError, InvalidTransitionError, NotFoundError
from flarewatch.mentions.models import RawPost
from tests.cases.crisis import Crisis, make_crisis


@pytest.fixture
def db(any_engine: Engine) -> Iterator[Session]:
    with sessionmaker_for(any_engine)() as session:
        yield session


def approved(db: Session, crisis: Crisis, text: str, kind: str = "statement") -> drafts.Draft:
    draft = drafts.create_draft(
        db,
        crisis.case.id,
        text,
        "dana@acme.test",
        workspace_id=crisis.workspace.id,
        platform="facebook",
        kind=kind,
    )
    drafts.mark_approved(db, draft, "legal@acme.test")
    return draft


def test_the_page_shows_approved_text_only_and_hides_a_revision_until_approved(
    db: Session,
) -> None:
    crisis = make_crisis(db)
    ws, case_id = crisis.workspace.id, crisis.case.id
    page = service.publish_page(db, case_id, "dana@acme.test", workspace_id=ws)
    assert page.enabled and len(page.token) >= 40 and page.language == "en"
    statement = approved(db, crisis, "We are sorry. We are checking every grill.")
    service.add_entry(db, case_id, statement.id, "dana@acme.test", workspace_id=ws)

    pending = drafts.create_draft(
        db, case_id, "Not approved yet", "dana@acme.test", workspace_id=ws, platform="x"
    )
    with pytest.raises(drafts.ApprovalRequiredError, match="not approved"):
        service.add_entry(db, case_id, pending.id, "dana@acme.test", workspace_id=ws)

    view = service.public_view(db, page.token)
    assert view is not None
    assert [e.text for e in view.entries] == ["We are sorry. We are checking every grill."]

    # Text changed after approval leaves the page until it is approved again.
    drafts.revise_draft(
        db, statement.id, "We are sorry. Revised.", "eli@acme.test", workspace_id=ws
    )
    view = service.public_view(db, page.token)
    assert view is not None and view.entries == []
    assert [shown for _, _, shown in service.entry_rows(db, page)] == [False]
    drafts.mark_approved(db, statement, "legal@acme.test")
    view = service.public_view(db, page.token)
    assert view is not None and [e.text for e in view.entries] == ["We are sorry. Revised."]

    kinds = db.scalars(
        select(CaseEvent.text).where(CaseEvent.case_id == case_id, CaseEvent.kind == "public_page")
    ).all()
    assert kinds == [
        "Public update page published",
        f"Draft #{statement.id} (version 1) shown on the public update page",
    ]


def test_replies_and_foreign_drafts_are_refused_and_entries_come_off(db: Session) -> None:
    crisis = make_crisis(db)
    ws, case_id = crisis.workspace.id, crisis.case.id
    with pytest.raises(NotFoundError, match="create it first"):
        service.add_entry(db, case_id, 1, "d", workspace_id=ws)
    service.publish_page(db, case_id, "d", workspace_id=ws, figures=["status"])
    reply = approved(db, crisis, "Sorry to hear that, we sent you a message.", kind="reply")
    with pytest.raises(InputError, match="statements and updates only"):
        service.add_entry(db, case_id, reply.id, "d", workspace_id=ws)
    update = approved(db, crisis, "Update: all grills checked.", kind="update")
    service.add_entry(db, case_id, update.id, "d", workspace_id=ws)
    with pytest.raises(InvalidTransitionError, match="already on"):
        service.add_entry(db, case_id, update.id, "d", workspace_id=ws)
    service.remove_entry(db, case_id, update.id, "d", workspace_id=ws)
    page = service.require_page(db, case_id, workspace_id=ws)
    view = service.public_view(db, page.token)
    assert view is not None and view.entries == []
    with pytest.raises(NotFoundError):
        service.remove_entry(db, case_id, update.id, "d", workspace_id=ws)


def test_settings_are_checked_and_a_page_offline_or_relinked_is_not_found(db: Session) -> None:
    crisis = make_crisis(db)
    ws, case_id = crisis.workspace.id, crisis.case.id
    with pytest.raises(InputError, match="choose from status, posts_handled"):
        service.publish_page(db, case_id, "d", workspace_id=ws, figures=["sentiment"])
    with pytest.raises(InputError, match="use one of en, he, pl"):
        service.publish_page(db, case_id, "d", workspace_id=ws, language="de")
    page = service.publish_page(
        db, case_id, "d", workspace_id=ws, language="he", title="  עדכונים "
    )
    assert (page.language, page.title) == ("he", "עדכונים")
    old = page.token
    service.disable_page(db, case_id, "d", workspace_id=ws)
    assert service.public_view(db, old) is None
    service.publish_page(db, case_id, "d", workspace_id=ws)
    assert service.public_view(db, old) is not None
    service.renew_link(db, case_id, "d", workspace_id=ws)
    assert service.public_view(db, old) is None
    assert service.public_view(db, page.token) is not None
    assert service.public_view(db, "no-such-token-at-all-here") is None


def test_the_figures_count_posts_replies_and_the_first_answer(db: Session) -> None:
    crisis = make_crisis(db)
    ws, case_id = crisis.workspace.id, crisis.case.id
    page = service.publish_page(
        db,
        case_id,
        "d",
        workspace_id=ws,
        figures=["first_response", "replies_sent", "posts_handled", "status"],
    )
    assert page.figures == ["status", "posts_handled", "replies_sent", "first_response"]
    view = service.public_view(db, page.token)
    assert view is not None
    values = {f.key: f.value for f in view.figures}
    assert values["replies_sent"] == 0 and values["first_response"] is None
    before = values["posts_handled"]
    fresh = db.scalars(select(RawPost.id).order_by(RawPost.id.desc()).limit(3)).all()
    assert add_posts(db, case_id, fresh, "d", workspace_id=ws) == 3
    goals.record_response(
        db,
        case_id,
        "https://x.example/acme/1",
        "d",
        workspace_id=ws,
        at=crisis.case.opened_at + timedelta(minutes=45),
    )
    view = service.public_view(db, page.token)
    assert view is not None
    values = {f.key: f.value for f in view.figures}
    assert values["posts_handled"] == before + 3
    assert values["first_response"] == pytest.approx(45 * 60)
    assert values["status"] == crisis.case.status
