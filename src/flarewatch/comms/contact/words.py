"""A contact's window in words for one reader: the headline ("May message until … (in 2
days)"), its reasons and caveats, in the reader's language and time zone. Shared by the command
line (`cli.py`, through the Reader) and the case page (`pages.py`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from babel.dates import format_timedelta

from flarewatch.comms.contact.windows import Window, render_said
from flarewatch.detect.explain import N_

WINDOW_OPEN_UNTIL = N_("May message until %(until)s (%(left)s)")
WINDOW_OPEN = N_("May message now: this channel has no time limit")
WINDOW_DEPENDS = N_("May work, depending on their settings")
WINDOW_CLOSED = N_("No private message can go out on this channel now")
WINDOW_DONE = N_("The contact is closed")
HEADLINES = {"open": WINDOW_OPEN, "depends": WINDOW_DEPENDS, "closed": WINDOW_CLOSED}


@dataclass(frozen=True, slots=True)
class WindowWords:
    headline: str
    reasons: list[str]
    caveats: list[str]


def window_words(
    current: Window | None,
    now: datetime,
    *,
    language: str,
    gettext: Callable[[str], str],
    isolate: Callable[[str], str],
    moment: Callable[[datetime], str],
) -> WindowWords:
    """`current` (None: the contact is closed) in the reader's words."""
    if current is None:
        return WindowWords(gettext(WINDOW_DONE), [], [])
    if current.state == "open" and current.until is not None:
        headline = gettext(WINDOW_OPEN_UNTIL) % {
            "until": moment(current.until),
            "left": countdown(current.until, now, language),
        }
    else:
        headline = gettext(HEADLINES.get(current.state, WINDOW_CLOSED))

    def one(stored: dict[str, object]) -> str:
        return render_said(stored, locale=language, gettext=gettext, isolate=isolate, moment=moment)

    return WindowWords(
        headline, [one(r) for r in current.reasons], [one(c) for c in current.caveats]
    )


def countdown(until: datetime, now: datetime, language: str) -> str:
    """How long is left, as people say it: "in 23 hours" (not "in 1 day"), "in 5 days"."""
    return format_timedelta(until - now, threshold=1.0, add_direction=True, locale=language)
