"""`flarewatch stakeholders preview|send|due` and `flarewatch advocates list|brief` on a real
database, sending to a real local HTTP receiver."""

from __future__ import annotations

from sqlalchemy import Engine, select
from typer.testing import CliRunner

from flarewatch.cases.models import Task
from flarewatch.cli.main import app
from flarewatch.comms import drafts
from flarewatch.comms.advocates.models import AdvocateBriefing
from flarewatch.comms.stakeholders.models import StakeholderUpdate
from flarewatch.db.engine import sessionmaker_for
from tests.alerts.conftest import HttpReceiver, http_receiver  # noqa: F401
from tests.alerts.test_cli import cli_db  # noqa: F401
from tests.cases.crisis import make_crisis

runner = CliRunner()


def _seed(engine: Engine, chat: str) -> tuple[int, int, int]:
    """A crisis case, an executives table and two advocates; (case, approved, pending draft)."""
    with sessionmaker_for(engine)() as session:
        crisis = make_crisis(session)
        crisis.workspace.config = {
            "alert_routes": [{"name": "exec-chat", "url": chat}],
            "stakeholder_updates": [
                {
                    "audience": "executives",
                    "routes": ["route:exec-chat"],
                    "cadence": {"crisis": 60},
                },
                {"audience": "board-room", "routes": ["route:exec-chat"], "cadence": {"watch": 60}},
            ],
            "advocates": [
                {"key": "noa", "name": "Noa Levi", "contact": chat, "languages": ["he"]},
                {"key": "ali", "name": "Ali Grey", "handles": ["x:@ali"]},
            ],
        }
        ws = crisis.workspace.id
        good = drafts.create_draft(
            session,
            crisis.case.id,
            "Every grill is checked.",
            "dana",
            workspace_id=ws,
            platform="x",
        )
        drafts.mark_approved(session, good, "legal")
        pending = drafts.create_draft(
            session, crisis.case.id, "Not approved.", "dana", workspace_id=ws, platform="x"
        )
        session.commit()
        return crisis.case.id, good.id, pending.id


def test_preview_send_and_due(cli_db: Engine, http_receiver: HttpReceiver) -> None:  # noqa: F811
    case_id, good, _ = _seed(cli_db, http_receiver.url("chat"))
    preview = runner.invoke(app, ["stakeholders", "preview", str(case_id), "-a", "executives"])
    assert preview.exit_code == 0, preview.output
    assert preview.stdout.startswith(f"Stakeholder update for Executives: case #{case_id}")
    assert "Every grill is checked." in preview.stdout and "Not approved." not in preview.stdout
    hebrew = runner.invoke(
        app, ["stakeholders", "preview", str(case_id), "-a", "executives", "--language", "he"]
    )
    assert hebrew.exit_code == 0 and "עדכון לבעלי עניין" in hebrew.stdout
    unknown = runner.invoke(app, ["stakeholders", "preview", str(case_id), "-a", "legal"])
    assert unknown.exit_code == 2 and "its audiences: executives, board-room" in unknown.stderr
    assert http_receiver.requests == []  # a preview sends nothing

    sent = runner.invoke(app, ["stakeholders", "send", str(case_id), "--audience", "executives"])
    assert sent.exit_code == 0, sent.output
    assert f"Case #{case_id}: update for Executives sent to 1 of 1 routes." in sent.stdout
    assert len(http_receiver.requests) == 1
    with sessionmaker_for(cli_db)() as session:
        row = session.scalars(select(StakeholderUpdate)).one()
        assert (row.trigger, row.actor.startswith("cli"), row.status) == ("manual", True, "sent")

    due = runner.invoke(app, ["stakeholders", "due", "-w", "acme"])
    assert due.exit_code == 0, due.output
    assert "Executives" in due.stdout and "1 hour" in due.stdout
    assert "board-room" in due.stdout and "none at this severity" in due.stdout


def test_advocates_list_and_brief(cli_db: Engine, http_receiver: HttpReceiver) -> None:  # noqa: F811
    case_id, good, pending = _seed(cli_db, http_receiver.url("noa"))
    listed = runner.invoke(app, ["advocates", "list"])
    assert listed.exit_code == 0, listed.output
    assert "Noa Levi" in listed.stdout and "by hand" in listed.stdout and "x:@ali" in listed.stdout
    assert "every topic" in listed.stdout

    refused = runner.invoke(
        app, ["advocates", "brief", str(case_id), "--draft", str(good), "--draft", str(pending)]
    )
    assert refused.exit_code == 2 and "not approved" in refused.stderr
    assert http_receiver.requests == []

    briefed = runner.invoke(
        app,
        [
            "advocates",
            "brief",
            str(case_id),
            "-d",
            str(good),
            "-a",
            "noa",
            "-a",
            "ali",
            "--by",
            "dana",
        ],
    )
    assert briefed.exit_code == 0, briefed.output
    assert "Noa Levi: briefing sent; follow-up task #" in briefed.stdout
    assert "Ali Grey: send the briefing by hand; task #" in briefed.stdout
    [(path, body)] = http_receiver.requests
    assert path == "/noa" and "Every grill is checked." in body["message"]
    with sessionmaker_for(cli_db)() as session:
        rows = session.scalars(select(AdvocateBriefing).order_by(AdvocateBriefing.id)).all()
        assert [(r.advocate, r.status, r.actor) for r in rows] == [
            ("noa", "sent", "dana"),
            ("ali", "by_hand", "dana"),
        ]
        assert len(session.scalars(select(Task).where(Task.case_id == case_id)).all()) == 2
