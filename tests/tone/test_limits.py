"""Platform length limits: how each platform counts, and the too_long flag (docs/tone.md)."""

from __future__ import annotations

import pytest

from flarewatch.tone import limits
from flarewatch.tone.check import check


@pytest.mark.parametrize(
    ("platform", "limit"),
    [("x", 280), ("bluesky", 300), ("mastodon", 500), ("instagram", 2200), ("facebook", 63_206)],
)
def test_at_the_limit_passes_one_more_flags(platform: str, limit: int) -> None:
    if platform == "facebook":
        assert check("a" * 477, "en", platform) == []
        assert [f.kind for f in check("a" * 478, "en", platform)] == ["too_long"]
    else:
        assert check("a" * limit, "en", platform) == []
    over = check("a" * (limit + 1), "en", platform)
    assert [f.kind for f in over] == ["too_long"]
    assert str(limit) in over[0].reason or platform == "facebook"
    assert over[0].end == limit + 1


def test_facebook_hard_limit_has_its_own_reason() -> None:
    flag = check("a" * 63_207, "en", "facebook")[0]
    assert "63206" in flag.reason and flag.start == 63_206 and flag.phrase == "a"


def test_email_has_no_limit() -> None:
    assert check("a" * 200_000, "en", "email") == []


def test_x_counts_urls_as_23_and_wide_characters_twice() -> None:
    url = "https://example.com/" + "x" * 100
    assert limits.length(url, "x") == 23
    assert limits.length("שלום", "x") == 4  # Hebrew weighs 1 on X
    assert limits.length("żółć", "x") == 4
    assert limits.length("日本", "x") == 4
    assert limits.length("🙂", "x") == 2
    assert check("a" * 256 + " " + url, "en", "x") == []  # 256 + 1 + 23 = 280
    assert limits.length("a" * 257 + " " + url, "x") == 281
    flags = check("a" * 257 + " " + url, "en", "x")  # one over: flagged
    assert [f.kind for f in flags] == ["too_long"]
    assert flags[0].phrase == url  # the cut never splits a link


def test_mastodon_counts_urls_as_23() -> None:
    assert limits.length("see https://example.com/" + "y" * 600, "mastodon") == 4 + 23


def test_bluesky_counts_graphemes() -> None:
    # a family emoji is one grapheme of several code points; a pointed Hebrew letter one
    assert limits.graphemes("👨\u200d👩\u200d👧") == 1
    assert limits.graphemes("בְּ") == 1
    assert check("בְּ" * 300, "he", "bluesky") == []
    assert [f.kind for f in check("בְּ" * 301, "he", "bluesky")] == ["too_long"]


@pytest.mark.parametrize(
    ("text", "segments", "gsm"),
    [
        ("a" * 160, 1, True),
        ("a" * 161, 2, True),
        ("a" * 306, 2, True),
        ("a" * 307, 3, True),
        ("€" * 80, 1, True),  # extended GSM characters count twice
        ("ż" * 70, 1, False),  # Polish letters outside GSM-7: UCS-2, 70 a message
        ("ż" * 71, 2, False),
        ("ש" * 134, 2, False),
        ("ש" * 135, 3, False),
    ],
)
def test_sms_segments(text: str, segments: int, gsm: bool) -> None:
    assert limits.sms_segments(text)[0] == segments
    assert limits.sms_segments(text)[2] is gsm


def test_sms_flag_in_each_language() -> None:
    for language in ("en", "he", "pl"):
        flags = check("ש" * 71, language, "sms")
        assert [f.kind for f in flags] == ["too_long"]
        assert "2" in flags[0].reason and "70" in flags[0].reason
    assert check("a" * 160, "en", "sms") == []


def test_a_very_long_draft_is_cut_at_the_limit() -> None:
    flags = check("ab" * 100_000, "en", "instagram")
    assert flags[0].start == 2200 and len(flags[0].phrase) == 200_000 - 2200
