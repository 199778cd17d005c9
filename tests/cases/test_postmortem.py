"""The post-mortem: its facts (on SQLite and PostgreSQL), the rules behind them, the review
fields, and the HTML and PDF it renders (Hebrew right to left, with the shipped fonts)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pypdf
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from flarewatch.cases import service
from flarewatch.cases.goals import add_goal, record_response
from flarewatch.cases.models import CaseEvent
from flarewatch.cases.postmortem import charts
from flarewatch.cases.postmortem.data import (
    Bucket,
    PostRow,
    durations,
    first_mention,
    gather,
    peak_and_recovery,
)
from flarewatch.cases.postmortem.render import render_html, render_pdf, span
from flarewatch.cases.postmortem.review import MAX_FIELD, review_of, save_review
from flarewatch.db.engine import sessionmaker_for
from flarewatch.errors import InputError, NotFoundError
from tests.cases.crisis import STORY, T0, make_crisis, stamp_events

HOUR = timedelta(hours=1)


@pytest.fixture
def db(any_engine: Engine) -> Iterator[Session]:
    with sessionmaker_for(any_engine)() as session:
        yield session


def _bucket(hour: int, posts: int) -> Bucket:
    return Bucket(T0 + hour * HOUR, posts, {"negative": posts, "neutral": 0, "positive": 0})


def test_peak_is_the_busiest_interval_and_recovery_the_first_back_near_usual() -> None:
    buckets = [_bucket(0, 2), _bucket(1, 30), _bucket(2, 12), _bucket(3, 5), _bucket(4, 3)]
    peak, recovery = peak_and_recovery(buckets, baseline=2.5)
    assert peak is not None and peak.start == T0 + HOUR
    # Back to at most twice the usual 2.5 posts: the 5 of hour 3.
    assert recovery is not None and recovery.start == T0 + 3 * HOUR
    # No history: a tenth of the peak (3 posts) is the level.
    assert peak_and_recovery(buckets, baseline=0.0)[1] == buckets[4]
    # Still high: no recovery yet; nothing at all: no peak either.
    assert peak_and_recovery(buckets[:3], baseline=1.0)[1] is None
    assert peak_and_recovery([_bucket(0, 0)], baseline=1.0) == (None, None)


def test_durations_are_unknown_until_both_ends_happened() -> None:
    got = dict(
        durations(
            {
                "first_mention": T0,
                "first_alert": T0 + timedelta(minutes=20),
                "acknowledged": None,
                "first_response": T0 + timedelta(minutes=50),
                "peak": T0 + HOUR,
                "recovery": T0,  # out of order: not a duration
                "closed": None,
            }
        )
    )
    assert got["lead_time"] == timedelta(minutes=20)
    assert got["to_first_response"] == timedelta(minutes=30)
    assert got["mention_to_response"] == timedelta(minutes=50)
    assert got["to_acknowledge"] is None and got["to_close"] is None
    assert got["peak_to_recovery"] is None


def test_first_mention_is_the_stories_oldest_post_or_an_alert_post() -> None:
    rows = [
        PostRow(1, T0 - HOUR, "neutral", "x", 0.0, None, None),
        PostRow(2, T0, "negative", "x", 0.0, "other", None),
        PostRow(3, T0 + HOUR, "negative", "x", 0.0, STORY, None),
    ]
    assert first_mention(rows, [STORY], []) == T0 + HOUR
    assert first_mention(rows, [STORY], [2]) == T0
    assert first_mention(rows, [], []) is None


def test_response_times_read_in_two_units_in_each_language() -> None:
    assert span(timedelta(minutes=20), "en") == "20 minutes"
    assert span(timedelta(hours=2, minutes=5, seconds=9), "en") == "2 hours 5 minutes"
    assert span(timedelta(days=1, hours=3), "pl") == "1 dzień 3 godziny"
    assert span(None, "en") == ""


def test_charts_are_svg_with_their_figures_and_marked_controls() -> None:
    svg = charts.platform_chart([("face\u202ebook", 7), ("x", 2)], "Posts <per> platform")
    assert svg.startswith("<svg") and "⟦U+202E⟧" in svg and "\u202e" not in svg
    assert "&lt;per&gt;" in svg and ">7</text>" in svg
    volume = charts.volume_chart([1, 9, 2], ["a", "b", "c"], "V", baseline=1.5, marks=[(1, "x")])
    assert volume.count("<rect") == 3 and "stroke-dasharray" in volume


def test_gather_a_crisis_from_first_mention_to_recovery(db: Session) -> None:
    crisis = make_crisis(db)
    case = crisis.case
    crisis.alert.acknowledged_at = T0 + timedelta(minutes=25)
    service.change_status(db, case.id, "responding", "dana@example.com")
    stamp_events(db, case, T0 + timedelta(minutes=50))
    service.add_note(db, case.id, "Called the customer", "dana@example.com")
    done = service.add_task(db, case.id, "Pull the batch", "dana@example.com")
    service.complete_task(db, done.id, "dana@example.com")
    service.add_task(db, case.id, "Audit the supplier", "dana@example.com")
    service.change_status(db, case.id, "monitoring", "dana@example.com")
    stamp_events(db, case, T0 + 3 * HOUR)
    service.change_status(db, case.id, "closed", "dana@example.com")
    stamp_events(db, case, T0 + 12 * HOUR)
    case.closed_at = T0 + 12 * HOUR
    db.commit()
    # The case's goals come from cases/goals.py, judged as the post-mortem is made.
    add_goal(db, case.id, "first_response", 60, "dana@example.com")
    record_response(db, case.id, "https://x.com/brand/1", "dana", at=T0 + timedelta(minutes=50))
    db.commit()

    pm = gather(db, case.id, workspace_id=crisis.workspace.id)

    m = pm.milestones
    assert m["first_mention"] == T0
    assert m["first_alert"] == T0 + timedelta(minutes=20)
    assert m["acknowledged"] == T0 + timedelta(minutes=25)
    assert m["first_response"] == T0 + timedelta(minutes=50)
    assert m["closed"] == T0 + 12 * HOUR
    assert m["peak"] is not None and T0 <= m["peak"] < T0 + HOUR
    assert m["recovery"] is not None and m["recovery"] > m["peak"]
    times = dict(pm.durations)
    assert times["lead_time"] == timedelta(minutes=20)
    assert times["to_acknowledge"] == timedelta(minutes=5)
    assert times["to_first_response"] == timedelta(minutes=30)
    assert times["to_close"] == timedelta(hours=11, minutes=40)
    # 40 + 20 story posts, 10 settling ones and the lead-in's calm posts (6 h before T0).
    assert pm.total_posts == 60 + 10 + 6
    assert pm.platforms == [("twitter", 37), ("facebook", 20), ("instagram", 19)]
    assert pm.baseline > 0 and pm.peak_posts > pm.baseline
    assert [t.title for t in pm.done_tasks] == ["Pull the batch"]
    assert [t.title for t in pm.followup_tasks] == ["Audit the supplier"]
    done_texts = [e.text for e in pm.done]
    assert "Called the customer" in done_texts
    assert any(e.data.get("to") == "responding" for e in pm.done)
    [first] = pm.goals
    assert (first.kind, first.state) == ("first_response", "met")
    assert first.at == T0 + timedelta(minutes=50)
    assert gather(db, case.id, goals=[]).goals == []  # goals given by the caller are kept
    assert [p.key for p in pm.phases] == ["before", "during", "after"]
    with pytest.raises(NotFoundError):
        gather(db, case.id, workspace_id=crisis.workspace.id + 1)


def test_review_fields_are_saved_once_each_on_the_timeline(db: Session) -> None:
    crisis = make_crisis(db)
    case = crisis.case
    assert review_of(db, case.id) == {
        "went_well": "",
        "to_improve": "",
        "lessons": "",
        "compensation": "",
    }
    changed = save_review(db, case, {"lessons": " Answer faster ", "went_well": ""}, "dana")
    assert changed == ["lessons"]
    assert review_of(db, case.id)["lessons"] == "Answer faster"
    assert save_review(db, case, {"lessons": "Answer faster"}, "dana") == []
    save_review(db, case, {"compensation": "Refund and a voucher", "to_improve": "x"}, "eli")
    db.commit()
    entries = db.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "review")
    ).all()
    assert [e.data["field"] for e in entries] == ["lessons", "to_improve", "compensation"]
    assert entries[0].text == "Post-mortem: “Lessons learned” updated"
    assert entries[2].actor == "eli"
    with pytest.raises(InputError, match="unknown review field 'mood'"):
        save_review(db, case, {"mood": "x"}, "dana")
    with pytest.raises(InputError, match=f"keep it under {MAX_FIELD}"):
        save_review(db, case, {"lessons": "x" * (MAX_FIELD + 1)}, "dana")


def test_html_in_hebrew_is_right_to_left_translated_and_isolated(db: Session) -> None:
    crisis = make_crisis(db)
    save_review(db, crisis.case, {"lessons": "לענות מהר יותר evil\u202egnp.exe"}, "dana")
    service.add_task(db, crisis.case.id, "Call <b>them</b>", "dana", assignee="יוסי")
    add_goal(db, crisis.case.id, "first_response", 30, "dana")  # never answered: missed
    pm = gather(db, crisis.case.id, now=T0 + 12 * HOUR)

    html = render_html(pm, "he", "Asia/Jerusalem")
    assert '<html lang="he" dir="rtl">' in html
    assert "תחקיר" in html  # the title, translated
    assert "לענות מהר יותר" in html and "⟦U+202E⟧" in html and "\u202e" not in html
    assert "Call &lt;b&gt;them&lt;/b&gt;" in html
    # The goal from cases/goals.py, in Hebrew: missed at its deadline (opened + 30 minutes).
    assert "תגובה פומבית ראשונה תוך" in html and "לא הושג" in html
    assert 'data-goal="first_response" data-state="missed"' in html
    assert "<bdi>" in html  # values inside translated sentences are isolated
    assert html.count("<svg") == 3
    assert 'id="pm-phases"' in html and "במהלך התגובה" in html
    english = render_html(pm, "en")
    assert '<html lang="en" dir="ltr">' in english and "Post-mortem of case #" in english
    assert "Lead time (first mention → first alert)" in english and "20 minutes" in english


def _text_positions(page: pypdf.PageObject) -> list[tuple[str, float]]:
    found: list[tuple[str, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if text.strip():
            found.append((text.strip(), cm[0] * tm[4] + cm[4]))

    page.extract_text(visitor_text=visit)
    return found


def test_pdf_in_hebrew_has_its_pages_text_fonts_and_runs_right_to_left(db: Session) -> None:
    crisis = make_crisis(db)
    save_review(db, crisis.case, {"lessons": "לענות מהר יותר", "compensation": "Zwrot ćśąę"}, "d")
    db.commit()
    pm = gather(db, crisis.case.id, now=T0 + 12 * HOUR)

    pdf = pypdf.PdfReader(io.BytesIO(render_pdf(pm, "he", "Asia/Jerusalem")))
    assert len(pdf.pages) >= 2
    text = "".join(page.extract_text() for page in pdf.pages)
    assert "לענות" in text and "Zwrot ćśąę" in text
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in pdf.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("Flarewatch-Sans" in name for name in fonts), fonts
    width = float(pdf.pages[0].mediabox.width)
    # The title starts at the right margin in Hebrew and at the left one in English.
    he_title = [x for t, x in _text_positions(pdf.pages[0]) if "תחקיר" in t]
    assert he_title and he_title[0] > width / 2
    en = pypdf.PdfReader(io.BytesIO(render_pdf(pm, "en")))
    en_title = [x for t, x in _text_positions(en.pages[0]) if "Post-mortem" in t]
    assert en_title and en_title[0] < width / 4


def test_generated_at_defaults_to_now(db: Session) -> None:
    crisis = make_crisis(db)
    before = datetime.now(UTC)
    assert gather(db, crisis.case.id).generated_at >= before
