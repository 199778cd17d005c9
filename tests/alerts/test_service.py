from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from flarewatch.alerts.models import AlertDelivery
from flarewatch.alerts.service import (
    acknowledge,
    get_alert,
    list_alerts,
    mark_noise,
    raise_alerts,
    resolve,
)
from flarewatch.db.engine import sessionmaker_for
from flarewatch.errors import InputError, InvalidTransitionError, NotFoundError

from .helpers import T0, candidate, make_posts, make_workspace

ROUTES = [
    {"url": "json://127.0.0.1:9/everything", "min_severity": "watch", "name": "hook"},
    {"url": "mailto://127.0.0.1:9?mode=insecure&to=ops@example.com", "min_severity": "crisis"},
]


@pytest.fixture
def db(any_engine: Engine) -> Iterator[Session]:
    with sessionmaker_for(any_engine)() as session:
        yield session


def _routes(db: Session, alert_id: int, status: str = "pending") -> list[str]:
    rows = db.scalars(
        select(AlertDelivery)
        .where(AlertDelivery.alert_id == alert_id, AlertDelivery.status == status)
        .order_by(AlertDelivery.id)
    )
    return [row.route for row in rows]


def test_new_alert_queues_console_and_matching_routes(db: Session) -> None:
    ws = make_workspace(db, routes=ROUTES)
    posts = make_posts(db, ws)
    [alert] = raise_alerts(db, ws, [candidate(ws, "warning", post_ids=[posts[0].id])], T0)
    db.commit()
    assert alert.id is not None
    assert (alert.status, alert.severity, alert.group_key) == ("open", "warning", "topic:brand")
    assert alert.factors[0]["name"] == "volume"
    assert alert.post_ids == [posts[0].id]
    assert _routes(db, alert.id) == ["console", "json://127.0.0.1:9/everything"]


def test_same_or_lower_severity_updates_quietly(db: Session) -> None:
    ws = make_workspace(db, routes=ROUTES)
    [alert] = raise_alerts(db, ws, [candidate(ws, "warning", post_ids=[1])], T0)
    later = T0 + timedelta(minutes=5)
    again = candidate(ws, "watch", risk=40, post_ids=[2], start=later, explanation="Calmer now.")
    assert raise_alerts(db, ws, [again], later) == []
    db.commit()
    db.refresh(alert)
    assert alert.severity == "warning"
    assert (alert.risk_score, alert.explanation) == (40, "Calmer now.")
    assert alert.post_ids == [2, 1]
    assert alert.window_start == T0
    assert alert.window_end == later + timedelta(minutes=15)
    assert len(_routes(db, alert.id)) == 2
    assert len(list_alerts(db, ws.id)) == 1


def test_higher_severity_escalates_and_reopens_an_acknowledged_alert(db: Session) -> None:
    ws = make_workspace(db, routes=ROUTES)
    [alert] = raise_alerts(db, ws, [candidate(ws, "warning")], T0)
    acknowledge(db, alert.id, "dana")
    later = T0 + timedelta(minutes=5)
    escalated = raise_alerts(db, ws, [candidate(ws, "crisis", risk=90, start=later)], later)
    db.commit()
    assert [a.id for a in escalated] == [alert.id]
    assert (alert.severity, alert.status, alert.acknowledged_by) == ("crisis", "open", None)
    # Older unsent notices are superseded; every route matching crisis gets a new one.
    assert len(_routes(db, alert.id, "skipped")) == 2
    assert _routes(db, alert.id) == [
        "console",
        "json://127.0.0.1:9/everything",
        "mailto://127.0.0.1:9?mode=insecure&to=ops@example.com",
    ]


def test_groups_are_independent_and_one_batch_groups_together(db: Session) -> None:
    ws = make_workspace(db)
    raised = raise_alerts(
        db,
        ws,
        [
            candidate(ws, "watch", group_key="topic:a"),
            candidate(ws, "watch", group_key="topic:b"),
            candidate(ws, "warning", group_key="topic:a"),
        ],
        T0,
    )
    db.commit()
    assert sorted(a.group_key for a in raised) == ["topic:a", "topic:b"]
    assert {a.group_key: a.severity for a in raised}["topic:a"] == "warning"
    assert len(list_alerts(db, ws.id)) == 2


def test_cooldown_after_resolve_and_noise(db: Session) -> None:
    ws = make_workspace(db)
    [first] = raise_alerts(db, ws, [candidate(ws, "warning")], T0)
    resolve(db, first.id, "dana", now=T0 + timedelta(minutes=20))
    assert first.acknowledged_by == "dana"
    soon = T0 + timedelta(minutes=30)
    assert raise_alerts(db, ws, [candidate(ws, "warning", start=soon)], soon) == []
    [rising] = raise_alerts(db, ws, [candidate(ws, "crisis", start=soon)], soon)
    assert rising.id != first.id and rising.status == "open"
    mark_noise(db, rising.id, "dana", now=soon)
    assert rising.status == "noise"
    after = soon + timedelta(minutes=31)
    [fresh] = raise_alerts(db, ws, [candidate(ws, "watch", start=after)], after)
    db.commit()
    assert fresh.id not in (first.id, rising.id)
    assert [a.status for a in list_alerts(db, ws.id)] == ["open", "noise", "resolved"]
    assert [a.id for a in list_alerts(db, ws.id, status="noise")] == [rising.id]


def test_cooldown_is_configurable(db: Session) -> None:
    ws = make_workspace(db)
    [first] = raise_alerts(db, ws, [candidate(ws, "warning")], T0)
    resolve(db, first.id, "dana", now=T0)
    soon = T0 + timedelta(minutes=2)
    quick = raise_alerts(db, ws, [candidate(ws, "warning")], soon, cooldown=timedelta(minutes=1))
    assert len(quick) == 1


def test_acknowledge_is_idempotent_and_workspace_scoped(db: Session) -> None:
    ws = make_workspace(db)
    other = make_workspace(db, "other")
    [alert] = raise_alerts(db, ws, [candidate(ws)], T0)
    acknowledge(db, alert.id, "dana", now=T0)
    again = acknowledge(db, alert.id, "eli", now=T0 + timedelta(minutes=1))
    db.commit()
    assert (again.status, again.acknowledged_by, again.acknowledged_at) == (
        "acknowledged",
        "dana",
        T0,
    )
    with pytest.raises(NotFoundError, match="alert #"):
        acknowledge(db, alert.id, "eve", workspace_id=other.id)
    with pytest.raises(NotFoundError):
        get_alert(db, 999_999)
    assert get_alert(db, alert.id, workspace_id=ws.id).id == alert.id


def test_closed_alerts_refuse_ack_and_noise_is_final(db: Session) -> None:
    ws = make_workspace(db)
    [alert] = raise_alerts(db, ws, [candidate(ws)], T0)
    resolve(db, alert.id, "dana")
    assert resolve(db, alert.id, "dana").status == "resolved"
    with pytest.raises(InvalidTransitionError, match="already resolved"):
        acknowledge(db, alert.id, "dana")
    assert mark_noise(db, alert.id, "dana").status == "noise"
    with pytest.raises(InvalidTransitionError, match="marked noise"):
        resolve(db, alert.id, "dana")


def test_bad_candidates_and_filters_are_input_errors(db: Session) -> None:
    ws = make_workspace(db)
    other = make_workspace(db, "other")
    with pytest.raises(InputError, match="workspace"):
        raise_alerts(db, ws, [candidate(other)], T0)
    with pytest.raises(InputError, match="unknown severity"):
        raise_alerts(db, ws, [candidate(ws, "meltdown")], T0)
    with pytest.raises(InputError, match="unknown alert status"):
        list_alerts(db, ws.id, status="sleeping")
