"""The inbox through /api/v1: bulk actions on posts, tags and saved views, with the roles and
audit entries of the page (the same service functions)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from flarewatch.accounts.models import AuditLog
from flarewatch.cases.models import CaseEvent
from flarewatch.db.engine import session_scope
from flarewatch.mentions.models import Mention

from .conftest import WebEnv, bearer
from .test_inbox import _also_in_topic


@pytest.fixture
def api(web: WebEnv) -> Iterator[TestClient]:
    with TestClient(web.app, base_url="http://testserver/api/v1") as client:
        yield client


def _ids(api: TestClient, web: WebEnv, count: int) -> list[int]:
    rows = api.get(
        "/workspaces/acme/mentions", params={"limit": count}, headers=bearer(web, "acme-viewer")
    ).json()
    return [row["id"] for row in rows]


def test_bulk_tag_assign_and_the_tags_in_use(web: WebEnv, api: TestClient) -> None:
    _also_in_topic(web, web.seeded.mentions["acme"], "service")  # one post, two topics
    ids = _ids(api, web, 3)
    responder = bearer(web, "acme-responder")
    body = {"action": "tag", "tag": "#Refund", "ids": ids[:2]}
    first = api.post("/workspaces/acme/mentions/bulk", json=body, headers=responder)
    assert first.status_code == 200 and first.json() == {"posts": 2, "changed": 2}
    again = api.post("/workspaces/acme/mentions/bulk", json=body, headers=responder).json()
    assert again == {"posts": 2, "changed": 0}  # one tag per post, however often
    tags = api.get("/workspaces/acme/tags", headers=bearer(web, "acme-viewer")).json()
    assert tags == [{"tag": "refund", "posts": 2}]
    listed = api.get(
        "/workspaces/acme/mentions", params={"tag": "refund"}, headers=responder
    ).json()
    assert [m["id"] for m in listed] == ids[:2] and listed[0]["tags"] == ["refund"]

    analyst = web.seeded.users["acme-analyst"]
    assign = {"action": "assign", "assignee": analyst, "ids": ids}
    assigned = api.post("/workspaces/acme/mentions/bulk", json=assign, headers=responder)
    assert assigned.json() == {"posts": 3, "changed": 3}
    mine = api.get("/workspaces/acme/mentions", params={"assignee": analyst}, headers=responder)
    assert sorted(m["id"] for m in mine.json()) == sorted(ids)
    outsider = {**assign, "assignee": web.seeded.users["globex-admin"]}
    refused = api.post("/workspaces/acme/mentions/bulk", json=outsider, headers=responder)
    assert refused.status_code == 404 and "not a member" in refused.json()["detail"]
    untag = {"action": "untag", "tag": "refund", "ids": ids[:1]}
    assert api.post("/workspaces/acme/mentions/bulk", json=untag, headers=responder).json() == {
        "posts": 1,
        "changed": 1,
    }
    with session_scope(web.engine) as session:
        actions = set(session.scalars(select(AuditLog.action)))
    assert {"post.tag", "post.untag", "post.assign"} <= actions


def test_bulk_roles_relevance_and_case(web: WebEnv, api: TestClient) -> None:
    ids = _ids(api, web, 2)
    not_relevant = {"action": "not_relevant", "ids": ids}
    for who in ("acme-viewer", "acme-approver", "acme-responder"):
        response = api.post(
            "/workspaces/acme/mentions/bulk", json=not_relevant, headers=bearer(web, who)
        )
        assert response.status_code == 403, who
    analyst = bearer(web, "acme-analyst")
    marked = api.post("/workspaces/acme/mentions/bulk", json=not_relevant, headers=analyst)
    assert marked.status_code == 200 and marked.json()["posts"] == 2
    with session_scope(web.engine) as session:
        marks = session.scalars(select(Mention.relevant).where(Mention.id.in_(ids)))
        assert list(marks) == [False, False]

    case_id = web.seeded.cases["acme"]
    to_case = {"action": "case", "case_id": case_id, "ids": ids[:1]}
    viewer = api.post(
        "/workspaces/acme/mentions/bulk", json=to_case, headers=bearer(web, "acme-viewer")
    )
    assert viewer.status_code == 403
    added = api.post("/workspaces/acme/mentions/bulk", json=to_case, headers=analyst)
    assert added.status_code == 200 and added.json()["posts"] == 1
    with session_scope(web.engine) as session:
        kinds = session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case_id))
        assert "post" in set(kinds)
    no_case = api.post(
        "/workspaces/acme/mentions/bulk", json={"action": "case", "ids": ids}, headers=analyst
    )
    assert no_case.status_code in (400, 422) and "case" in no_case.text
    unknown = api.post(
        "/workspaces/acme/mentions/bulk", json={"action": "delete", "ids": ids}, headers=analyst
    )
    assert unknown.status_code == 422
    empty = api.post(
        "/workspaces/acme/mentions/bulk",
        json={"action": "tag", "tag": "refund", "ids": []},
        headers=analyst,
    )
    assert empty.status_code == 422
    two_words = {"action": "tag", "tag": "two words", "ids": ids}
    bad_tag = api.post("/workspaces/acme/mentions/bulk", json=two_words, headers=analyst)
    assert bad_tag.status_code == 422 and "tag" in bad_tag.text


def test_saved_views_are_per_person(web: WebEnv, api: TestClient) -> None:
    viewer, analyst = bearer(web, "acme-viewer"), bearer(web, "acme-analyst")
    body = {"name": "Negative, Hebrew", "filters": {"sentiment": "negative", "language": "he"}}
    created = api.post("/workspaces/acme/views", json=body, headers=viewer)
    assert created.status_code == 201
    view = created.json()
    assert view["name"] == "Negative, Hebrew"
    assert view["filters"] == {"sentiment": "negative", "language": "he"}
    # The same name replaces the filters rather than adding a second view.
    body["filters"] = {"sentiment": "negative"}
    replaced = api.post("/workspaces/acme/views", json=body, headers=viewer).json()
    assert replaced["id"] == view["id"] and replaced["filters"] == {"sentiment": "negative"}
    assert [v["id"] for v in api.get("/workspaces/acme/views", headers=viewer).json()] == [
        view["id"]
    ]
    assert api.get("/workspaces/acme/views", headers=analyst).json() == []
    # Someone else's view cannot be deleted; the owner's can.
    other = api.delete(f"/workspaces/acme/views/{view['id']}", headers=analyst)
    assert other.status_code == 404
    gone = api.delete(f"/workspaces/acme/views/{view['id']}", headers=viewer)
    assert gone.status_code == 204
    assert api.get("/workspaces/acme/views", headers=viewer).json() == []
    bad = api.post(
        "/workspaces/acme/views", json={"name": "x", "filters": {"since": "1y"}}, headers=viewer
    )
    assert bad.status_code == 422


def test_openapi_documents_the_inbox(api: TestClient) -> None:
    paths = api.get("/openapi.json").json()["paths"]
    assert "post" in paths["/api/v1/workspaces/{slug}/mentions/bulk"]
    assert "get" in paths["/api/v1/workspaces/{slug}/tags"]
    assert {"get", "post"} <= set(paths["/api/v1/workspaces/{slug}/views"])
    assert "delete" in paths["/api/v1/workspaces/{slug}/views/{view_id}"]
