"""A case's timeline as one ordered record: filtered by kind, exported as CSV or JSON.

Everything that happens on a case is a `case_event` (detections and alerts, escalations,
acknowledgements, posts, status changes, owner, tasks, playbooks, public answers, notes, and
what later parts write: routing, findings, drafts, approvals, publications). This module reads
them oldest first; filtering and the export formats are pure functions over the rows.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.alerts.wording import spoken
from flarewatch.cases.models import Case, CaseEvent
from flarewatch.cases.service import get_case
from flarewatch.errors import InputError

EXPORT_FORMATS = ("csv", "json")
CSV_COLUMNS = ("id", "at", "kind", "actor", "text", "data")


def add_entry(
    session: Session,
    case: Case,
    kind: str,
    actor: str,
    said: dict[str, Any],
    at: datetime,
    data: dict[str, Any] | None = None,
    *,
    touch: bool = True,
) -> CaseEvent:
    """A timeline entry that Flarewatch words itself: `said` is a stored message
    (`alerts.wording.wording`), kept in `data` and rendered in English as `text`; each reader
    sees it in their language. `touch` marks the case as changed at `at`."""
    event = CaseEvent(
        case_id=case.id,
        at=at,
        kind=kind,
        actor=actor,
        text=spoken(said),
        data={**(data or {}), **said},
    )
    session.add(event)
    if touch:
        case.updated_at = at
    return event


def kinds_of(events: Iterable[CaseEvent]) -> list[str]:
    """The kinds present, in the order they first appear."""
    return list(dict.fromkeys(event.kind for event in events))


def only_kinds(events: Sequence[CaseEvent], kinds: Sequence[str]) -> list[CaseEvent]:
    """The events of the given kinds (all of them when no kind is given), order kept."""
    wanted = {k.strip() for k in kinds if k and k.strip()}
    return [e for e in events if not wanted or e.kind in wanted]


def record(event: CaseEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "at": event.at.isoformat(),
        "kind": event.kind,
        "actor": event.actor,
        "text": event.text,
        "data": dict(event.data or {}),
    }


def to_json(events: Sequence[CaseEvent]) -> str:
    return json.dumps([record(e) for e in events], ensure_ascii=False, indent=1) + "\n"


def to_csv(events: Sequence[CaseEvent]) -> str:
    """One row per entry; `data` as compact JSON. A spreadsheet's formula prefixes are
    neutralised with a leading apostrophe, so a post's text cannot run as a formula."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for event in events:
        row = record(event)
        row["data"] = json.dumps(row["data"], ensure_ascii=False, sort_keys=True)
        writer.writerow([_cell(row[c]) for c in CSV_COLUMNS])
    return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export(events: Sequence[CaseEvent], fmt: str) -> str:
    if fmt == "csv":
        return to_csv(events)
    if fmt == "json":
        return to_json(events)
    raise InputError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")


def case_timeline(
    session: Session,
    case_id: int,
    kinds: Sequence[str] = (),
    *,
    workspace_id: int | None = None,
) -> list[CaseEvent]:
    """The case's entries oldest first, only the given kinds when any are given."""
    case = get_case(session, case_id, workspace_id=workspace_id)
    events = session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.at, CaseEvent.id)
    ).all()
    return only_kinds(list(events), kinds)
