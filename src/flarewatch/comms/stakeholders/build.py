"""What a stakeholder update says, gathered from the case record (no I/O beyond the database).

Status, severity, owner and roles; what changed since the last update to this audience (posts,
negative share and reach of the case's topics since then, against the figures the last update
reported, and the alert entries on the timeline since); the key posts; the tasks done, open and
overdue; the approved statements (only the locked, approved text: the approval gate
`comms.drafts.approved_text`); the next steps (open tasks, soonest due first) and when the next
update comes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import case as when_then
from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from flarewatch.alerts.key_posts import key_posts
from flarewatch.alerts.message import excerpt
from flarewatch.alerts.models import Alert
from flarewatch.cases.models import Case, CaseEvent, Task
from flarewatch.cases.roles import ROLE_NAMES, holders, role_defs
from flarewatch.comms.drafts import approved_text, case_drafts, is_publishable
from flarewatch.mentions.models import Mention
from flarewatch.workspaces.models import Workspace

KEY_POSTS = 3
NEXT_STEPS = 5
STATEMENT_CHARS = 600
POST_CHARS = 160


@dataclass(frozen=True, slots=True)
class Figures:
    """Posts of the case's topics in a stretch of time (spam left out)."""

    posts: int
    negative: int
    reach: float

    @property
    def negative_share(self) -> float | None:
        return self.negative / self.posts if self.posts else None

    def as_dict(self) -> dict[str, Any]:
        return {"posts": self.posts, "negative": self.negative, "reach": self.reach}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Figures | None:
        if not data or "posts" not in data:
            return None
        return cls(int(data["posts"]), int(data.get("negative", 0)), float(data.get("reach", 0)))


@dataclass(frozen=True, slots=True)
class RoleLine:
    role: str  # the built-in role's key (translated) or the workspace's own name
    builtin: bool
    person: str


@dataclass(frozen=True, slots=True)
class PostLine:
    text: str  # excerpted
    platform: str
    author: str | None
    url: str | None
    reach: float
    sentiment: str


@dataclass(frozen=True, slots=True)
class TaskLine:
    id: int
    title: str
    assignee: str | None
    due_at: datetime | None


@dataclass(frozen=True, slots=True)
class Statement:
    draft_id: int
    version: int
    kind: str
    platform: str
    text: str


@dataclass(slots=True)
class CaseSummary:
    audience: str
    workspace: str
    timezone: str
    case_id: int
    title: str
    title_message: dict[str, Any] | None
    status: str
    severity: str
    owner: str | None
    opened_at: datetime
    since: datetime  # the last update to this audience, or the case's opening
    now: datetime
    figures: Figures
    previous: Figures | None  # what the last update reported; None for the first
    next_update: datetime | None
    roles: list[RoleLine] = field(default_factory=list)
    # The alert entries written on the timeline since: (stored message, English text).
    alerts: list[tuple[dict[str, Any] | None, str]] = field(default_factory=list)
    posts: list[PostLine] = field(default_factory=list)
    tasks_done: int = 0
    tasks_open: int = 0
    overdue: list[TaskLine] = field(default_factory=list)
    next_steps: list[TaskLine] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)


def case_alert_ids(session: Session, case: Case) -> list[int]:
    """The alert that opened the case and every alert written on its timeline since."""
    ids = [case.alert_id] if case.alert_id is not None else []
    rows = session.scalars(
        select(CaseEvent.data).where(CaseEvent.case_id == case.id, CaseEvent.kind == "alert")
    )
    for data in rows:
        value = (data or {}).get("alert_id")
        if isinstance(value, int):
            ids.append(value)
    return list(dict.fromkeys(ids))


def case_topic_ids(session: Session, case: Case) -> list[int]:
    topics: list[int] = []
    for alert_id in case_alert_ids(session, case):
        alert = session.get(Alert, alert_id)
        if alert is not None:
            topics += alert.topic_ids
    return list(dict.fromkeys(topics))


def figures(session: Session, topic_ids: list[int], start: datetime, end: datetime) -> Figures:
    """Posts (each counted once, whatever number of topics it matched), negative ones and
    their reach, in [start, end)."""
    if not topic_ids or end <= start:
        return Figures(0, 0, 0.0)
    per_post = (
        select(
            Mention.raw_post_id.label("post"),
            func.max(Mention.reach).label("reach"),
            func.max(when_then((Mention.sentiment == "negative", 1), else_=0)).label("neg"),
        )
        .where(
            Mention.topic_id.in_(topic_ids),
            Mention.created_at >= start,
            Mention.created_at < end,
            Mention.is_spam.is_(False),
        )
        .group_by(Mention.raw_post_id)
        .subquery()
    )
    posts, negative, reach = session.execute(
        select(
            func.count(distinct(per_post.c.post)),
            func.coalesce(func.sum(per_post.c.neg), 0),
            func.coalesce(func.sum(per_post.c.reach), 0.0),
        )
    ).one()
    return Figures(int(posts), int(negative), float(reach))


def approved_statements(session: Session, case: Case) -> list[Statement]:
    """The case's drafts whose current text is approved, oldest first: the approved, locked
    text only (through the gate; a draft changed after approval is left out)."""
    out = []
    for draft in reversed(case_drafts(session, case.id)):
        if not is_publishable(draft):
            continue
        version = approved_text(session, draft)
        text = version.text
        if len(text) > STATEMENT_CHARS:
            text = excerpt(text, STATEMENT_CHARS)
        out.append(Statement(draft.id, version.number, draft.kind, draft.platform, text))
    return out


def build_summary(
    session: Session,
    case: Case,
    audience: str,
    *,
    since: datetime,
    now: datetime,
    previous: Figures | None,
    next_update: datetime | None,
) -> CaseSummary:
    workspace = session.get_one(Workspace, case.workspace_id)
    topic_ids = case_topic_ids(session, case)
    summary = CaseSummary(
        audience=audience,
        workspace=workspace.name,
        timezone=workspace.timezone or "UTC",
        case_id=case.id,
        title=case.title,
        title_message=case.title_message,
        status=case.status,
        severity=case.severity,
        owner=case.owner,
        opened_at=case.opened_at,
        since=since,
        now=now,
        figures=figures(session, topic_ids, since, now),
        previous=previous,
        next_update=next_update,
    )
    defs = {role.key: role for role in role_defs(workspace)}
    for key, held in sorted(holders(session, case.id).items()):
        definition = defs.get(key)
        own_name = definition.name if definition is not None else None
        builtin = not own_name and key in ROLE_NAMES
        summary.roles.append(RoleLine(key if builtin else (own_name or key), builtin, held.person))
    events = session.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.kind == "alert", CaseEvent.at > since)
        .order_by(CaseEvent.at, CaseEvent.id)
    )
    for event in events:
        data = event.data or {}
        stored = {"message": data.get("message"), "params": data.get("params")}
        summary.alerts.append((stored if data.get("message") else None, event.text))
    alert = session.get(Alert, case.alert_id) if case.alert_id is not None else None
    if alert is not None:
        for post in key_posts(session, alert, KEY_POSTS):
            summary.posts.append(
                PostLine(
                    text=excerpt(post.post.text, POST_CHARS),
                    platform=post.post.platform,
                    author=post.author,
                    url=post.post.url,
                    reach=post.reach,
                    sentiment=post.sentiment,
                )
            )
    _tasks(session, case, summary)
    summary.statements = approved_statements(session, case)
    return summary


def _tasks(session: Session, case: Case, summary: CaseSummary) -> None:
    rows = session.scalars(select(Task).where(Task.case_id == case.id).order_by(Task.id)).all()
    open_rows = [t for t in rows if t.status != "done"]
    summary.tasks_done = len(rows) - len(open_rows)
    summary.tasks_open = len(open_rows)

    def line(task: Task) -> TaskLine:
        return TaskLine(task.id, task.title, task.assignee, task.due_at)

    summary.overdue = [
        line(t) for t in open_rows if t.due_at is not None and t.due_at < summary.now
    ]
    # Next steps: what is open and not yet late, soonest due first (undated ones last).
    upcoming = [t for t in open_rows if t.due_at is None or t.due_at >= summary.now]
    upcoming.sort(key=lambda t: (t.due_at is None, t.due_at or summary.now, t.id))
    summary.next_steps = [line(t) for t in upcoming[:NEXT_STEPS]]
