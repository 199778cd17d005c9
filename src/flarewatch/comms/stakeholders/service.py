"""Stakeholder updates: when each is due, sending one, and the runner the embedded cycle calls.

For every open case (any status but closed) and every `[[stakeholder_updates]]` table whose
`cadence` names the case's severity, an update is due `cadence` minutes after the last one to
that audience (sent or failed), or after the case opened. When every route of the last one
failed, the next try comes after at most `RETRY_AFTER_FAILURE`. Each update is stored
(`stakeholder_update`, unique per case, audience and due moment, so two runners never send it
twice) with each route's result, and written on the case timeline. One failing route never
stops the others.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from flarewatch.alerts.routing import notification_language
from flarewatch.alerts.wording import wording
from flarewatch.cases.models import Case
from flarewatch.cases.service import get_case
from flarewatch.cases.timeline import add_entry
from flarewatch.comms.stakeholders.build import CaseSummary, Figures, build_summary
from flarewatch.comms.stakeholders.config import StakeholderUpdateConfig
from flarewatch.comms.stakeholders.delivery import deliver, failure_reason
from flarewatch.comms.stakeholders.models import StakeholderUpdate
from flarewatch.comms.stakeholders.render import render_summary
from flarewatch.detect.explain import N_
from flarewatch.digests.render import RenderedDigest
from flarewatch.digests.service import resolve_targets
from flarewatch.errors import InputError, InvalidTransitionError
from flarewatch.workspaces.models import Workspace

log = logging.getLogger(__name__)
RETRY_AFTER_FAILURE = timedelta(minutes=15)
TIMELINE_KIND = "stakeholders"

UPDATE_SENT = N_("Stakeholder update for %(audience)s sent: %(sent)s of %(routes)s routes")
UPDATE_PARTLY = N_(
    "Stakeholder update for %(audience)s sent: %(sent)s of %(routes)s routes; failed: %(failed)s"
)
UPDATE_FAILED = N_("Stakeholder update for %(audience)s could not be sent: %(failed)s")


def updates_of(workspace: Workspace) -> list[StakeholderUpdateConfig]:
    """The workspace's `[[stakeholder_updates]]` tables; an unreadable one is logged and left
    out (`workspace check` names it)."""
    out = []
    for n, raw in enumerate((workspace.config or {}).get("stakeholder_updates") or []):
        try:
            out.append(StakeholderUpdateConfig.model_validate(raw))
        except ValidationError as err:
            log.error(
                "workspace %s: stakeholder_updates[%s] unreadable: %s", workspace.slug, n, err
            )
    return out


def update_config(workspace: Workspace, audience: str) -> StakeholderUpdateConfig:
    """The table of `audience`; an InputError naming the audiences the workspace has."""
    tables = updates_of(workspace)
    for table in tables:
        if table.audience == audience:
            return table
    have = ", ".join(t.audience for t in tables) or "none"
    raise InputError(
        f"workspace {workspace.slug!r} has no [[stakeholder_updates]] table for the audience "
        f"{audience!r}; its audiences: {have} (docs/communication-stakeholders.md)"
    )


def last_update(session: Session, case_id: int, audience: str) -> StakeholderUpdate | None:
    return session.scalars(
        select(StakeholderUpdate)
        .where(StakeholderUpdate.case_id == case_id, StakeholderUpdate.audience == audience)
        .order_by(StakeholderUpdate.sent_at.desc(), StakeholderUpdate.id.desc())
        .limit(1)
    ).first()


def next_due(
    case: Case, table: StakeholderUpdateConfig, last: StakeholderUpdate | None
) -> datetime | None:
    """When the next update of `table` is due for the case; None when it gets none (closed,
    or no cadence at its severity)."""
    minutes = table.every(case.severity)
    if minutes is None or case.status == "closed":
        return None
    step = timedelta(minutes=minutes)
    if last is None:
        return case.opened_at + step
    if last.status == "failed":
        step = min(step, RETRY_AFTER_FAILURE)
    return last.sent_at + step


@dataclass(frozen=True, slots=True)
class Scheduled:
    """One audience's schedule on one case."""

    case_id: int
    audience: str
    every_minutes: int | None  # at the case's severity now; None: no updates at it
    last: StakeholderUpdate | None
    due_at: datetime | None


def schedule(session: Session, case: Case) -> list[Scheduled]:
    """Each audience's last update and next due moment for the case."""
    workspace = session.get_one(Workspace, case.workspace_id)
    out = []
    for table in updates_of(workspace):
        last = last_update(session, case.id, table.audience)
        out.append(
            Scheduled(
                case.id,
                table.audience,
                table.every(case.severity),
                last,
                next_due(case, table, last),
            )
        )
    return out


def due_updates(
    session: Session, workspace: Workspace, now: datetime
) -> list[tuple[Case, StakeholderUpdateConfig, datetime]]:
    """(case, table, due moment) of every update due by `now`, soonest first."""
    tables = updates_of(workspace)
    if not tables:
        return []
    cases = session.scalars(
        select(Case)
        .where(Case.workspace_id == workspace.id, Case.status != "closed")
        .order_by(Case.id)
    ).all()
    out = []
    for case in cases:
        for table in tables:
            due = next_due(case, table, last_update(session, case.id, table.audience))
            if due is not None and due <= now:
                out.append((case, table, due))
    return sorted(out, key=lambda item: (item[2], item[0].id))


def summary_for(
    session: Session, case: Case, table: StakeholderUpdateConfig, now: datetime
) -> CaseSummary:
    """The update `table`'s audience would get now: changes since its last one."""
    last = last_update(session, case.id, table.audience)
    minutes = table.every(case.severity)
    upcoming = (
        now + timedelta(minutes=minutes)
        if minutes is not None and case.status != "closed"
        else None
    )
    return build_summary(
        session,
        case,
        table.audience,
        since=last.sent_at if last is not None else case.opened_at,
        now=now,
        previous=Figures.from_dict(last.figures) if last is not None else None,
        next_update=upcoming,
    )


def language_of(workspace: Workspace, table: StakeholderUpdateConfig, url: str) -> str:
    return table.language or notification_language(workspace.config, workspace.languages, url)


def preview(
    session: Session, case: Case, table: StakeholderUpdateConfig, now: datetime
) -> dict[str, RenderedDigest]:
    """The update rendered in each language its routes read (the table's, else each route's)."""
    workspace = session.get_one(Workspace, case.workspace_id)
    summary = summary_for(session, case, table, now)
    targets = resolve_targets(workspace, table.routes, "stakeholder update")
    languages = {language_of(workspace, table, url) for _, url in targets} or {
        table.language or notification_language(workspace.config, workspace.languages, "")
    }
    return {language: render_summary(summary, language) for language in sorted(languages)}


def send_update(
    session: Session,
    case: Case,
    table: StakeholderUpdateConfig,
    *,
    now: datetime,
    actor: str = "system",
    due_at: datetime | None = None,
) -> StakeholderUpdate | None:
    """Builds, stores and sends one update to every route of `table`; `due_at` None is a
    person's "send now" (out of cadence). None when another runner already sent this due
    update. The caller commits."""
    if case.status == "closed":
        raise InvalidTransitionError(
            f"case #{case.id} is closed; stakeholder updates stop when a case closes "
            "(reopen it to send one)"
        )
    workspace = session.get_one(Workspace, case.workspace_id)
    summary = summary_for(session, case, table, now)
    row = StakeholderUpdate(
        workspace_id=workspace.id,
        case_id=case.id,
        audience=table.audience,
        due_at=due_at or now,
        sent_at=now,
        trigger="manual" if due_at is None else "schedule",
        actor=actor,
        severity=case.severity,
        status="failed",
        results={},
        figures=summary.figures.as_dict(),
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # another runner claimed this due update first; it sends it
        return None
    rendered: dict[str, RenderedDigest] = {}
    results: dict[str, dict[str, str | None]] = {}
    targets = resolve_targets(workspace, table.routes, "stakeholder update")
    for label, url in targets:
        language = language_of(workspace, table, url)
        if language not in rendered:
            rendered[language] = render_summary(summary, language)
        try:
            deliver(url, rendered[language], case.severity)
        except Exception as err:  # noqa: BLE001 - one route never stops the others
            results[label] = {
                "status": "failed",
                "error": failure_reason(err),
                "language": language,
            }
            log.warning(
                "stakeholder update case %s %s %s failed: %s", case.id, table.audience, label, err
            )
        else:
            results[label] = {"status": "sent", "error": None, "language": language}
    if not targets:
        results["routes"] = {
            "status": "failed",
            "error": "no route could be resolved; check the table's routes with "
            "`flarewatch workspace check`",
            "language": None,
        }
    row.results = results
    row.status = "sent" if any(r["status"] == "sent" for r in results.values()) else "failed"
    _on_timeline(session, case, row, actor, now)
    session.flush()
    return row


def send_now(
    session: Session,
    case_id: int,
    actor: str,
    *,
    audience: str | None = None,
    workspace_id: int | None = None,
    now: datetime,
) -> list[StakeholderUpdate]:
    """A person's "send now": the update of `audience` (every audience when None), out of
    cadence; the next scheduled one counts from it."""
    case = get_case(session, case_id, workspace_id=workspace_id)
    workspace = session.get_one(Workspace, case.workspace_id)
    tables = [update_config(workspace, audience)] if audience else updates_of(workspace)
    if not tables:
        raise InputError(
            f"workspace {workspace.slug!r} has no [[stakeholder_updates]] tables; add one per "
            "audience (docs/communication-stakeholders.md)"
        )
    sent = []
    for table in tables:
        row = send_update(session, case, table, now=now, actor=actor)
        if row is not None:
            sent.append(row)
    return sent


@dataclass(slots=True)
class UpdateReport:
    sent: list[int] = field(default_factory=list)  # stakeholder_update ids
    failed: list[int] = field(default_factory=list)


def run_due_stakeholder_updates(session: Session, now: datetime) -> UpdateReport:
    """Sends every update due by `now` in every workspace (the embedded cycle's step); one
    failing workspace or case never stops the others. The caller commits."""
    report = UpdateReport()
    for workspace in session.scalars(select(Workspace).order_by(Workspace.id)):
        try:
            due = due_updates(session, workspace, now)
        except Exception:  # noqa: BLE001 - logged; the other workspaces still get theirs
            log.exception("stakeholder updates of workspace %s failed", workspace.slug)
            continue
        for case, table, due_at in due:
            try:
                with session.begin_nested():
                    row = send_update(session, case, table, now=now, due_at=due_at)
            except Exception:  # noqa: BLE001 - logged; the next cycle tries again
                log.exception("stakeholder update of case %s (%s) failed", case.id, table.audience)
                continue
            if row is not None:
                (report.sent if row.status == "sent" else report.failed).append(row.id)
    session.flush()
    return report


def _on_timeline(
    session: Session, case: Case, row: StakeholderUpdate, actor: str, now: datetime
) -> None:
    sent = [label for label, r in row.results.items() if r["status"] == "sent"]
    failed = [label for label, r in row.results.items() if r["status"] != "sent"]
    counts = {"sent": len(sent), "routes": len(row.results)}
    if not sent:
        said = wording(UPDATE_FAILED, audience=row.audience, failed=", ".join(failed))
    elif failed:
        said = wording(UPDATE_PARTLY, audience=row.audience, failed=", ".join(failed), **counts)
    else:
        said = wording(UPDATE_SENT, audience=row.audience, **counts)
    data = {"stakeholder_update_id": row.id, "audience": row.audience, "status": row.status}
    add_entry(session, case, TIMELINE_KIND, actor, said, now, data, touch=False)
