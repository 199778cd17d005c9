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
from flarewatch.bidi import isolate, isolate_plain, neutralise
from flarewatch.detect.explain import N_, format_number, join_reasons, render_factor
from flarewatch.i18n.formatting import Formatter, risk_figure
from flarewatch.i18n.labels import LABELS
from flarewatch.i18n.languages import is_rtl, translations_for

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
# The link goes on a line of its own, not isolated: isolation marks next to a URL end up inside
# the link that chat apps and mail readers make of it.
ACKNOWLEDGE_LINK = N_("Acknowledge in one click:")
REMINDER_TITLE = N_("Reminder: %(title)s")
REMINDER_LINE = N_(
    "Acknowledged by %(who)s at %(when)s; nothing has happened since. Add a note to its case, "
    "or resolve it when it is over."
)
# Which sentiment model the negative share and reasons rest on (alerts/rescoring.py); the web
# alert page says it with the same messages.
SENTIMENT_MODEL = N_("Sentiment scored by: %(model)s")
SENTIMENT_RESCORED = N_(
    "Sentiment scored by: %(model)s (%(scored)s of the window's %(total)s posts)"
)
SENTIMENT_PENDING = N_(
    "Sentiment scored by: %(model)s; re-scoring with %(accurate)s (%(scored)s of %(total)s "
    "posts so far), this alert will be updated"
)


def sentiment_line(
    backend: str | None,
    rescore: Mapping[str, Any] | None,
    say: Callable[..., str],
    gettext: Callable[[str], str],
) -> str | None:
    """ "Sentiment scored by: Most accurate (E5 …) (40 of the window's 52 posts)", or None for
    alerts from before the model was recorded (and source alerts, which have no sentiment)."""
    if not backend:
        return None

    def name(code: str) -> str:
        known = LABELS.get(f"sentiment-{code}")
        return gettext(known) if known else neutralise(code)

    state = dict(rescore or {})
    counts = {"scored": int(state.get("scored") or 0), "total": int(state.get("window_posts") or 0)}
    if state.get("state") == "pending":
        accurate = name(str(state.get("backend") or ""))
        return say(SENTIMENT_PENDING, model=name(backend), accurate=accurate, **counts)
    if state.get("state") == "done" and state.get("backend") == backend:
        return say(SENTIMENT_RESCORED, model=name(backend), **counts)
    return say(SENTIMENT_MODEL, model=name(backend))


def fragment_isolation(language: str) -> Callable[[str], str]:
    """How a notification in `language` isolates user and generated fragments: a right-to-left
    message isolates every fragment (a Latin name or a date with a zone would otherwise drift
    around the Hebrew line); a left-to-right one only those with right-to-left text or controls,
    since invisible characters can show as boxes in SMS and chat."""
    return isolate if is_rtl(language) else isolate_plain


def _post_facts(
    post: PostLink,
    say: Callable[..., str],
    translations: Any,
    locale: str,
    fragment: Callable[[str], str],
) -> str:
    """ "@dana · negative · reach 12.5K · and 37 similar posts"."""
    facts = [f"@{fragment(post.author)}"] if post.author else []
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
    timezone: str | None = None,
    sentiment_backend: str | None = None,
    rescore: Mapping[str, Any] | None = None,
    ack_url: str | None = None,
    reminder_of: tuple[str, datetime] | None = None,
) -> AlertMessage:
    """Title and plain-text body in `language`, times in the workspace's `timezone`; plain text
    because it has to read well in email, chat and SMS.

    Names, titles, explanations and post excerpts come from users' posts and settings: their
    bidi control characters are shown as markers (⟦U+202E⟧), and a fragment is isolated
    (FSI … PDI, `fragment_isolation`), so it cannot reorder the line around it
    (flarewatch/bidi.py). A title stored as a message (`title_message`) is translated with its
    topic name and story label isolated; an older one is shown as stored, isolated whole.

    `ack_url` is the signed one-click acknowledgement link (oncall/acklink.py), shown above the
    command; `reminder_of` (who acknowledged, when) makes it a reminder that the alert is
    acknowledged but untouched.
    """
    translations = translations_for(language)
    gettext = translations.gettext
    fmt = Formatter(language, timezone)
    fragment = fragment_isolation(language)

    def say(message: str, **params: Any) -> str:
        return render_wording(message, params, locale=language, gettext=gettext, isolate=fragment)

    # Reasons are re-rendered from their messages, so the handles and story labels inside
    # them are isolated like every other user fragment of the message.
    reasons = [
        render_factor(
            f,
            locale=language,
            gettext=gettext,
            isolate=fragment,
            fallback=neutralise,
            moment=fmt.datetime,
        ).strip()
        for f in factors
        if f.get("text") or f.get("message")
    ]
    spoken = all(f.get("message") for f in factors) and reasons
    summary = join_reasons(reasons) if spoken else neutralise(explanation.strip())
    label = gettext(LABELS[severity]).upper() if severity in LABELS else severity.upper()
    workspace = fragment(workspace_name)
    said_title = render_stored(
        title_message, title, locale=language, gettext=gettext, isolate=fragment
    )
    heading = f"[{label}] {workspace}: {said_title or fragment(title)}"
    severity_line = (
        say(SEVERITY_ESCALATED_LINE, severity=severity, was=escalated_from)
        if escalated_from
        else say(SEVERITY_LINE, severity=severity)
    )
    # A source alert is about coverage, not risk: it says so instead of "risk 0/100".
    about = gettext(SOURCE_ALERT) if kind == "source" else say(RISK, risk=risk_figure(risk_score))
    where = say(WORKSPACE_LINE, workspace=workspace_name)
    if topic_name:
        where += " · " + say(TOPIC_PART, topic=topic_name)
    lines = []
    if reminder_of is not None:
        who, when = reminder_of
        lines += [say(REMINDER_LINE, who=who, when=fmt.datetime(when)), ""]
        heading = say(REMINDER_TITLE, title=heading)
    lines += [
        " · ".join([severity_line, about, say(ALERT_STATUS, alert=alert_id, status=status)]),
        where,
        say(WINDOW_LINE, window=fmt.window(window_start, window_end)),
    ]
    scored_by = sentiment_line(sentiment_backend, rescore, say, gettext)
    if scored_by and kind == "topic":
        lines.append(scored_by)
    lines += ["", summary]
    # A source alert's reason is its whole explanation, already said above.
    if reasons and kind != "source":
        lines += ["", gettext(WHY)] + [f"  - {reason}" for reason in reasons]
    shown = list(posts)[:TOP_POSTS]
    if shown:
        lines += ["", gettext(TOP_POSTS_HEADING)]
        for post in shown:
            link = neutralise(post.url) if post.url else say(NO_LINK, platform=post.platform)
            lines.append(f"  - {link}\n    “{fragment(excerpt(post.text))}”")
            facts = _post_facts(post, say, translations, language, fragment)
            if facts:
                lines.append(f"    {facts}")
    lines.append("")
    if ack_url:
        lines += [gettext(ACKNOWLEDGE_LINK), f"  {ack_url}"]
    lines.append(say(ACKNOWLEDGE, command=ack_hint(alert_id)))
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
