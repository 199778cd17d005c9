"""Through the runner: each cycle escalates the draft approvals left unanswered past their
step's time, once (comms/approval_escalation.py, called from runtime/embedded.py)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flarewatch.accounts import service as accounts
from flarewatch.comms import approvals, drafts
from flarewatch.comms.approval_models import DraftApproval
from flarewatch.config.workspace import WorkspaceConfig
from flarewatch.db.engine import create_db_engine, session_scope
from flarewatch.db.migrate import upgrade
from flarewatch.runtime.embedded import EmbeddedRunner
from tests.alerts.conftest import start_http_receiver
from tests.cases.crisis import T0, make_crisis

MINUTE = timedelta(minutes=1)


def test_a_cycle_escalates_an_unanswered_approval_once(tmp_path: Path) -> None:
    server, receiver = start_http_receiver()
    engine = create_db_engine(f"sqlite:///{tmp_path / 'run.db'}")
    upgrade(engine)
    try:
        with session_scope(engine) as session:
            crisis = make_crisis(session, settle=False)
            crisis.source.enabled = False  # nothing to poll
            for email in ("writer@acme.test", "legal@acme.test"):
                accounts.add_member(
                    session, crisis.workspace, accounts.create_user(session, email), "responder"
                )
            crisis.workspace.config = WorkspaceConfig.model_validate(
                {
                    "slug": "acme",
                    "name": "Acme Burgers",
                    "people": [{"key": "dana", "notify": [receiver.url("dana")]}],
                    "rotas": [
                        {
                            "key": "duty",
                            "rotation": "daily",
                            "handover": "09:00",
                            "members": ["dana"],
                        }
                    ],
                    "approvals": {
                        "steps": [
                            {
                                "name": "legal",
                                "approvers": ["member:legal@acme.test"],
                                "answer_within_minutes": 20,
                                "escalate_to": "rota:duty",
                            }
                        ]
                    },
                }
            ).model_dump(mode="json")
            draft = drafts.create_draft(
                session,
                crisis.case.id,
                "We are sorry; an update follows at 18:00.",
                "writer@acme.test",
                workspace_id=crisis.workspace.id,
                platform="x",
                now=T0,
            )
            approvals.submit(
                session, draft.id, "writer@acme.test", workspace_id=crisis.workspace.id, now=T0
            )

        EmbeddedRunner(engine, clock=lambda: T0 + 10 * MINUTE).cycle(["acme"])
        assert receiver.requests == []
        EmbeddedRunner(engine, clock=lambda: T0 + 25 * MINUTE).cycle(["acme"])
        EmbeddedRunner(engine, clock=lambda: T0 + 50 * MINUTE).cycle(["acme"])
        assert [path for path, _ in receiver.requests] == ["/dana"]
        assert "/drafts/" in receiver.requests[0][1]["message"]
        with session_scope(engine) as session:
            row = session.query(DraftApproval).one()
            assert (row.status, row.escalated_at) == ("pending", T0 + 25 * MINUTE)
    finally:
        server.shutdown()
        server.server_close()
        engine.dispose()
