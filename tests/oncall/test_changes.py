"""Overrides and swaps made in the app reach the durable runner: an accepted swap pages the
person who took the shift; a requested, declined or cancelled one does not."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from flarewatch.alerts.service import raise_alerts
from flarewatch.errors import InputError
from flarewatch.oncall import changes
from flarewatch.oncall.service import escalation_of, run_due_steps
from tests.alerts.helpers import candidate, make_workspace
from tests.alerts.test_cli import cli_db  # noqa: F401
from tests.oncall.test_service import MINUTE, T, _oncall


def _first_recipient(session: Session, workspace, group: str) -> str:  # noqa: ANN001
    [alert] = raise_alerts(session, workspace, [candidate(workspace, "crisis", group_key=group)], T)
    run_due_steps(session, T)
    return escalation_of(session, alert.id)[0].recipients[0][0]


def test_an_accepted_swap_pages_the_person_who_took_the_shift(session: Session) -> None:
    workspace = make_workspace(session, extra=_oncall())
    swap = changes.request_swap(
        session, workspace, "duty", "dana", "piotr", T - MINUTE, T + 60 * MINUTE, "dana@x", now=T
    )
    assert _first_recipient(session, workspace, "topic:a") == "dana"  # only requested
    with pytest.raises(InputError, match="you asked for this swap yourself"):
        changes.decide(session, workspace, swap.id, True, "dana@x", now=T)
    changes.decide(session, workspace, swap.id, True, "piotr@x", now=T)
    assert _first_recipient(session, workspace, "topic:b") == "piotr"
    changes.cancel(session, workspace, swap.id, "dana@x", now=T)
    assert _first_recipient(session, workspace, "topic:c") == "dana"


def test_an_override_for_an_unknown_rota_names_the_rotas(session: Session) -> None:
    workspace = make_workspace(session, extra=_oncall())
    with pytest.raises(InputError, match="there is no rota 'night'; rotas: duty"):
        changes.add_override(session, workspace, "night", "noa", T, T + MINUTE, "a@x", now=T)
    override = changes.add_override(session, workspace, "duty", "noa", T, T + MINUTE, "a@x", now=T)
    assert override.status == "accepted"
    assert _first_recipient(session, workspace, "topic:d") == "noa"


def test_oncall_now_from_the_database_honours_an_accepted_override(cli_db) -> None:  # noqa: ANN001, F811
    from datetime import UTC, datetime, timedelta

    from typer.testing import CliRunner

    from flarewatch.cli.main import app
    from flarewatch.db.engine import sessionmaker_for

    now = datetime.now(UTC)
    with sessionmaker_for(cli_db)() as db:
        workspace = make_workspace(db, extra=_oncall())
        changes.add_override(
            db,
            workspace,
            "duty",
            "noa",
            now - timedelta(hours=1),
            now + timedelta(hours=1),
            "admin@x",
            now=now,
        )
        db.commit()
    result = CliRunner().invoke(app, ["oncall", "now", "--workspace", "acme"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("duty\tnoa\t")
