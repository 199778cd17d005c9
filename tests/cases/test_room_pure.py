"""The case room's pure parts: the story and its cascade, participants, the grievance, goal
judging, the timeline's filter and exports, and the shipped playbook library."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from flarewatch.cases.goals import judge_first_response, judge_negative_share, judge_volume
from flarewatch.cases.models import CaseEvent
from flarewatch.cases.originator import (
    Edge,
    StoryPost,
    cascade_edges,
    cascade_layout,
    influencers,
    representative,
    story_of,
)
from flarewatch.cases.timeline import export, only_kinds, to_csv
from flarewatch.errors import InputError
from flarewatch.playbooks.library import STAGES, check_playbook, parse_toml, shipped, to_toml

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)


def post(i: int, minutes: int, **kw: object) -> StoryPost:
    values: dict[str, object] = {
        "id": i,
        "external_id": f"e{i}",
        "platform": "x",
        "created_at": T0 + timedelta(minutes=minutes),
        "text": f"post {i}",
        "handle": f"user{i}",
    }
    values.update(kw)
    return StoryPost(**values)  # type: ignore[arg-type]


def test_story_follows_replies_shares_and_copies_both_ways_and_leaves_strangers_out() -> None:
    pool = [
        post(1, 0, text="worm in my burger", followers=120),
        post(2, 5, reply_to="e1", platform="facebook"),
        post(3, 9, repost_of="e2"),
        post(4, 12, near_dup_of="e1", platform="instagram"),
        post(5, 3, text="unrelated lunch photo"),
        post(6, 20, story_key="s1"),
    ]
    # Seeded by the share only: the chain is found back to the first post and forward to copies.
    story = story_of(pool, {3})
    assert [p.id for p in story] == [1, 2, 3, 4]
    assert [p.id for p in story_of(pool, {3}, "s1")] == [1, 2, 3, 4, 6]
    assert story_of(pool, {99}) == []
    edges = cascade_edges(story)
    assert set(edges) == {Edge(1, 2, "reply"), Edge(2, 3, "share"), Edge(1, 4, "copy")}


def test_influencers_rank_by_what_their_posts_drew_then_audience() -> None:
    posts = [
        post(1, 0, handle="origin", followers=50),
        post(2, 1, handle="big", followers=900_000, reply_to="e1"),
        post(3, 2, handle="fan", repost_of="e2"),
        post(4, 3, handle="fan", repost_of="e2"),
        post(5, 4, handle="quiet", followers=10),
    ]
    edges = cascade_edges(posts)
    ranked = influencers(posts, edges, limit=3)
    assert [(p.handle, p.drew, p.posts) for p in ranked] == [
        ("origin", 3, 1),
        ("big", 2, 1),
        ("quiet", 0, 1),
    ]


def test_grievance_is_the_medoid_of_the_negative_posts() -> None:
    posts = [
        post(1, 0, text="found a worm in the burger at the branch", sentiment="negative"),
        post(2, 1, text="a worm in the burger, disgusting branch", sentiment="negative"),
        post(3, 2, text="worm burger again at this branch", sentiment="negative"),
        post(4, 3, text="great fries and a friendly smile today", sentiment="positive"),
        post(5, 4, text="completely unrelated rant about parking", sentiment="negative"),
    ]
    chosen = representative(posts)
    assert chosen is not None and chosen.id in {1, 2}
    # Copies of the rant count once: they do not make it the story's voice.
    rant = "completely unrelated rant about parking"
    copies = [post(10 + i, 5 + i, text=rant, sentiment="negative") for i in range(6)]
    chosen = representative([*posts, *copies])
    assert chosen is not None and chosen.text != rant
    assert representative([]) is None


def test_cascade_layout_puts_time_on_x_platforms_on_lanes_and_links_posts() -> None:
    posts = [post(1, 0), post(2, 30, platform="facebook", reply_to="e1"), post(3, 60)]
    layout = cascade_layout(posts, cascade_edges(posts), width=400)
    xs = [n["x"] for n in layout.nodes]
    assert xs == sorted(xs) and xs[0] < xs[-1] <= 400
    assert [lane["platform"] for lane in layout.lanes] == ["x", "facebook"]
    assert len(layout.links) == 1 and layout.links[0]["kind"] == "reply"
    assert layout.links[0]["y1"] != layout.links[0]["y2"]


def test_first_response_goal() -> None:
    deadline = T0 + H
    assert judge_first_response(T0, deadline, [T0 + timedelta(minutes=42)], T0 + 2 * H).state == (
        "met"
    )
    verdict = judge_first_response(T0, deadline, [T0 + timedelta(minutes=42)], T0 + 2 * H)
    assert verdict.at == T0 + timedelta(minutes=42) and verdict.value == 42
    late = judge_first_response(T0, deadline, [T0 + 2 * H], T0 + 3 * H)
    assert (late.state, late.at) == ("missed", deadline)
    assert judge_first_response(T0, deadline, [], T0 + timedelta(minutes=10)).state == "pending"


def test_negative_share_goal_met_at_the_first_calm_hour() -> None:
    hours = [(T0, 40, 30), (T0 + H, 30, 20), (T0 + 2 * H, 60, 2), (T0 + 3 * H, 60, 1)]
    # The share is over the last six hours since the start: 75%, 71%, 40% (52 of 130), 28%
    # (53 of 190) while the first hours stay in the window; 15% once the first one leaves it.
    verdict = judge_negative_share(T0, T0 + 72 * H, hours, 0.5, T0 + 10 * H)
    assert (verdict.state, verdict.at) == ("met", T0 + 3 * H)
    assert verdict.value == pytest.approx(52 / 130)
    strict = judge_negative_share(T0, T0 + 72 * H, hours, 0.2, T0 + 10 * H)
    assert (strict.state, strict.at) == ("met", T0 + 7 * H)
    early = judge_negative_share(T0, T0 + 5 * H, hours, 0.2, T0 + 10 * H)
    assert (early.state, early.at) == ("missed", T0 + 5 * H)
    assert early.value == pytest.approx(53 / 190)
    running = judge_negative_share(T0, T0 + 72 * H, hours, 0.2, T0 + 4 * H)
    assert running.state == "pending"
    # Too few mentions say nothing.
    assert judge_negative_share(T0, T0 + 5 * H, [(T0, 2, 0)], 0.2, T0 + H).state == "pending"


def test_volume_goal_needs_three_calm_hours_after_the_peak() -> None:
    hours = [(T0, 50, 40), (T0 + H, 200, 150), (T0 + 2 * H, 30, 9)]
    hours += [(T0 + (3 + i) * H, 4, 1) for i in range(4)]
    verdict = judge_volume(T0, T0 + 168 * H, hours, 4.0, T0 + 12 * H)
    assert (verdict.state, verdict.at) == ("met", T0 + 3 * H)
    assert judge_volume(T0, T0 + 168 * H, hours, 4.0, T0 + 5 * H).state == "pending"
    assert judge_volume(T0, T0 + 2 * H, hours, 4.0, T0 + 12 * H).state == "missed"


def _event(i: int, kind: str, text: str) -> CaseEvent:
    return CaseEvent(
        id=i,
        case_id=1,
        at=T0 + timedelta(minutes=i),
        kind=kind,
        actor="a",
        text=text,
        data={"n": i},
    )


def test_timeline_filter_and_exports() -> None:
    events = [
        _event(1, "alert", "Alert #1"),
        _event(2, "note", '=HYPERLINK("x")'),
        _event(3, "task", "Task #4"),
    ]
    assert [e.id for e in only_kinds(events, ["note", "task"])] == [2, 3]
    assert only_kinds(events, []) == events
    rows = list(csv.reader(io.StringIO(to_csv(events))))
    assert rows[0] == ["id", "at", "kind", "actor", "text", "data"]
    assert rows[2][4] == '\'=HYPERLINK("x")'  # never a formula in a spreadsheet
    assert json.loads(rows[1][5]) == {"n": 1}
    records = json.loads(export(events, "json"))
    assert [r["kind"] for r in records] == ["alert", "note", "task"]
    assert records[0]["at"] == (T0 + timedelta(minutes=1)).isoformat()
    with pytest.raises(InputError, match="csv, json"):
        export(events, "xml")


def test_shipped_library_has_every_scenario_in_three_languages() -> None:
    library = shipped()
    assert set(library) == {
        "product-safety",
        "offensive-statement",
        "service-outage",
        "data-breach",
        "viral-complaint",
        "false-accusation",
        "influencer-attack",
        "page-takedown",
    }
    assert library["page-takedown"].kind == "note"
    for key, doc in library.items():
        for step in doc.steps:
            assert step.en and step.he and step.pl and step.he != step.en and step.pl != step.en
        if doc.kind == "plan":
            assert [stage for stage, _ in doc.stages()] == list(STAGES), key
            assert {g.kind for g in doc.goals} == {
                "first_response",
                "negative_share",
                "volume_baseline",
            }
        assert parse_toml(to_toml(doc), key) == doc  # what `show --toml` prints, `save` reads


def test_a_bad_playbook_says_what_and_where() -> None:
    data = shipped()["service-outage"].model_dump()
    data["steps"][0]["stage"] = "panic"
    data["goals"] = [{"kind": "negative_share", "within_minutes": 60, "target": 1.5}]
    with pytest.raises(InputError) as err:
        check_playbook(data, "mine.toml")
    message = str(err.value)
    assert message.startswith("mine.toml: ") and "steps[0].stage: Input should be" in message
    assert "goals[0].target: Input should be less than 1" in message
    # Without a target, a negative share goal means under 20%.
    data = shipped()["service-outage"].model_dump()
    data["goals"] = [{"kind": "negative_share", "within_minutes": 60}]
    assert check_playbook(data, "mine.toml").goals[0].target == 0.2
    with pytest.raises(InputError, match="not valid TOML"):
        parse_toml("key = ", "broken.toml")
