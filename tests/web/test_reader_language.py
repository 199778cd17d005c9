"""Every word in the reader's language: no stored factor key reaches a Hebrew or Polish page,
and a source alert's explanation is translated like its title."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from flarewatch.alerts.models import Alert
from flarewatch.cases import service as cases
from flarewatch.db.engine import session_scope
from flarewatch.detect import explain as ex
from flarewatch.detect.score import said

from .conftest import WebEnv, login
from .seed import add_alert
from .test_alert_wording_pages import _source_alert

# Every factor the detector writes (detect/score.py), with figures a real alert could have.
FACTORS = [
    ("volume", ex.VOLUME_USUAL, {"count": 120, "minutes": 60, "usual": 8.0}),
    ("negative_volume", ex.NEGATIVE_USUAL, {"count": 40, "minutes": 60, "usual": 3.0}),
    ("story_growth", ex.STORY_GREW, {"label": "מנות קרות", "previous": 3, "count": 40}),
    ("story", ex.STORY_STEADY, {"label": "cold fries", "count": 12}),
    ("few_authors", ex.FEW_AUTHORS, {"authors": 3}),
    ("negative_share", ex.NEGATIVE_SHARE, {"observed_share": 0.6, "usual_share": 0.2}),
    ("crisis_terms", ex.CRISIS_TERMS, {"terms": [["חרם", 84], ["boycott", 51]]}),
    ("influencers", ex.INFLUENTIAL, {"followers": 10000, "authors": ["dana"]}),
    ("watched_authors", ex.WATCHED, {"authors": ["eli"]}),
    ("cross_platform", ex.CROSS_PLATFORM, {"first": "x", "rest": ["reddit"]}),
]
KEYS = [name for name, _, _ in FACTORS]
# English words of the reasons that a translated page must not show.
ENGLISH = ["usually about", "posts in", "crisis words", "story story", "spread from"]


def _visible(page: str) -> str:
    """The page's text as a reader sees it: no scripts, no tags, entities decoded."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _alert_with_every_factor(web: WebEnv) -> tuple[int, int]:
    alert_id = add_alert(web.engine, web.seeded, "acme", "Every reason")
    factors = [said(name, message, params, None, None, 1.0) for name, message, params in FACTORS]
    with session_scope(web.engine) as session:
        session.execute(
            update(Alert)
            .where(Alert.id == alert_id)
            .values(
                factors=[f.as_dict() for f in factors],
                explanation=ex.join_reasons([f.text for f in factors]),
            )
        )
    with session_scope(web.engine) as session:
        case = cases.open_case_from_alert(session, alert_id, "system")
        return alert_id, case.id


@pytest.mark.parametrize("language", ["he", "pl"])
def test_no_factor_key_or_english_reason_on_a_translated_page(
    web: WebEnv, client: TestClient, language: str
) -> None:
    alert_id, case_id = _alert_with_every_factor(web)
    login(client, web.seeded.users["acme-viewer"])
    headers = {"Accept-Language": language}
    # The pages that show an alert's reasons (the case list shows titles only).
    with_reasons = ["/w/acme/alerts", f"/w/acme/alerts/{alert_id}", f"/w/acme/cases/{case_id}"]
    for path in [*with_reasons, "/w/acme/cases"]:
        response = client.get(path, headers=headers)
        assert response.status_code == 200, path
        text = _visible(response.text)
        assert "חרם" in text or path not in with_reasons, path  # the reasons are shown ...
        for key in KEYS:  # ... and no stored key among them
            assert not re.search(rf"\b{key}\b", text), (path, key)
        for words in ENGLISH:
            assert words not in text, (path, words)


def test_a_source_alerts_explanation_in_polish_and_hebrew(web: WebEnv, client: TestClient) -> None:
    alert_id = _source_alert(web)
    login(client, web.seeded.users["acme-viewer"])
    polish = client.get("/w/acme/alerts", headers={"Accept-Language": "pl"}).text
    row = _visible(polish.split(f'id="alert-{alert_id}"')[1].split("</article>")[0])
    assert "kolejnych pobraniach" in row and "polls in a row" not in row
    hebrew = client.get("/w/acme/alerts", headers={"Accept-Language": "he"}).text
    row = _visible(hebrew.split(f'id="alert-{alert_id}"')[1].split("</article>")[0])
    assert "משיכות ברציפות" in row and "polls in a row" not in row
    english = client.get("/w/acme/alerts", headers={"Accept-Language": "en"}).text
    assert "polls in a row" in english.split(f'id="alert-{alert_id}"')[1]
