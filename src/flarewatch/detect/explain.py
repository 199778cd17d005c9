"""The sentences of an alert's "why", in words a person can forward to a client.

Every reason is a message (an English sentence with `%(name)s` placeholders, marked with `N_` so
`pybabel extract` puts it in the catalogues) plus its parameters. A factor stores both, so each
reader gets the sentence in their language with numbers in their locale: the web translates the
message and formats the figures with Babel; notifications use English. `Factor.text` keeps the
English rendering for the API, the terminal and older readers.

Two rules keep the figures honest:

* no ratio against a near-zero baseline: when the usual figure is below a floor, the sentence
  says "usually under N" (N = the floor) instead of "280138× the usual";
* no statistics jargon: σ-scores stay in the machine fields (`Factor.z`, the API), never in
  the words.

Parameter kinds are told by type, so the JSON that alerts store keeps everything needed:
numbers are formatted per locale (compact above ten thousand: "280K", "280 tys."), names ending
in `_share` are percentages, names ending in `_seconds` are lengths of time in words ("5
minutes"), names ending in `_at` hold an ISO timestamp written by the reader's `moment`
formatter (their locale and the workspace's zone; UTC in the stored English), strings are user
or generated text (handles, story labels, platforms) and are bidi-isolated, and lists become a
locale's list ("a, b and c") of isolated items; an item `[text, number]` reads "text (number)".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from babel.dates import format_timedelta
from babel.lists import format_list
from babel.numbers import format_compact_decimal, format_decimal, format_percent


def N_(message: str) -> str:  # noqa: N802  (gettext's conventional name)
    return message


# Floors below which "the usual" is too small to divide by.
POSTS_FLOOR = 5.0
REACH_FLOOR = 1000.0
ENGAGEMENT_FLOOR = 100.0
STORY_PREVIOUS_FLOOR = 3  # a story with fewer posts in the half hour before is "new"
COMPACT_FROM = 10_000

VOLUME_USUAL = N_("%(count)s posts in %(minutes)s min; usually about %(usual)s")
VOLUME_FLOOR = N_("%(count)s posts in %(minutes)s min; usually under %(floor)s")
NEGATIVE_USUAL = N_("%(count)s negative posts in %(minutes)s min; usually about %(usual)s")
NEGATIVE_FLOOR = N_("%(count)s negative posts in %(minutes)s min; usually under %(floor)s")
STORY_NEW = N_("new story “%(label)s”: %(count)s posts from %(authors)s authors in 30 min")
STORY_NEW_BY = N_(
    "new story “%(label)s”: %(count)s posts from %(authors)s authors in 30 min, started by %(by)s"
)
STORY_GREW = N_("story “%(label)s” grew from %(previous)s to %(count)s posts in 30 min")
STORY_GREW_BY = N_(
    "story “%(label)s” grew from %(previous)s to %(count)s posts in 30 min, started by %(by)s"
)
STORY_STEADY = N_("story “%(label)s”: %(count)s posts in 30 min, about as many as before")
SLOW_BUILD = N_(
    "%(count)s posts in the last %(hours)s hours; the most in any %(hours)s hours of the last "
    "two weeks was %(record)s"
)
FEW_AUTHORS = N_("distinct authors: only %(authors)s")
NEGATIVE_SHARE = N_("%(observed_share)s of posts are negative; usually %(usual_share)s")
CRISIS_TERMS = N_("crisis words: %(terms)s")
INFLUENTIAL = N_("authors with over %(followers)s followers: %(authors)s")
WATCHED = N_("watched authors posting: %(authors)s")
CROSS_PLATFORM = N_("spread from %(first)s to %(rest)s")
REACH_USUAL = N_("reach %(observed)s in %(minutes)s min; usually about %(usual)s")
REACH_FLOOR_TEXT = N_("reach %(observed)s in %(minutes)s min; usually under %(floor)s")
ENGAGEMENT_USUAL = N_(
    "%(observed)s likes, shares and replies in %(minutes)s min; usually about %(usual)s"
)
ENGAGEMENT_FLOOR_TEXT = N_(
    "%(observed)s likes, shares and replies in %(minutes)s min; usually under %(floor)s"
)

Params = dict[str, Any]


def usual_or_floor(
    usual_message: str,
    floor_message: str,
    usual: float,
    floor: float,
    *,
    counted: bool = False,
    **params: Any,
) -> tuple[str, Params]:
    """The "usually about N" sentence, or "usually under B" when N is below the floor.

    For amounts (reach, engagement) B is the floor itself: below it the figure says nothing.
    For post counts B is the next whole number above the usual one, up to the floor, so a
    topic that usually has 0.3 negative posts in ten minutes reads "usually under 1".
    """
    if usual < floor:
        bound = min(floor, math.floor(usual) + 1.0) if counted else floor
        return floor_message, {**params, "floor": bound}
    return usual_message, {**params, "usual": usual}


def format_number(value: float, locale: str) -> str:
    """A count or an amount as a person reads it: 7, 12.5, 1,234, 280K (he) or 280 tys. (pl)."""
    if abs(value) >= COMPACT_FROM:
        mantissa = abs(value) / 1000 ** int(math.log(abs(value), 1000))
        digits = 1 if mantissa < 100 else 0  # about three significant digits
        return format_compact_decimal(value, locale=locale, fraction_digits=digits)
    pattern = "#,##0" if abs(value) >= 10 else "#,##0.#"
    return format_decimal(value, format=pattern, locale=locale)


def _identity(text: str) -> str:
    return text


Moment = Callable[[datetime], str]


def utc_moment(value: datetime) -> str:
    """A timestamp as the stored English says it: "2026-12-07 18:33 UTC" (no reader, no zone)."""
    return f"{value.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def format_params(
    params: Mapping[str, Any],
    locale: str = "en",
    isolate: Callable[[str], str] = _identity,
    moment: Moment = utc_moment,
) -> dict[str, str]:
    """Each parameter as text for `locale`; user or generated strings go through `isolate`."""

    def one(name: str, value: Any) -> str:
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, int | float):
            if name.endswith("_share"):
                return format_percent(value, locale=locale)
            if name.endswith("_seconds"):
                return format_timedelta(value, threshold=1.0, locale=locale)
            return format_number(float(value), locale)
        if isinstance(value, str) and name.endswith("_at"):
            return moment(datetime.fromisoformat(value))
        if isinstance(value, list | tuple):
            items = [item_text(item) for item in value]
            return format_list(items, locale=locale) if items else ""
        return isolate(str(value))

    def item_text(item: Any) -> str:
        if isinstance(item, list | tuple) and len(item) == 2:
            return f"{isolate(str(item[0]))} ({format_number(float(item[1]), locale)})"
        return isolate(str(item))

    return {name: one(name, value) for name, value in params.items()}


def render(
    message: str,
    params: Mapping[str, Any],
    *,
    locale: str = "en",
    gettext: Callable[[str], str] = _identity,
    isolate: Callable[[str], str] = _identity,
    moment: Moment = utc_moment,
) -> str:
    """One reason as a sentence in `locale` (translated by `gettext`)."""
    return gettext(message) % format_params(params, locale, isolate, moment)


def render_factor(
    factor: Mapping[str, Any],
    *,
    locale: str = "en",
    gettext: Callable[[str], str] = _identity,
    isolate: Callable[[str], str] = _identity,
    fallback: Callable[[str], str] = _identity,
    moment: Moment = utc_moment,
) -> str:
    """A stored factor (`Factor.as_dict`) in words. Factors stored before messages existed have
    only their English text, which is passed through `fallback`."""
    message = factor.get("message")
    params = factor.get("params")
    if isinstance(message, str) and isinstance(params, Mapping):
        try:
            return render(
                message, params, locale=locale, gettext=gettext, isolate=isolate, moment=moment
            )
        except (KeyError, TypeError, ValueError):
            pass  # a catalogue entry that lost a placeholder must not hide the reason
    return fallback(str(factor.get("text", "")))


def join_reasons(reasons: Sequence[str]) -> str:
    return "; ".join(r for r in reasons if r)
