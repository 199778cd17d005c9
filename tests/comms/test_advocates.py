"""Advocates: who matches a case, the approval gate on every fact, the briefing sent on the
advocate's route (a real HTTP receiver) or marked "by hand", one follow-up task each, and the
timeline; the workspace file's checks of `[[advocates]]`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from flarewatch.bidi import FSI, PDI
from flarewatch.cases.models import CaseEvent, Task
from flarewatch.comms import drafts
from flarewatch.comms.advocates import service
from flarewatch.comms.advocates.models import AdvocateBriefing
from flarewatch.comms.advocates.render import render_briefing
from flarewatch.config.workspace import WorkspaceConfigError, load_workspace_file
from flarewatch.db.engine import sessionmaker_for
from flarewatch.errors import InputError, NotFoundError
from tests.alerts.conftest import HttpReceiver, free_port, http_receiver  # noqa: F401
from tests.cases.crisis import T0, Crisis, make_crisis

NOW = T0 + timedelta(hours=2)


@pytest.fixture
def db(any_engine: Engine) -> Iterator[Session]:
    with sessionmaker_for(any_engine)() as session:
        yield session


def advocates(crisis: Crisis, entries: list[dict]) -> None:
    crisis.workspace.config = {**(crisis.workspace.config or {}), "advocates": entries}


def approved(db: Session, crisis: Crisis, text: str) -> drafts.Draft:
    draft = drafts.create_draft(
        db, crisis.case.id, text, "dana@acme.test", workspace_id=crisis.workspace.id, platform="x"
    )
    drafts.mark_approved(db, draft, "legal@acme.test")
    return draft


PEOPLE = [
    {"key": "noa", "name": "Noa Levi", "languages": ["he"], "topics": ["brand"]},
    {"key": "jan", "name": "Jan Nowak", "languages": ["pl"], "topics": ["brand"]},
    {"key": "kim", "name": "Kim Lee", "languages": ["en"], "topics": ["other"]},
    {"key": "ali", "name": "Ali Grey"},  # no topics, no languages: matches every case
]


def test_the_default_advocates_match_the_case_topics_and_language(db: Session) -> None:
    crisis = make_crisis(db)
    advocates(crisis, PEOPLE)
    db.flush()
    # The case's posts carry no language tag ("und"): the workspace's en and he stand in.
    assert service.case_languages(db, crisis.case, crisis.workspace) == ["en", "he"]
    assert [a.key for a in service.matching_advocates(db, crisis.case)] == ["noa", "ali"]


def test_a_fact_from_an_unapproved_draft_is_refused_and_nothing_goes_out(db: Session) -> None:
    crisis = make_crisis(db)
    advocates(crisis, PEOPLE)
    good = approved(db, crisis, "Every grill is being checked.")
    pending = drafts.create_draft(
        db,
        crisis.case.id,
        "Not yet approved.",
        "dana@acme.test",
        workspace_id=crisis.workspace.id,
        platform="x",
    )
    with pytest.raises(drafts.ApprovalRequiredError, match="not approved"):
        service.brief_advocates(
            db, crisis.case.id, [good.id, pending.id], "dana@acme.test", now=NOW
        )
    # Approved, then changed: the new text is not approved, so the gate closes again.
    drafts.revise_draft(
        db, good.id, "Changed after approval.", "dana@acme.test", workspace_id=crisis.workspace.id
    )
    with pytest.raises(drafts.ApprovalRequiredError):
        service.brief_advocates(db, crisis.case.id, [good.id], "dana@acme.test", now=NOW)
    with pytest.raises(InputError, match="at least one approved fact"):
        service.brief_advocates(db, crisis.case.id, [], "dana@acme.test", now=NOW)
    assert db.scalars(select(AdvocateBriefing)).all() == []
    assert db.scalars(select(CaseEvent).where(CaseEvent.kind == "advocates")).all() == []


def test_briefing_sends_on_the_route_marks_by_hand_and_makes_a_task_each(
    db: Session,
    http_receiver: HttpReceiver,  # noqa: F811 - a fixture, imported above
) -> None:
    crisis = make_crisis(db)
    dead = f"json://127.0.0.1:{free_port()}/gone"
    advocates(
        crisis,
        [
            {**PEOPLE[0], "contact": http_receiver.url("noa")},
            {**PEOPLE[3], "contact": "by hand"},
            {"key": "eve", "name": "Eve", "contact": dead},
        ],
    )
    fact = approved(db, crisis, "Every grill is being checked; results by 18:00.")
    rows = service.brief_advocates(
        db,
        crisis.case.id,
        [fact.id],
        "dana@acme.test",
        advocate_keys=["noa", "ali", "eve"],
        now=NOW,
    )
    assert [(r.advocate, r.status, r.language) for r in rows] == [
        ("noa", "sent", "he"),
        ("ali", "by_hand", "en"),
        ("eve", "failed", "en"),
    ]
    assert rows[2].error and "url#0" in rows[2].error
    assert all(r.facts == [{"draft": fact.id, "version": 1}] for r in rows)
    [(path, body)] = http_receiver.requests
    assert path == "/noa" and "Every grill is being checked" in body["message"]
    assert f"{FSI}Every grill is being checked; results by 18:00.{PDI}" in body["message"]
    tasks = db.scalars(select(Task).where(Task.case_id == crisis.case.id)).all()
    assert [t.id for t in tasks] == [r.task_id for r in rows]
    assert tasks[0].title == "Follow up with advocate Noa Levi on the briefing"
    assert tasks[1].title.startswith("Send the briefing to advocate Ali Grey by hand")
    assert {t.assignee for t in tasks} == {"dana@acme.test"}
    assert {t.due_at for t in tasks} == {NOW + timedelta(hours=24)}
    events = db.scalars(select(CaseEvent).where(CaseEvent.kind == "advocates")).all()
    assert [e.data["advocate"] for e in events] == ["noa", "ali", "eve"]
    assert (
        events[0].text == f"Advocate Noa Levi briefed with the approved text of drafts #{fact.id}"
    )
    assert "by hand" in events[1].text and "could not be sent" in events[2].text
    assert [b.id for b in service.briefings(db, crisis.case.id)] == [r.id for r in rows][::-1]


def test_unknown_advocates_and_foreign_drafts_are_refused(db: Session) -> None:
    crisis = make_crisis(db)
    advocates(crisis, PEOPLE)
    fact = approved(db, crisis, "Checked.")
    with pytest.raises(InputError, match="unknown advocate 'zed'.*noa, jan, kim, ali"):
        service.brief_advocates(
            db, crisis.case.id, [fact.id], "dana", advocate_keys=["zed"], now=NOW
        )
    with pytest.raises(NotFoundError, match="draft #999"):
        service.brief_advocates(db, crisis.case.id, [999], "dana", now=NOW)


def test_the_briefing_reads_in_the_advocates_language() -> None:
    hebrew = render_briefing("Acme", "Noa Levi", ["We are sorry."], "he")
    assert 'dir="rtl"' in hebrew.html and "<bdi>We are sorry.</bdi>" in hebrew.html
    assert f"{FSI}Noa Levi{PDI}" in hebrew.text and "שלום" in hebrew.text
    polish = render_briefing("Acme", "Jan", ["Przepraszamy."], "pl")
    assert "Dzień dobry" in polish.text and "Przepraszamy." in polish.text


def test_the_workspace_file_names_unknown_topics_routes_and_twice_used_keys(
    tmp_path: Path,
) -> None:
    path = tmp_path / "acme.toml"
    path.write_text(
        """
slug = "acme"
name = "Acme"

[[topics]]
key = "brand"
query = "acme"

[[advocates]]
key = "noa"
name = "Noa"
topics = ["brand", "nope"]
contact = "route:missing"

[[advocates]]
key = "noa"
name = "Noa again"

[[stakeholder_updates]]
audience = "executives"
routes = ["console"]
cadence = { crisis = 60, high = 240 }
""",
        encoding="utf-8",
    )
    with pytest.raises(WorkspaceConfigError) as caught:
        load_workspace_file(path)
    text = str(caught.value)
    assert "there is no topic 'nope'" in text
    assert "there is no route 'missing'" in text
    assert "the key 'noa' is already used by advocates[0]" in text
    assert "cadence names the severity 'high'" in text and "'warning' is the one" in text
