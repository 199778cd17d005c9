"""People, rotas and policies edited in the app (oncall/editing.py), on SQLite and PostgreSQL:
checked by the workspace file's rules with its messages, used by the runner at once, kept or
replaced (and said so) by a file sync, exported and read back."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from flarewatch.accounts.models import AuditLog
from flarewatch.alerts.service import raise_alerts
from flarewatch.config.toml_writer import to_toml
from flarewatch.config.workspace import WorkspaceConfig, check_workspace_text
from flarewatch.db.engine import sessionmaker_for
from flarewatch.errors import NotFoundError
from flarewatch.oncall import editing
from flarewatch.oncall.rota import on_call
from flarewatch.oncall.service import effective_config, escalation_of, run_due_steps
from flarewatch.workspaces.export import workspace_document
from flarewatch.workspaces.models import Workspace
from flarewatch.workspaces.notes import SyncNote
from flarewatch.workspaces.service import sync_workspace
from tests.alerts.helpers import candidate, make_workspace
from tests.alerts.test_cli import cli_db  # noqa: F401
from tests.oncall.test_service import T, _oncall

DUTY = {
    "key": "duty",
    "timezone": "Asia/Jerusalem",
    "rotation": "daily",
    "handover": "02:00",
    "members": ["noa", "piotr"],
    "start": "2026-12-01",
}


def _workspace(db: Engine) -> int:
    with sessionmaker_for(db)() as session:
        workspace = make_workspace(session, extra=_oncall())
        session.commit()
        return workspace.id


def _first_recipient(session: Session, workspace: Workspace, group: str) -> str:
    [alert] = raise_alerts(session, workspace, [candidate(workspace, "crisis", group_key=group)], T)
    run_due_steps(session, T)
    return escalation_of(session, alert.id)[0].recipients[0][0]


def test_an_edited_rota_pages_the_new_person_at_once(any_engine: Engine) -> None:
    workspace_id = _workspace(any_engine)
    with sessionmaker_for(any_engine)() as session:
        workspace = session.get(Workspace, workspace_id)
        assert workspace is not None
        assert _first_recipient(session, workspace, "topic:before") == "dana"
        saved = editing.save_entry(workspace, "rotas", "duty", DUTY)
        session.commit()
        assert saved.before is not None and saved.before["members"] == ["dana", "piotr", "noa"]
    with sessionmaker_for(any_engine)() as session:
        workspace = session.get(Workspace, workspace_id)
        assert workspace is not None
        config = effective_config(session, workspace, T)
        assert config is not None
        [rota] = config.rotas
        assert (rota.rotation, rota.handover, rota.members) == ("daily", "02:00", ["noa", "piotr"])
        # Saturday 5 December 03:00: the daily rota started on the 1st with noa; the 5th is noa's.
        assert on_call(rota, T) == "noa"
        assert _first_recipient(session, workspace, "topic:after") == "noa"
        assert editing.origin_of(workspace.config, "rotas", "duty") == "web"


def test_problems_are_the_workspace_checks_field_by_field(session: Session) -> None:
    workspace = make_workspace(session, extra=_oncall())
    wrong = {**DUTY, "handover": "sun 09:00", "members": ["noa", "zoe"], "timezone": "Mars/Base"}
    with pytest.raises(editing.OncallEditError) as refused:
        editing.save_entry(workspace, "rotas", "duty", wrong)
    fields = {p.field: p.message for p in refused.value.problems}
    # The same rota in a workspace file: the same messages, at rotas[0].…
    data = {"slug": "acme", "name": "Acme", **_oncall()}
    data["rotas"] = [wrong]
    checked = {p.location: p.message for p in check_workspace_text(to_toml(data)).errors}
    assert fields["timezone"] == checked["rotas[0].timezone"]
    assert "unknown timezone 'Mars/Base'" in fields["timezone"]
    # With the timezone fixed, the handover and the member are named field by field.
    with pytest.raises(editing.OncallEditError) as refused:
        editing.save_entry(workspace, "rotas", "duty", {**wrong, "timezone": "Asia/Jerusalem"})
    fields = {p.field: p.message for p in refused.value.problems}
    assert "a daily rotation hands over at a time of day" in fields["rota"]
    wrong["timezone"], wrong["handover"] = "Asia/Jerusalem", "02:00"
    with pytest.raises(editing.OncallEditError) as refused:
        editing.save_entry(workspace, "rotas", "duty", wrong)
    fields = {p.field: p.message for p in refused.value.problems}
    data["rotas"] = [wrong]
    checked = {p.location: p.message for p in check_workspace_text(to_toml(data)).errors}
    assert fields == {"members[1]": checked["rotas[0].members[1]"]}
    assert "'zoe' is not one of the people" in fields["members[1]"]
    # Nothing was stored.
    assert workspace.config["rotas"][0]["members"] == ["dana", "piotr", "noa"]


def test_a_policy_keeps_its_rules_and_a_person_in_use_cannot_go(session: Session) -> None:
    workspace = make_workspace(session, extra=_oncall())
    policy = {
        "severity": "crisis",
        "steps": [{"notify": "person:zoe", "wait_minutes": "ten"}],
        "remind_minutes": 60,
        "unacknowledge_minutes": 30,
    }
    with pytest.raises(editing.OncallEditError) as refused:
        editing.save_entry(workspace, "escalation", "crisis", policy)
    fields = {p.field: p.message for p in refused.value.problems}
    assert "valid integer" in fields["steps[0].wait_minutes"]
    policy["steps"] = [{"notify": "person:zoe", "wait_minutes": "10"}]
    with pytest.raises(editing.OncallEditError) as refused:
        editing.save_entry(workspace, "escalation", "crisis", policy)
    fields = {p.field: p.message for p in refused.value.problems}
    assert "must be shorter than unacknowledge_minutes" in fields["policy"]
    policy["steps"] = [{"notify": "person:zoe"}]
    policy["remind_minutes"] = 20
    with pytest.raises(editing.OncallEditError, match="there is no person 'zoe'"):
        editing.save_entry(workspace, "escalation", "crisis", policy)
    with pytest.raises(editing.OncallEditError) as refused:
        editing.delete_entry(workspace, "people", "noa")
    assert {p.field for p in refused.value.problems} == {
        "rotas[0].members[2]",
        "escalation[0].steps[1].notify",
    }
    with pytest.raises(NotFoundError, match="there is no person 'zoe'; people: dana, piotr, noa"):
        editing.delete_entry(workspace, "people", "zoe")
    added = editing.save_entry(
        workspace,
        "people",
        None,
        {"key": "zoe", "timezone": "Europe/Warsaw", "language": "pl", "notify": ["ntfy://zoe"]},
    )
    assert added.after is not None and added.after["language"] == "pl"
    saved = editing.save_entry(workspace, "escalation", "crisis", policy)
    assert saved.after is not None and saved.after["remind_minutes"] == 20
    with pytest.raises(editing.OncallEditError, match="already used by people"):
        editing.save_entry(workspace, "people", "zoe", {"key": "dana", "notify": ["ntfy://z"]})


def test_a_file_sync_keeps_web_entries_and_says_what_it_replaced(session: Session) -> None:
    data = {"slug": "acme", "name": "Acme", **_oncall()}
    config = WorkspaceConfig.model_validate(data)
    workspace = sync_workspace(session, config, Path("."))
    editing.save_entry(workspace, "rotas", "duty", DUTY)
    night = {**DUTY, "key": "night", "members": ["piotr"]}
    editing.save_entry(workspace, "rotas", None, night)
    notes: list[SyncNote] = []
    workspace = sync_workspace(session, config, Path("."), notes)
    rotas = {rota["key"]: rota for rota in workspace.config["rotas"]}
    assert rotas["duty"]["members"] == ["dana", "piotr", "noa"]  # the file's won
    assert rotas["night"]["members"] == ["piotr"]  # the web's, kept
    assert any("rota 'night': edited on the web and kept" in str(note) for note in notes)
    assert any("rota 'duty': edited on the web and replaced" in str(note) for note in notes)
    assert editing.origin_of(workspace.config, "rotas", "night") == "web"
    assert editing.origin_of(workspace.config, "rotas", "duty") == "file"
    audit = session.scalars(select(AuditLog).where(AuditLog.action == "oncall.file_sync")).one()
    assert audit.details == {"kept": ["rota 'night'"], "replaced": ["rota 'duty'"]}


def test_the_export_carries_web_edits_and_reads_back(any_engine: Engine, tmp_path: Path) -> None:
    with sessionmaker_for(any_engine)() as session:
        data = {"slug": "acme", "name": "Acme", **_oncall()}
        workspace_id = sync_workspace(session, WorkspaceConfig.model_validate(data), tmp_path).id
        session.commit()
    with sessionmaker_for(any_engine)() as session:
        workspace = session.get(Workspace, workspace_id)
        assert workspace is not None
        editing.save_entry(
            workspace,
            "rotas",
            "duty",
            {**DUTY, "layers": [{"members": ["dana"], "days": ["fri", "sat"]}]},
        )
        session.commit()
        text = to_toml(workspace_document(session, workspace))
    config = check_workspace_text(text).config_or_raise()
    [rota] = config.rotas
    assert (rota.rotation, rota.handover, rota.members) == ("daily", "02:00", ["noa", "piotr"])
    assert rota.layers[0].days == ["fri", "sat"]
    with sessionmaker_for(any_engine)() as session:
        notes: list[SyncNote] = []
        workspace = sync_workspace(session, config, tmp_path, notes)
        session.commit()
        assert notes == []  # the file is what the web made: nothing replaced
        assert workspace.config["rotas"][0]["members"] == ["noa", "piotr"]
        assert editing.origin_of(workspace.config, "rotas", "duty") == "file"


def test_oncall_now_and_simulate_read_the_web_edit_and_add_notes_it(
    cli_db: Engine,  # noqa: F811
    tmp_path: Path,
) -> None:
    from typer.testing import CliRunner

    from flarewatch.cli.main import app

    data = {"slug": "acme", "name": "Acme", **_oncall()}
    with sessionmaker_for(cli_db)() as session:
        workspace = sync_workspace(session, WorkspaceConfig.model_validate(data), tmp_path)
        editing.save_entry(workspace, "rotas", "duty", {**DUTY, "members": ["piotr"]})
        session.commit()
    runner = CliRunner()
    at = ["--at", "2026-12-05T03:00+02:00"]  # Saturday: dana's week in the file's rota
    now = runner.invoke(app, ["oncall", "now", "--workspace", "acme", *at])
    assert now.exit_code == 0, now.output
    assert now.stdout.startswith("duty\tpiotr\t")
    simulate = runner.invoke(
        app,
        [
            "oncall",
            "simulate",
            "--workspace",
            "acme",
            "--at",
            "2026-12-05T03:00+02:00",
            "--severity",
            "crisis",
            "--ack-after",
            "5m",
        ],
    )
    assert simulate.exit_code == 0, simulate.output
    assert simulate.stdout.splitlines()[0].split("\t")[1:] == ["piotr", "json", "1"]
    # Adding the original file again: the file wins, and says so.
    path = tmp_path / "acme.toml"
    path.write_text(to_toml(data), encoding="utf-8")
    added = runner.invoke(app, ["workspace", "add", str(path)])
    assert added.exit_code == 0, added.output
    assert "rota 'duty': edited on the web and replaced by the file's version" in added.stderr
    again = runner.invoke(app, ["oncall", "now", "--workspace", "acme", *at])
    assert again.stdout.startswith("duty\tdana\t")
