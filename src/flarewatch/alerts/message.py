"""The words of a notification, built from an alert without any I/O, in one language.

Every fixed phrase is a message marked with `N_` (or an `ngettext` call) so `pybabel extract`
puts it in the web's catalogues; `render_message(language=...)` fills them from the catalogue of
the route's language (alerts/routing.py `notification_language`), with numbers in its locale.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flarewatch.alerts.wording import render_stored, render_wording
from flarewatch.bidi import isolate_plain, neutralise
from flarewatch.detect.explain import N_, format_number, join_reasons, render_factor
from flarewatch.web.i18n import translations_for
from flarewatch.web.labels import LABELS

TOP_POSTS = 5
EXCERPT_CHARS = 140


@dataclass(frozen=True, slots=True)
class PostLink:
    url: str | None
    text: str
    platform: str
    author: str | None = None
    reach: float | None = None
    sentiment: str | None = None
    similar: int = 0  # near-identical copies it stands for


@dataclass(frozen=True, slots=True)
class AlertMessage:
    alert_id: int
    severity: str
    title: str
    body: str


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def ack_hint(alert_id: int) -> str:
    return f"flarewatch alerts ack {alert_id}"


def _window(start: datetime, end: datetime) -> str:
    fmt = "%Y-%m-%d %H:%M"
    same_day = start.date() == end.date()
    return f"{start:{fmt}}–{end:%H:%M} UTC" if same_day else f"{start:{fmt}} – {end:{fmt}} UTC"


SEVERITY_LINE = N_("Severity: %(severity)s")
SEVERITY_ESCALATED_LINE = N_("Severity: %(severity)s (escalated from %(was)s)")
SOURCE_ALERT = N_("source alert")
RISK = N_("risk %(risk)s/100")
ALERT_STATUS = N_("alert #%(alert)s (%(status)s)")
WORKSPACE_LINE = N_("Workspace: %(workspace)s")
TOPIC_PART = N_("topic: %(topic)s")
WINDOW_LINE = N_("Window: %(window)s")
WHY = N_("Why:")
TOP_POSTS_HEADING = N_("Top posts:")
NO_LINK = N_("(%(platform)s, no link)")
REACH = N_("reach %(reach)s")
ACKNOWLEDGE = N_("Acknowledge: %(command)s")


def _post_facts(post: PostLink, say: Callable[..., str], translations: Any, locale: str) -> str:
    """ "@dana · negative · reach 12.5K · and 37 similar posts"."""
    facts = [f"@{isolate_plain(post.author)}"] if post.author else []
    if post.sentiment:
        known = LABELS.get(post.sentiment)
        facts.append(translations.gettext(known).lower() if known else neutralise(post.sentiment))
    if post.reach is not None:
        facts.append(say(REACH, reach=post.reach))
    if post.similar:
        similar = translations.ngettext(
            "and %(num)s similar post", "and %(num)s similar posts", post.similar
        )
        facts.append(similar % {"num": format_number(post.similar, locale)})
    return " · ".join(facts)


def render_message(
    *,
    alert_id: int,
    severity: str,
    status: str,
    title: str,
    explanation: str,
    risk_score: float,
    factors: Sequence[dict[str, Any]],
    window_start: datetime,
    window_end: datetime,
    workspace_name: str,
    topic_name: str | None,
    posts: Sequence[PostLink],
    escalated_from: str | None = None,
    kind: str = "topic",
    title_message: Mapping[str, Any] | None = None,
    language: str = "en",
) -> AlertMessage:
    """Title and plain-text body in `language`; plain text because it has to read well in
    email, chat and SMS.

    Names, titles, explanations and post excerpts come from users' posts and settings: their
    bidi control characters are shown as markers (⟦U+202E⟧), and a fragment with right-to-left
    text or controls is isolated (FSI … PDI), so it cannot reorder the line around it
    (flarewatch/bidi.py). A title stored as a message (`title_message`) is translated with its
    topic name and story label isolated; an older one is shown as stored, isolated whole.
    """
    translations = translations_for(language)
    gettext = translations.gettext

    def say(message: str, **params: Any) -> str:
        return render_wording(
            message, params, locale=language, gettext=gettext, isolate=isolate_plain
        )

    # Reasons are re-rendered from their messages, so the handles and story labels inside
    # them are isolated like every other user fragment of the message.
    reasons = [
        render_factor(
            f, locale=language, gettext=gettext, isolate=isolate_plain, fallback=neutralise
        ).strip()
        for f in factors
        if f.get("text") or f.get("message")
    ]
    spoken = all(f.get("message") for f in factors) and reasons
    summary = join_reasons(reasons) if spoken else neutralise(explanation.strip())
    label = gettext(LABELS[severity]).upper() if severity in LABELS else severity.upper()
    workspace = isolate_plain(workspace_name)
    said_title = render_stored(
        title_message, title, locale=language, gettext=gettext, isolate=isolate_plain
    )
    heading = f"[{label}] {workspace}: {said_title or isolate_plain(title)}"
    severity_line = (
        say(SEVERITY_ESCALATED_LINE, severity=severity, was=escalated_from)
        if escalated_from
        else say(SEVERITY_LINE, severity=severity)
    )
    # A source alert is about coverage, not risk: it says so instead of "risk 0/100".
    about = gettext(SOURCE_ALERT) if kind == "source" else say(RISK, risk=round(risk_score))
    where = say(WORKSPACE_LINE, workspace=workspace_name)
    if topic_name:
        where += " · " + say(TOPIC_PART, topic=topic_name)
    lines = [
        " · ".join([severity_line, about, say(ALERT_STATUS, alert=alert_id, status=status)]),
        where,
        say(WINDOW_LINE, window=_window(window_start, window_end)),
        "",
        summary,
    ]
    if reasons:
        lines += ["", gettext(WHY)] + [f"  - {reason}" for reason in reasons]
    shown = list(posts)[:TOP_POSTS]
    if shown:
        lines += ["", gettext(TOP_POSTS_HEADING)]
        for post in shown:
            link = neutralise(post.url) if post.url else say(NO_LINK, platform=post.platform)
            lines.append(f"  - {link}\n    “{isolate_plain(excerpt(post.text))}”")
            facts = _post_facts(post, say, translations, language)
            if facts:
                lines.append(f"    {facts}")
    lines += ["", say(ACKNOWLEDGE, command=ack_hint(alert_id))]
    return AlertMessage(alert_id=alert_id, severity=severity, title=heading, body="\n".join(lines))


TEST_TITLE = N_("Test alert from Flarewatch: %(workspace)s")
TEST_BODY = N_(
    "This is a test sent from the settings of %(workspace)s. If you can read it, this "
    "workspace's alerts reach this route. Nothing needs to be done."
)


def render_test_message(*, workspace_name: str, language: str = "en") -> AlertMessage:
    """The "send a test alert" message of the alert route settings, in the route's language;
    the workspace's name is isolated like every user fragment of a notification."""
    gettext = translations_for(language).gettext
    name = isolate_plain(neutralise(workspace_name))
    return AlertMessage(
        alert_id=0,
        severity="watch",
        title=gettext(TEST_TITLE) % {"workspace": name},
        body=gettext(TEST_BODY) % {"workspace": name},
    )
