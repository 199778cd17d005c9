"""The case room on the command line: `cases apply`, `cases timeline`, `cases goals`,
`cases originator` and `cases answered` (registered on `flarewatch cases`, cases/cli.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from flarewatch.alerts.cliutil import By, cli_session, default_actor, when, workspace_timezones
from flarewatch.bidi import isolate_plain, neutralise
from flarewatch.cases import goals as case_goals
from flarewatch.cases import timeline as case_timeline
from flarewatch.cases.originator import originator_view
from flarewatch.cases.service import get_case
from flarewatch.cli.common import user_console
from flarewatch.playbooks import service as playbooks
from flarewatch.playbooks.cli import usage_error
from flarewatch.playbooks.library import LANGUAGES

console = user_console()
CaseId = Annotated[int, typer.Argument(help="The case's number, as shown by 'cases list'.")]


def apply_command(
    case_id: Annotated[int, typer.Argument(help="The case's number, as shown by 'cases list'.")],
    playbook: Annotated[str, typer.Argument(help="The playbook's key ('playbooks list').")],
    language: Annotated[
        str | None,
        typer.Option(
            "--language",
            "-l",
            help=f"Language of the tasks' titles: {', '.join(LANGUAGES)}.",
            show_default="the workspace's first language",
        ),
    ] = None,
    by: By = None,
) -> None:
    """Apply a playbook to a case: its steps become tasks due relative to the case's start."""
    if language is not None and language not in LANGUAGES:
        raise usage_error(f"--language {language!r}: use one of {', '.join(LANGUAGES)}")
    with cli_session() as session:
        applied = playbooks.apply_playbook(
            session, case_id, playbook, by or default_actor(), language=language
        )
        console.print(
            f"Playbook {applied.key} (version {applied.version}) applied to case #{case_id}: "
            f"{len(applied.steps)} tasks.",
            highlight=False,
        )


def timeline_command(
    case_id: CaseId,
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind", "-k", help="Only entries of this kind (repeat for more).", show_default="all"
        ),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option("--format", "-f", help="text, csv or json (csv and json for export)."),
    ] = "text",
) -> None:
    """The case's timeline oldest first, filtered by kind; CSV or JSON to export it."""
    if fmt not in ("text", *case_timeline.EXPORT_FORMATS):
        raise usage_error(f"--format {fmt!r}: use text, csv or json")
    with cli_session() as session:
        events = case_timeline.case_timeline(session, case_id, kind or [])
        if fmt != "text":
            typer.echo(case_timeline.export(events, fmt), nl=False)
            return
        zone = workspace_timezones(session).get(get_case(session, case_id).workspace_id)
        table = Table("When", "Kind", "Who", "What")
        for event in events:
            table.add_row(
                when(event.at, zone),
                event.kind,
                escape(event.actor),
                escape(neutralise(event.text)),
            )
        console.print(table)


def goals_command(case_id: CaseId) -> None:
    """The case's goals and whether each was met, missed or is still open, with the time."""
    with cli_session() as session:
        case = get_case(session, case_id)
        zone = workspace_timezones(session).get(case.workspace_id)
        states = case_goals.goal_states(session, case)
        if not states:
            console.print(f"Case #{case.id} has no goals; apply a playbook to add its goals.")
            return
        table = Table("Goal", "Target", "Within", "State", "At", "Now")
        for goal in states:
            table.add_row(
                goal.kind,
                f"{goal.target:.0%}" if goal.target is not None else "—",
                f"{goal.within_minutes} min",
                goal.state,
                when(goal.at, zone),
                "—" if goal.value is None else f"{goal.value:.2f}",
            )
        console.print(table)


def answered_command(
    case_id: CaseId,
    where: Annotated[str, typer.Argument(help="Where the public answer is: its link.")],
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help="When it was published, ISO 8601 with a timezone.",
            show_default="now",
        ),
    ] = None,
    by: By = None,
) -> None:
    """Record a public answer on the timeline (the first-answer goal counts from it)."""
    try:
        moment = datetime.fromisoformat(at) if at else None
    except ValueError:
        raise usage_error(f"--at {at!r}: use ISO 8601, e.g. 2024-05-07T18:00+02:00") from None
    with cli_session() as session:
        event = case_goals.record_response(
            session, case_id, where, by or default_actor(), at=moment
        )
        console.print(f"Public answer recorded on case #{case_id} (event #{event.id}).")


def originator_command(case_id: CaseId) -> None:
    """Who started it: the first post and its author, top participants, the grievance."""
    with cli_session() as session:
        case = get_case(session, case_id)
        zone = workspace_timezones(session).get(case.workspace_id)
        view = originator_view(session, case)
        if view.first is None:
            console.print(f"Case #{case.id} has no posts to trace yet.")
            return
        first = view.first
        console.print(
            f"First post: {when(first.created_at, zone)} on {first.platform} by "
            f"{escape(isolate_plain(first.handle or '?'))}"
            + (f" ({first.followers} followers)" if first.followers is not None else ""),
            highlight=False,
        )
        console.print(f"  {escape(neutralise(first.text))}", highlight=False)
        if view.account_age_days is not None:
            console.print(f"  account {view.account_age_days} days old at the time")
        console.print(
            f"Story: {len(view.posts)} posts, {len(view.edges)} replies, shares and copies"
        )
        for person in view.participants:
            console.print(
                f"  {escape(isolate_plain(person.handle))} ({person.platform}): "
                f"{person.posts} posts, drew {person.drew}, followers {person.followers or '—'}",
                highlight=False,
            )
        if view.grievance is not None:
            console.print(f"Grievance: {escape(neutralise(view.grievance.text))}", highlight=False)


COMMANDS = {
    "apply": apply_command,
    "timeline": timeline_command,
    "goals": goals_command,
    "answered": answered_command,
    "originator": originator_command,
}
