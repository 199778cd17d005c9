"""A post-mortem as an HTML document (Jinja2) or a PDF (WeasyPrint), in the reader's language.

The HTML is one self-contained file: its styles and charts (inline SVG) are inside it. The PDF
is that document laid out by WeasyPrint with the fonts this package ships (DejaVu Sans, which
covers Hebrew and Polish; `fonts/LICENSE.txt`), so a Hebrew report is right to left with the
right glyphs whatever fonts the machine has. Texts go through the web's catalogues; names,
notes and other user text pass the same bidi filter as the pages (`web/templating.py`).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from babel.dates import format_timedelta
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from flarewatch.bidi import isolate
from flarewatch.cases.postmortem import charts
from flarewatch.cases.postmortem.data import PostMortem
from flarewatch.cases.postmortem.review import FIELD_NAMES
from flarewatch.detect.explain import N_
from flarewatch.i18n.formatting import Formatter
from flarewatch.i18n.labels import LABELS
from flarewatch.i18n.languages import is_rtl, translations_for
from flarewatch.web.templating import BidiSafeOutput, bidi_html, bidi_text, wording_for

HERE = Path(__file__).parent
FONTS = HERE / "fonts"
FORMATS = ("html", "pdf")

MILESTONE_NAMES = {
    "first_mention": N_("First mention"),
    "first_alert": N_("First alert"),
    "acknowledged": N_("Acknowledged"),
    "first_response": N_("First response"),
    "peak": N_("Peak"),
    "recovery": N_("Recovery"),
    "closed": N_("Closed"),
}
DURATION_NAMES = {
    "lead_time": N_("Lead time (first mention → first alert)"),
    "to_acknowledge": N_("First alert → acknowledgement"),
    "to_first_response": N_("First alert → first response"),
    "mention_to_response": N_("First mention → first response"),
    "peak_to_recovery": N_("Peak → recovery"),
    "to_close": N_("First alert → closed"),
}
SENTIMENT_NAMES = {
    "negative": N_("Negative"),
    "neutral": N_("Neutral"),
    "positive": N_("Positive"),
}

env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    extensions=["jinja2.ext.i18n", BidiSafeOutput],
    trim_blocks=True,
    lstrip_blocks=True,
)
env.newstyle_gettext = True  # type: ignore[attr-defined]
env.filters["bidi_text"] = bidi_text
env.filters["bidi_html"] = bidi_html


def span(value: timedelta | None, language: str) -> str:
    """A response time in its two largest units ("2 hours 5 minutes"); "" when unknown."""
    if value is None:
        return ""
    seconds = int(value.total_seconds())
    parts = []
    for unit in (86400, 3600, 60):
        amount, seconds = divmod(seconds, unit)
        if amount:
            # Whole units at threshold 1 read exactly ("20 minutes", never "0.3 hours").
            parts.append(format_timedelta(amount * unit, threshold=1, locale=language))
    if not parts:
        return format_timedelta(max(seconds, 0), threshold=1, locale=language)
    return " ".join(parts[:2])


def _translator(language: str) -> tuple[Any, Any]:
    translations = translations_for(language)

    def gettext(message: str, **variables: Any) -> Markup | str:
        text = translations.gettext(message)
        if not variables:
            return text
        # Each user or generated value is neutralised and isolated (FSI … PDI → <bdi>).
        return Markup(escape(text)) % {
            name: Markup(escape(isolate(value)))
            if isinstance(value, str) and not isinstance(value, Markup)
            else value
            for name, value in variables.items()
        }

    return translations, gettext


def context(pm: PostMortem, language: str, timezone: str | None) -> dict[str, Any]:
    translations, gettext = _translator(language)
    fmt = Formatter(language, timezone)
    labels = [fmt.axis_label(b.start) for b in pm.buckets]
    marks = []
    for key in ("first_alert", "first_response", "recovery"):
        at = pm.milestones.get(key)
        if at is not None and pm.buckets:
            slot = int((at - pm.buckets[0].start) / pm.bucket)
            if 0 <= slot < len(pm.buckets):
                marks.append((slot, translations.gettext(MILESTONE_NAMES[key])))
    sentiment = {s: [b.sentiment.get(s, 0) for b in pm.buckets] for s in SENTIMENT_NAMES}
    figures = {
        "volume": charts.volume_chart(
            [b.posts for b in pm.buckets],
            labels,
            translations.gettext("Posts per interval"),
            baseline=pm.baseline,
            marks=marks,
        ),
        "sentiment": charts.sentiment_chart(
            sentiment,
            labels,
            translations.gettext("Sentiment per interval"),
            {s: translations.gettext(n) for s, n in SENTIMENT_NAMES.items()},
        ),
        "platforms": charts.platform_chart(
            pm.platforms, translations.gettext("Posts per platform")
        ),
    }
    return {
        **wording_for(language, translations.gettext, fmt.datetime),
        "pm": pm,
        "case": pm.case,
        "lang": language,
        "dir": "rtl" if is_rtl(language) else "ltr",
        "fmt": fmt,
        "_": gettext,
        "gettext": gettext,
        "label": lambda code: translations.gettext(LABELS[code]) if code in LABELS else code,
        "span": lambda value: span(value, language),
        # Babel's figures may carry direction marks (Hebrew "43.6K‏"): ours, not a user's.
        "figure": lambda text: Markup(escape(text)),
        "milestone_names": MILESTONE_NAMES,
        "duration_names": DURATION_NAMES,
        "field_names": FIELD_NAMES,
        "charts": {name: Markup(svg) for name, svg in figures.items()},
    }


def render_html(
    pm: PostMortem, language: str = "en", timezone: str | None = None, *, for_pdf: bool = False
) -> str:
    """The post-mortem as one HTML document; `for_pdf` adds the shipped fonts' @font-face."""
    values = context(pm, language, timezone)
    values["font_css"] = Markup(font_faces()) if for_pdf else Markup("")
    return env.get_template("postmortem.html").render(values)


def font_faces() -> str:
    """@font-face rules for the fonts in `fonts/`, by file URL (WeasyPrint reads them)."""
    rules = []
    for name, weight in (("DejaVuSans.ttf", "normal"), ("DejaVuSans-Bold.ttf", "bold")):
        rules.append(
            "@font-face { font-family: 'Flarewatch Sans'; "
            f"src: url('{(FONTS / name).as_uri()}'); font-weight: {weight}; }}"
        )
    return "\n".join(rules)


def render_pdf(pm: PostMortem, language: str = "en", timezone: str | None = None) -> bytes:
    """The post-mortem as a PDF, laid out by WeasyPrint with the shipped fonts."""
    from weasyprint import HTML  # imported here: loading it (Pango) takes a moment
    from weasyprint.text.fonts import FontConfiguration

    html = render_html(pm, language, timezone, for_pdf=True)
    fonts = FontConfiguration()
    return bytes(HTML(string=html, base_url=str(HERE)).write_pdf(font_config=fonts))


def render(pm: PostMortem, format: str, language: str = "en", timezone: str | None = None) -> bytes:
    if format == "pdf":
        return render_pdf(pm, language, timezone)
    return render_html(pm, language, timezone).encode("utf-8")
