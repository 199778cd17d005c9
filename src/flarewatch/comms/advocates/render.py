"""A briefing in words, in the advocate's language: a translated frame around the approved
facts, each fact isolated (FSI … PDI in text, `<bdi>` in HTML), as plain text, HTML (email)
and a short chat text (`RenderedDigest`, so the digests' sending serves it).

The case's own title is internal wording ("story 'worm in burger' is growing") and never goes
to someone outside the brand: the frame names only the workspace.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from flarewatch.alerts.message import fragment_isolation
from flarewatch.bidi import neutralise
from flarewatch.detect.explain import N_
from flarewatch.digests.render import RenderedDigest
from flarewatch.i18n.languages import is_rtl, translations_for

SUBJECT = N_("Briefing from %(workspace)s")
GREETING = N_("Hello %(name)s,")
INTRO = N_(
    "thank you for your support. These are the confirmed facts %(workspace)s has approved; "
    "please share them only as they are written here."
)
FACT = N_("Fact %(number)s: %(text)s")
CLOSING = N_("If anything is unclear, reply to this message. We will keep you posted.")
CHAT = N_("%(subject)s. %(facts)s")


def render_briefing(
    workspace: str, advocate: str, facts: Sequence[str], language: str
) -> RenderedDigest:
    gettext = translations_for(language).gettext
    isolate = fragment_isolation(language)

    def text_of(message: str, **values: str | int) -> str:
        return gettext(message) % {
            k: isolate(neutralise(v)) if isinstance(v, str) else v for k, v in values.items()
        }

    def html_of(message: str, **values: str | int) -> Markup:
        filled = {
            k: Markup("<bdi>%s</bdi>") % neutralise(v) if isinstance(v, str) else v
            for k, v in values.items()
        }
        return Markup(escape(gettext(message))) % filled

    subject = text_of(SUBJECT, workspace=workspace)
    fact_lines = [text_of(FACT, number=n, text=fact) for n, fact in enumerate(facts, 1)]
    text = "\n\n".join(
        [
            text_of(GREETING, name=advocate),
            text_of(INTRO, workspace=workspace),
            "\n".join(fact_lines),
            gettext(CLOSING),
        ]
    )
    direction = "rtl" if is_rtl(language) else "ltr"
    items = Markup("").join(
        Markup("<li>%s</li>") % html_of(FACT, number=n, text=fact)
        for n, fact in enumerate(facts, 1)
    )
    html = (
        Markup('<div dir="%s" lang="%s">') % (direction, language)
        + Markup("<p>%s</p>") % html_of(GREETING, name=advocate)
        + Markup("<p>%s</p>") % html_of(INTRO, workspace=workspace)
        + Markup("<ul>%s</ul>") % items
        + Markup("<p>%s</p>") % gettext(CLOSING)
        + Markup("</div>")
    )
    chat = gettext(CHAT) % {"subject": subject, "facts": " ".join(fact_lines)}
    return RenderedDigest(subject, text + "\n", str(html), chat)
