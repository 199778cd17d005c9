"""The reply queue on the web and in /api/v1: the queue with its reasons and filters, assign,
claim, "no answer needed", answered elsewhere, Reply (a draft, then its page), the figures,
permissions and other workspaces (comms/replies/api.py, pages.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from flarewatch.accounts import service as accounts
from flarewatch.cases.models import CaseEvent
from flarewatch.comms.models import Draft
from flarewatch.config.settings import get_settings
from flarewatch.db.engine import create_db_engine, session_scope
from flarewatch.db.migrate import upgrade
from flarewatch.web.app import create_app
from tests.cases.crisis import T0
from tests.comms.replies_data import Queue, make_queue, publish

PASSWORD = "correct-horse-1"


class Env:
    def __init__(self, tmp: Path) -> None:
        self.engine = create_db_engine(f"sqlite:///{tmp / 'web.db'}")
        upgrade(self.engine)
        with session_scope(self.engine) as session:
            self.queue: Queue = make_queue(session)
            for email in ("dana@acme.test", "eli@acme.test", "vera@acme.test"):
                user = accounts.get_user_by_email(session, email)
                assert user is not None
                accounts.set_password(session, user, PASSWORD)
            publish(session, self.queue, "en_question", T0 + timedelta(hours=2, minutes=30))
            self.case_id = self.queue.crisis.case.id
            self.posts = dict(self.queue.posts)
            self.mentions = dict(self.queue.mentions)
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("FLAREWATCH_DATA_DIR", str(tmp / "data"))
            get_settings.cache_clear()
            self.app = create_app(self.engine)
        get_settings.cache_clear()

    def token(self, email: str) -> dict[str, str]:
        with session_scope(self.engine) as session:
            user = accounts.get_user_by_email(session, email)
            assert user is not None
            _, secret = accounts.create_token(session, user, "test")
        return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    made = Env(tmp_path)
    yield made
    made.engine.dispose()


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def sign_in(client: TestClient, email: str) -> str:
    page = client.get("/login")
    token = CSRF_RE.search(page.text)
    assert token
    done = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    home = CSRF_RE.search(client.get("/").text)
    assert home
    return home.group(1)


def test_api_queue_filters_changes_and_figures(env: Env) -> None:
    base = f"/api/v1/workspaces/acme/cases/{env.case_id}/replies"
    eli = env.token("eli@acme.test")
    with TestClient(env.app) as client:
        listed = client.get(base, headers=eli)
        assert listed.status_code == 200, listed.text
        rows = listed.json()
        ids = [r["post_id"] for r in rows]
        assert env.posts["influential"] == ids[0]  # highest priority first
        assert env.posts["en_question"] not in ids  # answered: out of the queue
        he = next(r for r in rows if r["post_id"] == env.posts["he_question"])
        assert he["reasons"] == ["question"] and he["language"] == "he"
        answered = client.get(base, params={"state": "answered"}, headers=eli).json()
        assert [r["post_id"] for r in answered] == [env.posts["en_question"]]
        questions = client.get(base, params={"reason": "question"}, headers=eli).json()
        assert {r["post_id"] for r in questions} == {
            env.posts["he_question"],
            env.posts["pl_question"],
        }
        polish = client.get(base, params={"language": "pl"}, headers=eli).json()
        assert [r["post_id"] for r in polish] == [env.posts["pl_question"]]
        assert client.get(base, params={"state": "nope"}, headers=eli).status_code == 422

        he_id, pl_id = env.posts["he_question"], env.posts["pl_question"]
        assigned = client.post(
            f"{base}/assign", json={"post_ids": [he_id, pl_id], "to": "dana@acme.test"}, headers=eli
        )
        assert assigned.status_code == 200, assigned.text
        assert assigned.json() == {"changed": [he_id, pl_id]}
        claimed = client.post(f"{base}/{pl_id}/claim", headers=eli)
        assert claimed.json() == {"changed": [pl_id]}
        skipped = client.post(f"{base}/{he_id}/skip", json={"reason": "troll"}, headers=eli)
        assert skipped.status_code == 200 and skipped.json()["state"] == "no_answer"
        empty = client.post(f"{base}/{he_id}/skip", json={"reason": ""}, headers=eli)
        assert empty.status_code == 422
        elsewhere = client.post(
            f"{base}/{env.posts['addressed']}/answered",
            json={"where": "https://x.com/acmeburgers/status/1"},
            headers=eli,
        )
        assert elsewhere.json()["state"] == "answered_elsewhere"
        stats = client.get(f"{base}/stats", headers=eli).json()
        assert stats["answered"] == 2 and stats["no_answer_needed"] == 1
        assert stats["open_by_assignee"]["eli@acme.test"] == 1
        assert stats["median_reply_seconds"] is not None and 0 < stats["coverage"] < 1

        draft = client.post(f"{base}/{pl_id}/draft", json={}, headers=eli)
        assert draft.status_code == 201, draft.text
        body = draft.json()
        assert body["url"] == f"/w/acme/cases/{env.case_id}/drafts/{body['draft_id']}"

        viewer = env.token("vera@acme.test")
        refused = client.post(f"{base}/{pl_id}/claim", headers=viewer)
        assert refused.status_code == 403
        missing = client.post(f"{base}/{env.posts['own']}/claim", headers=eli)
        assert missing.status_code == 404 and "not in the reply queue" in missing.text
        other = client.get(
            f"/api/v1/workspaces/acme/cases/{env.case_id + 999}/replies", headers=eli
        )
        assert other.status_code == 404
    with session_scope(env.engine) as session:
        made = session.get_one(Draft, body["draft_id"])
        assert (made.kind, made.mention_id, made.platform) == (
            "reply",
            env.mentions["pl_question"],
            "x",
        )
        kinds = session.scalars(
            select(CaseEvent.kind).where(
                CaseEvent.case_id == env.case_id, CaseEvent.kind == "reply"
            )
        ).all()
        assert len(kinds) == 5  # assigned, claimed, skipped, answered elsewhere, draft started


def test_the_queue_page_with_reasons_filters_and_actions(env: Env) -> None:
    url = f"/w/acme/cases/{env.case_id}/replies"
    with TestClient(env.app) as client:
        csrf = sign_in(client, "eli@acme.test")
        shown = client.get(url)
        assert shown.status_code == 200, shown.text
        html = shown.text
        he_id = env.posts["he_question"]
        assert f'id="reply-{he_id}"' in html
        # The Hebrew post is shown as written, isolated in its own direction.
        assert 'dir="auto">למה אין תשובה מהסניף?</p>' in html
        assert 'data-reason="question"' in html and 'data-reason="case_story"' in html
        assert f'id="reply-{env.posts["en_question"]}"' not in html  # answered
        assert 'data-figure="answered">1' in html

        only_questions = client.get(url, params={"reason": "question", "language": "he"}).text
        assert only_questions.count('class="mention reply-row') == 1

        done = client.post(
            f"{url}/{he_id}/skip",
            data={"reason": "a bot", "view": "reason=question", "csrf_token": csrf},
            follow_redirects=False,
        )
        assert done.status_code == 303 and done.headers["location"] == f"{url}?reason=question"
        skipped = client.get(url, params={"state": "no_answer"}).text
        assert f'id="reply-{he_id}"' in skipped and "a bot" in skipped

        pl_id = env.posts["pl_question"]
        bulk = client.post(
            f"{url}/assign",
            data={"post_id": [str(pl_id)], "to": "dana@acme.test", "csrf_token": csrf},
            follow_redirects=False,
        )
        assert bulk.status_code == 303
        assert 'data-assignee="dana@acme.test"' in client.get(url).text

        reply = client.post(
            f"{url}/{pl_id}/reply", data={"csrf_token": csrf}, follow_redirects=False
        )
        assert reply.status_code == 303
        location = reply.headers["location"]
        assert re.fullmatch(rf"/w/acme/cases/{env.case_id}/drafts/\d+", location)
        htmx = client.post(
            f"{url}/{pl_id}/reply", data={"csrf_token": csrf}, headers={"HX-Request": "true"}
        )
        assert htmx.status_code == 204 and "/drafts/" in htmx.headers["HX-Redirect"]

        unknown = client.post(f"{url}/{pl_id}/explode", data={"csrf_token": csrf})
        assert unknown.status_code == 422 and "Unknown action" in unknown.text

        card = client.get(f"{url}/figures")
        assert card.status_code == 200 and 'data-figure="needing"' in card.text
        case_page = client.get(f"/w/acme/cases/{env.case_id}").text
        assert f'hx-get="/w/acme/cases/{env.case_id}/replies/figures"' in case_page
        assert f'href="{url}"' in case_page


def test_the_page_in_hebrew_and_a_viewer_sees_no_actions(env: Env) -> None:
    url = f"/w/acme/cases/{env.case_id}/replies"
    with TestClient(env.app) as client:
        sign_in(client, "vera@acme.test")
        page = client.get(url, headers={"Accept-Language": "he"})
        assert page.status_code == 200
        assert 'dir="rtl"' in page.text
        assert '/reply"' not in page.text and 'form="bulk-assign"' not in page.text


def test_the_figures_in_the_readers_locale(env: Env) -> None:
    """The answered question waited 30 minutes; the card says so in Polish and in Hebrew."""
    with TestClient(env.app) as client:
        sign_in(client, "eli@acme.test")
        card = f"/w/acme/cases/{env.case_id}/replies/figures"
        polish = client.get(card, headers={"Accept-Language": "pl"}).text
        assert "Czas odpowiedzi, mediana" in polish and "30 minut" in polish
        hebrew = client.get(card, headers={"Accept-Language": "he"}).text
        assert "זמן מענה, חציון" in hebrew and "30 דקות" in hebrew
        english = client.get(card, headers={"Accept-Language": "en"}).text
        assert 'data-figure="median">30 minutes' in english
