"""`flarewatch digest send --workspace W --period daily|weekly [--dry-run]` on a real database
and a real SMTP server."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from flarewatch.cli.main import app
from flarewatch.db.engine import sessionmaker_for
from tests.alerts.conftest import SmtpReceiver
from tests.alerts.helpers import make_workspace
from tests.alerts.test_cli import cli_db  # noqa: F401

runner = CliRunner()


def _seed(engine, to: list[str] | None) -> None:  # noqa: ANN001
    extra = {"digests": [{"period": "weekly", "at": "mon 08:00", "to": to}]} if to else {}
    with sessionmaker_for(engine)() as session:
        workspace = make_workspace(session, extra={"languages": ["pl"], **extra})
        workspace.languages = ["pl"]
        session.commit()


def test_dry_run_prints_the_digest_in_the_workspace_language(cli_db, tmp_path: Path) -> None:  # noqa: ANN001, F811
    _seed(cli_db, None)
    result = runner.invoke(
        app, ["digest", "send", "--workspace", "acme", "--period", "daily", "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Podsumowanie dzienne:")
    assert "Otwarte sprawy" in result.stdout


def test_sending_without_a_digest_table_says_what_to_add(cli_db) -> None:  # noqa: ANN001, F811
    _seed(cli_db, None)
    result = runner.invoke(app, ["digest", "send", "--workspace", "acme", "--period", "weekly"])
    assert result.exit_code == 2
    assert "no [[digests]] table with period = 'weekly'" in result.stderr


def test_send_mails_the_weekly_digest(cli_db, smtp_receiver: SmtpReceiver) -> None:  # noqa: ANN001, F811
    _seed(cli_db, [smtp_receiver.url()])
    result = runner.invoke(
        app, ["digest", "send", "--workspace", "acme", "--period", "weekly", "--language", "he"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "sent\turl#0\n"
    [envelope] = smtp_receiver.messages
    assert "סיכום שבועי".encode() in envelope.content or b"=?utf-8?" in envelope.content
