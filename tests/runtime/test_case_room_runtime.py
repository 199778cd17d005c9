"""Through the runner: after detection, each cycle checks the cases' follow-up watches (a
relapse reopens its case with an alert, delivered with the cycle's deliveries) and escalates
routing requests left unanswered."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from flarewatch.alerts.models import Alert
from flarewatch.cases import service
from flarewatch.cases.followup import current_watch, ensure_watch
from flarewatch.cases.models import Case
from flarewatch.db.engine import create_db_engine, session_scope
from flarewatch.db.migrate import upgrade
from flarewatch.runtime.embedded import EmbeddedRunner
from tests.cases.crisis import STORY, T0, add_post, make_crisis, stamp_events

HOUR = timedelta(hours=1)


def test_a_cycle_reopens_a_relapsed_case(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'run.db'}")
    upgrade(engine)
    with session_scope(engine) as session:
        crisis = make_crisis(session)
        crisis.source.enabled = False  # nothing to poll: the posts are written here
        service.change_status(session, crisis.case.id, "monitoring", "dana")
        stamp_events(session, crisis.case, T0 + 12 * HOUR)
        ensure_watch(session, crisis.case)
        for i in range(12):
            add_post(session, crisis, T0 + 20 * HOUR + i * timedelta(minutes=4), story=STORY)
        case_id = crisis.case.id

    report = EmbeddedRunner(engine, clock=lambda: T0 + 21 * HOUR).cycle(["acme"])

    assert report.cases_reopened == [case_id]
    with session_scope(engine) as session:
        assert session.get_one(Case, case_id).status == "responding"
        watch = current_watch(session, case_id)
        assert watch is not None and watch.status == "relapsed"
        relapse = session.scalars(select(Alert).where(Alert.id == watch.relapse_alert_id)).one()
        assert relapse.title == f"Case #{case_id} relapsed"
    engine.dispose()
