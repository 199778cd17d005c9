"""Bidirectional-text control characters in user content: shown, never applied.

A post, an author name or a case note can carry invisible Unicode controls that reorder the text
around them: ``evil\\u202Egnp.exe`` displays as "evilexe.png". Flarewatch never lets such a
character act when it renders user content; it replaces it with a visible marker (``⟦U+202E⟧``)
and wraps the user fragment in an isolate, so even ordinary right-to-left text cannot pull the
surrounding sentence around. Hebrew and Arabic letters are not controls and are left alone.

Stored data keeps the characters as written (the JSON API returns them raw: it is data, and a
client decides how to render it); this is applied where text is rendered for people: HTML pages
(web/templating.py, where our isolates become <bdi> elements), notifications (alerts/message.py)
and the terminal (cli/common.py, which keeps our balanced isolates and marks every other control).
"""

from __future__ import annotations

import re
import unicodedata

# Every character that changes the display order of the text around it (Unicode's
# Bidi_Control property), with its short and its Unicode name.
BIDI_CONTROLS: dict[str, tuple[str, str]] = {
    "\u061c": ("ALM", "ARABIC LETTER MARK"),
    "\u200e": ("LRM", "LEFT-TO-RIGHT MARK"),
    "\u200f": ("RLM", "RIGHT-TO-LEFT MARK"),
    "\u202a": ("LRE", "LEFT-TO-RIGHT EMBEDDING"),
    "\u202b": ("RLE", "RIGHT-TO-LEFT EMBEDDING"),
    "\u202c": ("PDF", "POP DIRECTIONAL FORMATTING"),
    "\u202d": ("LRO", "LEFT-TO-RIGHT OVERRIDE"),
    "\u202e": ("RLO", "RIGHT-TO-LEFT OVERRIDE"),
    "\u2066": ("LRI", "LEFT-TO-RIGHT ISOLATE"),
    "\u2067": ("RLI", "RIGHT-TO-LEFT ISOLATE"),
    "\u2068": ("FSI", "FIRST STRONG ISOLATE"),
    "\u2069": ("PDI", "POP DIRECTIONAL ISOLATE"),
}
BIDI_CONTROL_RE = re.compile("[" + "".join(BIDI_CONTROLS) + "]")
FSI = "\u2068"  # first strong isolate: the fragment takes the direction of its first letter
PDI = "\u2069"


def has_bidi_controls(text: str) -> bool:
    return BIDI_CONTROL_RE.search(text) is not None


def code_point(char: str) -> str:
    return f"U+{ord(char):04X}"


def control_marker(char: str) -> str:
    """The visible stand-in for one control character, e.g. ``⟦U+202E⟧``."""
    return f"⟦{code_point(char)}⟧"


def control_name(char: str) -> str:
    """``RLO, RIGHT-TO-LEFT OVERRIDE``: the short and the Unicode name of a control."""
    short, name = BIDI_CONTROLS[char]
    return f"{short}, {name}"


def neutralise(text: str) -> str:
    """`text` with every bidi control replaced by its visible marker; other text unchanged."""
    if not has_bidi_controls(text):
        return text
    return BIDI_CONTROL_RE.sub(lambda found: control_marker(found.group()), text)


def isolate(text: str) -> str:
    """A user fragment for a plain-text sentence: neutralised, then wrapped in FSI … PDI.

    The isolate is added after neutralising, so it is the only control left and it is ours.
    """
    return f"{FSI}{neutralise(text)}{PDI}"


def has_right_to_left(text: str) -> bool:
    """Whether `text` has a right-to-left letter (Hebrew, Arabic, …)."""
    return any(unicodedata.bidirectional(char) in ("R", "AL") for char in text)


def isolate_plain(text: str) -> str:
    """`isolate` for plain-text channels (email subjects, SMS, chat) where invisible characters
    may show as boxes: left-to-right text, which cannot reorder a left-to-right line, is only
    neutralised; text with right-to-left letters or bidi controls is isolated."""
    if has_bidi_controls(text) or has_right_to_left(text):
        return isolate(text)
    return text


def balanced_isolates(text: str) -> set[int]:
    """The positions of the FSI and PDI characters in `text` that pair up (nesting allowed)."""
    kept: set[int] = set()
    open_isolates: list[int] = []
    for at, char in enumerate(text):
        if char == FSI:
            open_isolates.append(at)
        elif char == PDI and open_isolates:
            kept.update((open_isolates.pop(), at))
    return kept


def neutralise_keeping_isolates(text: str) -> str:
    """`neutralise`, except that balanced FSI … PDI pairs stay: the terminal filters whole
    lines that already hold our isolates around user fragments (cli/common.py).

    Every other control inside a kept pair is shown as a marker, and an isolate cannot reorder
    anything outside it, so no kept character can move the rest of the line (a user's own
    balanced pair included); an FSI without its PDI (or the reverse) is shown as a marker."""
    if not has_bidi_controls(text):
        return text
    kept = balanced_isolates(text)
    return BIDI_CONTROL_RE.sub(
        lambda found: found.group() if found.start() in kept else control_marker(found.group()),
        text,
    )
