"""The pipeline re-scores an alert's mentions with the workspace's accurate model (the demo)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from sqlalchemy import Engine, select

from flarewatch.alerts.models import Alert, AlertDelivery
from flarewatch.db.engine import session_scope
from flarewatch.demo.run import prepare_demo, replay_all
from flarewatch.enrich.sentiment import registry
from flarewatch.mentions.models import Mention
from flarewatch.runtime.embedded import EmbeddedRunner
from flarewatch.workspaces.models import Workspace


class WormModel:
    """A test backend under the `use` name: a post about a worm is negative."""

    def predict(self, texts: Sequence[str], languages: Sequence[str]) -> list[tuple[str, float]]:
        return [
            ("negative", -0.9) if ("worm" in t.lower() or "תולע" in t) else ("neutral", 0.0)
            for t in texts
        ]


@pytest.fixture
def accurate() -> Iterator[None]:
    registry.register_sentiment_model("use", WormModel)
    yield
    registry.register_sentiment_model("use", lambda: registry.build_backend("use"))


def _configure(engine: Engine, workspace_id: int, **config: Any) -> None:
    with session_scope(engine) as session:
        ws = session.get_one(Workspace, workspace_id)
        ws.config = {**ws.config, **config}


def _live_alert(engine: Engine) -> tuple[int, str | None, dict[str, Any] | None, str]:
    with session_scope(engine) as session:
        [alert] = session.scalars(select(Alert).where(Alert.status != "merged")).all()
        return alert.id, alert.sentiment_backend, alert.rescore, alert.explanation


def test_the_demo_alert_rests_on_the_accurate_scores(engine: Engine, accurate: None) -> None:
    setup = prepare_demo(engine, 0)
    _configure(
        engine, setup.workspace_id, alert_sentiment_backend="use", alert_rescore_budget_seconds=60
    )
    replay_all(engine, setup)
    _, backend, rescore, _ = _live_alert(engine)
    assert backend == "use"
    assert rescore is not None and rescore["state"] == "done" and rescore["scored"] > 0
    with session_scope(engine) as session:
        scored = [
            m.enrichment["accurate_sentiment"]
            for m in session.scalars(select(Mention))
            if "accurate_sentiment" in (m.enrichment or {})
        ]
        assert scored and all(s["backend"] == "use" for s in scored)


def test_a_cut_budget_sends_fast_scores_and_a_later_cycle_updates_the_alert(
    engine: Engine, accurate: None
) -> None:
    setup = prepare_demo(engine, 0)
    _configure(
        engine, setup.workspace_id, alert_sentiment_backend="use", alert_rescore_budget_seconds=0
    )
    replay_all(engine, setup)
    alert_id, backend, rescore, _ = _live_alert(engine)
    assert backend == "default"
    assert rescore is not None and rescore["state"] == "pending" and rescore["pending"]
    with session_scope(engine) as session:
        deliveries = len(session.scalars(select(AlertDelivery)).all())

    _configure(engine, setup.workspace_id, alert_rescore_budget_seconds=60)
    EmbeddedRunner(engine).cycle([setup.slug])
    same_id, backend, rescore, _ = _live_alert(engine)
    assert same_id == alert_id and backend == "use"
    assert rescore is not None and rescore["state"] == "done"
    with session_scope(engine) as session:
        # An update: no second notification for it.
        assert len(session.scalars(select(AlertDelivery)).all()) == deliveries
