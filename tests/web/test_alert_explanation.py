"""An alert's reasons on its page, in the reader's language, with floors instead of ratios."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update

from flarewatch.alerts.models import Alert
from flarewatch.db.engine import session_scope
from flarewatch.detect.score import assess, thresholds_for
from flarewatch.mentions.models import Mention, RawPost

from ..detect.test_explain import LABEL, _evidence
from .conftest import WebEnv, login
from .seed import add_alert


def test_alert_page_says_the_reasons_in_each_language(web: WebEnv, client: TestClient) -> None:
    verdict = assess(_evidence(reach=280_138.0, expected_reach=1.0), thresholds_for())
    alert_id = add_alert(web.engine, web.seeded, "acme", "Worm story")
    with session_scope(web.engine) as session:
        session.execute(
            update(Alert)
            .where(Alert.id == alert_id)
            .values(
                explanation=verdict.explanation,
                factors=[f.as_dict() for f in verdict.factors],
            )
        )
    login(client, web.seeded.users["acme-viewer"])
    expected = {
        "en": "reach 280K in 60 min; usually under 1,000",
        "he": "חשיפה של 280K\u200f ב־60 דקות; בדרך כלל פחות מ־1,000",
        "pl": "zasięg w ciągu 60 min: 280\u00a0tys.; zwykle poniżej 1\u00a0000",
    }
    for language, reach in expected.items():
        page = html.unescape(
            client.get(f"/w/acme/alerts/{alert_id}", headers={"Accept-Language": language}).text
        )
        assert reach in page, language
        assert f"<bdi>{LABEL}</bdi>" in page  # the story's label, isolated in the sentence
        assert "σ" not in page and "280138" not in page
        inbox = html.unescape(
            client.get("/w/acme/alerts", headers={"Accept-Language": language}).text
        )
        assert reach in inbox, language  # the row's one-line explanation too


def test_key_posts_show_author_sentiment_reach_and_copies(web: WebEnv, client: TestClient) -> None:
    alert_id = add_alert(web.engine, web.seeded, "acme", "Copies")
    with session_scope(web.engine) as session:
        mention = session.get(Mention, web.seeded.mentions["acme"])
        assert mention is not None
        raw = session.get(RawPost, mention.raw_post_id)
        assert raw is not None
        mention.sentiment, mention.reach = "negative", 12_500.0
        alert = session.get(Alert, alert_id)
        assert alert is not None
        alert.post_ids = [raw.id]
        alert.window_start = mention.created_at - timedelta(minutes=5)
        alert.window_end = mention.created_at + timedelta(minutes=5)
        copies = []
        for i in range(3):
            copy = RawPost(
                workspace_id=raw.workspace_id,
                source_id=raw.source_id,
                external_id=f"copy-{i}",
                platform=raw.platform,
                text=raw.text,
                content_hash=f"copy-{i}",
                payload={},
                created_at=mention.created_at,
            )
            session.add(copy)
            session.flush()
            copies.append(
                Mention(
                    workspace_id=mention.workspace_id,
                    raw_post_id=copy.id,
                    topic_id=mention.topic_id,
                    platform=raw.platform,
                    created_at=mention.created_at,
                    near_dup_of=raw.external_id,
                )
            )
        session.add_all(copies)
    login(client, web.seeded.users["acme-viewer"])
    checks = {
        "en": ("reach 12.5K", "and 3 similar posts", "Negative"),
        "pl": ("zasięg 12,5 tys.", "i 3 podobne wpisy", "Negatywny"),
        "he": ("חשיפה 12.5K", "ועוד 3 פוסטים דומים", "שלילי"),
    }
    for language, phrases in checks.items():
        page = client.get(f"/w/acme/alerts/{alert_id}", headers={"Accept-Language": language})
        plain = html.unescape(re.sub(r"<[^>]+>|[\u2068\u2069\u200f]", "", page.text))
        plain = " ".join(plain.split())
        for phrase in phrases:
            assert phrase in plain, (language, phrase)
