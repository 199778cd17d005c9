"""A stakeholder update in words, in one language: a plain-text body, an HTML body (email, in
the language's direction) and a short chat text, shaped like a digest (`RenderedDigest`) so
the digests' sending serves it.

Every fixed phrase is marked with `N_` for the catalogues. Case titles, names, post excerpts,
statements and times are user or generated text: in plain text they are isolated (FSI … PDI,
flarewatch/bidi.py, as notifications do), in HTML they sit in `<bdi>`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markupsafe import Markup, escape

from flarewatch.alerts.message import fragment_isolation
from flarewatch.alerts.wording import render_stored
from flarewatch.bidi import neutralise
from flarewatch.comms.stakeholders.build import CaseSummary
from flarewatch.comms.stakeholders.config import AUDIENCE_NAMES
from flarewatch.detect.explain import N_, format_number
from flarewatch.digests.render import NEGATIVE, NEGATIVE_NEW, NOTHING, RenderedDigest
from flarewatch.i18n.formatting import Formatter
from flarewatch.i18n.labels import LABELS
from flarewatch.i18n.languages import is_rtl, translations_for

TITLE = N_("Stakeholder update for %(audience)s: case #%(case)s, %(title)s")
STATUS_LINE = N_("Status: %(status)s; severity: %(severity)s")
OWNER_LINE = N_("Owner: %(owner)s")
NO_OWNER = N_("Owner: nobody yet")
ROLES = N_("Roles")
ROLE_LINE = N_("%(role)s: %(person)s")
SINCE_LAST = N_("Since the last update (%(since)s)")
SINCE_OPENED = N_("Since the case opened (%(since)s)")
POSTS_WAS = N_("%(posts)s posts (%(previous)s in the period before)")
POSTS = N_("%(posts)s posts")
REACH_WAS = N_("Reach: %(reach)s (was %(previous)s)")
REACH = N_("Reach: %(reach)s")
NEW_ALERTS = N_("New alerts")
KEY_POSTS = N_("Key posts")
POST_BY = N_("%(author)s on %(platform)s: “%(text)s”")
POST_ON = N_("On %(platform)s: “%(text)s”")
TASKS = N_("Tasks")
TASK_COUNTS = N_("%(done)s done, %(open)s open, %(overdue)s overdue")
OVERDUE = N_("Overdue: task #%(task)s, %(title)s (was due %(due)s)")
STATEMENTS = N_("Approved statements")
STATEMENT = N_("Draft #%(draft)s (%(platform)s, version %(version)s): %(text)s")
NEXT_STEPS = N_("Next steps")
STEP_DUE = N_("Task #%(task)s, %(title)s: due %(due)s")
STEP = N_("Task #%(task)s, %(title)s")
NEXT_UPDATE = N_("Next update: %(when)s")
NO_NEXT = N_("No further updates are scheduled at this severity.")
CHAT = N_(
    "%(heading)s. Status: %(status)s, severity: %(severity)s. Since %(since)s: %(posts)s posts, "
    "negative %(share)s, %(alerts)s new alerts. Overdue tasks: %(overdue)s. Next update: "
    "%(next)s."
)

# Values that are user or generated text (isolated); the rest are numbers and terms.
FRAGMENTS = frozenset(
    {"audience", "title", "owner", "role", "person", "since", "author", "platform", "text"}
    | {"due", "when", "next"}
)
Item = tuple[str, dict[str, Any]]


def audience_label(audience: str, gettext: Callable[[str], str]) -> str:
    """A built-in audience translated; a workspace's own as written."""
    return gettext(AUDIENCE_NAMES[audience]) if audience in AUDIENCE_NAMES else audience


def render_summary(summary: CaseSummary, language: str) -> RenderedDigest:
    gettext = translations_for(language).gettext
    fmt = Formatter(language, summary.timezone)
    isolate = fragment_isolation(language)

    def term(code: str) -> str:
        return gettext(LABELS[code]).lower() if code in LABELS else code

    def say(message: str, **values: Any) -> str:
        filled = {
            k: isolate(neutralise(v)) if isinstance(v, str) and k in FRAGMENTS else v
            for k, v in values.items()
        }
        return gettext(message) % filled

    def html_say(message: str, **values: Any) -> Markup:
        filled = {
            k: Markup("<bdi>%s</bdi>") % neutralise(v)
            if isinstance(v, str) and k in FRAGMENTS
            else v
            for k, v in values.items()
        }
        return Markup(escape(gettext(message))) % filled

    title = (
        render_stored(summary.title_message, summary.title, locale=language, gettext=gettext)
        or summary.title
    )
    heading_values = {
        "audience": audience_label(summary.audience, gettext),
        "case": str(summary.case_id),
        "title": title,
    }
    subject = say(TITLE, **heading_values)
    sections = _sections(summary, language, fmt, term, gettext)

    lines = [subject, ""]
    for heading, items in sections:
        if heading is not None:
            lines.append(
                say(heading[0], **heading[1]) if isinstance(heading, tuple) else gettext(heading)
            )
            lines += [f"  - {say(m, **v)}" for m, v in items] or [f"  {gettext(NOTHING)}"]
        else:
            lines += [say(m, **v) for m, v in items]
        lines.append("")
    for post in summary.posts:
        if post.url:  # the links, each on its own line: isolation marks would break them
            lines.append(post.url)
    text = "\n".join(lines).rstrip() + "\n"

    direction = "rtl" if is_rtl(language) else "ltr"
    parts = [
        Markup('<div dir="%s" lang="%s">') % (direction, language),
        Markup("<h1>%s</h1>") % html_say(TITLE, **heading_values),
    ]
    for heading, items in sections:
        if heading is None:
            parts += [Markup("<p>%s</p>") % html_say(m, **v) for m, v in items]
            continue
        shown = (
            html_say(heading[0], **heading[1]) if isinstance(heading, tuple) else gettext(heading)
        )
        parts.append(Markup("<h2>%s</h2>") % shown)
        if not items:
            parts.append(Markup("<p>%s</p>") % gettext(NOTHING))
            continue
        rows = [Markup("<li>%s</li>") % html_say(m, **v) for m, v in items]
        if heading == KEY_POSTS:
            rows = [
                Markup('<li>%s <a href="%s">%s</a></li>') % (html_say(m, **v), post.url, "↗")
                if post.url
                else Markup("<li>%s</li>") % html_say(m, **v)
                for (m, v), post in zip(items, summary.posts, strict=True)
            ]
        parts.append(Markup("<ul>%s</ul>") % Markup("").join(rows))
    parts.append(Markup("</div>"))

    share = summary.figures.negative_share
    chat = say(
        CHAT,
        heading=subject,
        status=term(summary.status),
        severity=term(summary.severity),
        since=fmt.stamp(summary.since),
        posts=format_number(summary.figures.posts, language),
        share="—" if share is None else fmt.percent(share),
        alerts=format_number(len(summary.alerts), language),
        overdue=format_number(len(summary.overdue), language),
        next=fmt.stamp(summary.next_update) if summary.next_update else gettext(NO_NEXT),
    )
    return RenderedDigest(subject, text, "".join(parts), chat)


Heading = str | tuple[str, dict[str, Any]] | None


def _sections(
    summary: CaseSummary,
    language: str,
    fmt: Formatter,
    term: Callable[[str], str],
    gettext: Callable[[str], str],
) -> list[tuple[Any, list[Item]]]:
    def number(value: float) -> str:
        return format_number(value, language)

    def share(value: float | None) -> str:
        return "—" if value is None else fmt.percent(value)

    overview: list[Item] = [
        (STATUS_LINE, {"status": term(summary.status), "severity": term(summary.severity)}),
        (OWNER_LINE, {"owner": summary.owner}) if summary.owner else (NO_OWNER, {}),
    ]
    roles: list[Item] = [
        (ROLE_LINE, {"role": term(r.role) if r.builtin else r.role, "person": r.person})
        for r in summary.roles
    ]
    now, was = summary.figures, summary.previous
    changes: list[Item] = [
        (POSTS_WAS, {"posts": number(now.posts), "previous": number(was.posts)})
        if was
        else (POSTS, {"posts": number(now.posts)}),
        (NEGATIVE, {"share": share(now.negative_share), "previous": share(was.negative_share)})
        if was
        else (NEGATIVE_NEW, {"share": share(now.negative_share)}),
        (REACH_WAS, {"reach": number(now.reach), "previous": number(was.reach)})
        if was
        else (REACH, {"reach": number(now.reach)}),
    ]
    since = (
        (SINCE_LAST, {"since": fmt.stamp(summary.since)})
        if summary.previous is not None or summary.since != summary.opened_at
        else (SINCE_OPENED, {"since": fmt.stamp(summary.since)})
    )
    # Alert entries are sentences Flarewatch stored: rendered in this language, passed whole.
    alerts: list[Item] = [
        (
            "%(text)s",
            {
                "text": render_stored(stored, text, locale=language, gettext=gettext) or text
                if stored
                else text
            },
        )
        for stored, text in summary.alerts
    ]
    posts: list[Item] = [
        (
            POST_BY if p.author else POST_ON,
            {"author": p.author or "", "platform": p.platform, "text": p.text},
        )
        for p in summary.posts
    ]
    tasks: list[Item] = [
        (
            TASK_COUNTS,
            {
                "done": number(summary.tasks_done),
                "open": number(summary.tasks_open),
                "overdue": number(len(summary.overdue)),
            },
        )
    ] + [
        (OVERDUE, {"task": str(t.id), "title": t.title, "due": fmt.stamp(t.due_at)})
        for t in summary.overdue
    ]
    statements: list[Item] = [
        (
            STATEMENT,
            {
                "draft": str(s.draft_id),
                "platform": s.platform,
                "version": str(s.version),
                "text": s.text,
            },
        )
        for s in summary.statements
    ]
    steps: list[Item] = [
        (STEP_DUE, {"task": str(t.id), "title": t.title, "due": fmt.stamp(t.due_at)})
        if t.due_at
        else (STEP, {"task": str(t.id), "title": t.title})
        for t in summary.next_steps
    ]
    closing: list[Item] = [
        (NEXT_UPDATE, {"when": fmt.stamp(summary.next_update)})
        if summary.next_update
        else (NO_NEXT, {})
    ]
    out: list[tuple[Any, list[Item]]] = [(None, overview)]
    if roles:
        out.append((ROLES, roles))
    out += [
        (since, changes),
        (NEW_ALERTS, alerts),
        (KEY_POSTS, posts),
        (TASKS, tasks),
        (STATEMENTS, statements),
        (NEXT_STEPS, steps),
        (None, closing),
    ]
    return out
