"""Alert reasons in words a person can forward: floors instead of ratios, no σ, en/he/pl."""

from __future__ import annotations

import html
from datetime import UTC, datetime

from flarewatch.alerts.message import render_message
from flarewatch.bidi import FSI, PDI
from flarewatch.detect import explain as ex
from flarewatch.detect.baseline import Baseline
from flarewatch.detect.score import Evidence, Influencer, StorySignal, assess, thresholds_for
from flarewatch.i18n.formatting import Formatter
from flarewatch.i18n.languages import translations_for
from flarewatch.web.templating import reasons_for

LABEL = "תולעת בהמבורגר"


def _evidence(reach: float, expected_reach: float) -> Evidence:
    baseline = Baseline(
        level="weekly",
        label="Tuesday 14:00 baseline",
        rate=2.0,
        phi=0.1,
        negative_share=0.1,
        reach_rate=expected_reach,
        engagement_rate=0.0,
        samples=4,
    )
    story = StorySignal(
        key="s1",
        label=LABEL,
        recent=14,
        previous=0,
        authors=11,
        platforms=["facebook", "x"],
        originator="dana",
        age_minutes=25.0,
    )
    return Evidence(
        baseline=baseline,
        window_minutes=60,
        count=40.0,
        expected=2.0,
        z_volume=30.0,
        negative=30.0,
        expected_negative=0.2,
        z_negative=38.0,
        reach=reach,
        expected_reach=expected_reach,
        unique_authors=25,
        crisis_terms={"worm": 9, "חרם": 2},
        influencers=[Influencer("bigpaper", 280_000, False)],
        story=story,
    )


def _factor(assessment_factors: list, name: str) -> dict:
    return next(f.as_dict() for f in assessment_factors if f.name == name)


def test_a_near_zero_baseline_gives_a_floor_not_a_ratio_and_no_sigma() -> None:
    verdict = assess(_evidence(reach=280_138.0, expected_reach=1.0), thresholds_for())
    text = verdict.explanation
    assert "30 negative posts in 60 min; usually under 1" in text
    assert "reach 280K in 60 min; usually under 1,000" in text
    assert "×" not in text and "σ" not in text and "280138" not in text
    # The strength in σ stays for machines.
    core = _factor(verdict.factors, "negative_volume")
    assert core["z"] == 38.0 and core["params"]["floor"] == 1
    reach = _factor(verdict.factors, "reach")
    assert reach["observed"] == 280_138.0 and reach["expected"] == 1.0
    # A story that had nothing before is "new", not "×14".
    assert f"new story “{LABEL}”: 14 posts from 11 authors in 30 min, started by @dana" in text


def test_a_real_baseline_is_said_as_usually_about() -> None:
    verdict = assess(_evidence(reach=90_000.0, expected_reach=4_000.0), thresholds_for())
    reach = _factor(verdict.factors, "reach")
    assert reach["text"] == "reach 90K in 60 min; usually about 4,000"
    assert "floor" not in reach["params"]


def _rendered(language: str) -> list[str]:
    verdict = assess(_evidence(reach=280_138.0, expected_reach=1.0), thresholds_for())
    reason, _ = reasons_for(language, translations_for(language).gettext, Formatter(language, None))
    # The web gets escaped Markup; read it as the browser shows it.
    return [html.unescape(str(reason(f.as_dict()))) for f in verdict.factors]


def test_reasons_render_in_hebrew_and_polish_with_local_numbers_and_isolated_names() -> None:
    english, hebrew, polish = _rendered("en"), _rendered("he"), _rendered("pl")
    assert "reach 280K in 60 min; usually under 1,000" in english
    assert "חשיפה של 280K\u200f ב־60 דקות; בדרך כלל פחות מ־1,000" in hebrew
    assert "zasięg w ciągu 60 min: 280\u00a0tys.; zwykle poniżej 1\u00a0000" in polish
    assert "negatywne wpisy w ciągu 60 min: 30; zwykle poniżej 1" in polish
    assert "30 פוסטים שליליים ב־60 דקות; בדרך כלל פחות מ־1" in hebrew
    # Story labels, handles and terms are user text: isolated inside every sentence.
    for lines in (english, hebrew, polish):
        assert any(f"{FSI}{LABEL}{PDI}" in line for line in lines)
        assert any(f"{FSI}@dana{PDI}" in line for line in lines)
        assert any(f"{FSI}worm{PDI} (9)" in line for line in lines)
    assert any(line.startswith("nowy wątek „") for line in polish)
    assert any(line.startswith('סיפור חדש "') for line in hebrew)


def test_a_factor_stored_before_messages_keeps_its_text() -> None:
    reason, _ = reasons_for("he", translations_for("he").gettext, Formatter("he", None))
    assert reason({"name": "volume", "text": "volume 7.4σ above"}) == "volume 7.4σ above"


def test_notification_uses_the_plain_words_and_isolates_the_story_label() -> None:
    verdict = assess(_evidence(reach=280_138.0, expected_reach=1.0), thresholds_for())
    start = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
    message = render_message(
        alert_id=7,
        severity="crisis",
        status="open",
        title="BurgerBar: unusual negative activity",
        explanation=verdict.explanation,
        risk_score=verdict.risk,
        factors=[f.as_dict() for f in verdict.factors],
        window_start=start,
        window_end=start,
        workspace_name="Acme",
        topic_name="BurgerBar",
        posts=[],
    )
    assert "reach 280K in 60 min; usually under 1,000" in message.body
    assert f"“{FSI}{LABEL}{PDI}”" in message.body
    assert "σ" not in message.body and "×" not in message.body


def test_numbers_are_compact_only_when_large() -> None:
    assert ex.format_number(7, "en") == "7"
    assert ex.format_number(2.5, "pl") == "2,5"
    assert ex.format_number(1234, "en") == "1,234"
    assert ex.format_number(12_500, "en") == "12.5K"
    assert ex.format_number(1_500_000, "pl") == "1,5\u00a0mln"


def test_the_usual_count_below_the_floor_is_said_as_the_next_whole_number() -> None:
    def said(usual: float, counted: bool = True) -> tuple[str, dict]:
        return ex.usual_or_floor("about", "under", usual, 5.0, counted=counted)

    assert said(0.3) == ("under", {"floor": 1.0})
    assert said(2.3) == ("under", {"floor": 3.0})
    assert said(4.9) == ("under", {"floor": 5.0})
    assert said(7.0) == ("about", {"usual": 7.0})
    assert said(0.3, counted=False) == ("under", {"floor": 5.0})  # amounts: the floor itself
