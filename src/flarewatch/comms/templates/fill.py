"""Filling a template's `{variables}`: pure, no database.

A template names its variables as `{brand}`; `{{` and `}}` are literal braces. Every name must
be one Flarewatch knows (VARIABLES) and every one the text uses needs a value: a missing value
is an error naming it, never a `{contact}` left in published text. A value whose letters run
the other way than the template's language (a Latin brand name in a Hebrew statement, a Hebrew
author name in an English reply) is wrapped in a first-strong isolate (FSI … PDI), so it
cannot pull the sentence's punctuation and numbers around it; bidi controls inside a value are
made visible (flarewatch.bidi.neutralise), never applied.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import datetime, timedelta
from string import Formatter

from flarewatch.bidi import isolate, neutralise
from flarewatch.errors import InputError
from flarewatch.i18n.formatting import Formatter as LocalFormatter
from flarewatch.i18n.languages import is_rtl

# The variables a template may use, with where their value comes from (the docs and the
# template page list them).
VARIABLES: dict[str, str] = {
    "brand": "the workspace's name",
    "issue": "the case's title, in the template's language",
    "next_update": "when the next update comes: a time in the workspace's zone (default: an hour)",
    "contact": "where people can reach you: an address, a phone number or a page",
    "action": "what you are doing about it, in a few words",
    "author": "the person a reply answers (the post's author)",
    "link": "a link to the full statement or status page",
}
MAX_VALUE_CHARS = 500


def placeholders(text: str, where: str) -> list[str]:
    """The variable names `text` uses, in order of first use; InputError on a malformed or
    unknown placeholder, naming it and `where` it is."""
    names: list[str] = []
    try:
        parsed = list(Formatter().parse(text))
    except ValueError as err:
        raise InputError(
            f"{where}: {err}; write variables as {{brand}} and a literal brace as {{{{ or }}}}"
        ) from None
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if spec or conversion or name not in VARIABLES:
            shown = (
                "{"
                + name
                + (f"!{conversion}" if conversion else "")
                + (f":{spec}" if spec else "")
                + "}"
            )
            raise InputError(
                f"{where}: unknown variable {shown}; use one of "
                + ", ".join("{" + known + "}" for known in VARIABLES)
            )
        if name not in names:
            names.append(name)
    return names


def check_values(values: Mapping[str, str]) -> None:
    """Values a person gave: known names, one line of reasonable length."""
    for name, value in values.items():
        if name not in VARIABLES:
            raise InputError(
                f"unknown variable {name!r}; give one of {', '.join(VARIABLES)} (as name=value)"
            )
        if len(value) > MAX_VALUE_CHARS:
            raise InputError(
                f"the value of {{{name}}} has {len(value):,} characters; keep it under "
                f"{MAX_VALUE_CHARS}"
            )


def fill(text: str, values: Mapping[str, str], language: str, where: str) -> str:
    """`text` with every variable replaced by its value (isolated where its direction differs
    from `language`'s). InputError naming every variable that has no value."""
    names = placeholders(text, where)
    missing = [name for name in names if not (values.get(name) or "").strip()]
    if missing:
        listed = ", ".join("{" + name + "}" for name in missing)
        how = " ".join(f"--set {name}=…" for name in missing)
        raise InputError(
            f"{where} needs a value for {listed}: give it ({how} on the command line, the "
            "form's fields on the page, `values` in the API)"
        )
    rtl = is_rtl(language)
    ready = {name: _placed(values[name].strip(), rtl) for name in names}
    return text.format_map(ready)


def _placed(value: str, rtl: bool) -> str:
    clean = neutralise(" ".join(value.split()))
    return isolate(clean) if _runs_against(clean, rtl) else clean


def _runs_against(value: str, rtl: bool) -> bool:
    """Whether `value` has a letter of the other direction than the surrounding text."""
    against = ("L",) if rtl else ("R", "AL")
    return any(unicodedata.bidirectional(char) in against for char in value)


def next_update_time(now: datetime, language: str, timezone: str | None, hours: float = 1) -> str:
    """The default `{next_update}`: `hours` from now, rounded up to the next quarter hour, as
    the reader's locale writes a time (24-hour "18:15"), with the day when it is not today."""
    local = LocalFormatter(language, timezone)
    due = now + timedelta(hours=hours)
    due += timedelta(minutes=(-due.minute) % 15, seconds=-due.second, microseconds=-due.microsecond)
    time = local.time(due)
    if due.astimezone(local.tz).date() == now.astimezone(local.tz).date():
        return time
    return f"{time} ({local.day(due.astimezone(local.tz).date())})"
