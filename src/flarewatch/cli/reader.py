"""The reader of a command's output: one workspace's language, locale and time zone.

`flarewatch report`, `alerts list/show` and `cases list/show/timeline` write for the people of
a workspace: every label is a catalogue entry (en/he/pl) in the workspace's first language with
a catalogue (or `--language`), numbers and dates follow that language's locale in the
workspace's country and zone (`i18n.formatting.Formatter`), and names, titles and errors are
isolated inside the sentences that carry them (FSI … PDI; every fragment in a right-to-left
output, only right-to-left ones in a left-to-right output, as notifications do).

Machine-readable outputs (JSON, CSV) never go through a reader: they stay as stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from flarewatch.bidi import isolate, isolate_plain, neutralise
from flarewatch.i18n.formatting import Formatter
from flarewatch.i18n.labels import LABELS
from flarewatch.i18n.languages import LANGUAGES, is_rtl, translations_for, workspace_language

# Directional marks that CLDR puts into some patterns (Hebrew compact numbers: "12.3K\u200f").
# The terminal shows every bidi control it did not isolate as a visible marker (cli/common.py),
# so a rendered sentence drops them; a user's own marks were already made visible markers by
# the isolation of their fragment, so only these generated ones can remain.
CLDR_MARKS = str.maketrans("", "", "\u200e\u200f")

LANGUAGE_HELP = f"Write the output in {', '.join(LANGUAGES)}."
LANGUAGE_DEFAULT = "each workspace's first language with a translation, else en"


class Reader:
    """How one workspace's output is written: `say` fills a catalogue sentence, `term` names a
    stored code (status, severity, kind), `stamp` writes a moment in the workspace's zone."""

    def __init__(self, language: str, timezone: str | None) -> None:
        self.language = language
        self.rtl = is_rtl(language)
        self.gettext: Callable[[str], str] = translations_for(language).gettext
        self.fmt = Formatter(language, timezone)
        self.fragment: Callable[[str], str] = isolate if self.rtl else isolate_plain

    def say(self, message: str, **values: str | int) -> str:
        """`message` from the catalogue, with `values` put in as given (isolate them first)."""
        return self.gettext(message) % values

    def term(self, code: str | None) -> str:
        """A stored code as its translated label ("crisis" → "משבר"), or the code itself."""
        if code is None:
            return "—"
        return self.gettext(LABELS[code]) if code in LABELS else neutralise(code)

    def terms(self, codes: Iterable[str]) -> str:
        return ", ".join(self.term(code).lower() for code in codes)

    def names(self, names: Iterable[str]) -> str:
        """User names (topics, people) as a list, each one isolated."""
        return ", ".join(self.fragment(name) for name in names)

    def stamp(self, value: datetime | None) -> str:
        return self.fmt.stamp(value)

    def number(self, value: float | int | None) -> str:
        return self.fmt.number(value)

    def risk(self, score: float | None) -> str:
        return self.fmt.risk(score)

    def stored(self, stored: Mapping[str, Any] | None, fallback: str) -> str:
        """A sentence Flarewatch stored as a message (an alert title, a timeline entry) in this
        language; a row without a message shows its stored text, controls as markers."""
        from flarewatch.alerts.wording import render_stored

        text = render_stored(
            stored, fallback, locale=self.language, gettext=self.gettext, isolate=self.fragment
        )
        return neutralise(fallback) if text is None else text.translate(CLDR_MARKS)

    def inline(self, stored: Mapping[str, Any] | None, fallback: str) -> str:
        """`stored` for use inside a sentence: the rendered message (its own fragments already
        isolated), or the stored text isolated as one fragment."""
        from flarewatch.alerts.wording import render_stored

        text = render_stored(
            stored, fallback, locale=self.language, gettext=self.gettext, isolate=self.fragment
        )
        return self.fragment(fallback) if text is None else text.translate(CLDR_MARKS)

    def factor(self, factor: Mapping[str, Any]) -> str:
        """One stored reason of an alert (detect/explain.py) in this language."""
        from flarewatch.detect.explain import render_factor

        return (
            render_factor(
                factor,
                locale=self.language,
                gettext=self.gettext,
                isolate=self.fragment,
                fallback=neutralise,
                moment=self.fmt.datetime,
            )
            .strip()
            .translate(CLDR_MARKS)
        )

    def explanation(self, factors: Sequence[Mapping[str, Any]], stored: str) -> str:
        """An alert's explanation: its reasons in this language when every one is a message,
        else the stored English sentence (alerts from before messages existed)."""
        from flarewatch.detect.explain import join_reasons

        if factors and all(f.get("message") for f in factors):
            return join_reasons([self.factor(f) for f in factors])
        return neutralise(stored.strip())


def reader_for(
    languages: Sequence[str] | None, timezone: str | None, language: str | None = None
) -> Reader:
    """The reader of a workspace with these languages and zone; `language` overrides."""
    return Reader(language or workspace_language(list(languages or ())), timezone)


def language_problem(language: str | None) -> str | None:
    """Why a `--language` value cannot be used, or None when it can."""
    if language is None or language in LANGUAGES:
        return None
    return f"--language {language!r}: use one of {', '.join(LANGUAGES)}"
