"""`flarewatch replies`: a case's reply queue on the command line: list, assign, skip
("no answer needed"), reopen, answered (elsewhere), answer (a reply draft) and stats. Output in
the workspace's language through the reader (cli/reader.py); `--format json` as stored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from flarewatch.alerts.cliutil import By, LanguageOption, cli_session, default_actor, reader_of
from flarewatch.alerts.message import excerpt
from flarewatch.cases.service import get_case
from flarewatch.cli.common import user_console
from flarewatch.cli.reader import CLDR_MARKS, Reader
from flarewatch.comms.replies import service
from flarewatch.comms.replies.figures import ReplyFigures
from flarewatch.comms.replies.queue import STATE_NAMES, STATES, QueueRow, only, row_record
from flarewatch.comms.replies.selection import REASONS
from flarewatch.errors import InputError
from flarewatch.i18n.labels import N_

app = typer.Typer(
    help="A case's reply queue: the posts that need an answer, who answers them, reply drafts "
    "and the time-to-reply figures.",
    no_args_is_help=True,
)
console = user_console()

CaseId = Annotated[int, typer.Argument(help="The case's number, as shown by 'cases list'.")]
PostId = Annotated[int, typer.Argument(help="The post's number, as shown by 'replies list'.")]

COLUMN_POST = N_("Post")
COLUMN_WHEN = N_("When")
COLUMN_AUTHOR = N_("Author")
COLUMN_TEXT = N_("Text")
COLUMN_WHY = N_("Why")
COLUMN_STATE = N_("State")
COLUMN_ASSIGNEE = N_("Assignee")
QUEUE_TITLE = N_("Case #%(case)s: posts to answer (%(state)s): %(count)s")
QUEUE_EMPTY = N_("Case #%(case)s has no posts in this state (%(state)s).")
ASSIGNED = N_("Case #%(case)s: %(count)s posts assigned to %(person)s.")
UNASSIGNED = N_("Case #%(case)s: %(count)s posts unassigned.")
SKIPPED = N_("Post #%(post)s needs no answer; it stays listed under 'no answer needed'.")
REOPENED = N_("Post #%(post)s is waiting for an answer again.")
ANSWERED_ELSEWHERE = N_("Post #%(post)s recorded as answered outside Flarewatch.")
DRAFTED = N_("Reply draft #%(draft)s written for post #%(post)s; open it at %(link)s")
STATS_TITLE = N_("Case #%(case)s: replies")
STAT_NEEDING = N_("Posts needing an answer: %(count)s")
STAT_ANSWERED = N_("Answered: %(count)s (coverage %(coverage)s)")
STAT_NO_ANSWER = N_("No answer needed: %(count)s")
STAT_FIRST = N_("Time to first reply from the case's opening: %(time)s")
STAT_MEDIAN = N_("Time to reply per post: median %(median)s, 90th percentile %(p90)s")
STAT_OPEN_BY = N_("Waiting, by assignee:")
NOBODY = N_("nobody")
NOT_YET = N_("not yet")


def _state_name(reader: Reader, state: str) -> str:
    return reader.gettext(STATE_NAMES[state])


def _reasons(reader: Reader, codes: tuple[str, ...]) -> str:
    return ", ".join(reader.gettext(REASONS[code]) for code in codes)


def _queue_table(reader: Reader, rows: list[QueueRow], title: str) -> Table:
    say = reader.say
    table = Table(
        say(COLUMN_POST),
        say(COLUMN_WHEN),
        say(COLUMN_AUTHOR),
        say(COLUMN_TEXT),
        say(COLUMN_WHY),
        say(COLUMN_STATE),
        say(COLUMN_ASSIGNEE),
        title=escape(title),
    )
    for row in rows:
        post = row.post
        table.add_row(
            f"#{row.post_id}",
            reader.stamp(post.created_at),
            escape(reader.fragment(post.author_handle or post.author_name or "—")),
            escape(reader.fragment(excerpt(post.text, 160))),
            escape(_reasons(reader, row.selected.reasons)),
            escape(_state_name(reader, row.state)),
            escape(row.assignee or "—"),
        )
    return table


@app.command("list")
def list_command(
    case_id: CaseId,
    state: Annotated[
        str, typer.Option("--state", "-s", help=f"Which posts: {', '.join(STATES)}.")
    ] = "open",
    assignee: Annotated[
        str | None,
        typer.Option(
            "--assignee",
            "-a",
            help="Only this member's posts ('-' for nobody's).",
            show_default="anyone's",
        ),
    ] = None,
    reason: Annotated[
        str | None,
        typer.Option(
            "--reason",
            "-r",
            help=f"Only posts in for this reason: {', '.join(REASONS)}.",
            show_default="any",
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    language: LanguageOption = None,
) -> None:
    """The posts of a case that need an answer, highest priority first, with the reasons."""
    if state not in STATES:
        raise typer.BadParameter(f"use one of {', '.join(STATES)}", param_hint="--state")
    if reason is not None and reason not in REASONS:
        raise typer.BadParameter(f"use one of {', '.join(REASONS)}", param_hint="--reason")
    if fmt not in ("text", "json"):
        raise typer.BadParameter("use text or json", param_hint="--format")
    with cli_session() as session:
        case = get_case(session, case_id)
        rows = only(
            service.queue(session, case.id, workspace_id=case.workspace_id),
            state=state,
            assignee=assignee,
            reason=reason,
        )
        if fmt == "json":
            typer.echo(json.dumps([row_record(r) for r in rows], ensure_ascii=False, indent=2))
            return
        reader = reader_of(session, case.workspace_id, language)
        name = _state_name(reader, state)
        if not rows:
            console.print(reader.say(QUEUE_EMPTY, case=case.id, state=name), markup=False)
            return
        title = reader.say(QUEUE_TITLE, case=case.id, state=name, count=reader.number(len(rows)))
        console.print(_queue_table(reader, rows, title))


@app.command("assign")
def assign_command(
    case_id: CaseId,
    post_ids: Annotated[list[int], typer.Argument(help="One or more posts of the queue.")],
    to: Annotated[
        str,
        typer.Option("--to", help="The member's e-mail; an empty value ('') unassigns."),
    ],
    by: By = None,
    language: LanguageOption = None,
) -> None:
    """Give posts of the queue to a member to answer (they are notified), or unassign them."""
    with cli_session() as session:
        case = get_case(session, case_id)
        changed = service.assign(
            session, case.id, post_ids, to, by or default_actor(), workspace_id=case.workspace_id
        )
        reader = reader_of(session, case.workspace_id, language)
        count = reader.number(len(changed))
        said = (
            reader.say(ASSIGNED, case=case.id, count=count, person=reader.fragment(to.strip()))
            if to.strip()
            else reader.say(UNASSIGNED, case=case.id, count=count)
        )
        console.print(said, markup=False, highlight=False)


@app.command("skip")
def skip_command(
    case_id: CaseId,
    post_id: PostId,
    reason: Annotated[str, typer.Option("--reason", help="Why the post needs no answer.")],
    by: By = None,
    language: LanguageOption = None,
) -> None:
    """Mark a post "no answer needed", with the reason (it stays listed; 'reopen' undoes it)."""
    with cli_session() as session:
        case = get_case(session, case_id)
        service.skip(
            session, case.id, post_id, reason, by or default_actor(), workspace_id=case.workspace_id
        )
        reader = reader_of(session, case.workspace_id, language)
        console.print(reader.say(SKIPPED, post=post_id), markup=False, highlight=False)


@app.command("reopen")
def reopen_command(
    case_id: CaseId, post_id: PostId, by: By = None, language: LanguageOption = None
) -> None:
    """Put a post marked "no answer needed" or "answered elsewhere" back in the queue."""
    with cli_session() as session:
        case = get_case(session, case_id)
        service.reopen(
            session, case.id, post_id, by or default_actor(), workspace_id=case.workspace_id
        )
        reader = reader_of(session, case.workspace_id, language)
        console.print(reader.say(REOPENED, post=post_id), markup=False, highlight=False)


@app.command("answered")
def answered_command(
    case_id: CaseId,
    post_id: PostId,
    where: Annotated[
        str, typer.Option("--where", help="Where it was answered: the reply's link, 'by phone'.")
    ],
    by: By = None,
    language: LanguageOption = None,
) -> None:
    """Record that a post was answered outside Flarewatch; it leaves the queue."""
    with cli_session() as session:
        case = get_case(session, case_id)
        service.answered_elsewhere(
            session, case.id, post_id, where, by or default_actor(), workspace_id=case.workspace_id
        )
        reader = reader_of(session, case.workspace_id, language)
        console.print(reader.say(ANSWERED_ELSEWHERE, post=post_id), markup=False, highlight=False)


@app.command("answer")
def answer_command(
    case_id: CaseId,
    post_id: PostId,
    text: Annotated[
        str | None, typer.Argument(help="The reply; or --file, or neither to quote the post.")
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            help="Read the reply from this UTF-8 file ('-' for stdin).",
            show_default="TEXT, else the post quoted",
        ),
    ] = None,
    by: By = None,
    language: LanguageOption = None,
) -> None:
    """Write a reply draft for a post (it is sent once approved, as the workspace requires)."""
    if text is not None and file is not None:
        raise typer.BadParameter("give the reply as TEXT or --file, not both", param_hint="TEXT")
    body = text
    if file is not None:
        body = _read(file)
    with cli_session() as session:
        case = get_case(session, case_id)
        draft = service.answer(
            session,
            case.id,
            post_id,
            by or default_actor(),
            workspace_id=case.workspace_id,
            text=body,
        )
        reader = reader_of(session, case.workspace_id, language)
        slug = case_slug(session, case.workspace_id)
        link = f"/w/{slug}/cases/{case.id}/drafts/{draft.id}"
        said = reader.say(DRAFTED, draft=draft.id, post=post_id, link=link)
        console.print(said, markup=False, highlight=False)


def _read(file: Path) -> str:
    import sys

    try:
        return sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(
            f"cannot read the reply from {file}: {err}; give a UTF-8 text file"
        ) from err


def case_slug(session: Session, workspace_id: int) -> str:
    from flarewatch.workspaces.models import Workspace

    return session.get_one(Workspace, workspace_id).slug


def stats_lines(reader: Reader, figures: ReplyFigures) -> list[str]:
    """The figures as sentences in the reader's language and locale."""
    say, fmt = reader.say, reader.fmt

    def duration(seconds: float | None) -> str:
        return fmt.duration(seconds) if seconds is not None else reader.gettext(NOT_YET)

    coverage = fmt.percent(figures.coverage) if figures.coverage is not None else "—"
    lines = [
        say(STAT_NEEDING, count=reader.number(figures.needing)),
        say(STAT_ANSWERED, count=reader.number(figures.answered), coverage=coverage),
        say(STAT_NO_ANSWER, count=reader.number(figures.no_answer)),
        say(STAT_FIRST, time=duration(figures.first_reply_seconds)),
        say(
            STAT_MEDIAN,
            median=duration(figures.median_seconds),
            p90=duration(figures.p90_seconds),
        ),
    ]
    if figures.open_by_assignee:
        lines.append(say(STAT_OPEN_BY))
        for person, count in figures.open_by_assignee.items():
            who = reader.fragment(person) if person else reader.gettext(NOBODY)
            lines.append(f"  {who}: {reader.number(count)}")
    return [line.translate(CLDR_MARKS) for line in lines]


@app.command("stats")
def stats_command(
    case_id: CaseId,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    language: LanguageOption = None,
) -> None:
    """Time to first reply, median and 90th percentile time to reply, coverage, and the posts
    waiting per assignee."""
    if fmt not in ("text", "json"):
        raise typer.BadParameter("use text or json", param_hint="--format")
    with cli_session() as session:
        case = get_case(session, case_id)
        figures = service.figures(session, case.id, workspace_id=case.workspace_id)
        if fmt == "json":
            typer.echo(json.dumps(figures.as_dict(), ensure_ascii=False, indent=2))
            return
        reader = reader_of(session, case.workspace_id, language)
        console.print(reader.say(STATS_TITLE, case=case.id), markup=False, highlight=False)
        for line in stats_lines(reader, figures):
            console.print(line, markup=False, highlight=False)
