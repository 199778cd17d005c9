"""Platform length limits and how each platform counts a draft (docs/tone.md, "Length").

Sources (checked December 2026):
- X: 280 weighted characters; twitter-text weights code points in U+0000-U+10FF (Latin,
  Polish, Hebrew), U+2000-U+200D, U+2010-U+201F and U+2032-U+2037 as 1 and everything else as
  2; every URL counts as 23 (developer.x.com, "Counting characters").
- Bluesky: 300 graphemes per post (the app.bsky.feed.post lexicon, maxGraphemes 300).
- Mastodon: 500 characters by default (a server can raise it); every URL counts as 23
  (docs.joinmastodon.org, "Posting a status").
- Facebook: 63,206 characters per post; only about the first 477 show before "See more", so
  the check recommends staying under it.
- Instagram: 2,200 characters per caption (help.instagram.com).
- Email: no limit.
- SMS: 160 GSM-7 characters in one message (153 per part when split), 70 UCS-2 characters
  (67 per part) when any character is outside GSM-7, as Hebrew letters and ą, ę, ł... are
  (3GPP TS 23.038); a longer text still arrives, as several billed parts.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

PLATFORMS = ("x", "bluesky", "mastodon", "facebook", "instagram", "email", "sms")
URL_RE = re.compile(r"https?://\S+")
URL_WEIGHT = 23
_X_LIGHT = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
# The GSM 03.38 default alphabet; the characters after the escape count twice.
GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€")


@dataclass(frozen=True)
class Limit:
    platform: str
    limit: int | None  # the hard limit in the platform's own units; None: no limit
    recommended: int | None = None  # a shorter practical length (Facebook's "See more")


LIMITS: dict[str, Limit] = {
    "x": Limit("x", 280),
    "bluesky": Limit("bluesky", 300),
    "mastodon": Limit("mastodon", 500),
    "facebook": Limit("facebook", 63_206, recommended=477),
    "instagram": Limit("instagram", 2_200),
    "email": Limit("email", None),
    "sms": Limit("sms", 160),
}


def _x_weight(char: str) -> int:
    code = ord(char)
    return 1 if any(lo <= code <= hi for lo, hi in _X_LIGHT) else 2


def _with_urls(text: str, *, x: bool = False) -> int:
    total = 0
    last = 0
    for match in URL_RE.finditer(text):
        total += _count_plain(text[last : match.start()], x=x) + URL_WEIGHT
        last = match.end()
    return total + _count_plain(text[last:], x=x)


def _count_plain(text: str, *, x: bool) -> int:
    return sum(_x_weight(c) for c in text) if x else len(text)


def graphemes(text: str) -> int:
    """Grapheme clusters, close enough for a length check: combining marks (Hebrew points,
    decomposed Polish accents) and variation selectors / joiners join the letter before them."""
    count = 0
    join_next = False
    for char in text:
        if join_next or unicodedata.combining(char) or char in "\u200d\ufe0f\ufe0e":
            join_next = char == "\u200d"
            continue
        count += 1
    return count


def sms_segments(text: str) -> tuple[int, int, bool]:
    """(segments, units, gsm7): how many billed parts an SMS of `text` is sent as."""
    gsm = all(c in GSM7 or c in GSM7_EXTENDED for c in text)
    if gsm:
        units = sum(2 if c in GSM7_EXTENDED else 1 for c in text)
        single, part = 160, 153
    else:
        units = sum(2 if ord(c) > 0xFFFF else 1 for c in text)  # UTF-16 code units
        single, part = 70, 67
    if units <= single:
        return 1, units, gsm
    return -(-units // part), units, gsm


def length(text: str, platform: str) -> int:
    """The draft's length as `platform` counts it."""
    if platform == "x":
        return _with_urls(text, x=True)
    if platform == "mastodon":
        return _with_urls(text)
    if platform == "bluesky":
        return graphemes(text)
    if platform == "sms":
        return sms_segments(text)[1]
    return len(text)
