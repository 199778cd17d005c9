"""A case's measurable goals and how each one stands now.

Goals come from a playbook (`playbooks/service.apply_playbook`) or are added by hand: the first
public answer within N minutes, the negative share under a target within N minutes, the volume
back to its usual level within N minutes, each counted from the case's start (`opened_at`).
They are judged live, whenever the case page or the API asks, from the stored mentions (the
per-minute rollups of the alert's topics) and the timeline (`response` entries), so a goal is
met or missed at the moment the data says, not when somebody looked.

The judging is pure (`judge_first_response`, `judge_negative_share`, `judge_volume`); `goal_states`
gathers the facts from the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from flarewatch.alerts.models import Alert
from flarewatch.alerts.wording import spoken, wording
from flarewatch.cases.models import Case, CaseEvent
from flarewatch.cases.service import get_case
from flarewatch.db.base import Base, UTCDateTime, utcnow
from flarewatch.detect.explain import N_
from flarewatch.errors import InputError
from flarewatch.mentions.models import Rollup

GOAL_KINDS = ("first_response", "negative_share", "volume_baseline")
DEFAULT_NEGATIVE_SHARE = 0.2
RESPONSE_RECORDED = N_("Public answer recorded: %(where)s")
# The negative share is judged over the last hours' mentions, once there are enough of them.
SHARE_WINDOW_HOURS = 6
SHARE_MIN_MENTIONS = 5
# Back to the usual level: three hours in a row at or under 1.25 x the usual hourly volume
# (the week before the case), or at most one mention an hour for a topic that was quiet.
BASELINE_DAYS = 7
BASELINE_TOLERANCE = 1.25
BASELINE_HOURS = 3
HOUR = timedelta(hours=1)


class CaseGoal(Base):
    __tablename__ = "case_goal"
    __table_args__ = (UniqueConstraint("case_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("crisis_case.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    target: Mapped[float | None] = mapped_column(Float, nullable=True)
    within_minutes: Mapped[int] = mapped_column(Integer)
    playbook: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@dataclass(frozen=True, slots=True)
class Verdict:
    state: str  # met, missed, pending
    at: datetime | None  # when it was met, or the deadline it was missed at / is due
    value: float | None = None  # the latest measure: minutes, share, mentions per hour


@dataclass(frozen=True, slots=True)
class GoalState:
    id: int
    kind: str
    target: float | None
    within_minutes: int
    playbook: str | None
    deadline: datetime
    state: str
    at: datetime | None
    value: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "target": self.target,
            "within_minutes": self.within_minutes,
            "playbook": self.playbook,
            "deadline": self.deadline,
            "state": self.state,
            "at": self.at,
            "value": self.value,
        }


def judge_first_response(
    start: datetime, deadline: datetime, answers: Sequence[datetime], now: datetime
) -> Verdict:
    """Met at the first public answer on or before the deadline."""
    first = min((a for a in answers if a >= start), default=None)
    if first is not None and first <= deadline:
        return Verdict("met", first, (first - start).total_seconds() / 60)
    if now > deadline:
        return Verdict("missed", deadline, None)
    return Verdict("pending", deadline, None)


def judge_negative_share(
    start: datetime,
    deadline: datetime,
    hours: Sequence[tuple[datetime, int, int]],
    target: float,
    now: datetime,
) -> Verdict:
    """Met at the end of the first full hour before the deadline whose last
    `SHARE_WINDOW_HOURS` hours hold at least `SHARE_MIN_MENTIONS` mentions, fewer than `target`
    of them negative.

    `hours` is (hour start, mentions, negative mentions) per hour from the case's start.
    """
    by_hour = {h: (count, negative) for h, count, negative in hours}
    latest: float | None = None
    first = hour = _hour(start)
    while hour + HOUR <= min(now, deadline):
        earlier = (hour - HOUR * i for i in range(SHARE_WINDOW_HOURS))
        window = [by_hour.get(h, (0, 0)) for h in earlier if h >= first]
        count = sum(c for c, _ in window)
        if count >= SHARE_MIN_MENTIONS:
            latest = sum(n for _, n in window) / count
            if latest < target:
                return Verdict("met", hour + HOUR, latest)
        hour += HOUR
    return Verdict("missed" if now > deadline else "pending", deadline, latest)


def judge_volume(
    start: datetime,
    deadline: datetime,
    hours: Sequence[tuple[datetime, int, int]],
    usual_per_hour: float,
    now: datetime,
) -> Verdict:
    """Met when, after the busiest hour since the start, `BASELINE_HOURS` full hours in a row
    stay at or under the usual level; the time is the start of that calm run."""
    ceiling = max(1.0, usual_per_hour * BASELINE_TOLERANCE)
    counts = {h: count for h, count, _ in hours}
    first = _hour(start)
    last = _hour(min(now, deadline + HOUR * BASELINE_HOURS))
    span = [first + HOUR * i for i in range(int((last - first) / HOUR))]
    if not span:
        return Verdict("pending" if now <= deadline else "missed", deadline, None)
    peak = max(span, key=lambda h: (counts.get(h, 0), -h.timestamp()))
    run_start: datetime | None = None
    run = 0
    for hour in span:
        if hour <= peak:
            continue
        if hour + HOUR > now:
            break
        if counts.get(hour, 0) <= ceiling:
            run_start = run_start or hour
            run += 1
            if run >= BASELINE_HOURS and run_start <= deadline:
                return Verdict("met", run_start, float(counts.get(hour, 0)))
        else:
            run_start, run = None, 0
    latest = float(counts.get(span[-1], 0))
    return Verdict("missed" if now > deadline else "pending", deadline, latest)


def judge(
    goal: CaseGoal,
    start: datetime,
    now: datetime,
    *,
    answers: Sequence[datetime],
    hours: Sequence[tuple[datetime, int, int]],
    usual_per_hour: float,
) -> Verdict:
    deadline = start + timedelta(minutes=goal.within_minutes)
    if goal.kind == "first_response":
        return judge_first_response(start, deadline, answers, now)
    if goal.kind == "negative_share":
        return judge_negative_share(start, deadline, hours, goal.target or 0.2, now)
    return judge_volume(start, deadline, hours, usual_per_hour, now)


def _hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def add_goal(
    session: Session,
    case_id: int,
    kind: str,
    within_minutes: int,
    actor: str,
    *,
    target: float | None = None,
    playbook: str | None = None,
    workspace_id: int | None = None,
) -> CaseGoal:
    """Adds a goal, or changes the case's goal of this kind (one per kind)."""
    case = get_case(session, case_id, workspace_id=workspace_id)
    if kind not in GOAL_KINDS:
        raise InputError(f"unknown goal {kind!r}; use one of {', '.join(GOAL_KINDS)}")
    if within_minutes <= 0:
        raise InputError("a goal needs a time limit in minutes above 0, e.g. 60")
    if kind == "negative_share" and target is None:
        target = DEFAULT_NEGATIVE_SHARE
    if kind == "negative_share" and not (target is not None and 0 < target < 1):
        raise InputError("a negative share goal needs a target between 0 and 1, e.g. 0.2")
    goal = session.scalars(
        select(CaseGoal).where(CaseGoal.case_id == case.id, CaseGoal.kind == kind)
    ).first()
    if goal is None:
        goal = CaseGoal(case_id=case.id, kind=kind, created_by=actor, created_at=utcnow())
        session.add(goal)
    goal.within_minutes, goal.target, goal.playbook = within_minutes, target, playbook
    session.flush()
    return goal


def case_goals(session: Session, case_id: int) -> list[CaseGoal]:
    rows = session.scalars(select(CaseGoal).where(CaseGoal.case_id == case_id)).all()
    return sorted(rows, key=lambda g: GOAL_KINDS.index(g.kind) if g.kind in GOAL_KINDS else 99)


def record_response(
    session: Session,
    case_id: int,
    where: str,
    actor: str,
    *,
    at: datetime | None = None,
    workspace_id: int | None = None,
) -> CaseEvent:
    """A public answer was published (its link or where): a `response` timeline entry, which
    the first-answer goal counts from."""
    case = get_case(session, case_id, workspace_id=workspace_id)
    clean = where.strip()
    if not clean:
        raise InputError("say where the answer was published, e.g. its link")
    if at is not None and at.tzinfo is None:
        raise InputError("the time of the answer needs a timezone, e.g. 2024-05-07T18:00+02:00")
    said = wording(RESPONSE_RECORDED, where=clean)
    event = CaseEvent(
        case_id=case.id,
        at=at or utcnow(),
        kind="response",
        actor=actor,
        text=spoken(said),
        data={"where": clean, **said},
    )
    session.add(event)
    case.updated_at = utcnow()
    session.flush()
    return event


def goal_states(session: Session, case: Case, *, now: datetime | None = None) -> list[GoalState]:
    """Every goal of the case as it stands at `now`, from stored mentions and the timeline."""
    goals = case_goals(session, case.id)
    if not goals:
        return []
    now = now or utcnow()
    start = case.opened_at
    answers = list(
        session.scalars(
            select(CaseEvent.at).where(CaseEvent.case_id == case.id, CaseEvent.kind == "response")
        )
    )
    alert = session.get(Alert, case.alert_id) if case.alert_id is not None else None
    topic_ids = list(alert.topic_ids or []) if alert is not None else []
    longest = max(g.within_minutes for g in goals)
    until = min(now, start + timedelta(minutes=longest) + HOUR * (BASELINE_HOURS + 1))
    hours = hourly(session, topic_ids, _hour(start), until)
    usual = usual_per_hour(session, topic_ids, start)
    states = []
    for goal in goals:
        verdict = judge(goal, start, now, answers=answers, hours=hours, usual_per_hour=usual)
        states.append(
            GoalState(
                id=goal.id,
                kind=goal.kind,
                target=goal.target,
                within_minutes=goal.within_minutes,
                playbook=goal.playbook,
                deadline=start + timedelta(minutes=goal.within_minutes),
                state=verdict.state,
                at=verdict.at,
                value=verdict.value,
            )
        )
    return states


def hourly(
    session: Session, topic_ids: Sequence[int], since: datetime, until: datetime
) -> list[tuple[datetime, int, int]]:
    """(hour, mentions, negative mentions) of the topics' rollups, summed per hour."""
    if not topic_ids or until <= since:
        return []
    buckets: dict[datetime, list[int]] = {}
    rows = session.execute(
        select(Rollup.minute, Rollup.count, Rollup.negative_count).where(
            Rollup.topic_id.in_(list(topic_ids)),
            Rollup.minute >= since,
            Rollup.minute < until,
        )
    )
    for minute, count, negative in rows:
        bucket = buckets.setdefault(_hour(minute), [0, 0])
        bucket[0] += int(count)
        bucket[1] += int(negative)
    return sorted((h, c, n) for h, (c, n) in buckets.items())


def usual_per_hour(session: Session, topic_ids: Sequence[int], start: datetime) -> float:
    """Mentions per hour in the week before the case started."""
    if not topic_ids:
        return 0.0
    total = session.scalar(
        select(func.coalesce(func.sum(Rollup.count), 0)).where(
            Rollup.topic_id.in_(list(topic_ids)),
            Rollup.minute >= start - timedelta(days=BASELINE_DAYS),
            Rollup.minute < start,
        )
    )
    return float(total or 0) / (BASELINE_DAYS * 24)
