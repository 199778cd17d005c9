"""Message templates on the web and in /api/v1: browse, versions, edit, export and import,
fill, and "Start a draft on case #N" (comms/templates/api.py, pages.py)."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from flarewatch.comms.models import Draft
from flarewatch.comms.templates.library import shipped, to_toml
from flarewatch.db.engine import session_scope
from tests.web.conftest import (  # noqa: F401  (_template and the hashing: web fixtures)
    WebEnv,
    _fast_password_hashing,
    _template,
    bearer,
    login,
    make_env,
)
from tests.web.seed import Seeded

KEY = "service-outage.holding-customers"


@pytest.fixture
def web(tmp_path: Path, _template: tuple[Path, Seeded]) -> Iterator[WebEnv]:  # noqa: F811
    """The seeded app of the web tests (tests/web/conftest.py), on a copy of its database."""
    env = make_env(tmp_path, _template)
    yield env
    env.engine.dispose()


def test_api_lists_reads_saves_and_keeps_versions(web: WebEnv) -> None:
    slug = web.seeded.slugs["acme"]
    admin, responder = bearer(web, "acme-admin"), bearer(web, "acme-responder")
    base = f"/api/v1/workspaces/{slug}/templates"
    with TestClient(web.app) as client:
        listed = client.get(base, headers=responder)
        assert listed.status_code == 200, listed.text
        assert sorted(t["key"] for t in listed.json()) == sorted(shipped())
        sms = client.get(base, params={"platform": "sms", "audience": "press"}, headers=admin)
        assert sms.json() == []  # press statements are long texts: email and social posts
        one = client.get(f"{base}/{KEY}", headers=responder).json()
        assert one["version"] == 1 and one["origin"] == "shipped"
        assert "sms" in one["platforms"]["he"]
        document = one["document"]
        document["en"]["short"] = "{brand} is down. We are fixing it. Next update at {next_update}."
        refused = client.put(f"{base}/{KEY}", json=document, headers=responder)
        assert refused.status_code == 403
        saved = client.put(f"{base}/{KEY}", json=document, headers=admin)
        assert saved.status_code == 200, saved.text
        assert (saved.json()["version"], saved.json()["origin"]) == (2, "workspace")
        versions = client.get(f"{base}/{KEY}/versions", headers=admin).json()
        assert [v["version"] for v in versions] == [1, 2]
        old = client.get(f"{base}/{KEY}", params={"version": 1}, headers=admin).json()
        shipped_doc = shipped()[KEY].model_dump(exclude_none=True, exclude={"key", "version"})
        assert old["document"] == shipped_doc
        assert old["document"]["en"]["short"] != document["en"]["short"]
        broken = dict(document, en={"short": "Hello {nobody}"})
        bad = client.put(f"{base}/{KEY}", json=broken, headers=admin)
        assert bad.status_code == 422 and "nobody" in bad.text
        assert client.get(f"{base}/nope.nope", headers=admin).status_code == 404


def test_api_export_import_fill_and_draft(web: WebEnv) -> None:
    acme, globex = web.seeded.slugs["acme"], web.seeded.slugs["globex"]
    case_id = web.seeded.cases["acme"]
    with TestClient(web.app) as client:
        admin = bearer(web, "acme-admin")
        exported = client.get(
            f"/api/v1/workspaces/{acme}/templates/export",
            params={"playbook": "data-breach"},
            headers=admin,
        )
        assert exported.status_code == 200
        assert "attachment" in exported.headers["content-disposition"]
        text = exported.text.replace("We have closed the gap", "The gap is closed")
        tables = tomllib.loads(text)["templates"]
        imported = client.post(
            f"/api/v1/workspaces/{globex}/templates/import",
            json={"templates": tables},
            headers=bearer(web, "globex-admin"),
        )
        assert imported.status_code == 200, imported.text
        saved = {row["key"]: row["version"] for row in imported.json() if row["saved"]}
        assert saved == {
            "data-breach.holding-customers": 2,
            "data-breach.statement-press": 2,
            "data-breach.statement-regulators": 2,
        }
        tables[0]["en"]["short"] = "Hello {nobody}"
        bad = client.post(
            f"/api/v1/workspaces/{globex}/templates/import",
            json={"templates": tables},
            headers=bearer(web, "globex-admin"),
        )
        assert bad.status_code == 422 and "{nobody}" in bad.text

        base = f"/api/v1/workspaces/{acme}/templates/{KEY}"
        body = {"case_id": case_id, "platform": "x", "language": "he"}
        missing = client.post(f"{base}/fill", json=body, headers=admin)
        assert missing.status_code == 422 and "{link}" in missing.text
        body["values"] = {"link": "https://acme.example/status"}
        filled = client.post(f"{base}/fill", json=body, headers=admin)
        assert filled.status_code == 200, filled.text
        result = filled.json()
        assert result["variant"] == "short" and result["clean"] is True
        assert "\u2068Acme Air\u2069" in result["text"]  # a Latin brand isolated in Hebrew
        viewer = bearer(web, "acme-viewer")
        assert client.post(f"{base}/drafts", json=body, headers=viewer).status_code == 403
        started = client.post(f"{base}/drafts", json=body, headers=bearer(web, "acme-responder"))
        assert started.status_code == 201, started.text
        out = started.json()
        assert out["url"] == f"/w/{acme}/cases/{case_id}/drafts/{out['draft_id']}"
        assert (out["template_key"], out["template_version"]) == (KEY, 1)
        other_case = client.post(
            f"{base}/drafts", json=dict(body, case_id=web.seeded.cases["globex"]), headers=admin
        )
        assert other_case.status_code == 404
    with session_scope(web.engine) as session:
        draft = session.scalars(select(Draft)).one()
        assert (draft.origin, draft.template_key, draft.language) == ("template", KEY, "he")


def test_pages_browse_edit_and_start_a_draft(web: WebEnv) -> None:
    slug, case_id = web.seeded.slugs["acme"], web.seeded.cases["acme"]
    with TestClient(web.app) as client:
        csrf = login(client, web.seeded.users["acme-admin"])
        page = client.get(f"/w/{slug}/templates", params={"audience": "regulators"})
        assert page.status_code == 200
        assert "data-breach.statement-regulators" in page.text and KEY not in page.text
        one = client.get(f"/w/{slug}/templates/{KEY}")
        assert one.status_code == 200
        assert 'class="template-text" lang="he" dir="rtl"' in one.text  # Hebrew: right to left
        assert (
            'data-platform="x"' in one.text and "of <bdi>280</bdi>" in one.text
        )  # length vs limit
        assert "Start a draft on a case" in one.text and f'value="{case_id}"' in one.text

        edited = shipped()[KEY].model_copy(deep=True)
        assert edited.en is not None
        edited.en.short = "{brand} is down. We are fixing it. Next update at {next_update}."
        saved = client.post(
            f"/w/{slug}/templates/{KEY}",
            data={"document": to_toml([edited], ""), "csrf_token": csrf},
            follow_redirects=False,
        )
        assert saved.status_code == 303
        history = client.get(f"/w/{slug}/templates/{KEY}").text
        assert "Version 2" in history and "saved" in history
        edited.en.short = edited.en.short.replace("We are fixing it", "We are working on it")
        imported = client.post(
            f"/w/{slug}/templates/import",
            data={"document": to_toml([edited], "from another client"), "csrf_token": csrf},
            follow_redirects=False,
        )
        assert imported.status_code == 303
        assert "Version 3" in client.get(f"/w/{slug}/templates/{KEY}").text
        broken = client.post(
            f"/w/{slug}/templates/import",
            data={"document": "key = ", "csrf_token": csrf},
            follow_redirects=False,
        )
        assert broken.status_code == 422 and "not valid TOML" in broken.text

        started = client.post(
            f"/w/{slug}/templates/{KEY}/draft",
            data={
                "case_id": str(case_id),
                "platform": "x",
                "language": "en",
                "var_link": "https://acme.example/status",
                "var_contact": "",
                "csrf_token": csrf,
            },
            follow_redirects=False,
        )
        assert started.status_code == 303, started.text
        with session_scope(web.engine) as session:
            draft = session.scalars(select(Draft)).one()
            assert started.headers["location"] == f"/w/{slug}/cases/{case_id}/drafts/{draft.id}"
            assert (draft.template_key, draft.template_version) == (KEY, 3)
        wrong = client.post(
            f"/w/{slug}/templates/{KEY}/draft",
            data={"case_id": "soon", "platform": "x", "csrf_token": csrf},
            follow_redirects=False,
        )
        assert wrong.status_code == 422 and "give the case" in wrong.text
