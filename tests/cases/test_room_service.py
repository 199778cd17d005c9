"""The case room on a real database (SQLite and PostgreSQL): applying playbooks and their
versions, goals from rollups and the timeline, the originator of a story, the timeline."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from flarewatch.alerts.service import raise_alerts
from flarewatch.cases.goals import add_goal, goal_states, record_response
from flarewatch.cases.originator import originator_view
from flarewatch.cases.service import complete_task, get_case, open_case_from_alert, tasks
from flarewatch.cases.timeline import case_timeline
from flarewatch.db.engine import sessionmaker_for
from flarewatch.errors import InputError, InvalidTransitionError, NotFoundError
from flarewatch.mentions.models import Author, Mention, RawPost, Rollup
from flarewatch.playbooks import service as playbooks
from flarewatch.playbooks.library import shipped
from flarewatch.sources.models import Source
from flarewatch.workspaces.models import Workspace
from tests.alerts.helpers import T0, candidate, make_posts, make_topic, make_workspace


@pytest.fixture
def db(any_engine: Engine) -> Iterator[Session]:
    with sessionmaker_for(any_engine)() as session:
        yield session


def _case(
    db: Session, ws: Workspace, post_ids: list[int] | None = None, topic_id: int | None = None
):  # noqa: ANN202
    [alert] = raise_alerts(
        db, ws, [candidate(ws, "crisis", post_ids=post_ids, topic_id=topic_id)], T0
    )
    case = open_case_from_alert(db, alert.id, "dana")
    case.opened_at = T0
    db.flush()
    return case


def test_apply_turns_steps_into_tasks_due_from_the_case_start_and_records_the_version(
    db: Session,
) -> None:
    ws = make_workspace(db)
    ws.languages = ["he", "en"]
    case = _case(db, ws)
    applied = playbooks.apply_playbook(db, case.id, "product-safety", "dana")
    db.commit()
    doc = shipped()["product-safety"]
    assert (applied.version, applied.origin) == (1, "shipped")
    made = tasks(db, case.id)
    assert len(made) == len(doc.steps) == len(applied.steps)
    first = next(s for s in doc.stages()[0][1])
    assert made[0].title == first.he  # the workspace's first language
    assert made[0].due_at == T0 + timedelta(minutes=first.due_minutes)
    assert {s["stage"] for s in applied.steps} == {
        "containment",
        "responsibility",
        "actions",
        "compensation",
        "follow_up",
    }
    assert applied.steps[0]["title"]["pl"] == first.pl
    kinds = [e.kind for e in case_timeline(db, case.id)]
    assert kinds.count("task") == len(doc.steps) and kinds[-1] == "playbook"
    entry = case_timeline(db, case.id, ["playbook"])[0]
    assert entry.data["version"] == 1 and entry.data["playbook"] == "product-safety"
    assert "(version 1)" in entry.text
    states = goal_states(db, get_case(db, case.id), now=T0 + timedelta(minutes=5))
    assert [(g.kind, g.state, g.playbook) for g in states] == [
        ("first_response", "pending", "product-safety"),
        ("negative_share", "pending", "product-safety"),
        ("volume_baseline", "pending", "product-safety"),
    ]
    with pytest.raises(InvalidTransitionError, match="already applied"):
        playbooks.apply_playbook(db, case.id, "product-safety", "dana")
    with pytest.raises(NotFoundError, match="known playbooks: data-breach"):
        playbooks.apply_playbook(db, case.id, "no-such", "dana")
    # Completing a playbook task is an ordinary task completion.
    assert complete_task(db, made[0].id, "dana").status == "done"


def test_a_workspace_version_is_applied_and_recorded(db: Session) -> None:
    ws = make_workspace(db)
    other = make_workspace(db, "other")
    data = shipped()["service-outage"].model_dump(exclude_none=True)
    data["steps"] = [{**data["steps"][0], "en": "Call the data centre", "due_minutes": 5}]
    row = playbooks.save_version(db, ws.id, data, "admin@example.com")
    assert row.version == 2
    assert playbooks.save_version(db, ws.id, data, "admin@example.com").version == 3
    assert [v.version for v in playbooks.versions(db, ws.id, "service-outage")] == [2, 3]
    assert playbooks.resolve(db, other.id, "service-outage").version == 1  # not theirs
    case = _case(db, ws)
    applied = playbooks.apply_playbook(db, case.id, "service-outage", "dana", language="en")
    assert (applied.version, applied.origin) == (3, "workspace")
    assert [t.title for t in tasks(db, case.id)] == ["Call the data centre"]
    with pytest.raises(InputError, match="steps"):
        playbooks.save_version(db, ws.id, {**data, "steps": []}, "admin@example.com")


def test_goals_from_rollups_and_public_answers(db: Session) -> None:
    ws = make_workspace(db)
    topic = make_topic(db, ws)
    case = _case(db, ws, topic_id=topic.id)
    add_goal(db, case.id, "first_response", 60, "dana")
    add_goal(db, case.id, "negative_share", 72 * 60, "dana", target=0.2)
    add_goal(db, case.id, "volume_baseline", 7 * 24 * 60, "dana")
    with pytest.raises(InputError, match="target between 0 and 1"):
        add_goal(db, case.id, "negative_share", 60, "dana", target=1.5)
    # A usual week of 2 mentions an hour, then the crisis, then calm.
    for hour in range(1, 7 * 24 + 1):
        db.add(
            Rollup(
                workspace_id=ws.id,
                topic_id=topic.id,
                minute=T0 - timedelta(hours=hour),
                count=2,
                negative_count=0,
            )
        )
    series = [(80, 70), (120, 100), (40, 10), (3, 0), (2, 0), (2, 0), (2, 0), (2, 0), (2, 0)]
    for hour, (count, negative) in enumerate(series):
        db.add(
            Rollup(
                workspace_id=ws.id,
                topic_id=topic.id,
                minute=T0 + timedelta(hours=hour, minutes=7),
                count=count,
                negative_count=negative,
            )
        )
    record_response(
        db, case.id, "https://x.com/acme/status/1", "dana", at=T0 + timedelta(minutes=41)
    )
    db.flush()
    states = {
        g.kind: g for g in goal_states(db, get_case(db, case.id), now=T0 + timedelta(hours=12))
    }
    assert (states["first_response"].state, states["first_response"].at) == (
        "met",
        T0 + timedelta(minutes=41),
    )
    # Usually 2 an hour, so up to 2.5 counts as usual: hour 3 (3 mentions) is not yet.
    assert (states["volume_baseline"].state, states["volume_baseline"].at) == (
        "met",
        T0 + timedelta(hours=4),
    )
    share = states["negative_share"]
    # Six-hour window from the start: after hour 7 it holds hours 2..7: 10 negative of 51.
    assert share.state == "met" and share.at == T0 + timedelta(hours=8)
    with pytest.raises(InputError, match="where the answer"):
        record_response(db, case.id, "  ", "dana")


def test_originator_traces_the_story_to_its_first_post_and_author(db: Session) -> None:
    ws = make_workspace(db)
    topic = make_topic(db, ws)
    source = Source(workspace_id=ws.id, key="file", kind="file")
    db.add(source)
    db.flush()
    origin = Author(
        workspace_id=ws.id,
        platform="facebook",
        handle="dana.k",
        name="Dana K",
        followers=340,
        account_created_at=T0 - timedelta(days=400),
    )
    big = Author(workspace_id=ws.id, platform="x", handle="bigvoice", followers=250_000)
    twin = Author(workspace_id=ws.id, platform="instagram", handle="Dana.K", followers=90)
    db.add_all([origin, big, twin])
    db.flush()

    def raw(ext: str, author: Author, minutes: int, text: str, **payload: str) -> RawPost:
        row = RawPost(
            workspace_id=ws.id,
            source_id=source.id,
            external_id=ext,
            author_id=author.id,
            platform=author.platform,
            text=text,
            content_hash=hashlib.sha256(text.encode()).hexdigest(),
            created_at=T0 + timedelta(minutes=minutes),
            payload=payload,
        )
        db.add(row)
        db.flush()
        db.add(
            Mention(
                workspace_id=ws.id,
                raw_post_id=row.id,
                topic_id=topic.id,
                author_id=author.id,
                platform=row.platform,
                created_at=row.created_at,
                sentiment="negative" if "worm" in text else "neutral",
                near_dup_of=payload.get("copy"),
            )
        )
        return row

    older = raw("old", origin, -3000, "acme fries were cold again")
    first = raw("f1", origin, 0, "There was a worm in my acme burger at the Haifa branch")
    reply = raw("r1", big, 20, "a worm in an acme burger? disgusting", reply_to="f1")
    share = raw("s1", twin, 30, "look: worm in acme burger at Haifa", repost_of="r1")
    copy = raw("c1", big, 40, "There was a worm in my acme burger at the Haifa branch", copy="f1")
    raw("x1", twin, 45, "acme lunch was fine")  # not part of the story
    case = _case(db, ws, post_ids=[reply.id], topic_id=topic.id)
    db.commit()
    view = originator_view(db, get_case(db, case.id), now=T0 + timedelta(hours=2))
    assert [p.id for p in view.posts] == [first.id, reply.id, share.id, copy.id]
    assert view.first is not None and view.first.id == first.id
    assert view.author is not None and view.author.handle == "dana.k"
    assert view.account_age_days == 400
    assert [p.id for p in view.other_posts] == [older.id]
    assert [(a.platform, a.handle) for a in view.elsewhere] == [("instagram", "Dana.K")]
    assert {(e.parent, e.child, e.kind) for e in view.edges} == {
        (first.id, reply.id, "reply"),
        (reply.id, share.id, "share"),
        (first.id, copy.id, "copy"),
    }
    assert view.participants[0].handle == "dana.k" and view.participants[0].drew == 3
    assert view.grievance is not None and "worm" in view.grievance.text
    assert [name for name, _, _ in view.platforms] == ["facebook", "x", "instagram"]
    api = view.as_dict()
    assert api["first_post"]["handle"] == "dana.k" and api["author"]["account_age_days"] == 400
    assert len(api["cascade"]) == 3


def test_originator_of_a_case_without_posts_is_empty(db: Session) -> None:
    ws = make_workspace(db)
    make_posts(db, ws, 1)
    case = _case(db, ws)
    view = originator_view(db, case)
    assert view.first is None and view.posts == [] and view.as_dict()["grievance"] is None


def test_a_stored_version_that_no_longer_reads_does_not_hide_the_others(db: Session) -> None:
    ws = make_workspace(db)
    data = shipped()["service-outage"].model_dump(exclude_none=True)
    playbooks.save_version(db, ws.id, data, "admin@example.com")
    row = playbooks.save_version(
        db, ws.id, shipped()["data-breach"].model_dump(exclude_none=True), "admin@example.com"
    )
    row.data = {**row.data, "steps": "gone"}  # e.g. written by an older release
    db.flush()
    found = {p.key: (p.version, p.origin) for p in playbooks.available(db, ws.id)}
    assert found["service-outage"] == (2, "workspace")
    assert found["data-breach"] == (1, "shipped")
    assert len(found) == len(shipped())
