"""AI drafting on the web: the API's suggest, the new-draft page's "Draft with AI" form (its
partial shows only when the workspace has [ai_drafting]) and who may use it."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from flarewatch.accounts.models import AuditLog
from flarewatch.cases.models import CaseEvent
from flarewatch.comms.models import Draft
from flarewatch.db.engine import session_scope
from flarewatch.web.templating import env
from flarewatch.workspaces.models import Workspace
from tests.comms import ai_endpoint as endpoints
from tests.comms.ai_endpoint import FakeEndpoint
from tests.web import conftest as web_fixtures
from tests.web.conftest import WebEnv, bearer, login

_fast_password_hashing = web_fixtures._fast_password_hashing
_template = web_fixtures._template
web = web_fixtures.web
client = web_fixtures.client
ai_endpoint = endpoints.ai_endpoint


def _configure(env: WebEnv, base_url: str | None) -> None:
    with session_scope(env.engine) as session:
        ws = session.get_one(Workspace, env.seeded.workspaces["acme"])
        config = dict(ws.config or {})
        config.pop("ai_drafting", None)
        if base_url:
            config["ai_drafting"] = {"base_url": base_url, "model": "qwen-test"}
        ws.config = config


def _partial(config: dict[str, Any], can_edit: bool = True) -> str:
    workspace = SimpleNamespace(slug="acme", config=config, languages=["he", "en"])
    return env.get_template("comms/_draft_ai.html").render(
        workspace=workspace,
        case=SimpleNamespace(id=7),
        can=lambda permission: can_edit,
        _=lambda text, **values: text % values if values else text,
        csrf_field="csrf_token",
        csrf_token="t",
        language_name=lambda code: {"he": "עברית", "en": "English", "pl": "Polski"}[code],
    )


def test_the_form_shows_only_when_ai_drafting_is_configured() -> None:
    assert "Draft with AI" not in _partial({})
    shown = _partial({"ai_drafting": {"base_url": "http://127.0.0.1:11434/v1", "model": "m"}})
    assert 'action="/w/acme/cases/7/ai-draft"' in shown and "Draft with AI" in shown
    # The workspace's own languages come first (Hebrew here).
    assert shown.index('value="he"') < shown.index('value="en"') < shown.index('value="pl"')
    configured = {"ai_drafting": {"base_url": "http://x.test/v1", "model": "m"}}
    assert "Draft with AI" not in _partial(configured, can_edit=False)


def test_the_api_suggests_a_draft_and_says_when_it_is_off(
    web: WebEnv, client: TestClient, ai_endpoint: FakeEndpoint
) -> None:
    case_id = web.seeded.cases["acme"]
    url = f"/api/v1/workspaces/acme/cases/{case_id}/drafts/suggest"
    responder = bearer(web, "acme-responder")
    off = client.post(url, json={"platform": "x"}, headers=responder)
    assert off.status_code == 409 and "add an [ai_drafting] table" in off.json()["detail"]
    _configure(web, ai_endpoint.base_url)
    viewer = client.post(url, json={"platform": "x"}, headers=bearer(web, "acme-viewer"))
    assert viewer.status_code == 403 and ai_endpoint.requests == []
    made = client.post(
        url,
        json={"platform": "x", "post_id": web.seeded.mentions["acme"], "language": "en"},
        headers=responder,
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["origin"], body["kind"], body["status"], body["model"]) == (
        "ai",
        "reply",
        "draft",
        "qwen-test",
    )
    assert body["text"] == ai_endpoint.answer and body["flags"] == []
    prompt = ai_endpoint.requests[-1]["body"]["messages"][1]["content"]
    assert "<untrusted_post>" in prompt and "(acme #" in prompt  # the seeded post's text
    ai_endpoint.mode = "429"
    limited = client.post(url, json={"platform": "x"}, headers=responder)
    assert limited.status_code == 400 and "try again in 20 seconds" in limited.json()["detail"]
    bad = client.post(url, json={"platform": "myspace"}, headers=responder)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "platform"]
    missing = client.post(url, json={}, headers=responder)
    assert missing.status_code == 422 and "use one of x, bluesky" in missing.json()["detail"]


def test_the_form_creates_the_draft_and_opens_it(
    web: WebEnv, client: TestClient, ai_endpoint: FakeEndpoint
) -> None:
    case_id = web.seeded.cases["acme"]
    _configure(web, ai_endpoint.base_url)
    csrf = login(client, web.seeded.users["acme-responder"])
    ai_endpoint.answer = "Przepraszamy. Sprawdzamy każdy lot i podamy kolejną informację o 18:00."
    posted = client.post(
        f"/w/acme/cases/{case_id}/ai-draft",
        data={
            "csrf_token": csrf,
            "platform": "facebook",
            "kind": "update",
            "stage": "containment",
            "language": "pl",
            "template_text": "Sprawdzamy {co}. Kolejna informacja o {kiedy}.",
        },
        follow_redirects=False,
    )
    assert posted.status_code == 303, posted.text
    with session_scope(web.engine) as session:
        draft = session.scalars(select(Draft).order_by(Draft.id.desc())).first()
        assert draft is not None
        assert (draft.origin, draft.kind, draft.language, draft.stage) == (
            "ai",
            "update",
            "pl",
            "containment",
        )
        events = session.scalars(
            select(CaseEvent.text).where(CaseEvent.case_id == case_id, CaseEvent.kind == "draft")
        ).all()
        action = session.scalars(select(AuditLog.action).order_by(AuditLog.id.desc())).first()
    assert posted.headers["location"] == f"/w/acme/cases/{case_id}/drafts/{draft.id}"
    assert "written by AI (model qwen-test)" in events[-1]
    assert action == "draft.ai_suggest"
    system = ai_endpoint.requests[-1]["body"]["messages"][0]["content"]
    assert "in Polish" in system and "say when the next update will come" in system
