"""Return to routine: the follow-up watch after a response, and relapse.

Moving a case to `monitoring` starts a watch (`ensure_watch`) on the case's story (the story keys
of its alert's posts), its authors and its topics, for the workspace's `[followup] days`. It
records the level the story settled to: the story's posts (posts of its story keys or by its
authors) and the topics' negative share over the `window_hours` before the move.

After each detection cycle `check_followups` compares the last `window_hours` with that level.
The rule (`judge`): a relapse is

- the story's posts in the window at least `min_posts` and at least `volume_factor` times the
  settled count (at least once, so a story that had gone quiet counts from one), or
- the topics' posts in the window at least `min_posts` and their negative share at least
  `negative_rise` above the settled share.

A relapse reopens the case (monitoring or closed → responding, "relapse" on the timeline), raises
an alert that says so through the workspace's alert routes, and ends the watch; a person moving
the case back to responding ends it too, and so does the watch's last day passing quietly.

`phases` gives the case's volume, negative share and reach before, during and after the
response, for the case page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from flarewatch.alerts.models import Alert
from flarewatch.alerts.service import raise_alerts
from flarewatch.alerts.wording import english, spoken, wording
from flarewatch.cases.models import Case, CaseEvent
from flarewatch.cases.postmortem.data import PostRow, first_mention, load_posts, story_of
from flarewatch.cases.room_config import FollowupConfig
from flarewatch.cases.service import change_status
from flarewatch.db.base import Base, UTCDateTime, utcnow
from flarewatch.detect.explain import N_
from flarewatch.detect.types import SEVERITY_ORDER, AlertCandidate, Factor
from flarewatch.playbooks.service import follow_up_days
from flarewatch.workspaces.models import Workspace

WATCH_STARTED = N_("Follow-up watch started for %(days)s days on the story, its authors and topics")
WATCH_ENDED = N_("Follow-up watch ended: no relapse in %(days)s days")
WATCH_STOPPED = N_("Follow-up watch ended: the case is being handled again")
RELAPSE_VOLUME = N_(
    "Relapse: the story has %(posts)s posts in the last %(hours)s hours, "
    "%(settled)s when monitoring began"
)
RELAPSE_NEGATIVE = N_(
    "Relapse: the negative share is %(share)s in the last %(hours)s hours, "
    "%(settled)s when monitoring began"
)
RELAPSE_TITLE = N_("Case #%(case)s relapsed")


class CaseFollowup(Base):
    """One watch of a case after its response (migration 0018)."""

    __tablename__ = "case_followup"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("crisis_case.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="watching")  # relapsed, ended
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    topic_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    story_keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    author_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # The level the story settled to: {"story_posts", "posts", "negative_share", "hours"}.
    settled: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    relapse: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    relapse_alert_id: Mapped[int | None] = mapped_column(
        ForeignKey("alert.id", ondelete="SET NULL"), nullable=True
    )
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


@dataclass(frozen=True)
class Level:
    """The watched figures over one window."""

    story_posts: int
    posts: int
    negative_share: float

    def as_dict(self, hours: int) -> dict[str, Any]:
        return {
            "story_posts": self.story_posts,
            "posts": self.posts,
            "negative_share": self.negative_share,
            "hours": hours,
        }


@dataclass(frozen=True)
class Phase:
    """A stretch of the case: its posts, posts per hour, negative share and reach."""

    key: str  # before, during, after
    start: datetime
    end: datetime
    posts: int
    per_hour: float
    negative_share: float
    reach: float


def settings_for(workspace: Workspace) -> FollowupConfig:
    return FollowupConfig.model_validate((workspace.config or {}).get("followup") or {})


def level(posts: Sequence[PostRow], story_keys: Sequence[str], author_ids: Sequence[int]) -> Level:
    keys, authors = set(story_keys), set(author_ids)
    story = sum(
        1
        for p in posts
        if (p.story_key is not None and p.story_key in keys)
        or (p.author_id is not None and p.author_id in authors)
    )
    negative = sum(1 for p in posts if p.sentiment == "negative")
    return Level(story, len(posts), negative / len(posts) if posts else 0.0)


def judge(settled: Level, recent: Level, rule: FollowupConfig) -> dict[str, Any] | None:
    """The stated relapse rule (module docstring): what rose, with its figures, or None."""
    if recent.story_posts >= rule.min_posts and recent.story_posts >= rule.volume_factor * max(
        settled.story_posts, 1
    ):
        return {"kind": "volume", "posts": recent.story_posts, "settled": settled.story_posts}
    if (
        recent.posts >= rule.min_posts
        and recent.negative_share >= settled.negative_share + rule.negative_rise
    ):
        return {
            "kind": "negative",
            "share": recent.negative_share,
            "settled": settled.negative_share,
        }
    return None


def relapse_wording(relapse: dict[str, Any], hours: int) -> dict[str, Any]:
    if relapse["kind"] == "volume":
        return wording(
            RELAPSE_VOLUME, posts=relapse["posts"], hours=hours, settled=relapse["settled"]
        )
    return wording(
        RELAPSE_NEGATIVE,
        share=_percent(relapse["share"]),
        hours=hours,
        settled=_percent(relapse["settled"]),
    )


def _percent(share: float) -> str:
    return f"{round(share * 100)}%"


def current_watch(session: Session, case_id: int) -> CaseFollowup | None:
    """The case's latest watch (watching, relapsed or ended), or None."""
    return session.scalars(
        select(CaseFollowup)
        .where(CaseFollowup.case_id == case_id)
        .order_by(CaseFollowup.started_at.desc(), CaseFollowup.id.desc())
        .limit(1)
    ).first()


def _monitoring_since(session: Session, case: Case) -> datetime | None:
    return session.scalar(
        select(CaseEvent.at)
        .where(CaseEvent.case_id == case.id, CaseEvent.kind == "status")
        .where(CaseEvent.data["to"].as_string() == "monitoring")
        .order_by(CaseEvent.at.desc(), CaseEvent.id.desc())
        .limit(1)
    )


def ensure_watch(
    session: Session, case: Case, now: datetime | None = None, *, days: int | None = None
) -> CaseFollowup | None:
    """Starts the watch of a case in monitoring unless this move to monitoring has one already.
    Idempotent: the status change, the CLI and each detection cycle may all call it.

    The watch lasts `days`; None (the default): the longest `follow_up_days` of the playbooks
    applied to the case (`playbooks/service.py`, `follow_up_days`), else the workspace's
    `[followup] days`."""
    if case.status != "monitoring":
        return None
    since = _monitoring_since(session, case) or now or utcnow()
    watch = current_watch(session, case.id)
    if watch is not None and watch.started_at >= since:
        return watch
    if watch is not None and watch.status == "watching":
        watch.status, watch.ended_at = "ended", since
    workspace = session.get_one(Workspace, case.workspace_id)
    rule = settings_for(workspace)
    if days is None:
        days = follow_up_days(session, case)
    if days is not None:
        rule = rule.model_copy(update={"days": days})
    alert = session.get(Alert, case.alert_id) if case.alert_id is not None else None
    topic_ids = list(alert.topic_ids) if alert is not None else []
    story_keys, author_ids = story_of(session, alert)
    window = timedelta(hours=rule.window_hours)
    posts = load_posts(session, case.workspace_id, topic_ids, since - window, since)
    watch = CaseFollowup(
        case_id=case.id,
        status="watching",
        started_at=since,
        until=since + timedelta(days=rule.days),
        topic_ids=topic_ids,
        story_keys=story_keys,
        author_ids=author_ids,
        settled=level(posts, story_keys, author_ids).as_dict(rule.window_hours),
    )
    session.add(watch)
    said = wording(WATCH_STARTED, days=rule.days)
    _event(session, case, since, spoken(said), {"until": watch.until.isoformat(), **said})
    session.flush()
    return watch


def check_followups(session: Session, workspace: Workspace, now: datetime) -> list[Case]:
    """One check of the workspace's watches (after each detection cycle); returns the cases a
    relapse reopened. Cases moved to monitoring by any path get their watch here at the latest."""
    rule = settings_for(workspace)
    monitoring = session.scalars(
        select(Case).where(Case.workspace_id == workspace.id, Case.status == "monitoring")
    ).all()
    for case in monitoring:
        ensure_watch(session, case, now)
    watches = session.scalars(
        select(CaseFollowup)
        .join(Case, Case.id == CaseFollowup.case_id)
        .where(Case.workspace_id == workspace.id, CaseFollowup.status == "watching")
        .order_by(CaseFollowup.id)
    ).all()
    reopened: list[Case] = []
    for watch in watches:
        case = session.get_one(Case, watch.case_id)
        if case.status not in ("monitoring", "closed"):
            watch.status, watch.ended_at = "ended", now
            said = wording(WATCH_STOPPED)
            _event(session, case, now, spoken(said), dict(said))
            continue
        if now >= watch.until:
            watch.status, watch.ended_at = "ended", watch.until
            said = wording(WATCH_ENDED, days=(watch.until - watch.started_at).days)
            _event(session, case, watch.until, spoken(said), dict(said))
            continue
        watch.checked_at = now
        hours = int(watch.settled.get("hours") or rule.window_hours)
        start = max(watch.started_at, now - timedelta(hours=hours))
        posts = load_posts(session, case.workspace_id, watch.topic_ids, start, now)
        settled = Level(
            int(watch.settled.get("story_posts") or 0),
            int(watch.settled.get("posts") or 0),
            float(watch.settled.get("negative_share") or 0.0),
        )
        relapse = judge(settled, level(posts, watch.story_keys, watch.author_ids), rule)
        if relapse is not None:
            _relapse(session, workspace, case, watch, relapse, hours, now)
            reopened.append(case)
    session.flush()
    return reopened


def _relapse(
    session: Session,
    workspace: Workspace,
    case: Case,
    watch: CaseFollowup,
    relapse: dict[str, Any],
    hours: int,
    now: datetime,
) -> None:
    said = relapse_wording(relapse, hours)
    title = wording(RELAPSE_TITLE, case=case.id)
    why = Factor(
        name="relapse",
        text=spoken(said),
        observed=float(relapse.get("posts", relapse.get("share", 0.0))),
        expected=float(relapse["settled"]),
        message=said["message"],
        params=said["params"],
    )
    severity = case.severity if case.severity in SEVERITY_ORDER else "warning"
    candidate = AlertCandidate(
        workspace_id=workspace.id,
        topic_id=watch.topic_ids[0] if watch.topic_ids else None,
        group_key=f"relapse:case:{case.id}",
        severity=severity,
        risk_score=0.0,
        title=english(title["message"], **title["params"]),
        title_message=title,
        explanation=why.text,
        factors=[why],
        window_start=now - timedelta(hours=hours),
        window_end=now,
    )
    raised = raise_alerts(session, workspace, [candidate], now)
    alert_id = raised[0].id if raised else None
    watch.status, watch.ended_at = "relapsed", now
    watch.relapse, watch.relapse_alert_id = (
        {**relapse, "hours": hours, "at": now.isoformat()},
        alert_id,
    )
    change_status(session, case.id, "responding", "system")
    _event(session, case, now, spoken(said), {"alert_id": alert_id, "relapse": relapse, **said})


def _event(session: Session, case: Case, at: datetime, text: str, data: dict[str, Any]) -> None:
    session.add(
        CaseEvent(case_id=case.id, at=at, kind="followup", actor="system", text=text, data=data)
    )


def phases(session: Session, case: Case, now: datetime | None = None) -> list[Phase]:
    """Volume, negative share and reach before the story (the day before its first post),
    during the response (first post → monitoring) and after it (monitoring → now, or the
    watch's end)."""
    now = now or utcnow()
    alert = session.get(Alert, case.alert_id) if case.alert_id is not None else None
    if alert is None:
        return []
    topic_ids = list(alert.topic_ids)
    story_keys, _ = story_of(session, alert)
    seed = alert.window_start
    early = load_posts(session, case.workspace_id, topic_ids, seed - timedelta(days=1), seed)
    began = first_mention(early, story_keys, alert.post_ids) or seed
    watch = current_watch(session, case.id)
    # The response ended when the case moved to monitoring (its watch's start, else the last
    # such move on the timeline).
    settled_at = watch.started_at if watch is not None else _monitoring_since(session, case)
    bounds = [("before", began - timedelta(days=1), began)]
    if settled_at is None or settled_at <= began:
        bounds.append(("during", began, max(now, began)))
    else:
        end = min(now, watch.ended_at or watch.until) if watch is not None else now
        bounds += [("during", began, settled_at), ("after", settled_at, max(end, settled_at))]
    out = []
    for key, start, end in bounds:
        posts = load_posts(session, case.workspace_id, topic_ids, start, end)
        hours = max((end - start).total_seconds() / 3600, 1 / 60)
        negative = sum(1 for p in posts if p.sentiment == "negative")
        out.append(
            Phase(
                key=key,
                start=start,
                end=end,
                posts=len(posts),
                per_hour=len(posts) / hours,
                negative_share=negative / len(posts) if posts else 0.0,
                reach=sum(p.reach for p in posts),
            )
        )
    return out
