"""Each platform's private-message window on a controlled clock (comms/contact/windows.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flarewatch.comms.contact import windows as w
from flarewatch.comms.contact.windows import ContactFacts, render_said, window
from flarewatch.i18n.languages import translations_for
from flarewatch.oncall.urgency import WorkingTime

COMMENT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


def messages(result: w.Window) -> list[str]:
    return [r["message"] for r in result.reasons]


def caveats(result: w.Window) -> list[str]:
    return [c["message"] for c in result.caveats]


@pytest.mark.parametrize("channel", ["facebook", "instagram"])
def test_meta_private_reply_within_seven_days_of_the_comment(channel: str) -> None:
    facts = ContactFacts(channel, comment_at=COMMENT)
    day6 = window(facts, COMMENT + timedelta(days=6))
    assert (day6.state, day6.until, day6.rule) == (
        "open",
        COMMENT + timedelta(days=7),
        "private_reply",
    )
    assert messages(day6) == [w.PRIVATE_REPLY_OPEN]
    assert day6.reasons[0]["params"]["until_at"] == (COMMENT + timedelta(days=7)).isoformat()
    day8 = window(facts, COMMENT + timedelta(days=8))
    assert (day8.state, day8.until, day8.may_send) == ("closed", None, False)
    assert messages(day8) == [w.PRIVATE_REPLY_EXPIRED]


def test_a_second_private_reply_is_refused_until_they_answer() -> None:
    sent = COMMENT + timedelta(hours=2)
    facts = ContactFacts("facebook", comment_at=COMMENT, sent_at=(sent,))
    second = window(facts, COMMENT + timedelta(days=1))
    assert (second.state, second.until) == ("closed", None)
    assert messages(second) == [w.PRIVATE_REPLY_USED]
    assert second.reasons[0]["params"]["sent_at"] == sent.isoformat()


def test_their_answer_opens_the_24_hour_window_from_their_last_message() -> None:
    answered = COMMENT + timedelta(days=3)
    facts = ContactFacts(
        "facebook",
        comment_at=COMMENT,
        sent_at=(COMMENT + timedelta(hours=1),),
        answered_at=answered,
    )
    inside = window(facts, answered + timedelta(hours=23))
    assert (inside.state, inside.until, inside.rule) == (
        "open",
        answered + timedelta(hours=24),
        "messaging_window",
    )
    assert inside.remind_at() == answered + timedelta(hours=20)
    after = window(facts, answered + timedelta(hours=25))
    assert after.state == "closed"
    assert messages(after) == [w.MESSAGING_EXPIRED]
    # Within 7 days of their message, the human agent tag is mentioned as a way left open.
    assert caveats(after) == [w.HUMAN_AGENT]
    assert caveats(window(facts, answered + timedelta(days=8))) == []
    # An answer after the 7 days still opens a 24-hour window (the 7 days count from the comment).
    late = ContactFacts("facebook", comment_at=COMMENT, answered_at=COMMENT + timedelta(days=10))
    assert window(late, COMMENT + timedelta(days=10, hours=1)).state == "open"


def test_instagram_says_where_the_message_lands() -> None:
    now = COMMENT + timedelta(days=1)
    assert caveats(window(ContactFacts("instagram", comment_at=COMMENT, follows="no"), now)) == [
        w.INSTAGRAM_REQUESTS
    ]
    assert caveats(window(ContactFacts("instagram", comment_at=COMMENT, follows="yes"), now)) == [
        w.INSTAGRAM_INBOX
    ]
    unknown = window(ContactFacts("instagram", comment_at=COMMENT), now)
    assert caveats(unknown) == [w.INSTAGRAM_MAYBE_REQUESTS]
    assert caveats(window(ContactFacts("facebook", comment_at=COMMENT), now)) == []


def test_x_direct_messages_follow_their_settings() -> None:
    now = COMMENT
    assert window(ContactFacts("x", dm_setting="everyone"), now).state == "open"
    assert window(ContactFacts("x", follows="yes", dm_setting="following"), now).state == "open"
    closed = window(ContactFacts("x", follows="no", dm_setting="following"), now)
    assert (closed.state, messages(closed)) == ("closed", [w.X_CLOSED])
    assert window(ContactFacts("x"), now).state == "depends"
    assert window(ContactFacts("x", follows="no", answered_at=now), now).state == "open"


def test_bluesky_chat_follows_their_chat_setting() -> None:
    now = COMMENT
    assert window(ContactFacts("bluesky", dm_setting="everyone"), now).state == "open"
    assert (
        window(ContactFacts("bluesky", dm_setting="following", follows="yes"), now).state == "open"
    )
    assert (
        window(ContactFacts("bluesky", dm_setting="following", follows="no"), now).state == "closed"
    )
    assert (
        window(ContactFacts("bluesky", dm_setting="nobody", follows="yes"), now).state == "closed"
    )
    assert window(ContactFacts("bluesky"), now).state == "depends"


def test_mastodon_any_time_but_not_private() -> None:
    result = window(ContactFacts("mastodon", comment_at=COMMENT), COMMENT + timedelta(days=90))
    assert (result.state, result.until) == ("open", None)
    assert caveats(result) == [w.MASTODON_NOT_PRIVATE]


def test_email_and_phone_any_time_with_working_hours_as_advice() -> None:
    working = WorkingTime(
        "Asia/Jerusalem",
        (datetime.min.time().replace(hour=9), datetime.min.time().replace(hour=18)),
        ("fri", "sat"),
    )
    night = datetime(2026, 3, 2, 21, 30, tzinfo=UTC)  # 23:30 in Jerusalem
    result = window(ContactFacts("phone"), night, working)
    assert result.state == "open"
    assert caveats(result) == [w.OUTSIDE_WORKING_HOURS]
    assert result.caveats[0]["params"] == {"local_time": "23:30", "timezone": "Asia/Jerusalem"}
    day = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # 10:00 on a Monday in Jerusalem
    assert window(ContactFacts("email"), day, working).caveats == ()


def test_an_unknown_platform_depends_and_says_so() -> None:
    result = window(ContactFacts(w.channel_of("reddit")), COMMENT, platform="reddit")
    assert (result.channel, result.state) == ("other", "depends")
    assert result.reasons[0]["params"] == {"platform": "reddit"}
    assert w.channel_of("twitter") == "x"


def test_reasons_read_in_the_readers_language_and_zone() -> None:
    facts = ContactFacts("facebook", comment_at=COMMENT)
    reason = window(facts, COMMENT + timedelta(days=1)).reasons[0]
    english = render_said(reason, moment=lambda value: f"{value:%d.%m %H:%M}")
    assert english.endswith("until 09.03 09:00")
    hebrew = render_said(
        reason, locale="he", gettext=translations_for("he").gettext, moment=lambda v: "X"
    )
    assert hebrew == "מותרת תשובה פרטית אחת לתגובה, בתוך 7 ימים ממנה: עד X"
