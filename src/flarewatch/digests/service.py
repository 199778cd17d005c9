"""Sending digests: when each `[[digests]]` table is due, to whom, and the durable record.

`run_due_digests` (called by the runtime's cycle, like the escalation rounds) stores a
`digest_run` row for each digest that has come due (unique per workspace, period and due
moment, so two runners or a restart never send one twice), then sends it to every recipient
not yet reached, retrying failures with the alert deliveries' backoff. Email routes
(`mailto://`, `mailtos://`) get the HTML body with a plain-text part; every other route gets
the short chat text. A digest that came due more than `GRACE` ago (the runtime was down, or
the table is new) is not sent late.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import apprise
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from flarewatch.alerts.notify import MAX_ATTEMPTS, retry_delay
from flarewatch.alerts.routing import CONSOLE_ROUTE, notification_language
from flarewatch.digests.build import build_digest, window
from flarewatch.digests.config import DigestConfig
from flarewatch.digests.models import DigestRun
from flarewatch.digests.render import RenderedDigest, render_digest
from flarewatch.workspaces.models import Workspace

log = logging.getLogger(__name__)
GRACE = timedelta(hours=6)
EMAIL_SCHEMES = ("mailto", "mailtos")


def digests_of(workspace: Workspace) -> list[DigestConfig]:
    """The workspace's `[[digests]]` tables; none when unreadable (logged)."""
    out = []
    for n, raw in enumerate((workspace.config or {}).get("digests") or []):
        try:
            out.append(DigestConfig.model_validate(raw))
        except ValidationError as err:
            log.error("workspace %s: digests[%s] unreadable: %s", workspace.slug, n, err)
    return out


def last_due(digest: DigestConfig, zone: str, now: datetime) -> datetime:
    """The latest moment at or before `now` the digest is due (UTC), in local wall time."""
    weekday, clock = digest.when()
    tz = ZoneInfo(zone)
    local_day = now.astimezone(tz).date()
    for back in range(0, 8):
        day = local_day - timedelta(days=back)
        if weekday is not None and day.weekday() != weekday:
            continue
        due = datetime.combine(day, clock, tzinfo=tz).astimezone(UTC)
        if due <= now:
            return due
    raise AssertionError("a daily or weekly time always falls within eight days")


def recipients(workspace: Workspace, digest: DigestConfig) -> list[tuple[str, str]]:
    """(label, URL) per message of the digest's `to` (`resolve_targets`)."""
    return resolve_targets(workspace, digest.to)


def resolve_targets(
    workspace: Workspace, targets: list[str], what: str = "digest"
) -> list[tuple[str, str]]:
    """(label, URL) per message: a person's every contact method, a named route, a URL. An
    unknown person or route is skipped with a log line (`workspace check` names it). Shared
    with the stakeholder updates and advocate briefings (comms/stakeholders, comms/advocates)."""
    config = workspace.config or {}
    people = {p.get("key"): p.get("notify") or [] for p in config.get("people") or []}
    routes = {r.get("name"): r.get("url") for r in config.get("alert_routes") or []}
    out: list[tuple[str, str]] = []
    for n, target in enumerate(targets):
        kind, _, key = target.partition(":")
        if kind == "person" and "//" not in target:
            urls = people.get(key)
            if not urls:
                log.error("workspace %s: %s names unknown person %r", workspace.slug, what, key)
            out += [(f"{target}#{i}", url) for i, url in enumerate(urls or [])]
        elif kind == "route" and "//" not in target:
            url = routes.get(key)
            if url is None:
                log.error("workspace %s: %s names unknown route %r", workspace.slug, what, key)
            else:
                out.append((target, url))
        else:
            out.append((f"url#{n}", target))
    return out


def send_one(url: str, rendered: RenderedDigest) -> None:
    """Email gets HTML (Apprise adds the plain-text part); chat gets the short text; the
    console prints the text. Raises RuntimeError with the service's reason on failure."""
    if url == CONSOLE_ROUTE:
        from rich.console import Console

        Console().print(rendered.text, highlight=False)
        return
    client = apprise.Apprise()
    if not client.add(url):
        raise RuntimeError("not a valid Apprise URL; check the digest's `to` (docs/oncall.md)")
    email = url.split("://", 1)[0].lower() in EMAIL_SCHEMES
    with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:
        ok = client.notify(
            title=rendered.subject,
            body=rendered.html if email else rendered.chat,
            body_format=apprise.NotifyFormat.HTML if email else apprise.NotifyFormat.TEXT,
        )
    if not ok:
        lines = [line for line in captured.getvalue().splitlines() if line.strip()]
        raise RuntimeError(lines[-1] if lines else "the service did not accept the digest")


def render_for(
    session: Session, workspace: Workspace, digest: DigestConfig, due: datetime
) -> dict[str, RenderedDigest]:
    """The digest rendered once per language its recipients need, keyed by language."""
    start, end = window(digest.period, due, workspace.timezone or "UTC")
    built = build_digest(session, workspace, digest.period, end, start)
    languages = {language_for(workspace, digest, url) for _, url in recipients(workspace, digest)}
    return {language: render_digest(built, language) for language in languages}


def language_for(workspace: Workspace, digest: DigestConfig, url: str) -> str:
    return digest.language or notification_language(workspace.config, workspace.languages, url)


@dataclass(slots=True)
class DigestReport:
    sent: list[str] = field(default_factory=list)  # "acme daily person:dana#0"
    failed: dict[str, str] = field(default_factory=dict)


def run_due_digests(session: Session, now: datetime) -> DigestReport:
    """Store and send every digest due by `now`; the caller commits. One failing recipient or
    workspace never stops the others."""
    report = DigestReport()
    for workspace in session.scalars(select(Workspace).order_by(Workspace.id)):
        for digest in digests_of(workspace):
            due = last_due(digest, workspace.timezone or "UTC", now)
            if now - due > GRACE:
                continue
            run = _claim(session, workspace, digest, due)
            if run is None or run.status != "pending":
                continue
            _send_run(session, workspace, digest, run, now, report)
    session.flush()
    return report


def _claim(
    session: Session, workspace: Workspace, digest: DigestConfig, due: datetime
) -> DigestRun | None:
    found = session.scalars(
        select(DigestRun).where(
            DigestRun.workspace_id == workspace.id,
            DigestRun.period == digest.period,
            DigestRun.due_at == due,
        )
    ).first()
    if found is not None:
        return found
    run = DigestRun(
        workspace_id=workspace.id, period=digest.period, due_at=due, status="pending", results={}
    )
    try:
        with session.begin_nested():
            session.add(run)
    except IntegrityError:  # another runner stored it first; it sends it
        return None
    return run


def _send_run(
    session: Session,
    workspace: Workspace,
    digest: DigestConfig,
    run: DigestRun,
    now: datetime,
    report: DigestReport,
) -> None:
    results: dict[str, Any] = dict(run.results or {})
    todo = [
        (label, url)
        for label, url in recipients(workspace, digest)
        if results.get(label, {}).get("status") not in ("sent", "failed")
        and datetime.fromisoformat(results.get(label, {}).get("next", now.isoformat())) <= now
    ]
    rendered = render_for(session, workspace, digest, run.due_at) if todo else {}
    for label, url in todo:
        state = dict(results.get(label) or {"attempts": 0})
        state["attempts"] = int(state.get("attempts", 0)) + 1
        name = f"{workspace.slug} {digest.period} {label}"
        try:
            send_one(url, rendered[language_for(workspace, digest, url)])
        except Exception as err:  # noqa: BLE001 - one recipient never stops the others
            state["error"] = (str(err) or type(err).__name__)[:500]
            gave_up = state["attempts"] >= MAX_ATTEMPTS
            state["status"] = "failed" if gave_up else "retrying"
            state["next"] = (now + retry_delay(state["attempts"])).isoformat()
            report.failed[name] = state["error"]
            log.warning("digest %s failed (attempt %s): %s", name, state["attempts"], err)
        else:
            state.update(status="sent", sent_at=now.isoformat(), error=None)
            report.sent.append(name)
        results[label] = state
    run.results = results
    statuses = [results.get(label, {}).get("status") for label, _ in recipients(workspace, digest)]
    if all(s in ("sent", "failed") for s in statuses):
        run.status = "sent" if any(s == "sent" for s in statuses) else "failed"
