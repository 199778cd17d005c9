"""A case's reply queue on the database: selection, assignment, "no answer needed", answered
posts leaving the queue, reply drafts and the figures from Publication rows
(comms/replies/queue.py, service.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from flarewatch.accounts.models import Notification
from flarewatch.cases.models import CaseEvent
from flarewatch.comms import drafts
from flarewatch.comms.replies import service
from flarewatch.comms.replies.queue import only, replies_config, requires_approval
from flarewatch.config.workspace_models import WorkspaceConfig
from flarewatch.db.engine import sessionmaker_for
from flarewatch.errors import InputError, NotFoundError
from tests.cases.crisis import STORY, T0
from tests.comms.replies_data import NOW, make_queue, post, publish


@pytest.fixture
def db(any_engine: Engine) -> Iterator[Session]:
    with sessionmaker_for(any_engine)() as session:
        yield session


def test_the_queue_takes_the_story_questions_the_addressed_and_the_influential(
    db: Session,
) -> None:
    q = make_queue(db)
    case = q.crisis.case
    rows = service.queue(db, case.id, workspace_id=q.crisis.workspace.id, now=NOW)
    by_post = {row.post_id: row for row in rows}
    assert by_post[q.posts["he_question"]].selected.reasons == ("question",)
    assert by_post[q.posts["he_question"]].selected.language == "he"
    assert by_post[q.posts["pl_question"]].selected.reasons == ("question",)
    assert by_post[q.posts["en_question"]].selected.reasons == ("question",)
    assert by_post[q.posts["addressed"]].selected.reasons == ("addresses_brand",)
    assert by_post[q.posts["influential"]].selected.reasons == ("influential_negative",)
    assert q.posts["own"] not in by_post  # the brand's own account
    assert q.posts["chatter"] not in by_post
    story = [row for row in rows if "case_story" in row.selected.reasons]
    assert len(story) == 60  # every post of the story
    key_posts = [row for row in rows if "case_post" in row.selected.reasons]
    assert {row.post_id for row in key_posts} == set(q.crisis.alert.post_ids)
    # The large account's fresh negative post comes first.
    assert rows[0].post_id == q.posts["influential"]
    assert {row.state for row in rows} == {"open"}


def test_assign_claim_unassign_and_bulk_on_the_timeline_and_notified(db: Session) -> None:
    q = make_queue(db)
    ws, case = q.crisis.workspace, q.crisis.case
    ids = [q.posts["he_question"], q.posts["pl_question"]]
    changed = service.assign(
        db, case.id, ids, "dana@acme.test", "eli@acme.test", workspace_id=ws.id
    )
    assert [item.raw_post_id for item in changed] == ids
    # Assigning the same posts again to the same person changes nothing.
    assert service.assign(db, case.id, ids, "DANA@acme.test", "eli", workspace_id=ws.id) == []
    # eli claims one.
    service.assign(db, case.id, ids[:1], "eli@acme.test", "eli@acme.test", workspace_id=ws.id)
    service.assign(db, case.id, ids[1:], None, "eli@acme.test", workspace_id=ws.id)
    rows = {r.post_id: r for r in service.queue(db, case.id, workspace_id=ws.id, now=NOW)}
    assert rows[ids[0]].assignee == "eli@acme.test" and rows[ids[1]].assignee is None

    events = db.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "reply")
    ).all()
    texts = [e.text for e in events]
    assert texts[0] == f"Assigned to dana@acme.test for an answer: #{ids[0]} and #{ids[1]}"
    assert texts[1] == f"Assigned to eli@acme.test for an answer: #{ids[0]}"
    assert texts[2] == f"No longer assigned for an answer (was dana@acme.test): #{ids[1]}"
    # dana was told (eli assigned her); eli claiming for himself tells nobody.
    notes = db.scalars(select(Notification)).all()
    assert len(notes) == 1 and notes[0].kind == "reply"
    assert notes[0].link == f"/w/acme/cases/{case.id}/replies?assignee=dana%40acme.test"
    assert notes[0].message["message"] == service.REPLY_YOURS

    with pytest.raises(InputError, match="viewer"):
        service.assign(db, case.id, ids, "vera@acme.test", "eli", workspace_id=ws.id)
    with pytest.raises(NotFoundError, match="not a member"):
        service.assign(db, case.id, ids, "nobody@acme.test", "eli", workspace_id=ws.id)
    with pytest.raises(NotFoundError, match="not in the reply queue"):
        service.assign(db, case.id, [q.posts["own"]], "dana@acme.test", "eli", workspace_id=ws.id)


def test_no_answer_needed_stays_listed_and_can_be_reopened(db: Session) -> None:
    q = make_queue(db)
    ws, case = q.crisis.workspace, q.crisis.case
    post = q.posts["addressed"]
    with pytest.raises(InputError, match="needs no answer"):
        service.skip(db, case.id, post, "  ", "eli", workspace_id=ws.id)
    service.skip(db, case.id, post, "a joke, not a complaint", "eli", workspace_id=ws.id)
    rows = service.queue(db, case.id, workspace_id=ws.id, now=NOW)
    assert post not in {r.post_id for r in only(rows)}  # not waiting
    [skipped] = only(rows, state="no_answer")
    assert skipped.post_id == post and skipped.item is not None
    assert skipped.item.reason == "a joke, not a complaint"
    # The rules change (the brand is no longer addressed by that name): the marked post
    # stays listed, with no reasons, rather than vanish.
    ws.config = {**ws.config, "replies": {"brand_names": ["Globex"]}}
    [kept] = only(service.queue(db, case.id, workspace_id=ws.id, now=NOW), state="no_answer")
    assert kept.post_id == post and kept.selected.reasons == ()
    service.reopen(db, case.id, post, "eli", workspace_id=ws.id)
    assert post in {r.post_id for r in only(service.queue(db, case.id, workspace_id=ws.id))}
    texts = db.scalars(
        select(CaseEvent.text).where(CaseEvent.case_id == case.id, CaseEvent.kind == "reply")
    ).all()
    assert texts == [
        f"Post #{post} needs no answer: a joke, not a complaint",
        f"Post #{post} is back in the reply queue",
    ]


def test_answered_posts_leave_the_queue_and_the_figures_follow(db: Session) -> None:
    q = make_queue(db)
    ws, case = q.crisis.workspace, q.crisis.case
    asked = T0 + timedelta(hours=2)
    publish(db, q, "en_question", asked + timedelta(minutes=30))
    publish(db, q, "pl_question", asked + timedelta(minutes=90))
    publish(db, q, "he_question", asked + timedelta(minutes=5), status="failed")  # not out
    service.answered_elsewhere(
        db,
        case.id,
        q.posts["addressed"],
        "by phone",
        "eli",
        workspace_id=ws.id,
        at=asked + timedelta(minutes=60),
    )
    service.skip(db, case.id, q.posts["influential"], "a critic's rant", "eli", workspace_id=ws.id)
    service.assign(
        db, case.id, [q.posts["he_question"]], "dana@acme.test", "eli", workspace_id=ws.id
    )
    rows = service.queue(db, case.id, workspace_id=ws.id, now=NOW)
    answered = {r.post_id for r in only(rows, state="answered")}
    assert answered == {q.posts["en_question"], q.posts["pl_question"], q.posts["addressed"]}
    assert q.posts["he_question"] in {r.post_id for r in only(rows)}

    figures = service.figures(db, case.id, workspace_id=ws.id, rows=rows)
    needing = len(rows) - 1  # the influential post needs no answer
    assert (figures.needing, figures.answered, figures.no_answer) == (needing, 3, 1)
    assert figures.coverage == pytest.approx(3 / needing)
    # The case opened at T0+21 min; its first reply went out at T0+2h30.
    assert figures.first_reply_seconds == (2 * 60 + 30 - 21) * 60
    assert figures.median_seconds == 60 * 60  # 30, 60 and 90 minutes
    assert figures.p90_seconds == 90 * 60
    assert figures.open_by_assignee["dana@acme.test"] == 1
    assert figures.open_by_assignee[""] == needing - 3 - 1


def test_reply_creates_a_reply_draft_quoting_the_post(db: Session) -> None:
    q = make_queue(db)
    ws, case = q.crisis.workspace, q.crisis.case
    draft = service.answer(
        db, case.id, q.posts["he_question"], "dana@acme.test", workspace_id=ws.id
    )
    assert (draft.kind, draft.platform, draft.language) == ("reply", "x", "he")
    assert draft.mention_id == q.mentions["he_question"]
    text = drafts.version_of(db, draft).text
    assert text.startswith("> @reader: למה אין תשובה מהסניף?")
    own = service.answer(
        db,
        case.id,
        q.posts["en_question"],
        "dana@acme.test",
        workspace_id=ws.id,
        text="Sorry! DM us your order number and we will refund you today.",
    )
    assert drafts.version_of(db, own).text.startswith("Sorry!")
    rows = {r.post_id: r for r in service.queue(db, case.id, workspace_id=ws.id)}
    assert rows[q.posts["he_question"]].drafts == [(draft.id, "draft")]
    # A post on a platform replies cannot be written for: answer there, record it here.
    reader = q.crisis.story_authors[0]
    forum = post(db, q.crisis, reader, "Why is nobody answering?", T0, platform="reddit")
    with pytest.raises(InputError, match="cannot be answered from Flarewatch"):
        service.answer(db, case.id, forum.raw_post_id, "dana", workspace_id=ws.id)


def test_the_replies_table_of_the_workspace_file() -> None:
    config = WorkspaceConfig.model_validate(
        {"slug": "acme", "name": "Acme", "replies": {"require_approval": False}}
    )
    assert config.replies.require_approval is False
    assert WorkspaceConfig.model_validate({"slug": "a", "name": "A"}).replies.require_approval
    with pytest.raises(ValueError, match="brand handle needs a name"):
        WorkspaceConfig.model_validate(
            {"slug": "a", "name": "A", "replies": {"brand_handles": ["x:@"]}}
        )


def test_an_unreadable_replies_table_falls_back_to_the_defaults(db: Session) -> None:
    q = make_queue(db)
    ws = q.crisis.workspace
    ws.config = {"slug": "acme", "name": ws.name, "replies": {"influential_followers": -1}}
    assert replies_config(ws).influential_followers == 10_000
    assert requires_approval(ws) is True  # the default
    ws.config = {"slug": "acme", "name": ws.name, "replies": {"require_approval": False}}
    assert requires_approval(ws) is False
    assert STORY  # the story's key (tests/cases/crisis.py)
