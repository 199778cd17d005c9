"""`flarewatch drafts`: write a case's drafts, send them for approval and decide on them
(docs/communication.md, "Command line"). The output is in the workspace's language (the
Reader, cli/reader.py); `--by` says who acts, as in `flarewatch cases`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from flarewatch.alerts.cliutil import By, LanguageOption, cli_session, default_actor, reader_of
from flarewatch.bidi import neutralise
from flarewatch.cli.common import fail, user_console
from flarewatch.cli.reader import Reader
from flarewatch.comms import approvals, drafts
from flarewatch.comms.ai_drafting.cli import suggest_command
from flarewatch.comms.models import AUDIENCES, DRAFT_KINDS, DRAFT_PLATFORMS, Draft
from flarewatch.i18n.labels import LABELS, N_
from flarewatch.tone.check import STAGE_REQUIREMENTS, Flag, format_flag
from flarewatch.tone.rules import LANGUAGES

app = typer.Typer(
    help="Write a case's drafts, send them for approval, approve or ask for changes.",
    no_args_is_help=True,
)
console = user_console(highlight=False, soft_wrap=True)

WRITTEN = N_("Draft #%(draft)s written on case #%(case)s: version %(version)s.")
REVISED = N_("Draft #%(draft)s: version %(version)s written.")
TONE_CLEAN = N_("Tone check: no flags.")
TONE_FLAGS = N_("Tone check, flags: %(count)s.")
SENT = N_("Draft #%(draft)s sent for approval: waiting for %(people)s.")
APPROVED_LOCKED = N_("Draft #%(draft)s is approved: version %(version)s is locked.")
STILL_WAITING = N_("Draft #%(draft)s: your approval is recorded; it now waits for %(people)s.")
CHANGES_SENT = N_("Draft #%(draft)s: changes requested; the author is told.")
COMMENT_ADDED = N_("Comment added to draft #%(draft)s (version %(version)s).")
RECALLED_DONE = N_("Draft #%(draft)s is a draft again; change it with 'flarewatch drafts edit'.")
WITHDRAWN_DONE = N_("Draft #%(draft)s withdrawn.")
NO_DRAFTS = N_("Case #%(case)s has no drafts yet.")
COLUMN_DRAFT = N_("Draft")
COLUMN_KIND = N_("Kind")
COLUMN_PLATFORM = N_("Platform")
COLUMN_STATUS = N_("Status")
COLUMN_VERSION = N_("Version")
COLUMN_AUTHOR = N_("Author")
COLUMN_UPDATED = N_("Updated")
SHOW_HEADING = N_("Draft #%(draft)s on case #%(case)s: %(kind)s for %(platform)s, %(status)s")
SHOW_APPROVED = N_("Approved version: %(version)s")
SHOW_VERSION = N_("Version %(version)s by %(author)s, %(when)s")
SHOW_APPROVAL = N_("Approval (submission %(round)s, version %(version)s):")
SHOW_STEP_ANY = N_("Step %(number)s, %(step)s (any one of them): %(status)s")
SHOW_STEP_ALL = N_("Step %(number)s, %(step)s (all of them): %(status)s")
SHOW_APPROVER = N_("%(person)s: %(status)s")
SHOW_APPROVER_NOTE = N_("%(person)s: %(status)s: %(comment)s")
SHOW_COMMENTS = N_("Comments:")
SHOW_COMMENT = N_("%(author)s on version %(version)s: %(text)s")

DraftId = Annotated[int, typer.Argument(help="The draft's number, as shown by 'drafts list'.")]
CaseArg = Annotated[int, typer.Argument(help="The case's number, as shown by 'cases list'.")]
TextArg = Annotated[str | None, typer.Argument(help="The text; or use --file.", show_default=False)]
FileOption = Annotated[
    Path | None,
    typer.Option(
        "--file",
        "-f",
        help="Read the text from this UTF-8 file ('-': standard input).",
        show_default="the TEXT argument",
    ),
]
Comment = Annotated[
    str | None,
    typer.Option("--comment", "-c", help="Why, in a few words.", show_default="no comment"),
]
VersionOption = Annotated[
    int | None,
    typer.Option(
        "--version",
        help="The version you read and decide on; refused when the text changed since.",
        show_default="the current version",
    ),
]


@app.command("new")
def new_command(
    case_id: CaseArg,
    platform: Annotated[
        str,
        typer.Option("--platform", "-p", help=f"Where it goes: {', '.join(DRAFT_PLATFORMS)}."),
    ],
    text: TextArg = None,
    kind: Annotated[
        str, typer.Option("--kind", "-k", help=f"One of {', '.join(DRAFT_KINDS)}.")
    ] = "statement",
    audience: Annotated[
        str | None,
        typer.Option(
            "--audience", help=f"One of {', '.join(AUDIENCES)}.", show_default="not named"
        ),
    ] = None,
    stage: Annotated[
        str | None,
        typer.Option(
            "--stage",
            help=f"The playbook stage, for the tone check: {', '.join(STAGE_REQUIREMENTS)}.",
            show_default="none: nothing required",
        ),
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(
            "--language",
            "-l",
            help=f"The draft's language: {', '.join(LANGUAGES)}.",
            show_default="detected from the text",
        ),
    ] = None,
    file: FileOption = None,
    by: By = None,
) -> None:
    """Write a new draft on a case (version 1) and show its tone check (the output is in the
    workspace's language; --language is the draft's)."""
    body = _text(text, file)
    with cli_session() as session:
        from flarewatch.cases.service import get_case

        case = get_case(session, case_id)
        draft = drafts.create_draft(
            session,
            case.id,
            body,
            by or default_actor(),
            workspace_id=case.workspace_id,
            platform=platform,
            kind=kind,
            audience=audience,
            stage=stage,
            language=language,
        )
        reader = reader_of(session, case.workspace_id)
        _say(reader.say(WRITTEN, draft=draft.id, case=case.id, version=1))
        _tone(reader, drafts.version_of(session, draft).flags)


@app.command("list")
def list_command(case_id: CaseArg, language: LanguageOption = None) -> None:
    """The case's drafts, newest first, with their status."""
    with cli_session() as session:
        from flarewatch.cases.service import get_case

        case = get_case(session, case_id)
        reader = reader_of(session, case.workspace_id, language)
        rows = drafts.case_drafts(session, case.id)
        if not rows:
            _say(reader.say(NO_DRAFTS, case=case.id))
            return
        say = reader.say
        table = Table(
            say(COLUMN_DRAFT),
            say(COLUMN_KIND),
            say(COLUMN_PLATFORM),
            say(COLUMN_STATUS),
            say(COLUMN_VERSION),
            say(COLUMN_AUTHOR),
            say(COLUMN_UPDATED),
        )
        for d in rows:
            table.add_row(
                f"#{d.id}",
                escape(reader.term(d.kind)),
                escape(d.platform),
                escape(reader.term(d.status)),
                str(d.current_version),
                escape(neutralise(d.created_by)),
                reader.stamp(d.updated_at),
            )
        console.print(table)


@app.command("show")
def show_command(draft_id: DraftId, language: LanguageOption = None) -> None:
    """The draft: every version with its tone flags, the approval steps and the comments."""
    with cli_session() as session:
        draft = drafts.get_draft(session, draft_id)
        reader = reader_of(session, draft.workspace_id, language)
        for line in show_lines(session, reader, draft):
            _say(line)


def show_lines(session: Session, reader: Reader, draft: Draft) -> list[str]:
    lines = [
        reader.say(
            SHOW_HEADING,
            draft=draft.id,
            case=draft.case_id,
            kind=reader.term(draft.kind).lower(),
            platform=reader.fragment(draft.platform),
            status=reader.term(draft.status).lower(),
        )
    ]
    if draft.approved_version is not None:
        lines.append(reader.say(SHOW_APPROVED, version=draft.approved_version))
    for version in drafts.versions(session, draft):
        lines.append("")
        lines.append(
            reader.say(
                SHOW_VERSION,
                version=version.number,
                author=reader.fragment(version.author),
                when=reader.stamp(version.created_at),
            )
        )
        lines.extend("  " + line for line in neutralise(version.text).splitlines())
        lines.extend("  ! " + format_flag(Flag(**flag)) for flag in version.flags)
    state = approvals.approval_state(session, draft)
    if state is not None:
        lines.append("")
        lines.append(reader.say(SHOW_APPROVAL, round=state.round, version=state.version or "—"))
        for step in state.steps:
            message = SHOW_STEP_ALL if step.require == "all" else SHOW_STEP_ANY
            lines.append(
                "  "
                + reader.say(
                    message,
                    number=step.index + 1,
                    step=_step_name(reader, step.name),
                    status=reader.term(step.status).lower(),
                )
            )
            for row in step.rows:
                values = {"person": reader.fragment(row.approver)}
                values["status"] = reader.term(row.status).lower()
                if row.comment:
                    values["comment"] = reader.fragment(neutralise(row.comment))
                    lines.append("    " + reader.say(SHOW_APPROVER_NOTE, **values))
                else:
                    lines.append("    " + reader.say(SHOW_APPROVER, **values))
    notes = approvals.comments(session, draft)
    if notes:
        lines.append("")
        lines.append(reader.say(SHOW_COMMENTS))
        for note in notes:
            lines.append(
                "  "
                + reader.say(
                    SHOW_COMMENT,
                    author=reader.fragment(note.author),
                    version=note.version,
                    text=reader.fragment(neutralise(note.text)),
                )
            )
    return lines


@app.command("edit")
def edit_command(
    draft_id: DraftId,
    text: TextArg = None,
    file: FileOption = None,
    by: By = None,
    language: LanguageOption = None,
) -> None:
    """Write a new version of the draft's text (an approved draft then needs approval again)."""
    body = _text(text, file)
    with cli_session() as session:
        draft = drafts.get_draft(session, draft_id)
        version = drafts.revise_draft(
            session, draft.id, body, by or default_actor(), workspace_id=draft.workspace_id
        )
        reader = reader_of(session, draft.workspace_id, language)
        _say(reader.say(REVISED, draft=draft.id, version=version.number))
        _tone(reader, version.flags)


@app.command("submit")
def submit_command(draft_id: DraftId, by: By = None, language: LanguageOption = None) -> None:
    """Send the draft's current version to the workspace's approval steps."""
    with cli_session() as session:
        draft = drafts.get_draft(session, draft_id)
        approvals.submit(session, draft.id, by or default_actor(), workspace_id=draft.workspace_id)
        _after_decision(session, reader_of(session, draft.workspace_id, language), draft, SENT)


@app.command("approve")
def approve_command(
    draft_id: DraftId,
    comment: Comment = None,
    version: VersionOption = None,
    by: By = None,
    language: LanguageOption = None,
) -> None:
    """Approve the draft's current version for your step (you must be one of its approvers)."""
    with cli_session() as session:
        draft = drafts.get_draft(session, draft_id)
        approvals.approve(
            session,
            draft.id,
            version or draft.current_version,
            by or default_actor(),
            workspace_id=draft.workspace_id,
            comment=comment,
        )
        reader = reader_of(session, draft.workspace_id, language)
        _after_decision(session, reader, draft, STILL_WAITING)


@app.command("request-changes")
def request_changes_command(
    draft_id: DraftId,
    comment: Annotated[str, typer.Option("--comment", "-c", help="What should change.")],
    version: VersionOption = None,
    by: By = None,
    language: LanguageOption = None,
) -> None:
    """Ask for changes to the draft (say which with --comment); the author is told."""
    if not comment.strip():
        fail("--comment is empty: say what should change", 2)
    with cli_session() as session:
        draft = drafts.get_draft(session, draft_id)
        approvals.request_changes(
            session,
            draft.id,
            version or draft.current_version,
            by or default_actor(),
            comment,
            workspace_id=draft.workspace_id,
        )
        _say(reader_of(session, draft.workspace_id, language).say(CHANGES_SENT, draft=draft.id))


@app.command("comment")
def comment_command(
    draft_id: DraftId,
    text: Annotated[str, typer.Argument(help="The comment.")],
    by: By = None,
    language: LanguageOption = None,
) -> None:
    """Comment on the draft's current version (on the case timeline too)."""
    with cli_session() as session:
        draft = drafts.get_draft(session, draft_id)
        row = approvals.comment(
            session, draft.id, text, by or default_actor(), workspace_id=draft.workspace_id
        )
        reader = reader_of(session, draft.workspace_id, language)
        _say(reader.say(COMMENT_ADDED, draft=draft.id, version=row.version))


@app.command("recall")
def recall_command(draft_id: DraftId, by: By = None, language: LanguageOption = None) -> None:
    """Take your draft back from approval to change it."""
    with cli_session() as session:
        draft = drafts.get_draft(session, draft_id)
        approvals.recall(session, draft.id, by or default_actor(), workspace_id=draft.workspace_id)
        _say(reader_of(session, draft.workspace_id, language).say(RECALLED_DONE, draft=draft.id))


@app.command("withdraw")
def withdraw_command(draft_id: DraftId, by: By = None, language: LanguageOption = None) -> None:
    """End a draft that will not be used; its versions stay on record."""
    with cli_session() as session:
        draft = drafts.get_draft(session, draft_id)
        approvals.withdraw(
            session, draft.id, by or default_actor(), workspace_id=draft.workspace_id
        )
        _say(reader_of(session, draft.workspace_id, language).say(WITHDRAWN_DONE, draft=draft.id))


def _step_name(reader: Reader, name: str) -> str:
    """A built-in role's name as its translated label, else the step's own name, isolated."""
    return reader.term(name).lower() if name in LABELS else reader.fragment(name)


def _after_decision(session: Session, reader: Reader, draft: Draft, waiting: str) -> None:
    if draft.status == "approved":
        _say(reader.say(APPROVED_LOCKED, draft=draft.id, version=draft.current_version))
        return
    state = approvals.approval_state(session, draft)
    people = reader.names(state.deciders() if state is not None else [])
    _say(reader.say(waiting, draft=draft.id, people=people or "—"))


def _tone(reader: Reader, flags: list[dict[str, object]]) -> None:
    if not flags:
        _say(reader.say(TONE_CLEAN))
        return
    _say(reader.say(TONE_FLAGS, count=reader.number(len(flags))))
    for flag in flags:
        _say("  " + format_flag(Flag(**flag)))  # type: ignore[arg-type]


def _text(text: str | None, file: Path | None) -> str:
    if (text is None) == (file is None):
        fail("give the text either as an argument or with --file (not both)", 2)
    if file is None:
        assert text is not None
        return text
    if str(file) == "-":
        return sys.stdin.read()
    try:
        return file.read_text(encoding="utf-8")
    except FileNotFoundError:
        fail(f"--file {file}: no such file", 2)
    except UnicodeDecodeError:
        fail(f"--file {file}: not UTF-8 text; save it as UTF-8 and try again", 2)
    except OSError as err:
        fail(f"--file {file}: cannot be read ({err.strerror})", 2)


def _say(line: str) -> None:
    console.print(line, markup=False)


# `flarewatch drafts suggest`: a draft written by the workspace's AI endpoint
# (comms/ai_drafting/cli.py), in this group like every other way to start a draft.
app.command("suggest")(suggest_command)
