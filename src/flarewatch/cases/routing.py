"""Routing a case to the internal owner who can check the facts (issue 20 §2).

A workspace's `[[case_types]]` name the kinds of case it handles and the `[[owners]]` (a person
or team with contacts) each routes to; without its own list it has the built-in types
(`DEFAULT_CASE_TYPES`), which need an owner before a case can be routed. Routing sends the
owner the key facts (the case, its severity, the alert's reasons, its topics) and posts (the
case's key posts, up to `KEY_POSTS`) on each of their contacts — one failing contact never stops
the others — and writes the request on the timeline. The owner's findings, recorded from the
page, the API or the CLI, are written on the timeline too.

An unanswered request escalates through the on-call machinery: once `answer_within_minutes`
have passed, `escalate_unanswered` (after each detection cycle) sends it to the case type's
`escalate_to` (`rota:KEY`, `person:KEY`, `route:NAME`), by default the first step of the
workspace's escalation policy for the case's severity, resolved with `oncall.escalation.recipients`
(the person on call now, for a rota).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import JSON, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from flarewatch.alerts.message import AlertMessage, excerpt
from flarewatch.alerts.models import Alert
from flarewatch.alerts.notify import describe_route, notifier_for
from flarewatch.alerts.wording import spoken, wording
from flarewatch.cases.models import Case, CaseEvent
from flarewatch.cases.room_config import DEFAULT_CASE_TYPES, CaseTypeConfig, OwnerConfig
from flarewatch.cases.service import get_case, topic_names
from flarewatch.config.workspace import WorkspaceConfig, file_fields
from flarewatch.db.base import Base, UTCDateTime, utcnow
from flarewatch.detect.explain import N_
from flarewatch.errors import InputError, NotFoundError, UnknownNameError
from flarewatch.oncall.config import policy_for
from flarewatch.oncall.escalation import channel_of, recipients
from flarewatch.workspaces.models import Workspace

log = logging.getLogger(__name__)
KEY_POSTS = 5
MAX_TEXT = 20_000

CASE_TYPE_NAMES = {
    "product_safety": N_("Product safety"),
    "service_failure": N_("Service failure"),
    "employee_conduct": N_("Employee conduct"),
    "data_privacy": N_("Data and privacy"),
    "legal": N_("Legal"),
    "false_accusation": N_("Fake news or false accusation"),
    "executive_statement": N_("Executive statement"),
}
ROUTED = N_("Routed to %(owner)s (%(case_type)s) for the facts; answer due by %(due_at)s")
ROUTED_UNSENT = N_(
    "Routed to %(owner)s (%(case_type)s), but no contact could be reached: %(errors)s"
)
FINDINGS = N_("Findings from %(owner)s: %(findings)s")
ESCALATED = N_(
    "The request to %(owner)s is unanswered after %(minutes)s minutes: escalated to %(who)s"
)
ESCALATED_NOBODY = N_(
    "The request to %(owner)s is unanswered after %(minutes)s minutes, and nobody could be "
    "reached through %(target)s"
)


class CaseRouting(Base):
    """One request to a case type's owner (migration 0018)."""

    __tablename__ = "case_routing"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("crisis_case.id", ondelete="CASCADE"))
    case_type: Mapped[str] = mapped_column(String(64))
    owner_key: Mapped[str] = mapped_column(String(64))
    owner_name: Mapped[str] = mapped_column(String(200))
    facts: Mapped[str] = mapped_column(Text)
    post_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # Each contact tried: {"channel", "ok", "error"}.
    sent: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="requested")  # escalated, answered
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answer_by: Mapped[datetime] = mapped_column(UTCDateTime)
    escalate_to: Mapped[str | None] = mapped_column(String(200), nullable=True)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answered_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    findings: Mapped[str | None] = mapped_column(Text, nullable=True)


@dataclass(frozen=True)
class RoomSetup:
    """A workspace's case types and owners, from its file (or the built-in types)."""

    case_types: list[CaseTypeConfig]
    owners: dict[str, OwnerConfig]
    config: WorkspaceConfig | None


def room_setup(workspace: Workspace) -> RoomSetup:
    stored = file_fields(workspace.config)
    stored.setdefault("slug", workspace.slug)
    stored.setdefault("name", workspace.name)
    try:
        config: WorkspaceConfig | None = WorkspaceConfig.model_validate(stored)
    except ValidationError as err:
        log.error("workspace %s: configuration unreadable: %s", workspace.slug, err)
        config = None
    types = list(config.case_types) if config and config.case_types else []
    if not types:
        types = [CaseTypeConfig(key=key) for key in DEFAULT_CASE_TYPES]
    owners = {owner.key: owner for owner in config.owners} if config else {}
    return RoomSetup(types, owners, config)


def type_name(case_type: CaseTypeConfig, gettext: Callable[[str], str] = str) -> str:
    """A case type's shown name: its own, else the built-in one translated, else its key."""
    if case_type.name:
        return case_type.name
    if case_type.key in CASE_TYPE_NAMES:
        return gettext(CASE_TYPE_NAMES[case_type.key])
    return case_type.key


def type_term(case_type: CaseTypeConfig) -> str:
    """The type as stored in a timeline message: a built-in's key (translated by its label),
    else its own name."""
    if not case_type.name and case_type.key in CASE_TYPE_NAMES:
        return case_type.key
    return type_name(case_type)


def key_facts(session: Session, case: Case) -> tuple[str, list[int]]:
    """The request's text (plain English: it goes to people outside the tool) and its posts."""
    alert = session.get(Alert, case.alert_id) if case.alert_id is not None else None
    lines = [f"Case #{case.id}: {case.title}", f"Severity: {case.severity}"]
    if alert is not None:
        lines.append(f"Why: {alert.explanation}")
        topics = topic_names(session, alert.topic_ids)
        if topics:
            lines.append(f"Topics: {', '.join(topics)}")
    posts = session.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.kind == "post")
        .order_by(CaseEvent.id)
        .limit(KEY_POSTS)
    ).all()
    if posts:
        lines.append("Posts:")
    for event in posts:
        url = (event.data or {}).get("url")
        lines.append(f"- {excerpt(event.text, 200)}" + (f" {url}" if url else ""))
    ids = [int(e.data["raw_post_id"]) for e in posts if (e.data or {}).get("raw_post_id")]
    return "\n".join(lines), ids


def _send(urls: Sequence[str], title: str, body: str, case: Case) -> list[dict[str, Any]]:
    """Sends to each URL; one failing never stops the others. What happened, per channel."""
    results = []
    message = AlertMessage(
        alert_id=case.alert_id or 0, severity=case.severity, title=title, body=body
    )
    for url in urls:
        try:
            notifier_for(url).send(url, message)
        except Exception as err:  # noqa: BLE001 - a contact's failure is reported, not raised
            log.warning("routing case #%s to %s failed: %s", case.id, describe_route(url), err)
            results.append({"channel": channel_of(url), "ok": False, "error": str(err)[:500]})
        else:
            results.append({"channel": channel_of(url), "ok": True, "error": None})
    return results


def route_case(
    session: Session,
    case_id: int,
    case_type: str,
    actor: str,
    *,
    workspace_id: int | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> CaseRouting:
    """Sends the case's key facts and posts to the owner of `case_type` and records it."""
    case = get_case(session, case_id, workspace_id=workspace_id)
    now = now or utcnow()
    setup = room_setup(session.get_one(Workspace, case.workspace_id))
    chosen = next((t for t in setup.case_types if t.key == case_type), None)
    if chosen is None:
        known = ", ".join(t.key for t in setup.case_types)
        raise UnknownNameError(f"unknown case type {case_type!r}; this workspace has: {known}")
    if chosen.owner is None:
        raise InputError(
            f'case type {case_type!r} has no owner; add owner = "KEY" to its [[case_types]] '
            "table and the owner as an [[owners]] table in the workspace file"
        )
    owner = setup.owners.get(chosen.owner)
    if owner is None:
        raise InputError(
            f"case type {case_type!r} names owner {chosen.owner!r}, which has no [[owners]] "
            "table in the workspace file; add it with its contacts"
        )
    clean_note = (note or "").strip()
    if len(clean_note) > MAX_TEXT:
        raise InputError(f"the note has {len(clean_note)} characters; keep it under {MAX_TEXT}")
    facts, post_ids = key_facts(session, case)
    if clean_note:
        facts = f"{clean_note}\n\n{facts}"
    title = f"Please check the facts: case #{case.id} ({type_name(chosen)})"
    sent = _send(owner.contacts, title, facts, case)
    routing = CaseRouting(
        case_id=case.id,
        case_type=chosen.key,
        owner_key=owner.key,
        owner_name=owner.name,
        facts=facts,
        post_ids=post_ids,
        sent=sent,
        status="requested",
        requested_by=actor,
        requested_at=now,
        answer_by=now + timedelta(minutes=chosen.answer_within_minutes),
        escalate_to=chosen.escalate_to,
    )
    session.add(routing)
    session.flush()
    failed = [f"{s['channel']}: {s['error']}" for s in sent if not s["ok"]]
    if failed and len(failed) == len(sent):
        said = wording(
            ROUTED_UNSENT, owner=owner.name, case_type=type_term(chosen), errors="; ".join(failed)
        )
    else:
        said = wording(
            ROUTED,
            owner=owner.name,
            case_type=type_term(chosen),
            due_at=routing.answer_by.isoformat(),
        )
    _event(session, case, now, actor, spoken(said), {"routing_id": routing.id, **said})
    case.updated_at = now
    session.flush()
    return routing


def get_routing(
    session: Session, routing_id: int, *, workspace_id: int | None = None
) -> CaseRouting:
    routing = session.get(CaseRouting, routing_id)
    case = session.get(Case, routing.case_id) if routing is not None else None
    if (
        routing is None
        or case is None
        or (workspace_id is not None and case.workspace_id != workspace_id)
    ):
        raise NotFoundError(f"routing request #{routing_id} not found; see the case's requests")
    return routing


def record_findings(
    session: Session,
    routing_id: int,
    findings: str,
    actor: str,
    *,
    workspace_id: int | None = None,
    now: datetime | None = None,
) -> CaseRouting:
    """The owner's answer, on the request and on the timeline; answering again adds to it."""
    routing = get_routing(session, routing_id, workspace_id=workspace_id)
    clean = findings.strip()
    if not clean:
        raise InputError(
            "findings need some text: what the owner found out, e.g. 'batch 42 recalled'"
        )
    if len(clean) > MAX_TEXT:
        raise InputError(f"the findings have {len(clean)} characters; keep them under {MAX_TEXT}")
    now = now or utcnow()
    routing.findings = f"{routing.findings}\n\n{clean}" if routing.findings else clean
    routing.status, routing.answered_by, routing.answered_at = "answered", actor, now
    case = session.get_one(Case, routing.case_id)
    said = wording(FINDINGS, owner=routing.owner_name, findings=clean)
    _event(session, case, now, actor, spoken(said), {"routing_id": routing.id, **said})
    case.updated_at = now
    session.flush()
    return routing


def routings(session: Session, case_id: int) -> list[CaseRouting]:
    return list(
        session.scalars(
            select(CaseRouting).where(CaseRouting.case_id == case_id).order_by(CaseRouting.id)
        )
    )


def escalate_unanswered(session: Session, workspace: Workspace, now: datetime) -> list[CaseRouting]:
    """Escalates each request of the workspace whose answer is overdue, once, through on call."""
    setup = room_setup(workspace)
    due = session.scalars(
        select(CaseRouting)
        .join(Case, Case.id == CaseRouting.case_id)
        .where(
            Case.workspace_id == workspace.id,
            CaseRouting.status == "requested",
            CaseRouting.answer_by <= now,
        )
        .order_by(CaseRouting.answer_by, CaseRouting.id)
    ).all()
    for routing in due:
        case = session.get_one(Case, routing.case_id)
        minutes = int((routing.answer_by - routing.requested_at).total_seconds() // 60)
        target = routing.escalate_to or _policy_target(setup, case.severity)
        reached: list[tuple[str, str]] | None = None
        if target is not None and setup.config is not None:
            try:
                reached = recipients(setup.config, target, now)
            except KeyError:
                reached = []
        routing.status, routing.escalated_at = "escalated", now
        if not reached:
            said = wording(
                ESCALATED_NOBODY, owner=routing.owner_name, minutes=minutes, target=target or "—"
            )
            _event(session, case, now, "system", spoken(said), {"routing_id": routing.id, **said})
            continue
        title = f"Unanswered: case #{case.id} is waiting for {routing.owner_name}"
        sent = _send([url for _, url in reached], title, routing.facts, case)
        routing.sent = [*routing.sent, *({**s, "escalation": True} for s in sent)]
        who = ", ".join(dict.fromkeys(person for person, _ in reached))
        said = wording(ESCALATED, owner=routing.owner_name, minutes=minutes, who=who)
        _event(session, case, now, "system", spoken(said), {"routing_id": routing.id, **said})
    session.flush()
    return list(due)


def _policy_target(setup: RoomSetup, severity: str) -> str | None:
    """The first step of the escalation policy for this severity: who is paged first."""
    if setup.config is None:
        return None
    policy = policy_for(setup.config.escalation, severity)
    return policy.steps[0].notify if policy is not None and policy.steps else None


def _event(
    session: Session, case: Case, at: datetime, actor: str, text: str, data: dict[str, Any]
) -> None:
    session.add(
        CaseEvent(case_id=case.id, at=at, kind="routing", actor=actor, text=text, data=data)
    )
