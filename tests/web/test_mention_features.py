"""Topic re-run over stored posts, relevance marks, and enrichment on mention cards."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from flarewatch.accounts.models import AuditLog
from flarewatch.db.engine import session_scope
from flarewatch.mentions.models import Mention, RawPost

from .conftest import WebEnv, login


def _actions(web: WebEnv) -> list[str]:
    with session_scope(web.engine) as session:
        return list(session.scalars(select(AuditLog.action)))


def test_saving_a_topic_can_apply_it_to_stored_posts(web: WebEnv, client: TestClient) -> None:
    csrf = login(client, web.seeded.users["acme-analyst"])
    topic_id = web.seeded.topics["acme"]
    with session_scope(web.engine) as session:
        before = set(session.scalars(select(Mention.id).where(Mention.topic_id == topic_id)))
    saved = client.post(
        f"/w/acme/topics/{topic_id}",
        data={
            "name": "Brand",
            "query": "luggage OR crew",
            "active": "true",
            "rematch": "true",
            "rematch_days": "7",
            "csrf_token": csrf,
        },
    )
    assert saved.status_code == 200
    assert "Applied to stored posts: added" in saved.text
    with session_scope(web.engine) as session:
        texts = session.scalars(
            select(RawPost.text)
            .join(Mention, Mention.raw_post_id == RawPost.id)
            .where(Mention.topic_id == topic_id)
        ).all()
        after = set(session.scalars(select(Mention.id).where(Mention.topic_id == topic_id)))
    assert texts and all("luggage" in t or "crew" in t for t in texts)
    assert after != before
    assert "topic.rematch" in _actions(web)


def test_not_relevant_mark_hides_the_mention_and_is_role_checked(
    web: WebEnv, client: TestClient
) -> None:
    mention_id = web.seeded.mentions["acme"]
    csrf = login(client, web.seeded.users["acme-viewer"])
    refused = client.post(
        f"/w/acme/mentions/{mention_id}/relevance",
        data={"relevant": "false", "csrf_token": csrf},
    )
    assert refused.status_code == 403
    client.post("/logout", data={"csrf_token": csrf})

    csrf = login(client, web.seeded.users["acme-analyst"])
    page = client.get("/w/acme/mentions")
    assert "Not relevant" in page.text and "hidden as not relevant" not in page.text
    marked = client.post(
        f"/w/acme/mentions/{mention_id}/relevance",
        data={"relevant": "false", "csrf_token": csrf},
        headers={"HX-Request": "true"},
    )
    assert marked.status_code == 200
    assert f'id="mention-{mention_id}"' in marked.text and "marked not relevant" in marked.text
    page = client.get("/w/acme/mentions")
    assert f'id="mention-{mention_id}"' not in page.text
    assert "1 mention hidden as not relevant" in page.text
    shown = client.get("/w/acme/mentions?hidden=show")
    assert f'id="mention-{mention_id}"' in shown.text
    api = client.get("/api/v1/workspaces/acme/mentions?hidden=show&limit=500").json()
    [row] = [m for m in api if m["id"] == mention_id]
    assert row["relevant"] is False and row["filtered"] is True
    assert "mention.not_relevant" in _actions(web)


def test_cards_show_enrichment_and_copies(web: WebEnv, client: TestClient) -> None:
    login(client, web.seeded.users["acme-viewer"])
    with session_scope(web.engine) as session:
        newest = session.get_one(Mention, web.seeded.mentions["acme"])
        original = session.get_one(RawPost, newest.raw_post_id).external_id
        newest.emotion, newest.emotion_intensity = "anger", 0.8
        newest.is_spam = True
        newest.enrichment = {
            "relevance": 0.9,
            "spam_signals": {"copies": 0.9, "rate": 0.2},
            "sentiment_backend": "e5",
        }
        newest.sentiment_score = -0.73
        newest.reach, newest.engagement_velocity = 12000.0, 3.5
        copies = session.scalars(
            select(Mention.id)
            .where(Mention.workspace_id == newest.workspace_id, Mention.id != newest.id)
            .order_by(Mention.id)
            .limit(2)
        ).all()
        session.execute(update(Mention).where(Mention.id.in_(copies)).values(near_dup_of=original))
    page = client.get("/w/acme/mentions")
    assert page.status_code == 200
    card = page.text.split(f'id="mention-{web.seeded.mentions["acme"]}"')[1].split("</li>")[0]
    assert "anger 0.8" in card
    assert "Sentiment score -0.73 · Most accurate (E5" in card  # which model said so
    assert "Spam" in card and "copies" in card
    # Values inside translated sentences are isolated (<bdi>); read the sentences without them.
    assert "<bdi>3.5</bdi> interactions/h" in card
    plain = card.replace("<bdi>", "").replace("</bdi>", "")
    assert "12,000" in plain and "3.5 interactions/h" in plain
    assert "×2 copies by @acme_" in plain
    assert "Not relevant" not in card  # viewers cannot mark
    api = client.get("/api/v1/workspaces/acme/mentions?limit=1").json()[0]
    assert api["emotion"] == "anger" and api["copies"] == 2 and api["is_spam"] is True
