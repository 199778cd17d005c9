"""A digest in words: a plain-text body, an HTML body (email) and a short chat text, in one
language, times in the workspace's zone.

Every fixed phrase is marked with `N_` for the web's catalogues (docs/web.md). Topic names,
story labels, alert and case titles, source keys and errors come from users or the system:
in text they are isolated (FSI … PDI, flarewatch/bidi.py), in HTML they sit in `<bdi>`, so a
Latin name cannot reorder a Hebrew line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from flarewatch.alerts.message import fragment_isolation
from flarewatch.alerts.wording import render_stored
from flarewatch.bidi import neutralise
from flarewatch.detect.explain import N_, format_number
from flarewatch.digests.build import Digest
from flarewatch.i18n.formatting import Formatter
from flarewatch.i18n.labels import LABELS
from flarewatch.i18n.languages import is_rtl, translations_for

TITLE = {
    "daily": N_("Daily digest: %(workspace)s, %(window)s"),
    "weekly": N_("Weekly digest: %(workspace)s, %(window)s"),
}
MENTIONS = N_("%(count)s mentions (%(previous)s in the period before)")
NEGATIVE = N_("Negative: %(share)s (was %(previous)s)")
NEGATIVE_NEW = N_("Negative: %(share)s")
TOP_TOPICS = N_("Top topics")
TOPIC_LINE = N_("%(topic)s: %(count)s mentions (%(previous)s before)")
TOP_STORIES = N_("Top stories")
STORY_LINE = N_("“%(label)s” in %(topic)s: %(count)s mentions")
ALERTS = N_("Alerts")
ALERT_LINE = N_("Alert #%(alert)s, %(severity)s, %(status)s: %(title)s (%(handling)s)")
ACK_AFTER = N_("acknowledged after %(duration)s")
NOT_ACKED = N_("not acknowledged")
CLOSED_AFTER = N_("closed after %(duration)s")
MEDIAN_ACK = N_("Median time to acknowledge: %(duration)s")
OPEN_CASES = N_("Open cases")
CASE_LINE = N_("Case #%(case)s, %(status)s: %(title)s")
SOURCES = N_("Sources with problems")
SOURCE_LINE = N_("%(source)s: %(state)s")
NOTHING = N_("None.")
CHAT = N_(
    "%(heading)s. Mentions: %(count)s, negative %(share)s; alerts: %(alerts)s (%(open)s open); "
    "open cases: %(cases)s; sources with problems: %(sources)s."
)


@dataclass(frozen=True, slots=True)
class RenderedDigest:
    subject: str
    text: str
    html: str
    chat: str


def render_digest(digest: Digest, language: str) -> RenderedDigest:
    translations = translations_for(language)
    gettext = translations.gettext
    fmt = Formatter(language, digest.timezone)

    def number(value: float) -> str:
        return format_number(value, language)

    def share(value: float | None) -> str:
        return "—" if value is None else f"{number(round(value * 100))}%"

    def duration(seconds: float | None) -> str:
        return fmt.duration(seconds) if seconds is not None else "—"

    def term(code: str) -> str:
        return gettext(LABELS[code]).lower() if code in LABELS else code

    def say(message: str, fragment: Callable[[str], Any], **values: Any) -> Any:
        """`message` with `values`: numbers as they come, text through `fragment`."""
        filled = {
            k: (fragment(neutralise(v)) if isinstance(v, str) and k in FRAGMENTS else v)
            for k, v in values.items()
        }
        return gettext(message) % filled

    def titled(stored: dict[str, Any] | None, fallback: str) -> str:
        return render_stored(stored, fallback, locale=language, gettext=gettext) or fallback

    isolate = fragment_isolation(language)
    sections = _sections(digest, number, share, duration, term, titled, gettext)
    window = fmt.window(digest.start, digest.end)
    subject_text = say(TITLE[digest.period], isolate, workspace=digest.workspace, window=window)

    # Plain text: fragments isolated with FSI … PDI.
    lines = [subject_text, ""]
    for heading, items in sections:
        if heading is None:
            lines += [say(m, isolate, **v) for m, v in items] + ([""] if items else [])
            continue
        lines.append(gettext(heading))
        lines += [f"  - {say(m, isolate, **v)}" for m, v in items] or [f"  {gettext(NOTHING)}"]
        lines.append("")
    text = "\n".join(lines).rstrip() + "\n"

    # HTML: escaped, fragments in <bdi>, the whole in the language's direction.
    def html_say(message: str, **values: Any) -> Markup:
        filled = {
            k: (
                Markup("<bdi>%s</bdi>") % neutralise(v)
                if isinstance(v, str) and k in FRAGMENTS
                else v
            )
            for k, v in values.items()
        }
        return Markup(escape(gettext(message))) % filled

    direction = "rtl" if is_rtl(language) else "ltr"
    parts = [
        Markup('<div dir="%s" lang="%s">') % (direction, language),
        Markup("<h1>%s</h1>")
        % html_say(TITLE[digest.period], workspace=digest.workspace, window=window),
    ]
    for heading, items in sections:
        if heading is None:
            parts += [Markup("<p>%s</p>") % html_say(m, **v) for m, v in items]
            continue
        parts.append(Markup("<h2>%s</h2>") % gettext(heading))
        if items:
            parts.append(
                Markup("<ul>%s</ul>")
                % Markup("").join(Markup("<li>%s</li>") % html_say(m, **v) for m, v in items)
            )
        else:
            parts.append(Markup("<p>%s</p>") % gettext(NOTHING))
    parts.append(Markup("</div>"))

    open_alerts = sum(1 for a in digest.alerts if a.status in ("open", "acknowledged"))
    chat = say(
        CHAT,
        isolate,
        heading=subject_text,
        count=number(digest.mentions),
        share=share(digest.negative_share),
        alerts=number(len(digest.alerts)),
        open=number(open_alerts),
        cases=number(len(digest.cases)),
        sources=number(len(digest.sources)),
    )
    return RenderedDigest(subject_text, text, "".join(parts), chat)


# Values that are user or generated text, isolated; the rest are formatted numbers and terms.
FRAGMENTS = frozenset({"workspace", "window", "topic", "label", "title", "source"})
Item = tuple[str, dict[str, Any]]


def _sections(
    digest: Digest,
    number: Callable[[float], str],
    share: Callable[[float | None], str],
    duration: Callable[[float | None], str],
    term: Callable[[str], str],
    titled: Callable[[dict[str, Any] | None, str], str],
    gettext: Callable[[str], str],
) -> list[tuple[str | None, list[Item]]]:
    overview: list[Item] = [
        (
            MENTIONS,
            {"count": number(digest.mentions), "previous": number(digest.previous_mentions)},
        ),
        (
            (
                NEGATIVE,
                {
                    "share": share(digest.negative_share),
                    "previous": share(digest.previous_negative_share),
                },
            )
            if digest.previous_negative_share is not None
            else (NEGATIVE_NEW, {"share": share(digest.negative_share)})
        ),
    ]
    topics: list[Item] = [
        (TOPIC_LINE, {"topic": t.name, "count": number(t.mentions), "previous": number(t.previous)})
        for t in digest.topics
    ]
    stories: list[Item] = [
        (STORY_LINE, {"label": s.label, "topic": s.topic, "count": number(s.mentions)})
        for s in digest.stories
    ]
    alerts: list[Item] = []
    for a in digest.alerts:
        handled = [
            gettext(ACK_AFTER) % {"duration": duration(a.ack_seconds)}
            if a.ack_seconds is not None
            else gettext(NOT_ACKED)
        ]
        if a.closed_seconds is not None:
            handled.append(gettext(CLOSED_AFTER) % {"duration": duration(a.closed_seconds)})
        alerts.append(
            (
                ALERT_LINE,
                {
                    "alert": a.id,
                    "severity": term(a.severity),
                    "status": term(a.status),
                    "title": titled(a.title_message, a.title),
                    "handling": ", ".join(handled),
                },
            )
        )
    handling: list[Item] = []
    if digest.median_ack_seconds is not None:
        handling.append((MEDIAN_ACK, {"duration": duration(digest.median_ack_seconds)}))
    cases: list[Item] = [
        (
            CASE_LINE,
            {"case": c.id, "status": term(c.status), "title": titled(c.title_message, c.title)},
        )
        for c in digest.cases
    ]
    sources: list[Item] = [
        (SOURCE_LINE, {"source": s.key, "state": term(s.state)}) for s in digest.sources
    ]
    return [
        (None, overview),
        (TOP_TOPICS, topics),
        (TOP_STORIES, stories),
        (ALERTS, alerts),
        (None, handling),
        (OPEN_CASES, cases),
        (SOURCES, sources),
    ]
