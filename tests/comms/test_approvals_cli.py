"""`flarewatch drafts` (comms/drafts_cli.py): write, check, submit, decide, recall and withdraw
from the command line; output in the workspace's language, errors with exit codes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from flarewatch.accounts import service as accounts
from flarewatch.alerts.service import raise_alerts
from flarewatch.cases.roles import assign_role
from flarewatch.cases.service import open_case_from_alert
from flarewatch.cli.main import app
from flarewatch.config.settings import get_settings
from flarewatch.db.engine import create_db_engine, sessionmaker_for
from flarewatch.db.migrate import upgrade
from flarewatch.workspaces.models import Workspace
from tests.alerts.helpers import T0, candidate, make_posts, make_workspace

runner = CliRunner()
WRITER, LEGAL, SPOKES = "writer@acme.test", "legal@acme.test", "spokes@acme.test"


@pytest.fixture
def case_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("FLAREWATCH_DATABASE_URL", url)
    get_settings.cache_clear()
    engine: Engine = create_db_engine(url)
    upgrade(engine)
    with sessionmaker_for(engine)() as session:
        ws = make_workspace(session)
        posts = make_posts(session, ws, 3)
        [alert] = raise_alerts(session, ws, [candidate(ws, post_ids=[posts[1].id])], T0)
        case = open_case_from_alert(session, alert.id, "dana")
        for email, role in ((WRITER, "responder"), (LEGAL, "approver"), (SPOKES, "responder")):
            accounts.add_member(session, ws, accounts.create_user(session, email), role)
        assign_role(session, case.id, "legal", LEGAL, "admin", workspace_id=ws.id)
        assign_role(session, case.id, "spokesperson", SPOKES, "admin", workspace_id=ws.id)
        session.commit()
        yield case.id
    engine.dispose()


def _run(args: list[str], code: int = 0, stdin: str | None = None) -> str:
    result = runner.invoke(app, args, input=stdin)
    assert result.exit_code == code, (result.output, result.stderr)
    return result.output if code == 0 else result.stderr


def test_write_check_submit_and_approve_from_the_command_line(case_id: int, tmp_path: Path) -> None:
    case = str(case_id)
    written = _run(
        [
            "drafts",
            "new",
            case,
            "--platform",
            "x",
            "--by",
            WRITER,
            "No comment. The customer misused the grill.",
        ]
    )
    assert "Draft #1 written on case #" in written and "version 1." in written
    assert "Tone check, flags: 2." in written and "misused" in written
    better = tmp_path / "better.txt"
    better.write_text("We are sorry. We are checking every grill; update by 18:00.", "utf-8")
    edited = _run(["drafts", "edit", "1", "--file", str(better), "--by", WRITER])
    assert "Draft #1: version 2 written." in edited and "Tone check: no flags." in edited
    sent = _run(["drafts", "submit", "1", "--by", WRITER])
    assert f"Draft #1 sent for approval: waiting for {LEGAL}." in sent
    # Four eyes, the order of the steps and a stale version: refused with what to do.
    assert "four eyes" in _run(["drafts", "approve", "1", "--by", WRITER], 1)
    assert "waits for legal first" in _run(["drafts", "approve", "1", "--by", SPOKES], 1)
    assert "read version 2" in _run(["drafts", "approve", "1", "--version", "1", "--by", LEGAL], 2)
    assert "--comment" in _run(["drafts", "request-changes", "1", "--by", LEGAL], 2)
    assert "--comment is empty" in _run(["drafts", "request-changes", "1", "-c", " "], 2)
    assert "Comment added to draft #1 (version 2)." in _run(
        ["drafts", "comment", "1", "Checked the facts", "--by", LEGAL]
    )
    first = _run(["drafts", "approve", "1", "--comment", "Fine", "--by", LEGAL])
    assert f"your approval is recorded; it now waits for {SPOKES}." in first
    done = _run(["drafts", "approve", "1", "--by", SPOKES])
    assert "Draft #1 is approved: version 2 is locked." in done
    shown = _run(["drafts", "show", "1"])
    assert "Draft #1 on case #" in shown and "statement for x, approved" in shown
    assert "Approved version: 2" in shown
    assert "Step 1, legal (any one of them): approved" in shown
    assert f"{LEGAL}: approved: Fine" in shown
    assert f"{LEGAL} on version 2: Checked the facts" in shown
    listed = _run(["drafts", "list", case])
    assert "#1" in listed and "Approved" in listed


def test_changes_recall_withdraw_and_bad_input(case_id: int) -> None:
    case = str(case_id)
    assert "has no drafts yet" in _run(["drafts", "list", case])
    assert "--platform" in _run(["drafts", "new", case, "Hi"], 2)
    assert "either as an argument or with --file" in _run(
        ["drafts", "new", case, "--platform", "x"], 2
    )
    assert "use one of x, bluesky" in _run(["drafts", "new", case, "-p", "myspace", "Hi"], 2)
    _run(["drafts", "new", case, "-p", "sms", "--file", "-", "--by", WRITER], stdin="Sorry.")
    _run(["drafts", "submit", "1", "--by", WRITER])
    changes = _run(["drafts", "request-changes", "1", "-c", "Say when", "--by", LEGAL])
    assert "Draft #1: changes requested; the author is told." in changes
    _run(["drafts", "edit", "1", "Sorry. Update at 18:00.", "--by", WRITER])
    _run(["drafts", "submit", "1", "--by", WRITER])
    recalled = _run(["drafts", "recall", "1", "--by", WRITER])
    assert "Draft #1 is a draft again" in recalled
    assert "Draft #1 withdrawn." in _run(["drafts", "withdraw", "1", "--by", WRITER])
    assert "was withdrawn" in _run(["drafts", "submit", "1", "--by", WRITER], 2)
    assert "draft #99 not found" in _run(["drafts", "show", "99"], 1)


def test_output_follows_the_workspace_language(case_id: int) -> None:
    url = get_settings().database_url
    engine = create_db_engine(url)
    with sessionmaker_for(engine)() as session:
        workspace = session.query(Workspace).one()
        workspace.languages = ["he", "en"]
        session.commit()
    engine.dispose()
    written = _run(["drafts", "new", str(case_id), "-p", "x", "--by", WRITER, "אנחנו מצטערים"])
    assert "טיוטה #1" in written
