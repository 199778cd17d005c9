"""`flarewatch oncall now` and `oncall simulate`, with the moment given on the command line
(the controllable clock), as a team checks its weekend and DST cover."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from flarewatch.cli.main import app

runner = CliRunner()


def _simulate(path: Path, *extra: str) -> list[str]:
    result = runner.invoke(
        app, ["oncall", "simulate", "--workspace", str(path), *extra], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def test_simulate_prints_one_tab_separated_line_per_notification(oncall_file: Path) -> None:
    lines = _simulate(oncall_file, "--at", "2026-12-05T03:00+02:00", "--severity", "crisis")
    assert lines == [
        "2026-12-05T03:00+02:00\tdana\tmailto\t1",
        "2026-12-05T03:00+02:00\tdana\tntfy\t1",
        "2026-12-05T03:10+02:00\tnoa\tjson\t2",
        "2026-12-05T03:25+02:00\troute:comms-slack\tjson\t3",
        "2026-12-05T03:30+02:00\troute:comms-slack\tjson\t3",
        "2026-12-05T03:35+02:00\troute:comms-slack\tjson\t3",
    ]


def test_simulate_stops_at_the_acknowledgement(oncall_file: Path) -> None:
    lines = _simulate(
        oncall_file, "--at", "2026-12-05T03:00+02:00", "--severity", "crisis", "--ack-after", "25m"
    )
    assert [line.split("\t")[3] for line in lines] == ["1", "1", "2"]


def test_simulate_prints_times_in_the_workspace_zone_across_a_dst_change(
    oncall_file: Path,
) -> None:
    # Given in UTC, printed in Israel's time: 01:55+02:00 then, ten minutes on, 03:05+03:00.
    lines = _simulate(oncall_file, "--at", "2026-03-26T23:55+00:00", "--severity", "crisis")
    assert [line.split("\t")[0] for line in lines][-4:-2] == [
        "2026-03-27T03:05+03:00",
        "2026-03-27T03:20+03:00",
    ]
    assert lines[0].startswith("2026-03-27T01:55+02:00\t")


def test_simulate_a_warning_on_the_weekend_goes_to_the_digest(oncall_file: Path) -> None:
    result = runner.invoke(
        app,
        ["oncall", "simulate", "-w", str(oncall_file), "--at", "2026-12-04T11:00+02:00"]
        + ["--severity", "warning"],
    )
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "waits for the digest" in result.stderr


def test_simulate_refuses_a_time_without_an_offset(oncall_file: Path) -> None:
    result = runner.invoke(
        app,
        ["oncall", "simulate", "-w", str(oncall_file), "--at", "2026-12-05T03:00"]
        + ["--severity", "crisis"],
    )
    assert result.exit_code == 2
    assert "needs an offset" in result.output


def test_simulate_refuses_an_invalid_workspace_file(tmp_path: Path, oncall_file: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        oncall_file.read_text(encoding="utf-8").replace('"person:noa"', '"person:nobody"'),
        encoding="utf-8",
    )
    result = runner.invoke(
        app,
        ["oncall", "simulate", "-w", str(bad), "--at", "2026-12-05T03:00+02:00"]
        + ["--severity", "crisis"],
    )
    assert result.exit_code == 2
    assert "there is no person 'nobody'" in result.stderr


def test_now_prints_who_is_on_call_in_their_local_time(oncall_file: Path) -> None:
    result = runner.invoke(
        app, ["oncall", "now", "--workspace", str(oncall_file), "--at", "2026-12-07T10:00+00:00"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "duty\tpiotr\tpiotr\t2026-12-07T11:00+01:00 Europe/Warsaw\tuntil 2026-12-13T09:00+02:00"
    ]


def test_now_reads_a_workspace_in_the_database_by_slug(oncall_file: Path) -> None:
    added = runner.invoke(app, ["workspace", "add", str(oncall_file)])
    assert added.exit_code == 0, added.output
    result = runner.invoke(app, ["oncall", "now", "-w", "acme", "--at", "2026-12-05T01:00+00:00"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("duty\tdana\tDana Levi\t2026-12-05T03:00+02:00 Asia/Jerusalem")
    unknown = runner.invoke(app, ["oncall", "now", "-w", "nope"])
    assert unknown.exit_code == 2
    assert "no workspace 'nope'" in unknown.stderr


def test_alerts_show_lists_the_escalation_rounds(oncall_file: Path) -> None:
    from datetime import datetime

    from flarewatch.alerts.service import acknowledge, raise_alerts
    from flarewatch.db.engine import get_engine, session_scope
    from flarewatch.oncall.service import run_due_steps
    from flarewatch.workspaces.service import get_workspace
    from tests.alerts.helpers import candidate

    assert runner.invoke(app, ["workspace", "add", str(oncall_file)]).exit_code == 0
    at = datetime.fromisoformat("2026-12-05T03:00+02:00")
    with session_scope(get_engine()) as session:
        workspace = get_workspace(session, "acme")
        [alert] = raise_alerts(session, workspace, [candidate(workspace, "crisis")], at)
        run_due_steps(session, at)
        acknowledge(session, alert.id, "dana", now=at)
        run_due_steps(session, datetime.fromisoformat("2026-12-05T04:00+02:00"))
        alert_id = alert.id
    result = runner.invoke(app, ["alerts", "show", str(alert_id)])
    assert result.exit_code == 0, result.output
    escalation = result.stdout.split("Escalation:", 1)[1]
    assert "rota:duty" in escalation and "dana (mailto), dana (ntfy)" in escalation
    assert (
        escalation.count("Cancelled") == 4 and "alert acknowledged before it was due" in escalation
    )


def test_workspace_check_counts_the_on_call_tables(oncall_file: Path) -> None:
    result = runner.invoke(app, ["workspace", "check", str(oncall_file)])
    assert result.exit_code == 0, result.output
    assert "3 on-call people, 1 rota(s), 2 escalation policies" in result.stdout
