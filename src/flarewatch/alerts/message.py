"""The words of a notification, built from an alert without any I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flarewatch.bidi import isolate_plain, neutralise
from flarewatch.detect.explain import format_number, join_reasons, render_factor

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


def _post_facts(post: PostLink) -> str:
    """ "@dana · negative · reach 12.5K · and 37 similar posts"."""
    facts = [f"@{isolate_plain(post.author)}"] if post.author else []
    if post.sentiment:
        facts.append(post.sentiment)
    if post.reach is not None:
        facts.append(f"reach {format_number(post.reach, 'en')}")
    if post.similar:
        facts.append(f"and {post.similar} similar post{'' if post.similar == 1 else 's'}")
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
) -> AlertMessage:
    """Title and plain-text body; plain text because it has to read well in email, chat and SMS.

    Names, titles, explanations and post excerpts come from users' posts and settings: their
    bidi control characters are shown as markers (⟦U+202E⟧), and a fragment with right-to-left
    text or controls is isolated (FSI … PDI), so it cannot reorder the line around it
    (flarewatch/bidi.py).
    """
    # Reasons are re-rendered from their messages, so the handles and story labels inside
    # them are isolated like every other user fragment of the message.
    reasons = [
        render_factor(f, isolate=isolate_plain, fallback=neutralise).strip()
        for f in factors
        if f.get("text") or f.get("message")
    ]
    spoken = all(f.get("message") for f in factors) and reasons
    summary = join_reasons(reasons) if spoken else neutralise(explanation.strip())
    label = severity.upper()
    workspace, topic = (
        isolate_plain(workspace_name),
        isolate_plain(topic_name) if topic_name else None,
    )
    heading = f"[{label}] {workspace}: {isolate_plain(title)}"
    lines = [
        f"Severity: {severity}"
        + (f" (escalated from {escalated_from})" if escalated_from else "")
        # A source alert is about coverage, not risk: it says so instead of "risk 0/100".
        + (" · source alert" if kind == "source" else f" · risk {risk_score:.0f}/100")
        + f" · alert #{alert_id} ({status})",
        f"Workspace: {workspace}" + (f" · topic: {topic}" if topic else ""),
        f"Window: {_window(window_start, window_end)}",
        "",
        summary,
    ]
    if reasons:
        lines += ["", "Why:"] + [f"  - {reason}" for reason in reasons]
    shown = list(posts)[:TOP_POSTS]
    if shown:
        lines += ["", "Top posts:"]
        for post in shown:
            where = neutralise(post.url) if post.url else f"({neutralise(post.platform)}, no link)"
            lines.append(f"  - {where}\n    “{isolate_plain(excerpt(post.text))}”")
            about = _post_facts(post)
            if about:
                lines.append(f"    {about}")
    lines += ["", f"Acknowledge: {ack_hint(alert_id)}"]
    return AlertMessage(alert_id=alert_id, severity=severity, title=heading, body="\n".join(lines))
