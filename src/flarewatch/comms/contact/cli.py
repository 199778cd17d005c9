"""`flarewatch contact`: private contact with the person behind a case's post — open it, list a
case's, show the window now in words, record what was sent and answered, close it with its
outcome. Output in the workspace's language through the Reader (cli/reader.py)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from flarewatch.alerts.cliutil import By, LanguageOption, cli_session, default_actor, reader_of
from flarewatch.bidi import neutralise
from flarewatch.cli.common import user_console
from flarewatch.comms.contact import messages, service
from flarewatch.comms.contact.models import OUTCOMES, PrivateContact
from flarewatch.comms.contact.windows import CHANNELS, DM_SETTINGS, FOLLOWS
from flarewatch.comms.contact.words import WindowWords, window_words
from flarewatch.db.base import utcnow
from flarewatch.detect.explain import N_

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from flarewatch.cli.reader import Reader

app = typer.Typer(
    help="Contact the person behind a case's post privately, within each platform's window.",
    no_args_is_help=True,
)
console = user_console()

OPENED = N_("Private contact #%(contact)s opened with %(person)s on %(channel)s (task #%(task)s).")
SENT = N_("Recorded on private contact #%(contact)s: message sent on %(channel)s.")
SENT_APPROVED = N_(
    "Recorded on private contact #%(contact)s: message sent on %(channel)s from draft "
    "#%(draft)s, approved version %(version)s."
)
ANSWERED = N_("Recorded on private contact #%(contact)s: their answer of %(at)s.")
CLOSED = N_("Private contact #%(contact)s closed: %(outcome)s.")
UPDATED = N_("Private contact #%(contact)s updated.")
NO_CONTACTS = N_("Case #%(case)s has no private contacts; open one with 'flarewatch contact open'.")
HEADING = N_("Private contact #%(contact)s with %(person)s (case #%(case)s)")
LINE_CHANNEL = N_("Channel: %(channel)s")
LINE_STATUS = N_("Status: %(status)s")
LINE_ASSIGNEE = N_("Assignee: %(person)s")
LINE_FOLLOWS = N_("Follows the account: %(follows)s · Who may message them: %(setting)s")
LINE_POST = N_("Post: %(url)s")
LINE_NOTE = N_("Note: %(note)s")
LINE_WHY = N_("Why: %(reason)s")
LINE_MIND = N_("Keep in mind: %(caveat)s")
LINE_ATTEMPT = N_("%(at)s · sent on %(channel)s by %(person)s")
LINE_ANSWER = N_("%(at)s · answered on %(channel)s")
COLUMN_NUMBER = N_("#")
COLUMN_PERSON = N_("Person")
COLUMN_CHANNEL = N_("Channel")
COLUMN_STATUS = N_("Status")
COLUMN_WINDOW = N_("Window now")
COLUMN_ATTEMPTS = N_("Sent")

CaseId = Annotated[int, typer.Argument(help="The case's number, as shown by 'cases list'.")]
ContactId = Annotated[
    int, typer.Argument(help="The private contact's number, as shown by 'contact list'.")
]
Note = Annotated[
    str | None, typer.Option("--note", help="A note for the timeline.", show_default="none")
]
Channel = Annotated[
    str | None,
    typer.Option(
        "--channel",
        help=f"Where it went: {', '.join(CHANNELS)}.",
        show_default="the post's platform",
    ),
]


def _print(text: str) -> None:
    console.print(text, highlight=False, markup=False)


def _moment(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r}: use ISO 8601 with a timezone, e.g. 2024-05-07T18:00+02:00",
            param_hint=option,
        ) from None


def _channel(reader: Reader, channel: str) -> str:
    return reader.gettext(messages.CHANNEL_LABELS.get(channel, channel))


@app.command("open")
def open_command(
    case_id: CaseId,
    post: Annotated[
        int, typer.Option("--post", help="The post's number (the case page, 'cases originator').")
    ],
    assignee: Annotated[
        str | None,
        typer.Option(
            "--assignee", help="The member who contacts them (e-mail).", show_default="nobody"
        ),
    ] = None,
    due: Annotated[
        str | None,
        typer.Option(
            "--due",
            help="Due sooner than the window's end, ISO 8601 (e.g. a playbook step's time).",
            show_default="the window's end",
        ),
    ] = None,
    follows: Annotated[
        str,
        typer.Option("--follows", help=f"Whether they follow the account: {', '.join(FOLLOWS)}."),
    ] = "unknown",
    dm_setting: Annotated[
        str,
        typer.Option(
            "--dm-setting",
            help=f"Who may message them (X, Bluesky): {', '.join(DM_SETTINGS)}.",
        ),
    ] = "unknown",
    by: By = None,
    language: LanguageOption = None,
) -> None:
    """Open a private contact with the author of a post on the case: a task due when the
    platform's window closes, and a line on the timeline."""
    due_at = _moment(due, "--due")
    with cli_session() as session:
        from flarewatch.cases.service import get_case

        case = get_case(session, case_id)
        contact = service.open_contact(
            session,
            case.id,
            post,
            by or default_actor(),
            workspace_id=case.workspace_id,
            assignee=assignee,
            due_at=due_at,
            follows=follows,
            dm_setting=dm_setting,
        )
        reader = reader_of(session, case.workspace_id, language)
        _print(
            reader.say(
                OPENED,
                contact=contact.id,
                person=reader.fragment(contact.handle),
                channel=_channel(reader, contact.channel),
                task=contact.task_id or "—",
            )
        )
        _print_window(session, reader, contact)


@app.command("list")
def list_command(case_id: CaseId, language: LanguageOption = None) -> None:
    """The case's private contacts: who, where, where it stands and the window now."""
    with cli_session() as session:
        from flarewatch.cases.service import get_case

        case = get_case(session, case_id)
        reader = reader_of(session, case.workspace_id, language)
        rows = service.case_contacts(session, case.id)
        if not rows:
            _print(reader.say(NO_CONTACTS, case=case.id))
            return
        say = reader.say
        table = Table(
            say(COLUMN_NUMBER),
            say(COLUMN_PERSON),
            say(COLUMN_CHANNEL),
            say(COLUMN_STATUS),
            say(COLUMN_WINDOW),
            say(COLUMN_ATTEMPTS),
        )
        for contact in rows:
            words = _words(session, reader, contact)
            status = _status(reader, contact)
            table.add_row(
                str(contact.id),
                escape(neutralise(contact.handle)),
                escape(_channel(reader, contact.channel)),
                escape(status),
                escape(words.headline),
                reader.number(len(contact.attempts or [])),
            )
        console.print(table)


@app.command("show")
def show_command(contact_id: ContactId, language: LanguageOption = None) -> None:
    """One private contact: the window now in words, its attempts, answers and outcome."""
    with cli_session() as session:
        contact = service.get_contact(session, contact_id, workspace_id=None)
        reader = reader_of(session, contact.workspace_id, language)
        say = reader.say
        frag = reader.fragment
        _print(say(HEADING, contact=contact.id, person=frag(contact.handle), case=contact.case_id))
        _print(say(LINE_CHANNEL, channel=_channel(reader, contact.channel)))
        _print(say(LINE_STATUS, status=_status(reader, contact)))
        if contact.assignee:
            _print(say(LINE_ASSIGNEE, person=frag(contact.assignee)))
        _print(
            say(
                LINE_FOLLOWS,
                follows=reader.gettext(messages.FOLLOWS_LABELS[contact.follows]),
                setting=reader.gettext(messages.DM_SETTING_LABELS[contact.dm_setting]),
            )
        )
        if contact.post_url:
            _print(say(LINE_POST, url=neutralise(contact.post_url)))
        _print_window(session, reader, contact)
        for attempt in contact.attempts or []:
            _print(
                say(
                    LINE_ATTEMPT,
                    at=reader.stamp(datetime.fromisoformat(attempt["at"])),
                    channel=_channel(reader, attempt["channel"]),
                    person=frag(str(attempt.get("by") or "")),
                )
            )
        for answer in contact.answers or []:
            _print(
                say(
                    LINE_ANSWER,
                    at=reader.stamp(datetime.fromisoformat(answer["at"])),
                    channel=_channel(reader, answer["channel"]),
                )
            )
        if contact.outcome_note:
            _print(say(LINE_NOTE, note=frag(contact.outcome_note)))


@app.command("sent")
def sent_command(
    contact_id: ContactId,
    draft: Annotated[
        int | None,
        typer.Option(
            "--draft",
            help="The private_message draft it was sent from; approved drafts pass the gate.",
            show_default="written by hand",
        ),
    ] = None,
    note: Note = None,
    channel: Channel = None,
    at: Annotated[
        str | None,
        typer.Option(
            "--at", help="When it was sent, ISO 8601 with a timezone.", show_default="now"
        ),
    ] = None,
    by: By = None,
    language: LanguageOption = None,
) -> None:
    """Record a private message sent (refused when the platform's window is shut)."""
    moment = _moment(at, "--at")
    with cli_session() as session:
        contact = service.get_contact(session, contact_id, workspace_id=None)
        service.record_sent(
            session,
            contact.id,
            by or default_actor(),
            workspace_id=contact.workspace_id,
            channel=channel,
            draft_id=draft,
            note=note,
            at=moment,
        )
        reader = reader_of(session, contact.workspace_id, language)
        last = contact.attempts[-1]
        used = _channel(reader, last["channel"])
        if last["approved"]:
            said = reader.say(
                SENT_APPROVED,
                contact=contact.id,
                channel=used,
                draft=last["draft_id"],
                version=last["draft_version"],
            )
        else:
            said = reader.say(SENT, contact=contact.id, channel=used)
        _print(said)
        _print_window(session, reader, contact)


@app.command("answered")
def answered_command(
    contact_id: ContactId,
    at: Annotated[str, typer.Option("--at", help="When they answered, ISO 8601 with a timezone.")],
    note: Note = None,
    channel: Channel = None,
    by: By = None,
    language: LanguageOption = None,
) -> None:
    """Record their answer: on Facebook and Instagram it opens 24 hours to write back."""
    moment = _moment(at, "--at")
    assert moment is not None
    with cli_session() as session:
        contact = service.get_contact(session, contact_id, workspace_id=None)
        service.record_answer(
            session,
            contact.id,
            by or default_actor(),
            workspace_id=contact.workspace_id,
            at=moment,
            channel=channel,
            note=note,
        )
        reader = reader_of(session, contact.workspace_id, language)
        _print(reader.say(ANSWERED, contact=contact.id, at=reader.stamp(moment)))
        _print_window(session, reader, contact)


@app.command("close")
def close_command(
    contact_id: ContactId,
    outcome: Annotated[
        str, typer.Option("--outcome", help=f"How it ended: {', '.join(OUTCOMES)}.")
    ],
    note: Note = None,
    by: By = None,
    language: LanguageOption = None,
) -> None:
    """Close the contact with its outcome; its task is done."""
    with cli_session() as session:
        contact = service.get_contact(session, contact_id, workspace_id=None)
        service.close_contact(
            session,
            contact.id,
            by or default_actor(),
            workspace_id=contact.workspace_id,
            outcome=outcome,
            note=note,
        )
        reader = reader_of(session, contact.workspace_id, language)
        label = reader.gettext(messages.OUTCOME_LABELS[outcome]).lower()
        _print(reader.say(CLOSED, contact=contact.id, outcome=label))


@app.command("update")
def update_command(
    contact_id: ContactId,
    follows: Annotated[
        str | None,
        typer.Option(
            "--follows",
            help=f"Whether they follow the account: {', '.join(FOLLOWS)}.",
            show_default="unchanged",
        ),
    ] = None,
    dm_setting: Annotated[
        str | None,
        typer.Option(
            "--dm-setting",
            help=f"Who may message them (X, Bluesky): {', '.join(DM_SETTINGS)}.",
            show_default="unchanged",
        ),
    ] = None,
    language: LanguageOption = None,
) -> None:
    """Record what their profile shows (follows the account, who may message them)."""
    with cli_session() as session:
        contact = service.get_contact(session, contact_id, workspace_id=None)
        service.set_facts(
            session,
            contact.id,
            workspace_id=contact.workspace_id,
            follows=follows,
            dm_setting=dm_setting,
        )
        reader = reader_of(session, contact.workspace_id, language)
        _print(reader.say(UPDATED, contact=contact.id))
        _print_window(session, reader, contact)


def _status(reader: Reader, contact: PrivateContact) -> str:
    status = reader.gettext(messages.STATUS_LABELS[contact.status])
    if contact.outcome:
        return f"{status}: {reader.gettext(messages.OUTCOME_LABELS[contact.outcome]).lower()}"
    return status


def _words(session: Session, reader: Reader, contact: PrivateContact) -> WindowWords:
    now = utcnow()
    current = None
    if contact.status != "closed":
        workspace = service.workspace_of(session, contact)
        current = service.contact_window(contact, now, service.working_time(workspace))
    return window_words(
        current,
        now,
        language=reader.language,
        gettext=reader.gettext,
        isolate=reader.fragment,
        moment=reader.stamp,
    )


def _print_window(session: Session, reader: Reader, contact: PrivateContact) -> None:
    words = _words(session, reader, contact)
    _print(words.headline)
    for reason in words.reasons:
        _print(reader.say(LINE_WHY, reason=reason))
    for caveat in words.caveats:
        _print(reader.say(LINE_MIND, caveat=caveat))
