"""The inbox is post-centric: a post of two topics is one row, counted once, marked once."""

from __future__ import annotations

import csv
import io
import json
import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from flarewatch.accounts.service import get_user_by_email
from flarewatch.cases.models import Case, CaseEvent
from flarewatch.db.engine import session_scope
from flarewatch.mentions.models import Mention, PostTag, RawPost
from flarewatch.mentions.stream import PostFilters, count_posts, post_stream
from flarewatch.web.deps import WorkspaceAccess
from flarewatch.web.queries import workspace_risk
from flarewatch.web.routers.events import _poll
from flarewatch.workspaces.models import Topic, Workspace

from .conftest import WebEnv, bearer, login
from .seed import add_mention


def _also_in_topic(web: WebEnv, mention_id: int, topic_key: str) -> int:
    """The post of `mention_id` matched a second topic too (as the pipeline stores it)."""
    with session_scope(web.engine) as session:
        first = session.get_one(Mention, mention_id)
        topic = session.scalar(
            select(Topic).where(Topic.workspace_id == first.workspace_id, Topic.key == topic_key)
        )
        assert topic is not None and topic.id != first.topic_id
        second = Mention(
            workspace_id=first.workspace_id,
            raw_post_id=first.raw_post_id,
            topic_id=topic.id,
            author_id=first.author_id,
            platform=first.platform,
            created_at=first.created_at,
            language=first.language,
            sentiment=first.sentiment,
            sentiment_score=first.sentiment_score,
        )
        session.add(second)
        session.flush()
        return second.id


def _plain(html: str) -> str:
    """The page without the isolates around values (<bdi> in text, FSI/PDI in attributes), to
    read its sentences."""
    return re.sub(r"</?bdi>|[\u2068\u2069]", "", html)


def _counts(web: WebEnv) -> tuple[int, int]:
    """(mention rows, posts with a mention) in acme: the pairs and the posts."""
    ws_id = web.seeded.workspaces["acme"]
    with session_scope(web.engine) as session:
        pairs = session.scalar(select(func.count(Mention.id)).where(Mention.workspace_id == ws_id))
        posts = session.scalar(
            select(func.count(func.distinct(Mention.raw_post_id))).where(
                Mention.workspace_id == ws_id
            )
        )
    return int(pairs or 0), int(posts or 0)


def test_a_post_of_two_topics_is_one_row_counted_once(web: WebEnv, client: TestClient) -> None:
    first = web.seeded.mentions["acme"]  # the newest post, topic "brand"
    second = _also_in_topic(web, first, "service")
    pairs, posts = _counts(web)
    assert pairs == posts + 1
    ws_id = web.seeded.workspaces["acme"]
    with session_scope(web.engine) as session:
        rows = post_stream(session, ws_id, PostFilters(hidden="show"), limit=500)
        assert len(rows) == posts == count_posts(session, ws_id, PostFilters(hidden="show"))
        [row] = [r for r in rows if r.post.id == rows[0].post.id]
        assert row.key == first and [t.key for t in row.topics] == ["brand", "service"]
        # Found through either topic, the row is the same and lists both.
        for key in ("brand", "service"):
            [through] = [
                r
                for r in post_stream(session, ws_id, PostFilters(topic=key), limit=500)
                if r.post.id == row.post.id
            ]
            assert through.key == first and len(through.topics) == 2
        ws = session.get_one(Workspace, ws_id)
        assert workspace_risk(session, ws, "admin").mentions_24h == count_posts(
            session, ws_id, PostFilters(hidden="show", since="24h")
        )

    login(client, web.seeded.users["acme-admin"])
    page = _plain(client.get("/w/acme/mentions?hidden=show").text)
    assert page.count(f'id="mention-{first}"') == 1 and f'id="mention-{second}"' not in page
    card = page.split(f'id="mention-{first}"')[1].split("</li>")[0]
    assert "Acme Air brand" in card and "Service" in card
    assert f"{posts} posts match these filters." in page

    api = client.get("/api/v1/workspaces/acme/mentions?hidden=show&limit=500").json()
    assert len(api) == posts and len({m["post_id"] for m in api}) == posts
    [item] = [m for m in api if m["id"] == first]
    assert item["topics"] == ["brand", "service"] and item["topic"] == "brand"
    counted = client.get("/api/v1/workspaces/acme/mentions/count?hidden=show").json()
    assert counted == {"posts": posts}
    # Live updates send the post once, not once per topic.
    newer = client.get(f"/api/v1/workspaces/acme/mentions?after={first - 1}").json()
    assert [m["id"] for m in newer] == [first]


def test_not_relevant_marks_the_post_in_every_topic(web: WebEnv, client: TestClient) -> None:
    first = web.seeded.mentions["acme"]
    second = _also_in_topic(web, first, "service")
    csrf = login(client, web.seeded.users["acme-admin"])
    # Marked through the second topic's mention: the post is what is marked.
    marked = client.post(
        f"/w/acme/mentions/{second}/relevance",
        data={"relevant": "false", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert marked.status_code == 303
    with session_scope(web.engine) as session:
        marks = session.scalars(select(Mention.relevant).where(Mention.id.in_([first, second])))
        assert list(marks) == [False, False]
    page = client.get("/w/acme/mentions").text
    assert f'id="mention-{first}"' not in page
    assert "1 mention hidden as not relevant" in page


def test_bulk_tag_assign_filter_and_export(web: WebEnv, client: TestClient) -> None:
    newest = web.seeded.mentions["acme"]
    _also_in_topic(web, newest, "service")
    csrf = login(client, web.seeded.users["acme-responder"])
    rows = client.get("/api/v1/workspaces/acme/mentions?limit=3").json()
    ids = [m["id"] for m in rows]
    tagged = client.post(
        "/w/acme/mentions/bulk",
        data={"action": "tag", "tag": "#Refund", "ids": ids[:2], "csrf_token": csrf},
        follow_redirects=False,
    )
    assert tagged.status_code == 303
    # Tagging twice keeps one tag per post.
    client.post(
        "/w/acme/mentions/bulk",
        data={"action": "tag", "tag": "refund", "ids": ids[:2], "csrf_token": csrf},
    )
    with session_scope(web.engine) as session:
        assert session.scalar(select(func.count(PostTag.id))) == 2
    assigned = client.post(
        "/w/acme/mentions/bulk",
        data={
            "action": "assign",
            "assignee": web.seeded.users["acme-analyst"],
            "ids": ids,
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert assigned.status_code == 303
    outsider = client.post(
        "/w/acme/mentions/bulk",
        data={
            "action": "assign",
            "assignee": web.seeded.users["globex-admin"],
            "ids": ids,
            "csrf_token": csrf,
        },
    )
    assert outsider.status_code == 404 and "not a member of this workspace" in outsider.text
    # A responder may tag and assign but not train the relevance filter.
    refused = client.post(
        "/w/acme/mentions/bulk",
        data={"action": "not_relevant", "ids": ids, "csrf_token": csrf},
    )
    assert refused.status_code == 403

    page = _plain(client.get("/w/acme/mentions?tag=refund").text)
    assert "2 posts match these filters." in page and "#refund" in page
    assert f'id="mention-{ids[2]}"' not in page
    mine = _plain(
        client.get("/w/acme/mentions", params={"assignee": web.seeded.users["acme-analyst"]}).text
    )
    assert "3 posts match these filters." in mine and "Analyst acme" in mine

    exported = client.get("/w/acme/mentions/export?format=jsonl&tag=refund")
    assert exported.status_code == 200
    assert "acme-mentions.jsonl" in exported.headers["content-disposition"]
    records = [json.loads(line) for line in exported.text.splitlines()]
    assert [r["id"] for r in records] == ids[:2]
    assert records[0]["topics"] == ["brand", "service"] and records[0]["tags"] == ["refund"]
    assert records[0]["assignee"] == web.seeded.users["acme-analyst"]
    table = client.get("/w/acme/mentions/export?format=csv&tag=refund").text
    parsed = list(csv.DictReader(io.StringIO(table)))
    assert [int(r["id"]) for r in parsed] == ids[:2]
    assert parsed[0]["topics"] == "brand;service"
    api_file = client.get(
        "/api/v1/workspaces/acme/mentions/export",
        params={"format": "jsonl", "tag": "refund"},
        headers=bearer(web, "acme-viewer"),
    )
    assert api_file.status_code == 200 and api_file.text == exported.text
    bad = client.get("/w/acme/mentions/export?format=xlsx")
    assert bad.status_code == 422 and "csv, jsonl" in bad.text


def test_csv_export_keeps_formulas_as_text(web: WebEnv, client: TestClient) -> None:
    with session_scope(web.engine) as session:
        mention = session.get_one(Mention, web.seeded.mentions["acme"])
        session.get_one(RawPost, mention.raw_post_id).text = '=HYPERLINK("http://x")'
    login(client, web.seeded.users["acme-viewer"])
    table = client.get("/w/acme/mentions/export?format=csv").text
    first = next(csv.DictReader(io.StringIO(table)))
    assert first["text"] == '\'=HYPERLINK("http://x")'


def test_saved_views_are_per_person(web: WebEnv, client: TestClient) -> None:
    csrf = login(client, web.seeded.users["acme-viewer"])
    saved = client.post(
        "/w/acme/mentions/views?sentiment=negative&language=he",
        data={"name": "  Hebrew   complaints ", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/w/acme/mentions?language=he&sentiment=negative"
    page = client.get("/w/acme/mentions").text
    assert "Hebrew complaints" in page
    assert "/w/acme/mentions?language=he&amp;sentiment=negative" in page
    view_id = int(page.split("/mentions/views/")[1].split("/delete")[0])
    empty = client.post("/w/acme/mentions/views", data={"name": " ", "csrf_token": csrf})
    assert empty.status_code == 422 and "Name the view" in empty.text

    other = TestClient(web.app)
    other_csrf = login(other, web.seeded.users["acme-admin"])
    assert "Hebrew complaints" not in other.get("/w/acme/mentions").text
    refused = other.post(
        f"/w/acme/mentions/views/{view_id}/delete", data={"csrf_token": other_csrf}
    )
    assert refused.status_code == 404
    deleted = client.post(
        f"/w/acme/mentions/views/{view_id}/delete",
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert deleted.status_code == 303
    assert "Hebrew complaints" not in client.get("/w/acme/mentions").text


def test_language_filter_shows_names_in_the_readers_language(
    web: WebEnv, client: TestClient
) -> None:
    login(client, web.seeded.users["acme-viewer"])
    english = client.get("/w/acme/mentions").text
    assert '<option value="he" >Hebrew</option>' in english
    assert '<option value="pl" >Polish</option>' in english
    polish = client.get("/w/acme/mentions", headers={"Accept-Language": "pl"}).text
    assert ">hebrajski</option>" in polish
    hebrew = client.get("/w/acme/mentions?language=pl", headers={"Accept-Language": "he"}).text
    assert '<option value="pl" selected>פולנית</option>' in hebrew


def test_selected_posts_go_on_a_case_once(web: WebEnv, client: TestClient) -> None:
    case_id = web.seeded.cases["acme"]
    csrf = login(client, web.seeded.users["acme-responder"])
    page = client.get("/w/acme/mentions").text
    assert f'<option value="{case_id}" dir="auto">#{case_id}' in page
    rows = client.get("/api/v1/workspaces/acme/mentions?limit=2").json()
    form = {"action": "case", "case_id": str(case_id), "csrf_token": csrf}
    for _ in range(2):  # the second time adds nothing
        added = client.post(
            "/w/acme/mentions/bulk",
            data={**form, "ids": [m["id"] for m in rows]},
            follow_redirects=False,
        )
        assert added.status_code == 303
    with session_scope(web.engine) as session:
        on_case = session.scalars(
            select(CaseEvent).where(
                CaseEvent.case_id == case_id,
                CaseEvent.kind == "post",
                CaseEvent.actor == web.seeded.users["acme-responder"],
            )
        ).all()
        assert sorted(e.data["raw_post_id"] for e in on_case) == sorted(m["post_id"] for m in rows)
        session.get_one(Case, case_id).status = "closed"
    closed = client.post("/w/acme/mentions/bulk", data={**form, "ids": [rows[0]["id"]]})
    assert closed.status_code == 422 and "is closed; reopen it" in closed.text
    viewer = TestClient(web.app)
    viewer_csrf = login(viewer, web.seeded.users["acme-viewer"])
    refused = viewer.post(
        "/w/acme/mentions/bulk", data={**form, "ids": [rows[0]["id"]], "csrf_token": viewer_csrf}
    )
    assert refused.status_code == 403


def test_live_rows_of_the_inbox_can_be_selected(web: WebEnv) -> None:
    s = web.seeded
    newest = add_mention(web.engine, s, "acme", "fresh acme complaint")

    class Request:  # what _poll reads from the request: the app state and the language
        app = web.app
        state = type("S", (), {"language": "en", "user": None})()
        session: dict[str, str] = {"csrf": "t"}
        url = type("U", (), {"path": "/w/acme/mentions", "query": ""})()

    with session_scope(web.engine) as session:
        ws = session.get_one(Workspace, s.workspaces["acme"])
        user = get_user_by_email(session, s.users["acme-responder"])
        assert user is not None
        access = WorkspaceAccess(ws, user, "responder")
        inbox, _, _ = _poll(Request(), access, {"mention"}, newest - 1, 0)
        dashboard, _, _ = _poll(Request(), access, {"mention", "alert"}, newest - 1, 10**6)
    box = f'name="ids" value="{newest}" form="bulk-form"'
    assert [e.event for e in inbox] == ["mention"] and box in inbox[0].data
    assert [e.event for e in dashboard] == ["mention"] and box not in dashboard[0].data
