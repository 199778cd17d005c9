"""An alert's reasons on its page, in the reader's language, with floors instead of ratios."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient
from sqlalchemy import update

from flarewatch.alerts.models import Alert
from flarewatch.bidi import FSI, PDI
from flarewatch.db.engine import session_scope
from flarewatch.detect.score import assess, thresholds_for

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
        "pl": "zasięg 280\u00a0tys. w 60 min; zwykle poniżej 1\u00a0000",
    }
    for language, reach in expected.items():
        page = html.unescape(
            client.get(f"/w/acme/alerts/{alert_id}", headers={"Accept-Language": language}).text
        )
        assert reach in page, language
        assert f"{FSI}{LABEL}{PDI}" in page  # the story's label, isolated in the sentence
        assert "σ" not in page and "280138" not in page
        inbox = html.unescape(
            client.get("/w/acme/alerts", headers={"Accept-Language": language}).text
        )
        assert reach in inbox, language  # the row's one-line explanation too
