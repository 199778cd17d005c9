"""The case room on the command line: `cases apply`, `cases timeline`, `cases goals`,
`cases originator` and `cases answered` (registered on `flarewatch cases`, cases/cli.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from flarewatch.alerts.cliutil import (
    By,
    LanguageOption,
    cli_session,
    default_actor,
    reader_of,
    workspace_readers,
)
from flarewatch.bidi import neutralise
from flarewatch.cases import goals as case_goals
from flarewatch.cases import timeline as case_timeline
from flarewatch.cases.originator import originator_view
from flarewatch.cases.service import get_case
from flarewatch.cli.common import user_console
from flarewatch.i18n.labels import N_
from flarewatch.playbooks import service as playbooks
from flarewatch.playbooks.cli import goal_text, usage_error
from flarewatch.playbooks.library import LANGUAGES

if TYPE_CHECKING:
    from flarewatch.cases.models import CaseEvent
    from flarewatch.cli.reader import Reader

console = user_console()

# The timeline's columns (`cases timeline`, `cases show`), in the workspace's language.
COLUMN_WHEN = N_("When")
COLUMN_KIND = N_("Kind")
COLUMN_WHO = N_("Who")
COLUMN_WHAT = N_("What")

# What `cases apply/goals/answered/originator` print, in the workspace's language.
PLAYBOOK_APPLIED = N_(
    "Playbook %(key)s (version %(version)s) applied to case #%(case)s: %(tasks)s tasks."
)
NO_GOALS = N_("Case #%(case)s has no goals; apply a playbook to add its goals.")
COLUMN_GOAL = N_("Goal")
COLUMN_GOAL_STATE = N_("State")
COLUMN_GOAL_AT = N_("At")
COLUMN_GOAL_NOW = N_("Now")
ANSWER_RECORDED = N_("Public answer recorded on case #%(case)s (event #%(event)s).")
NO_POSTS_TO_TRACE = N_("Case #%(case)s has no posts to trace yet.")
FIRST_POST = N_("First post: %(when)s on %(platform)s by %(author)s")
FIRST_POST_FOLLOWERS = N_(
    "First post: %(when)s on %(platform)s by %(author)s (%(followers)s followers)"
)
ACCOUNT_AGE = N_("account %(days)s days old at the time")
STORY_SIZE = N_("Story: %(posts)s posts, %(links)s replies, shares and copies")
PARTICIPANT = N_(
    "%(author)s (%(platform)s): %(posts)s posts, drew %(drew)s, followers %(followers)s"
)
GRIEVANCE = N_("Grievance: %(text)s")


def timeline_table(reader: Reader, events: Sequence[CaseEvent], title: str | None = None) -> Table:
    """The timeline's entries for the terminal: kinds as labels, and each entry that
    Flarewatch wrote as a message ("Case opened from alert #3", "New → triage") in the reader's
    language; a link stored with an entry goes on its own line."""
    say = reader.say
    table = Table(
        say(COLUMN_WHEN), say(COLUMN_KIND), say(COLUMN_WHO), say(COLUMN_WHAT), title=title
    )
    for event in events:
        data = event.data or {}
        text = reader.stored(
            {"message": data.get("message"), "params": data.get("params")}, event.text
        )
        url = data.get("url")
        if isinstance(url, str) and url:
            text += f"\n{neutralise(url)}"
        table.add_row(
            reader.stamp(event.at),
            escape(reader.term(event.kind)),
            escape(event.actor),
            escape(text),
        )
    return table


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
        reader = reader_of(session, get_case(session, case_id).workspace_id, language)
        console.print(
            reader.say(
                PLAYBOOK_APPLIED,
                key=reader.fragment(applied.key),
                version=applied.version,
                case=case_id,
                tasks=reader.number(len(applied.steps)),
            ),
            highlight=False,
            markup=False,
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
    language: LanguageOption = None,
) -> None:
    """The case's timeline oldest first, filtered by kind; CSV or JSON to export it (as
    stored); the text in the workspace's language."""
    if fmt not in ("text", *case_timeline.EXPORT_FORMATS):
        raise usage_error(f"--format {fmt!r}: use text, csv or json")
    with cli_session() as session:
        events = case_timeline.case_timeline(session, case_id, kind or [])
        if fmt != "text":
            typer.echo(case_timeline.export(events, fmt), nl=False)
            return
        reader = workspace_readers(session, language)[get_case(session, case_id).workspace_id]
        console.print(timeline_table(reader, events))


def goals_command(case_id: CaseId, language: LanguageOption = None) -> None:
    """The case's goals and whether each was met, missed or is still open, with the time."""
    with cli_session() as session:
        case = get_case(session, case_id)
        reader = reader_of(session, case.workspace_id, language)
        states = case_goals.goal_states(session, case)
        if not states:
            console.print(reader.say(NO_GOALS, case=case.id), highlight=False, markup=False)
            return
        say = reader.say
        table = Table(
            say(COLUMN_GOAL), say(COLUMN_GOAL_STATE), say(COLUMN_GOAL_AT), say(COLUMN_GOAL_NOW)
        )
        for goal in states:
            table.add_row(
                escape(goal_text(reader, goal.kind, goal.within_minutes, goal.target)),
                escape(reader.term(goal.state)),
                reader.stamp(goal.at) if goal.at is not None else "—",
                "—" if goal.value is None else reader.number(round(goal.value, 2)),
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
    language: LanguageOption = None,
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
        reader = reader_of(session, get_case(session, case_id).workspace_id, language)
        console.print(
            reader.say(ANSWER_RECORDED, case=case_id, event=event.id),
            highlight=False,
            markup=False,
        )


def originator_command(case_id: CaseId, language: LanguageOption = None) -> None:
    """Who started it: the first post and its author, top participants, the grievance."""
    with cli_session() as session:
        case = get_case(session, case_id)
        reader = reader_of(session, case.workspace_id, language)
        view = originator_view(session, case)
        lines: list[str] = []
        if view.first is None:
            lines.append(reader.say(NO_POSTS_TO_TRACE, case=case.id))
        else:
            first = view.first
            values = {
                "when": reader.stamp(first.created_at),
                "platform": reader.fragment(first.platform),
                "author": reader.fragment(first.handle or "?"),
            }
            if first.followers is not None:
                values["followers"] = reader.number(first.followers)
                lines.append(reader.say(FIRST_POST_FOLLOWERS, **values))
            else:
                lines.append(reader.say(FIRST_POST, **values))
            lines.append("  " + reader.fragment(neutralise(first.text)))
            if view.account_age_days is not None:
                lines.append("  " + reader.say(ACCOUNT_AGE, days=view.account_age_days))
            lines.append(
                reader.say(
                    STORY_SIZE,
                    posts=reader.number(len(view.posts)),
                    links=reader.number(len(view.edges)),
                )
            )
            for person in view.participants:
                followers = reader.number(person.followers) if person.followers else "—"
                lines.append(
                    "  "
                    + reader.say(
                        PARTICIPANT,
                        author=reader.fragment(person.handle),
                        platform=reader.fragment(person.platform),
                        posts=reader.number(person.posts),
                        drew=reader.number(person.drew),
                        followers=followers,
                    )
                )
            if view.grievance is not None:
                grievance = reader.fragment(neutralise(view.grievance.text))
                lines.append(reader.say(GRIEVANCE, text=grievance))
        for line in lines:
            console.print(line, highlight=False, markup=False)


COMMANDS = {
    "apply": apply_command,
    "timeline": timeline_command,
    "goals": goals_command,
    "answered": answered_command,
    "originator": originator_command,
}
