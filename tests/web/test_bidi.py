"""Bidi controls in user content are shown, never applied, on every page; Hebrew is untouched."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import update

from flarewatch.alerts.models import Alert
from flarewatch.cases import service as cases
from flarewatch.db.engine import session_scope
from flarewatch.mentions.models import Author
from flarewatch.workspaces.models import Topic, Workspace

from .conftest import WebEnv, login
from .seed import add_mention

RLO = "\u202e"
MARKER = "⟦U+202E⟧"
SPAN = '<span class="bidi-control" title="'


def _assert_shown_not_applied(page: str) -> None:
    assert RLO not in page
    assert f"{MARKER}</span>" in page
    assert "RIGHT-TO-LEFT OVERRIDE" in page


def test_mention_text_author_and_topic_show_the_marker(web: WebEnv, client: TestClient) -> None:
    add_mention(web.engine, web.seeded, "acme", f"acme evil{RLO}gnp.exe")
    with session_scope(web.engine) as session:
        session.execute(
            update(Author)
            .where(Author.workspace_id == web.seeded.workspaces["acme"])
            .values(handle=Author.handle + RLO + "moc.")
        )
        session.execute(
            update(Topic).where(Topic.id == web.seeded.topics["acme"]).values(name=f"brand{RLO}x")
        )
    login(client, web.seeded.users["acme-viewer"])
    page = client.get("/w/acme/mentions").text
    _assert_shown_not_applied(page)
    assert f"acme evil{SPAN}" in page and f"{MARKER}</span>gnp.exe" in page
    assert f"{MARKER}</span>moc." in page  # the author
    assert f"brand{SPAN}" in page  # the topic
    assert "אקמה" in page and "bidi-control" not in page.split("אקמה")[1][:20]  # Hebrew as is
    dashboard = client.get("/w/acme").text
    _assert_shown_not_applied(dashboard)


def test_case_notes_tasks_and_titles_show_the_marker(web: WebEnv, client: TestClient) -> None:
    case_id = web.seeded.cases["acme"]
    ws = web.seeded.workspaces["acme"]
    with session_scope(web.engine) as session:
        cases.add_note(session, case_id, f"call {RLO}3210", "dana", workspace_id=ws)
        cases.add_task(session, case_id, f"reply to {RLO}evil", "dana", workspace_id=ws)
    login(client, web.seeded.users["acme-viewer"])
    page = client.get(f"/w/acme/cases/{case_id}").text
    _assert_shown_not_applied(page)
    assert f"call {SPAN}" in page and f"reply to {SPAN}" in page


def test_inside_attributes_and_raw_text_the_marker_is_plain_text(
    web: WebEnv, client: TestClient
) -> None:
    with session_scope(web.engine) as session:
        session.execute(
            update(Workspace)
            .where(Workspace.id == web.seeded.workspaces["acme"])
            .values(name=f"Acme{RLO}riA")
        )
    login(client, web.seeded.users["acme-admin"])
    page = client.get("/w/acme/settings").text
    title = page.split("<title>")[1].split("</title>")[0]
    assert f"Acme{MARKER}riA" in title and SPAN not in title  # plain marker in raw text
    # The name's edit field holds the value as stored, so saving the form keeps the data.
    edit_field = f'value="Acme{RLO}riA"'
    assert edit_field in page
    assert RLO not in page.replace(edit_field, "")


def test_saving_an_edit_field_keeps_the_control(web: WebEnv, client: TestClient) -> None:
    topic_id = web.seeded.topics["acme"]
    with session_scope(web.engine) as session:
        session.execute(update(Topic).where(Topic.id == topic_id).values(name=f"brand{RLO}x"))
    login(client, web.seeded.users["acme-admin"])
    page = client.get(f"/w/acme/topics?edit={topic_id}").text
    assert f'value="brand{RLO}x"' in page  # round-trips unchanged
    assert f"brand{SPAN}" in page  # while the topic list shows the marker


def test_user_values_in_translated_sentences_are_isolated(web: WebEnv, client: TestClient) -> None:
    alert_id = web.seeded.alerts["acme"][0]
    with session_scope(web.engine) as session:
        session.execute(
            update(Alert)
            .where(Alert.id == alert_id)
            .values(status="acknowledged", acknowledged_by=f"dana{RLO}x")
        )
    login(client, web.seeded.users["acme-viewer"])
    for language in ("en", "he", "pl"):
        page = client.get("/w/acme/alerts", headers={"Accept-Language": language}).text
        assert RLO not in page
        assert f"<bdi>dana{MARKER}x</bdi>" in page, language


def test_the_marker_title_is_translated(web: WebEnv, client: TestClient) -> None:
    add_mention(web.engine, web.seeded, "acme", f"acme {RLO}x")
    login(client, web.seeded.users["acme-viewer"])
    english = client.get("/w/acme/mentions", headers={"Accept-Language": "en"}).text
    hebrew = client.get("/w/acme/mentions", headers={"Accept-Language": "he"}).text
    polish = client.get("/w/acme/mentions", headers={"Accept-Language": "pl"}).text
    assert "Invisible text-direction character" in english
    for page in (hebrew, polish):
        _assert_shown_not_applied(page)
        assert "Invisible text-direction character" not in page


def test_the_json_api_returns_the_data_as_stored(web: WebEnv, client: TestClient) -> None:
    add_mention(web.engine, web.seeded, "acme", f"acme raw{RLO}data")
    login(client, web.seeded.users["acme-viewer"])
    body = client.get(f"/api/v1/workspaces/{web.seeded.slugs['acme']}/mentions").text
    assert "raw\\u202edata" in body or f"raw{RLO}data" in body
