"""Return to routine: the follow-up watch a move to monitoring starts, the relapse rule, the
alert and reopening a relapse causes, and the figures before, during and after the response."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from flarewatch.alerts.models import Alert
from flarewatch.cases import service
from flarewatch.cases.followup import (
    Level,
    check_followups,
    current_watch,
    ensure_watch,
    judge,
    phases,
)
from flarewatch.cases.models import CaseEvent
from flarewatch.cases.room_config import FollowupConfig
from flarewatch.db.engine import sessionmaker_for
from flarewatch.playbooks.library import shipped
from flarewatch.playbooks.service import apply_playbook, follow_up_days, save_version
from tests.cases.crisis import STORY, T0, Crisis, add_post, make_crisis, stamp_events

HOUR = timedelta(hours=1)
RULE = FollowupConfig()


@pytest.fixture
def db(any_engine: Engine) -> Iterator[Session]:
    with sessionmaker_for(any_engine)() as session:
        yield session


def test_the_relapse_rule() -> None:
    calm = Level(story_posts=2, posts=8, negative_share=0.25)
    assert judge(calm, Level(12, 20, 0.25), RULE) == {"kind": "volume", "posts": 12, "settled": 2}
    # Twice the settled level but under the minimum of posts: not yet.
    assert judge(calm, Level(9, 9, 0.25), RULE) is None
    # A story that had gone silent counts from one post.
    assert judge(Level(0, 3, 0.1), Level(10, 10, 0.1), RULE) is not None
    rise = judge(calm, Level(3, 20, 0.45), RULE)
    assert rise == {"kind": "negative", "share": 0.45, "settled": 0.25}
    assert judge(calm, Level(3, 20, 0.35), RULE) is None  # +10 points: under the 15 needed
    assert judge(calm, Level(3, 9, 0.9), RULE) is None  # too few posts to judge a share


def _to_monitoring(db: Session, crisis: Crisis, at_hour: int = 12) -> None:
    case = crisis.case
    service.change_status(db, case.id, "responding", "dana")
    stamp_events(db, case, T0 + HOUR)
    service.change_status(db, case.id, "monitoring", "dana")
    stamp_events(db, case, T0 + at_hour * HOUR)
    ensure_watch(db, case)


def test_monitoring_starts_a_watch_with_the_settled_level(db: Session) -> None:
    crisis = make_crisis(db)
    crisis.workspace.config = {"followup": {"days": 3}}
    _to_monitoring(db, crisis)
    watch = current_watch(db, crisis.case.id)
    assert watch is not None and watch.status == "watching"
    assert watch.started_at == T0 + 12 * HOUR and watch.until == T0 + 12 * HOUR + 3 * 24 * HOUR
    assert watch.story_keys == [STORY] and watch.topic_ids == [crisis.topic.id]
    # The six hours before monitoring: the six settling posts, none of the story.
    assert watch.settled == {"story_posts": 0, "posts": 6, "negative_share": 0.0, "hours": 6}
    assert ensure_watch(db, crisis.case) is watch  # idempotent
    [started] = db.scalars(
        select(CaseEvent).where(CaseEvent.case_id == crisis.case.id, CaseEvent.kind == "followup")
    ).all()
    assert started.text == (
        "Follow-up watch started for 3 days on the story, its authors and topics"
    )


def test_a_quiet_watch_reopens_nothing_and_ends_after_its_days(db: Session) -> None:
    crisis = make_crisis(db)
    _to_monitoring(db, crisis)
    for hour in range(13, 18):
        add_post(db, crisis, T0 + hour * HOUR)
    assert check_followups(db, crisis.workspace, T0 + 18 * HOUR) == []
    watch = current_watch(db, crisis.case.id)
    assert watch is not None and watch.checked_at == T0 + 18 * HOUR
    assert crisis.case.status == "monitoring"
    check_followups(db, crisis.workspace, watch.until + HOUR)
    assert watch.status == "ended" and watch.ended_at == watch.until
    texts = db.scalars(
        select(CaseEvent.text).where(
            CaseEvent.case_id == crisis.case.id, CaseEvent.kind == "followup"
        )
    ).all()
    assert texts[-1] == "Follow-up watch ended: no relapse in 7 days"


def test_the_story_rising_again_reopens_the_case_with_an_alert(db: Session) -> None:
    crisis = make_crisis(db)
    _to_monitoring(db, crisis)
    for i in range(12):
        add_post(
            db, crisis, T0 + 20 * HOUR + i * timedelta(minutes=5), mood="negative", story=STORY
        )
    reopened = check_followups(db, crisis.workspace, T0 + 21 * HOUR)
    db.commit()
    assert [c.id for c in reopened] == [crisis.case.id]
    assert crisis.case.status == "responding"
    watch = current_watch(db, crisis.case.id)
    assert watch is not None and watch.status == "relapsed"
    assert watch.relapse is not None and watch.relapse["kind"] == "volume"
    alert = db.get(Alert, watch.relapse_alert_id)
    assert alert is not None and alert.title == f"Case #{crisis.case.id} relapsed"
    assert alert.severity == "crisis" and alert.group_key == f"relapse:case:{crisis.case.id}"
    assert "the story has 12 posts in the last 6 hours, 0 when monitoring began" in (
        alert.explanation
    )
    events = db.scalars(
        select(CaseEvent).where(CaseEvent.case_id == crisis.case.id).order_by(CaseEvent.id)
    ).all()
    assert events[-2].kind == "status" and events[-2].data["to"] == "responding"
    assert events[-2].text == "Relapse (monitoring → responding)"
    assert events[-1].kind == "followup" and events[-1].data["alert_id"] == alert.id
    # The watch has done its work: a later check raises nothing more.
    assert check_followups(db, crisis.workspace, T0 + 22 * HOUR) == []


def test_a_negative_turn_reopens_a_closed_case(db: Session) -> None:
    crisis = make_crisis(db)
    _to_monitoring(db, crisis)
    service.change_status(db, crisis.case.id, "closed", "dana")
    stamp_events(db, crisis.case, T0 + 13 * HOUR)
    for i in range(10):
        add_post(db, crisis, T0 + 30 * HOUR + i * timedelta(minutes=3), mood="negative")
    assert check_followups(db, crisis.workspace, T0 + 31 * HOUR) == [crisis.case]
    assert crisis.case.status == "responding" and crisis.case.closed_at is None
    watch = current_watch(db, crisis.case.id)
    assert watch is not None and watch.relapse is not None
    assert watch.relapse["kind"] == "negative" and watch.relapse["share"] == 1.0


def test_a_person_taking_the_case_back_ends_the_watch(db: Session) -> None:
    crisis = make_crisis(db)
    _to_monitoring(db, crisis)
    service.change_status(db, crisis.case.id, "responding", "dana")
    check_followups(db, crisis.workspace, T0 + 14 * HOUR)
    watch = current_watch(db, crisis.case.id)
    assert watch is not None and watch.status == "ended" and watch.relapse_alert_id is None
    # Monitoring again starts a new watch.
    service.change_status(db, crisis.case.id, "monitoring", "dana")
    stamp_events(db, crisis.case, T0 + 15 * HOUR)
    again = ensure_watch(db, crisis.case)
    assert again is not None and again.id != watch.id and again.started_at == T0 + 15 * HOUR


def test_figures_before_during_and_after_the_response(db: Session) -> None:
    crisis = make_crisis(db)
    _to_monitoring(db, crisis)
    got = {p.key: p for p in phases(db, crisis.case, now=T0 + 24 * HOUR)}
    assert list(got) == ["before", "during", "after"]
    before, during, after = got["before"], got["during"], got["after"]
    assert before.posts == 24 and before.per_hour == 1.0 and before.negative_share == 0.0
    # The story's 60 posts and the first ten settling ones fall in the first 12 hours.
    assert during.posts == 60 + 10 and during.negative_share == 50 / 70
    assert during.reach == 40 * 1000.0 + 30 * 100.0
    assert after.posts == 0 and after.start == T0 + 12 * HOUR and after.end == T0 + 24 * HOUR
    assert before.per_hour < during.per_hour


def test_a_playbook_may_set_the_watch_length(db: Session) -> None:
    crisis = make_crisis(db)
    service.change_status(db, crisis.case.id, "monitoring", "dana")
    stamp_events(db, crisis.case, T0 + 12 * HOUR)
    watch = ensure_watch(db, crisis.case, days=14)
    assert watch is not None and watch.until == T0 + 12 * HOUR + timedelta(days=14)


def test_the_applied_playbooks_set_the_watch_length(db: Session) -> None:
    crisis = make_crisis(db)
    case = crisis.case
    shipped_days = shipped()["product-safety"].follow_up_days
    apply_playbook(db, case.id, "product-safety", "dana")
    assert follow_up_days(db, case) == shipped_days == 14
    # The workspace's own version of another playbook asks for longer: the longest counts.
    outage = shipped()["service-outage"].model_dump(exclude_none=True)
    save_version(db, case.workspace_id, {**outage, "follow_up_days": 21}, "dana")
    apply_playbook(db, case.id, "service-outage", "dana")
    assert follow_up_days(db, case) == 21
    service.change_status(db, case.id, "monitoring", "dana")
    stamp_events(db, case, T0 + 12 * HOUR)
    watch = ensure_watch(db, case)  # no days given: the playbooks' length, not [followup] 7
    assert watch is not None and watch.until == T0 + 12 * HOUR + timedelta(days=21)
    assert (
        "21"
        in db.scalars(
            select(CaseEvent.text).where(CaseEvent.case_id == case.id, CaseEvent.kind == "followup")
        ).one()
    )


def test_a_playbook_asking_for_no_length_leaves_the_workspace_default(db: Session) -> None:
    crisis = make_crisis(db)
    assert follow_up_days(db, crisis.case) is None  # no playbook applied
    note = shipped()["page-takedown"].model_dump(exclude_none=True)
    save_version(db, crisis.workspace.id, {**note, "follow_up_days": 0}, "dana")
    apply_playbook(db, crisis.case.id, "page-takedown", "dana")
    assert follow_up_days(db, crisis.case) is None
    service.change_status(db, crisis.case.id, "monitoring", "dana")
    stamp_events(db, crisis.case, T0 + 12 * HOUR)
    watch = ensure_watch(db, crisis.case)
    assert watch is not None and watch.until == T0 + 12 * HOUR + timedelta(days=7)


def test_no_watch_before_monitoring(db: Session) -> None:
    crisis = make_crisis(db)
    assert ensure_watch(db, crisis.case) is None
    assert [p.key for p in phases(db, crisis.case, now=T0 + 2 * HOUR)] == ["before", "during"]
