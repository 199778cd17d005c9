"""Overrides and shift swaps made in the app, laid over the workspace file's rotas.

An **override** puts a person on call in a rota for a period, in force as soon as it is made.
A **swap** is asked for by one member ("piotr takes dana's shift from … to …") and is in force
once another member accepts it. Both become overrides of the rota after the file's own, so
they win over every layer and every override of the file (oncall/rota.py `on_call`), for the
runner, the pages and the commands alike (`effective_config`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.errors import InputError, InvalidTransitionError, NotFoundError
from flarewatch.oncall.config import OncallConfig, OverrideConfig
from flarewatch.oncall.models import RotaChange
from flarewatch.workspaces.models import Workspace

KINDS = ("override", "swap")
C = TypeVar("C", bound=BaseModel)
# A round due a while ago (a runner catching up) still sees the override of its moment.
_LOOKBACK = timedelta(days=2)


def _config(workspace: Workspace) -> OncallConfig:
    from flarewatch.oncall.service import oncall_config, people_config

    return oncall_config(workspace) or people_config(workspace)


def _check(
    workspace: Workspace, rota_key: str, people: list[str], start: datetime, end: datetime
) -> None:
    config = _config(workspace)
    rotas = {rota.key for rota in config.rotas}
    if rota_key not in rotas:
        have = ", ".join(sorted(rotas)) or "none; add [[rotas]] to the workspace file"
        raise InputError(f"there is no rota {rota_key!r}; rotas: {have}")
    known = {person.key for person in config.people}
    for person in people:
        if person not in known:
            raise InputError(
                f"{person!r} is not one of the workspace's people; people: "
                + (", ".join(sorted(known)) or "none")
            )
    if start.tzinfo is None or end.tzinfo is None:
        raise InputError("give the start and the end with their time zone")
    if end <= start:
        raise InputError(
            f"the end ({end.isoformat(timespec='minutes')}) is not after the start "
            f"({start.isoformat(timespec='minutes')}); pick a later end"
        )


def add_override(
    session: Session,
    workspace: Workspace,
    rota_key: str,
    person: str,
    start: datetime,
    end: datetime,
    by: str,
    *,
    now: datetime,
    note: str | None = None,
) -> RotaChange:
    """`person` on call in the rota from `start` to `end`, in force at once."""
    _check(workspace, rota_key, [person], start, end)
    change = RotaChange(
        workspace_id=workspace.id,
        rota_key=rota_key,
        kind="override",
        person=person,
        start=start,
        end=end,
        status="accepted",
        note=note,
        requested_by=by,
        requested_at=now,
        decided_by=by,
        decided_at=now,
    )
    session.add(change)
    session.flush()
    return change


def request_swap(
    session: Session,
    workspace: Workspace,
    rota_key: str,
    replaces: str,
    person: str,
    start: datetime,
    end: datetime,
    by: str,
    *,
    now: datetime,
    note: str | None = None,
) -> RotaChange:
    """Ask that `person` takes `replaces`'s shift from `start` to `end`; in force once accepted."""
    _check(workspace, rota_key, [replaces, person], start, end)
    if person == replaces:
        raise InputError(f"{person!r} would swap with themselves; pick someone else to take over")
    change = RotaChange(
        workspace_id=workspace.id,
        rota_key=rota_key,
        kind="swap",
        person=person,
        replaces=replaces,
        start=start,
        end=end,
        status="requested",
        note=note,
        requested_by=by,
        requested_at=now,
    )
    session.add(change)
    session.flush()
    return change


def get_change(session: Session, workspace: Workspace, change_id: int) -> RotaChange:
    change = session.get(RotaChange, change_id)
    if change is None or change.workspace_id != workspace.id:
        raise NotFoundError(f"rota change #{change_id} not found in {workspace.slug!r}")
    return change


def decide(
    session: Session,
    workspace: Workspace,
    change_id: int,
    accept: bool,
    by: str,
    *,
    now: datetime,
) -> RotaChange:
    """Accept or decline a requested swap; whoever asked for it cannot accept it."""
    change = get_change(session, workspace, change_id)
    if change.status != "requested":
        raise InvalidTransitionError(
            f"rota change #{change.id} is already {change.status}; there is nothing to decide"
        )
    if accept and change.requested_by == by:
        raise InputError(
            "you asked for this swap yourself; the person taking over (or another member) "
            "accepts it"
        )
    change.status = "accepted" if accept else "declined"
    change.decided_by, change.decided_at = by, now
    session.flush()
    return change


def cancel(
    session: Session, workspace: Workspace, change_id: int, by: str, *, now: datetime
) -> RotaChange:
    """Withdraw a request, or end an override or an accepted swap early."""
    change = get_change(session, workspace, change_id)
    if change.status in ("declined", "cancelled"):
        raise InvalidTransitionError(f"rota change #{change.id} is already {change.status}")
    change.status = "cancelled"
    change.decided_by, change.decided_at = by, now
    session.flush()
    return change


def changes_of(
    session: Session, workspace_id: int, since: datetime, *, statuses: tuple[str, ...] = ()
) -> list[RotaChange]:
    """The workspace's overrides and swaps that end after `since`, soonest first."""
    query = select(RotaChange).where(
        RotaChange.workspace_id == workspace_id, RotaChange.end > since
    )
    if statuses:
        query = query.where(RotaChange.status.in_(statuses))
    return list(session.scalars(query.order_by(RotaChange.start, RotaChange.id)))


def with_changes(config: C, changes: list[RotaChange]) -> C:
    """`config` (the on-call part, or a whole workspace file's) with each accepted change
    added as the last override of its rota."""
    rotas = []
    for rota in getattr(config, "rotas", []):
        extra = [
            OverrideConfig(person=c.person, start=c.start, end=c.end)
            for c in changes
            if c.rota_key == rota.key and c.status == "accepted"
        ]
        rotas.append(rota.model_copy(update={"overrides": [*rota.overrides, *extra]}))
    return config.model_copy(update={"rotas": rotas})


def effective_config(
    session: Session, workspace: Workspace, now: datetime | None = None
) -> OncallConfig | None:  # None: no escalation policy
    """The workspace's on-call configuration with the app's accepted overrides and swaps."""
    from flarewatch.oncall.service import oncall_config

    config = oncall_config(workspace)
    if config is None:
        return None
    return with_accepted(session, workspace, config, now)


def with_accepted(
    session: Session, workspace: Workspace, config: OncallConfig, now: datetime | None = None
) -> OncallConfig:
    """`config` with the workspace's accepted overrides and swaps that are not long over."""
    since = (now or datetime.now(UTC)).astimezone(UTC) - _LOOKBACK
    return with_changes(config, changes_of(session, workspace.id, since, statuses=("accepted",)))


def local(value: str, zone: str) -> datetime:
    """A form's 'YYYY-MM-DDTHH:MM' (datetime-local) in `zone`; InputError otherwise."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InputError(
            f"{value!r} is not a date and time; pick one, e.g. 2026-12-24T18:00"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=ZoneInfo(zone))
