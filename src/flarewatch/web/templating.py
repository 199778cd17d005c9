"""Jinja2 environment and the `render` helper that every page uses."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from jinja2.runtime import Context
from markupsafe import Markup, escape

from flarewatch.accounts.permissions import Permission, can
from flarewatch.alerts.message import sentiment_line
from flarewatch.alerts.wording import render_stored
from flarewatch.bidi import (
    BIDI_CONTROL_RE,
    FSI,
    balanced_isolates,
    code_point,
    control_marker,
    control_name,
    isolate,
)
from flarewatch.db.base import utcnow
from flarewatch.detect.explain import Moment, join_reasons, render_factor, utc_moment
from flarewatch.i18n.formatting import Formatter
from flarewatch.i18n.labels import LABELS, N_, language_name
from flarewatch.i18n.languages import LANGUAGES, is_rtl, translations_for
from flarewatch.web.security import CSRF_FIELD, csrf_token

TEMPLATES_DIR = Path(__file__).parent / "templates"
# Elements whose content is text, not markup: a marker <span> there would show as "<span".
RAW_TEXT_ELEMENTS = frozenset({"script", "style", "textarea", "title"})
# Blocks that base.html places in a raw-text element (<title>): a child template filling them
# cannot see that element, so their names say it.
TEXT_BLOCKS = frozenset({"title"})
_TAG_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)")
BIDI_MARKER_TITLE = N_(
    "Invisible text-direction character %(code)s (%(name)s), shown instead of applied"
)


def _html_state(data: str, in_tag: bool, tag: str, raw: str | None) -> tuple[bool, str, str | None]:
    """Where template text leaves the HTML: inside a tag (attributes), in a raw-text element
    (`raw`), or in element content. Approximate (no quoted `>` in attributes), which the
    templates respect."""
    at = 0
    while at < len(data):
        if raw is not None:
            end = data.lower().find(f"</{raw}", at)
            if end < 0:
                break
            raw, at = None, end
            continue
        if in_tag:
            end = data.find(">", at)
            if end < 0:
                break
            in_tag, at = False, end + 1
            if tag.lower() in RAW_TEXT_ELEMENTS:
                raw = tag.lower()
            continue
        start = data.find("<", at)
        if start < 0:
            break
        name = _TAG_NAME.match(data, start)
        closing = data.startswith("</", start)
        in_tag, tag, at = True, (name.group(1) if name and not closing else ""), start + 1
    return in_tag, tag, raw


class BidiSafeOutput(Extension):
    """Every `{{ expression }}` of every template goes through a bidi filter, so no template,
    new or old, can print a user's bidi control character raw: `bidi_html` in element content
    (a visible, titled marker), `bidi_text` inside tags and raw-text elements (the marker as
    plain text). The choice is made when the template compiles, from the HTML around it."""

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        in_tag, tag, raw = False, "", None
        chosen = "bidi_html"
        blocks: list[str] = []  # the {% block %}s the stream is in, innermost last
        previous = ("", "")  # the last two tokens as type:value, to spot "{% block NAME"
        for token in stream:
            if token.type == "name" and previous == ("block_begin:", "name:block"):
                blocks.append(token.value)
            elif token.type == "name" and token.value == "endblock" and blocks:
                blocks.pop()
            previous = (
                previous[1],
                f"{token.type}:{token.value if token.type == 'name' else ''}",
            )
            if token.type == "data":
                in_tag, tag, raw = _html_state(token.value, in_tag, tag, raw)
            elif token.type == "variable_begin":
                yield token
                yield Token(token.lineno, "lparen", "(")
                plain = in_tag or raw is not None or bool(set(blocks) & TEXT_BLOCKS)
                chosen = "bidi_text" if plain else "bidi_html"
                continue
            elif token.type == "variable_end":
                yield Token(token.lineno, "rparen", ")")
                yield Token(token.lineno, "pipe", "|")
                yield Token(token.lineno, "name", chosen)
            yield token


def bidi_text(value: Any) -> Any:
    """Bidi controls in a string as plain-text markers; Markup (ours) and non-strings as is."""
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return BIDI_CONTROL_RE.sub(lambda found: control_marker(found.group()), value)


def isolates_as_bdi(markup: Markup) -> Markup:
    """Our isolates (FSI … PDI around a user or generated fragment of a sentence) as `<bdi>`
    elements, the HTML way to isolate: the fragment takes its own direction and cannot pull
    the sentence around it. Only pairs in element content are changed: inside a tag (an
    attribute) the characters stay, since markup cannot go there. User text reaches a Markup
    neutralised (`isolate`), so every pair here is ours."""
    text = str(markup)
    if FSI not in text:
        return markup
    kept = balanced_isolates(text)
    parts: list[str] = []
    in_tag = False
    for at, char in enumerate(text):
        if char == "<":
            in_tag = True
        elif char == ">":
            in_tag = False
        elif at in kept and not in_tag:
            parts.append("<bdi>" if char == FSI else "</bdi>")
            continue
        parts.append(char)
    return Markup("".join(parts))


@pass_context
def bidi_html(context: Context, value: Any) -> Any:
    """Bidi controls in a string as visible markers whose title says what they are; in our
    own Markup, isolates become `<bdi>` elements (`isolates_as_bdi`)."""
    if isinstance(value, Markup):
        return isolates_as_bdi(value)
    if not isinstance(value, str):
        return value
    if BIDI_CONTROL_RE.search(value) is None:
        return value
    gettext = context.get("gettext")
    parts: list[Markup] = []
    at = 0
    for found in BIDI_CONTROL_RE.finditer(value):
        char = found.group()
        title = (
            gettext(BIDI_MARKER_TITLE, code=code_point(char), name=control_name(char))
            if gettext
            else BIDI_MARKER_TITLE % {"code": code_point(char), "name": control_name(char)}
        )
        parts.append(escape(value[at : found.start()]))
        parts.append(
            Markup('<span class="bidi-control" title="{}">{}</span>').format(
                title, control_marker(char)
            )
        )
        at = found.end()
    parts.append(escape(value[at:]))
    return Markup("").join(parts)


env = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(["html"]),
    extensions=["jinja2.ext.i18n", BidiSafeOutput],
    trim_blocks=True,
    lstrip_blocks=True,
)
# Newstyle gettext autoescapes translations and formats %(name)s placeholders itself.
env.newstyle_gettext = True  # type: ignore[attr-defined]
env.filters["bidi_text"] = bidi_text
env.filters["bidi_html"] = bidi_html


def form_value(value: Any) -> Markup:
    """A value put back into an edit field as stored, controls included: a form round trip must
    not turn a control into its marker (saving would change the data). Only for fields the
    reader edits; everything else shows the marker."""
    return escape("" if value is None else value)


env.filters["form_value"] = form_value


def _fill(text: str, variables: dict[str, Any]) -> Markup:
    """A translated sentence with its values: each string value neutralised and isolated
    (FSI … PDI), so a user's name cannot reorder the sentence; escaped, hence Markup."""
    return Markup(escape(text)) % {
        name: Markup(escape(isolate(value)))
        if isinstance(value, str) and not isinstance(value, Markup)
        else value
        for name, value in variables.items()
    }


def reasons_for(language: str, gettext: Any, fmt: Formatter) -> tuple[Any, Any]:
    """`reason(factor)` and `explanation(alert)` for templates: an alert's reasons in the
    reader's language, numbers in their locale, times in their zone, handles and story labels
    isolated."""

    def reason(factor: dict[str, Any]) -> Markup | str:
        if not factor.get("message"):
            # Still passes the template's bidi filter; older factors said it as "detail".
            return str(factor.get("text") or factor.get("detail") or "")
        text = render_factor(
            factor, locale=language, gettext=gettext, isolate=isolate, moment=fmt.datetime
        )
        return Markup(escape(text))

    def explanation(alert: Any) -> Markup | str:
        factors = list(alert.factors or [])
        if not factors or not all(f.get("message") for f in factors):
            return str(alert.explanation or "")
        return Markup("; ").join(reason(f) for f in factors)

    return reason, explanation


def wording_for(language: str, gettext: Any, moment: Moment = utc_moment) -> dict[str, Any]:
    """`alert_title(alert)`, `case_title(case)` and `event_text(event)` for templates: the
    system's own sentences (alerts/wording.py) in the reader's language, topic names, labels
    and people isolated. Rows from before messages existed show their stored English text."""

    def alert_title(alert: Any) -> Markup | str:
        text = render_stored(
            alert.title_message, alert.title, locale=language, gettext=gettext, isolate=isolate
        )
        return str(alert.title or "") if text is None else Markup(escape(text))

    def case_title(case: Any) -> Markup | str:
        # A case's title is its alert's (migration 0015 keeps the message beside it).
        return alert_title(case)

    def event_text(event: Any) -> Markup | str:
        data = dict(event.data or {})
        stored = {"message": data.get("message"), "params": dict(data.get("params") or {})}
        factors = list(data.get("factors") or [])
        if "explanation" in stored["params"] and factors and all(f.get("message") for f in factors):
            # The alert's reasons re-rendered, so the whole entry is in the reader's language.
            stored["params"]["explanation"] = join_reasons(
                [
                    render_factor(
                        f, locale=language, gettext=gettext, isolate=isolate, moment=moment
                    )
                    for f in factors
                ]
            )
        text = render_stored(stored, event.text, locale=language, gettext=gettext, isolate=isolate)
        return str(event.text or "") if text is None else Markup(escape(text))

    return {"alert_title": alert_title, "case_title": case_title, "event_text": event_text}


def safe_url(url: str | None) -> str | None:
    """Links from posts only if they are web links: a `javascript:` URL in a post is an attack."""
    if url and url.lower().startswith(("https://", "http://")):
        return url
    return None


def language_of(request: Request) -> str:
    return str(getattr(request.state, "language", "en"))


def gettext_for(request: Request) -> Any:
    return translations_for(language_of(request)).gettext


def page_context(request: Request, **extra: Any) -> dict[str, Any]:
    language = language_of(request)
    translations = translations_for(language)
    access = extra.get("access")
    user = extra.get("user") or (access.user if access is not None else None)
    user = user or getattr(request.state, "user", None)
    timezone = (user.timezone if user is not None else None) or (
        access.workspace.timezone if access is not None else None
    )

    def gettext(message: str, **variables: Any) -> str:
        text = translations.gettext(message)
        return _fill(text, variables) if variables else text

    def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
        text = translations.ngettext(singular, plural, n)
        return _fill(text, {"num": n, **variables})

    def scored_by(alert: Any) -> str | None:
        """Which sentiment model the alert's figures rest on (alerts/message.py)."""
        return sentiment_line(alert.sentiment_backend, alert.rescore, gettext, translations.gettext)

    fmt = Formatter(language, timezone)
    reason, explanation = reasons_for(language, translations.gettext, fmt)
    context: dict[str, Any] = {
        **wording_for(language, translations.gettext, fmt.datetime),
        "scored_by": scored_by,
        "reason": reason,
        "explanation": explanation,
        "request": request,
        "workspace": access.workspace if access is not None else None,
        "user": user,
        "lang": language,
        "dir": "rtl" if is_rtl(language) else "ltr",
        "languages": LANGUAGES,
        "fmt": fmt,
        "now": utcnow(),
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(request),
        "gettext": gettext,
        "_": gettext,
        "ngettext": ngettext,
        "label": lambda code: gettext(LABELS[code]) if code in LABELS else code,
        "safe_url": safe_url,
        "language_name": lambda code: language_name(code, language),
        "can": (lambda permission: access is not None and can(access.role, Permission(permission))),
    }
    context.update(extra)
    return context


def render(request: Request, template: str, status_code: int = 200, **extra: Any) -> HTMLResponse:
    html = env.get_template(template).render(page_context(request, **extra))
    return HTMLResponse(html, status_code=status_code)
