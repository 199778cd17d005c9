"""`flarewatch oncall …`: who is on call now, and who an alert at a given moment would page."""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import typer

from flarewatch.cli.common import err_console, fail
from flarewatch.cli.reader import LANGUAGE_HELP, Reader, language_problem, reader_for
from flarewatch.config.workspace import (
    SEVERITIES,
    WorkspaceConfig,
    check_workspace_file,
    file_fields,
)
from flarewatch.i18n.labels import N_

app = typer.Typer(help="Who is on call, and who an alert would page (docs/oncall.md).")

WORKSPACE_OPTION = typer.Option(
    ...,
    "--workspace",
    "-w",
    help="A workspace file (.toml) or the slug of a workspace in the database.",
)
LANGUAGE_OPTION = typer.Option(
    None, "--language", help=LANGUAGE_HELP, show_default="the workspace's first language"
)
_DURATION_RE = re.compile(r"^\s*(\d+)\s*([mh])\s*$")

# The human text of `oncall now` and `simulate`, in the workspace's language (cli/reader.py);
# the tab-separated columns and the "until" of `oncall now` are the documented format.
NO_ONE = N_("no one on call")
NO_POLICY = N_("no escalation policy covers %(severity)s in %(workspace)s; nobody is paged")
DIGEST_ONLY = N_(
    "outside working hours (or on the weekend or a holiday): the policy pages only in "
    "working hours, so this alert waits for the digest"
)
UNREACHED = N_("warning: no one on call for %(step)s")


def oncall_reader(config: WorkspaceConfig, language: str | None) -> Reader:
    """The reader of the workspace's on-call text; a `--language` without a catalogue is a
    usage error."""
    problem = language_problem(language)
    if problem:
        raise typer.BadParameter(problem.split(": ", 1)[1], param_hint="--language")
    return reader_for(config.languages, config.timezone, language)


def parse_instant(value: str) -> datetime:
    """An ISO time with an offset, e.g. 2026-12-05T03:00+02:00; BadParameter otherwise."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not an ISO time; write it like 2026-12-05T03:00+02:00"
        ) from None
    if parsed.tzinfo is None:
        raise typer.BadParameter(f"{value!r} needs an offset, e.g. {value}+02:00")
    return parsed


def parse_duration(value: str) -> timedelta:
    """'25m' or '2h' as a timedelta; BadParameter otherwise."""
    found = _DURATION_RE.match(value)
    if not found:
        raise typer.BadParameter(f"{value!r} is not a duration; write minutes or hours: 25m, 2h")
    unit = "minutes" if found.group(2) == "m" else "hours"
    return timedelta(**{unit: int(found.group(1))})


def load_oncall_config(workspace: str) -> WorkspaceConfig:
    """The workspace's configuration from its file, or from the database by slug."""
    path = Path(workspace)
    if path.suffix == ".toml" or path.exists():
        result = check_workspace_file(path)
        if result.errors or result.config is None:
            lines = "\n".join(f"  - {p.describe()}" for p in result.errors)
            fail(f"{path}: invalid workspace configuration\n{lines}", code=2)
        return result.config
    from flarewatch.cli.common import ready_engine
    from flarewatch.db.engine import session_scope
    from flarewatch.errors import NotFoundError
    from flarewatch.oncall.changes import changes_of, with_changes
    from flarewatch.workspaces.service import get_workspace

    with session_scope(ready_engine()) as session:
        try:
            found = get_workspace(session, workspace)
        except NotFoundError as err:
            fail(f"{err}; or name a workspace file ending in .toml", code=2)
        stored = file_fields(found.config)
        # The overrides and swaps accepted in the app (docs/oncall.md), whenever they end.
        accepted = changes_of(
            session, found.id, datetime.min.replace(tzinfo=UTC), statuses=("accepted",)
        )
        return with_changes(WorkspaceConfig.model_validate(stored), accepted)


def _minutes(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes")


@app.command("now")
def now(
    workspace: str = WORKSPACE_OPTION,
    at: str | None = typer.Option(
        None,
        "--at",
        help="Ask about this moment instead, e.g. 2026-12-05T03:00+02:00.",
        show_default="now",
    ),
    language: str | None = LANGUAGE_OPTION,
) -> None:
    """Print who is on call in each rota, in their own local time, and until when.

    One line per rota: rota, person key, name, the person's local time and timezone, and the
    next moment (rota's timezone) when who is on call may change.
    """
    from flarewatch.oncall.rota import next_change, on_call

    config = load_oncall_config(workspace)
    reader = oncall_reader(config, language)
    moment = parse_instant(at) if at else datetime.now(UTC)
    if not config.rotas:
        fail(f"workspace {config.slug!r} has no rotas; add [[rotas]] (docs/oncall.md)", code=2)
    people = {person.key: person for person in config.people}
    for rota in config.rotas:
        person = on_call(rota, moment)
        until = _minutes(next_change(rota, moment).astimezone(ZoneInfo(rota.timezone)))
        if person is None:
            sys.stdout.write(f"{rota.key}\t-\t{reader.say(NO_ONE)}\t-\tuntil {until}\n")
            continue
        who = people[person]
        local = _minutes(moment.astimezone(ZoneInfo(who.timezone)))
        sys.stdout.write(
            f"{rota.key}\t{person}\t{who.name or person}\t{local} {who.timezone}\tuntil {until}\n"
        )


@app.command("simulate")
def simulate(
    workspace: str = WORKSPACE_OPTION,
    at: str = typer.Option(..., "--at", help="When the alert fires: 2026-12-05T03:00+02:00."),
    severity: str = typer.Option(..., "--severity", help="watch, warning or crisis."),
    ack_after: str | None = typer.Option(
        None,
        "--ack-after",
        help="Someone acknowledges this long after the alert (25m, 2h); later steps stop.",
        show_default="never acknowledged",
    ),
    language: str | None = LANGUAGE_OPTION,
) -> None:
    """Print the paging timeline an alert at that moment would cause, one line per notification:
    ISO time with offset (workspace timezone), person key (or route:NAME), channel (the contact
    URL's scheme), step number, separated by tabs. Nothing is sent."""
    from flarewatch.oncall.escalation import plan_escalation

    if severity not in SEVERITIES:
        raise typer.BadParameter(f"use one of {', '.join(SEVERITIES)}", param_hint="--severity")
    moment = parse_instant(at)
    delay = parse_duration(ack_after) if ack_after else None
    config = load_oncall_config(workspace)
    reader = oncall_reader(config, language)
    plan = plan_escalation(config, moment, severity, delay)
    if plan.urgency is None:
        line = reader.say(
            NO_POLICY,
            severity=reader.term(severity).lower(),
            workspace=reader.fragment(config.slug),
        )
        err_console.print(line, highlight=False, markup=False)
    elif plan.urgency == "digest":
        err_console.print(reader.say(DIGEST_ONLY), highlight=False, markup=False)
    zone = ZoneInfo(config.timezone)
    for note in plan.unreached:
        line = reader.say(UNREACHED, step=reader.fragment(note))
        err_console.print(line, highlight=False, markup=False)
    for item in plan.notifications:
        sys.stdout.write(
            f"{_minutes(item.at.astimezone(zone))}\t{item.recipient}\t{item.channel}\t{item.step}\n"
        )
