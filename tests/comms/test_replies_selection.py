"""Which posts need an answer and in which order (comms/replies/selection.py), and the
figures from known times (comms/replies/figures.py): pure functions, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flarewatch.comms.replies.figures import PostTiming, nearest_rank, reply_figures
from flarewatch.comms.replies.selection import (
    Candidate,
    Rules,
    addresses_brand,
    is_question,
    priority,
    reasons_for,
    select,
)

NOW = datetime(2024, 5, 7, 18, 0, tzinfo=UTC)
RULES = Rules(
    brand_handles=("@AcmeAir", "x:acme_help"),
    brand_names=("Acme", "אקמה"),
    influential_followers=10_000,
    influential_reach=50_000.0,
)


def post(text: str, **extra: object) -> Candidate:
    values: dict[str, object] = {
        "post_id": 1,
        "mention_id": 1,
        "text": text,
        "created_at": NOW - timedelta(hours=1),
        "platform": "x",
        "author_handle": "someone",
    }
    values.update(extra)
    return Candidate(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "Why did my flight get cancelled?",
        "when will you refund me ?",
        "Dlaczego znowu opóźnienie?",
        "Czy ktoś wie, co się dzieje z lotem do Gdańska?",
        "למה ביטלו לי את הטיסה?",
        "האם יש פיצוי על העיכוב?",
        "ולמה אף אחד לא עונה?",  # "and why", the prefix ו
    ],
)
def test_questions_in_english_polish_and_hebrew(text: str) -> None:
    assert is_question(text)
    assert reasons_for(post(text), RULES) == ("question",)


@pytest.mark.parametrize(
    "text",
    [
        "Worst airline ever?!!",  # a question mark but no interrogative: a cry, not a question
        "Why do I even bother.",  # an interrogative but no question mark
        "Kolejny lot, kolejne opóźnienie",
        "שוב עיכוב של שעתיים",
    ],
)
def test_not_questions(text: str) -> None:
    assert not is_question(text)


def test_addressing_the_brand_by_handle_or_by_name_at_the_start() -> None:
    assert addresses_brand("my bag is lost @acmeair please help", RULES)
    assert addresses_brand("Hey Acme, my bag is lost", RULES)
    assert addresses_brand("אקמה, המזוודה שלי אבדה", RULES)
    assert addresses_brand("@acme_help: nobody answers the phone", RULES)
    # Naming the brand is what every mention does; that alone is not addressing it.
    assert not addresses_brand("Flew Acme today, it was fine", RULES)
    assert not addresses_brand("mail me at me@acmeair.example", RULES)


def test_negative_posts_by_influential_authors() -> None:
    loud = post("Acme lost my luggage", sentiment="negative", followers=25_000)
    assert reasons_for(loud, RULES) == ("influential_negative",)
    wide = post("Acme lost my luggage", sentiment="negative", followers=10, reach=60_000.0)
    assert reasons_for(wide, RULES) == ("influential_negative",)
    small = post("Acme lost my luggage", sentiment="negative", followers=300)
    assert reasons_for(small, RULES) == ()
    praise = post("Acme crew were lovely", sentiment="positive", followers=25_000)
    assert reasons_for(praise, RULES) == ()


def test_the_case_and_its_story_and_every_reason_together() -> None:
    text = "@AcmeAir why is nobody answering?"
    both = post(text, on_case=True, in_story=True, sentiment="negative", followers=20_000)
    assert reasons_for(both, RULES) == (
        "case_post",
        "case_story",
        "influential_negative",
        "addresses_brand",
        "question",
    )


def test_the_brands_own_posts_never_enter_the_queue() -> None:
    own = post("Why not try our new route? @acmeair", author_handle="AcmeAir", on_case=True)
    assert reasons_for(own, RULES) == ()
    # A platform-qualified handle is the brand only on that platform.
    assert reasons_for(post("When?", author_handle="acme_help", platform="twitter"), RULES) == ()
    elsewhere = post("When will it open?", author_handle="acme_help", platform="mastodon")
    assert reasons_for(elsewhere, RULES) == ("question",)


def test_priority_is_influence_times_negativity_times_recency() -> None:
    fresh = post("x", sentiment="negative", followers=9_999, created_at=NOW)
    assert priority(fresh, NOW) == pytest.approx(5.0)  # 1 + log10(10,000) → 5, × 1 × 1
    neutral = post("x", sentiment="neutral", followers=9_999, created_at=NOW)
    assert priority(neutral, NOW) == pytest.approx(2.5)
    older = post("x", sentiment="negative", followers=9_999, created_at=NOW - timedelta(hours=6))
    assert priority(older, NOW) == pytest.approx(2.5)  # halves every six hours

    rows = select(
        [
            post("why?", post_id=1, followers=10, created_at=NOW - timedelta(hours=2)),
            post("Nothing here", post_id=2),
            post("why?", post_id=3, sentiment="negative", followers=50_000),
            post("how?", post_id=4, sentiment="positive", followers=10),
        ],
        RULES,
        NOW,
    )
    assert [r.candidate.post_id for r in rows] == [3, 1, 4]
    assert rows[0].reasons == ("influential_negative", "question")


def test_the_posts_language_travels_with_it() -> None:
    [row] = select([post("Dlaczego?", language="pl")], RULES, NOW)
    assert row.language == "pl"


T0 = datetime(2024, 5, 7, 14, 0, tzinfo=UTC)


def test_figures_with_known_times() -> None:
    opened = T0 + timedelta(minutes=20)
    posts = [
        # Answered after 10, 30, 60 and 120 minutes.
        PostTiming(1, T0, T0 + timedelta(minutes=10), assignee="dana@acme.test"),
        PostTiming(2, T0, T0 + timedelta(minutes=30)),
        PostTiming(3, T0 + timedelta(minutes=30), T0 + timedelta(minutes=90)),
        PostTiming(4, T0 + timedelta(minutes=30), T0 + timedelta(minutes=150)),
        # Waiting: two for dana, one for nobody.
        PostTiming(5, T0, None, assignee="dana@acme.test"),
        PostTiming(6, T0, None, assignee="dana@acme.test"),
        PostTiming(7, T0, None),
        # Needs no answer: in neither the numerator nor the denominator.
        PostTiming(8, T0, None, needs_answer=False),
    ]
    figures = reply_figures(opened, posts)
    assert (figures.needing, figures.answered, figures.no_answer) == (7, 4, 1)
    assert figures.coverage == pytest.approx(4 / 7)
    assert figures.waiting == 3
    # The first reply (post 1, at T0+10 min) came before the case opened: at once.
    assert figures.first_reply_seconds == 0.0
    assert figures.median_seconds == 45 * 60  # (30 + 60) / 2 minutes
    assert figures.p90_seconds == 120 * 60  # nearest rank: the 4th of 4
    assert figures.open_by_assignee == {"dana@acme.test": 2, "": 1}

    later = reply_figures(T0, [PostTiming(1, T0, None)], [T0 + timedelta(minutes=42)])
    assert later.first_reply_seconds == 42 * 60  # a reply to a post outside the queue
    assert later.coverage == 0.0 and later.median_seconds is None

    empty = reply_figures(T0, [])
    assert empty.coverage is None and empty.first_reply_seconds is None


def test_nearest_rank() -> None:
    assert nearest_rank([], 0.9) is None
    assert nearest_rank([5.0], 0.9) == 5.0
    assert nearest_rank([float(v) for v in range(1, 11)], 0.9) == 9.0
    assert nearest_rank([float(v) for v in range(1, 12)], 0.9) == 10.0
