"""The kill switch: one action that stops everything a workspace would publish.

Engaging it suspends every scheduled publication with the reason given, and `publish_due`
sends nothing of the workspace while it is on (it re-reads the switch in the transaction that
claims due posts). Lifting it schedules the held posts again: a post whose time has passed
goes at the next run unless someone cancels it first. Both are audited, kept in the switch's
history, and written on each affected case's timeline.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.accounts.models import User
from flarewatch.accounts.service import record_audit
from flarewatch.alerts.wording import wording
from flarewatch.cases.models import Case
from flarewatch.comms.models import Publication
from flarewatch.comms.publishing import timeline
from flarewatch.comms.publishing.models import KillSwitch, KillSwitchEvent
from flarewatch.db.base import utcnow
from flarewatch.errors import InputError, InvalidTransitionError

MAX_REASON = 2000


def switch_of(session: Session, workspace_id: int, *, lock: bool = False) -> KillSwitch | None:
    """The workspace's switch; `lock` holds its row for the transaction (PostgreSQL), so an
    engage and a claim of due posts never interleave."""
    query = select(KillSwitch).where(KillSwitch.workspace_id == workspace_id)
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def is_engaged(session: Session, workspace_id: int, *, lock: bool = False) -> bool:
    switch = switch_of(session, workspace_id, lock=lock)
    return bool(switch and switch.engaged)


def history(session: Session, workspace_id: int, limit: int = 50) -> list[KillSwitchEvent]:
    return list(
        session.scalars(
            select(KillSwitchEvent)
            .where(KillSwitchEvent.workspace_id == workspace_id)
            .order_by(KillSwitchEvent.id.desc())
            .limit(limit)
        )
    )


def engage(
    session: Session,
    workspace_id: int,
    reason: str,
    actor: User | str,
    *,
    now: datetime | None = None,
) -> list[Publication]:
    """Turns the switch on and suspends every scheduled publication; returns them."""
    clean = (reason or "").strip()
    if not clean:
        raise InputError(
            "say why publishing stops (--reason, or the reason field): the people who resume "
            "it and the audit log need to know"
        )
    if len(clean) > MAX_REASON:
        raise InputError(f"the reason has {len(clean):,} characters; keep it under {MAX_REASON:,}")
    now = now or utcnow()
    name = actor.email if isinstance(actor, User) else actor
    switch = switch_of(session, workspace_id, lock=True)
    if switch is not None and switch.engaged:
        raise InvalidTransitionError(
            f"the kill switch is already on since {switch.engaged_at:%Y-%m-%d %H:%M} UTC "
            f"({switch.engaged_by}: {switch.reason}); resume publishing to lift it"
        )
    if switch is None:
        switch = KillSwitch(workspace_id=workspace_id)
        session.add(switch)
    switch.engaged, switch.reason, switch.engaged_by = True, clean, name
    switch.engaged_at = switch.updated_at = now
    held = list(
        session.scalars(
            select(Publication)
            .where(Publication.workspace_id == workspace_id, Publication.status == "scheduled")
            .with_for_update()
        )
    )
    for publication in held:
        publication.status = "suspended"
        publication.reason = clean
    _record(session, workspace_id, "engaged", clean, actor, now, held)
    for case, rows in _by_case(session, held).items():
        said = wording(timeline.SUSPENDED, count=len(rows), reason=clean)
        timeline.add_event(session, case, name, said, now, data=_ids(rows))
    session.flush()
    return held


def lift(
    session: Session,
    workspace_id: int,
    actor: User | str,
    *,
    now: datetime | None = None,
) -> list[Publication]:
    """Turns the switch off; every suspended publication is scheduled again (returned)."""
    now = now or utcnow()
    name = actor.email if isinstance(actor, User) else actor
    switch = switch_of(session, workspace_id, lock=True)
    if switch is None or not switch.engaged:
        raise InvalidTransitionError("the kill switch is not on; there is nothing to resume")
    reason = switch.reason
    switch.engaged, switch.updated_at = False, now
    released = list(
        session.scalars(
            select(Publication)
            .where(Publication.workspace_id == workspace_id, Publication.status == "suspended")
            .with_for_update()
        )
    )
    for publication in released:
        publication.status = "scheduled"
        publication.reason = None
    _record(session, workspace_id, "lifted", reason, actor, now, released)
    for case, rows in _by_case(session, released).items():
        timeline.add_event(
            session, case, name, wording(timeline.RESUMED, count=len(rows)), now, data=_ids(rows)
        )
    session.flush()
    return released


def _record(
    session: Session,
    workspace_id: int,
    action: str,
    reason: str | None,
    actor: User | str,
    now: datetime,
    rows: list[Publication],
) -> None:
    name = actor.email if isinstance(actor, User) else actor
    session.add(
        KillSwitchEvent(
            workspace_id=workspace_id,
            action=action,
            reason=reason,
            actor=name,
            at=now,
            affected=len(rows),
        )
    )
    record_audit(
        session,
        actor,
        f"publishing.kill_switch.{action}",
        workspace_id=workspace_id,
        target_type="workspace",
        target_id=workspace_id,
        details={"reason": reason, "publications": [p.id for p in rows]},
    )


def _by_case(session: Session, rows: list[Publication]) -> dict[Case, list[Publication]]:
    grouped: dict[int, list[Publication]] = defaultdict(list)
    for row in rows:
        grouped[row.case_id].append(row)
    return {session.get_one(Case, case_id): items for case_id, items in grouped.items()}


def _ids(rows: list[Publication]) -> dict[str, list[int]]:
    return {"publication_ids": [row.id for row in rows]}
