"""The one-line confirmations and notes of the CLI in the workspace's language (issue 17 §1):
`alerts ack/noise/resolve/deliver`, `cases open/status/note/task/done`, `playbooks show`
headings, `oncall simulate` notes, `digest send --dry-run` recipients and `workspace add`.
Names in the sentences are isolated (FSI … PDI); the formats (`playbooks list`, the
tab-separated lines) stay as they were."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from typer.testing import CliRunner

from flarewatch.bidi import FSI, PDI
from flarewatch.cli.main import app
from flarewatch.config.toml_writer import to_toml
from flarewatch.db.engine import sessionmaker_for
from flarewatch.playbooks.library import shipped
from tests.alerts.helpers import make_workspace
from tests.alerts.test_cli import cli_db  # noqa: F401
from tests.alerts.test_cli_language import hebrew_alert  # noqa: F401

runner = CliRunner()


def _ok(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, (result.output, result.stderr)
    return result.output


def test_alert_confirmations_in_hebrew_polish_and_english(hebrew_alert: int) -> None:  # noqa: F811
    n = hebrew_alert
    acked = _ok(["alerts", "ack", str(n), "--by", "dana"])
    assert acked.strip() == f"התראה #{n} אושרה בקבלה על ידי {FSI}dana{PDI}."
    assert _ok(["alerts", "noise", str(n), "--language", "pl"]).strip() == (
        f"Alert #{n} oznaczony jako szum."
    )
    # A noise alert cannot be resolved; the error stays one clear line.
    refused = runner.invoke(app, ["alerts", "resolve", str(n), "--language", "en"])
    assert refused.exit_code == 2 and "cannot become resolved" in refused.stderr
    # Every workspace reads Hebrew: the delivery summary is Hebrew, its counts in the locale.
    delivered = _ok(["alerts", "deliver"])
    assert "נשלחו: 0, לניסיון חוזר: 0, נכשלו: 0, דולגו: 1." in delivered
    assert "sent" not in delivered


def test_case_confirmations_in_the_workspace_language(hebrew_alert: int) -> None:  # noqa: F811
    n = hebrew_alert  # its case (#1) was opened by the fixture
    assert _ok(["cases", "open", "--alert", str(n)]).strip() == f"להתראה #{n} כבר יש תיק #1."
    assert _ok(["cases", "status", "1", "triage"]).strip() == "תיק #1 עכשיו במצב: מיון."
    assert _ok(["cases", "note", "1", "בודקים", "--language", "pl"]).startswith(
        "Dodano notatkę do sprawy #1 (zdarzenie #"
    )
    assert _ok(["cases", "task", "1", "statement"]).strip() == "משימה #1 נוספה לתיק #1."
    assert _ok(["cases", "done", "1", "--language", "pl"]).strip() == "Zadanie #1 wykonane."
    assert _ok(["cases", "status", "1", "responding", "--language", "en"]).strip() == (
        "Case #1 is now responding."
    )


def test_playbook_headings_follow_its_language() -> None:
    doc = shipped()["data-breach"]
    polish = _ok(["playbooks", "show", "data-breach", "--language", "pl"])
    assert f"{doc.title.pl} (data-breach) Wersja 1 · dostarczany z Flarewatch" in polish
    assert "Cele" in polish and "Goals" not in polish
    hebrew = _ok(["playbooks", "show", "data-breach", "--language", "he"])
    assert f"{FSI}{doc.title.he}{PDI} ({FSI}data-breach{PDI}) גרסה 1" in hebrew
    assert "יעדים" in hebrew and "בלימה" in hebrew
    english = _ok(["playbooks", "show", "data-breach"])
    assert "Goals" in english and "First public answer within" in english
    # The list is a format: one key a line, in any language.
    assert _ok(["playbooks", "list"]).splitlines() == sorted(shipped())


def test_oncall_simulate_says_why_nobody_is_paged_in_the_workspace_language(
    tmp_path: Path,
) -> None:
    path = tmp_path / "acme.toml"
    data = {"slug": "acme", "name": "Acme", "languages": ["pl"], "timezone": "Europe/Warsaw"}
    path.write_text(to_toml(data), encoding="utf-8")
    args = ["oncall", "simulate", "-w", str(path), "--at", "2026-12-05T03:00+02:00"]
    result = runner.invoke(app, [*args, "--severity", "crisis"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""  # no notification: the tab-separated lines stay empty
    assert "żadna polityka eskalacji nie obejmuje poziomu kryzys" in result.stderr
    hebrew = runner.invoke(app, [*args, "--severity", "watch", "--language", "he"])
    assert f"בסביבת העבודה {FSI}acme{PDI}; איש לא יוזעק" in hebrew.stderr
    wrong = runner.invoke(app, [*args, "--severity", "watch", "--language", "xx"])
    assert wrong.exit_code == 2 and "use one of en, he, pl" in wrong.output


def test_digest_dry_run_names_its_recipients_in_the_workspace_language(
    cli_db: Engine,  # noqa: F811
) -> None:
    with sessionmaker_for(cli_db)() as session:
        extra = {"digests": [{"period": "daily", "at": "08:00", "to": ["mailto:d@example.com"]}]}
        workspace = make_workspace(session, extra={"languages": ["he"], **extra})
        workspace.languages = ["he"]
        session.commit()
    result = runner.invoke(
        app, ["digest", "send", "--workspace", "acme", "--period", "daily", "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert f"היה נשלח אל {FSI}" in result.stderr and "would send" not in result.stderr


def test_workspace_add_confirms_in_the_workspace_language(
    cli_db: Engine,  # noqa: F811
    tmp_path: Path,
) -> None:
    path = tmp_path / "acme.toml"
    data = {"slug": "acme", "name": "גרילברי", "languages": ["he", "en"]}
    path.write_text(to_toml(data), encoding="utf-8")
    added = runner.invoke(app, ["workspace", "add", str(path)])
    assert added.exit_code == 0, added.output
    assert f"סביבת העבודה {FSI}acme{PDI} ({FSI}גרילברי{PDI}) נשמרה" in added.stdout
    polish = runner.invoke(app, ["workspace", "add", str(path), "--language", "pl"])
    assert f"zapisano obszar roboczy acme ({FSI}גרילברי{PDI})" in polish.stdout
