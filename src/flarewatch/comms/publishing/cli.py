"""`flarewatch publish`: schedule approved drafts on the workspace's channels, publish now, list
and cancel, the kill switch, the channels' readiness, and moderation through the guard."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.alerts.cliutil import By, LanguageOption, cli_session, default_actor, reader_of
from flarewatch.cli.common import user_console
from flarewatch.cli.reader import Reader
from flarewatch.comms.drafts import get_draft
from flarewatch.comms.models import Publication
from flarewatch.comms.publishing import guard, killswitch, service
from flarewatch.comms.publishing.channels import (
    missing_secrets,
    session_secrets,
    workspace_channels,
)
from flarewatch.comms.publishing.sender import publish_now
from flarewatch.db.base import utcnow
from flarewatch.errors import InputError, NotFoundError
from flarewatch.i18n.labels import N_
from flarewatch.workspaces.models import Workspace

app = typer.Typer(
    help="Publish approved drafts through the workspace's channels; the kill switch.",
    no_args_is_help=True,
)
console = user_console()

SCHEDULED = N_("Publication #%(id)s: draft #%(draft)s on %(channel)s at %(when)s (%(status)s).")
PUBLISHED = N_("Publication #%(id)s published: %(url)s")
NOT_PUBLISHED = N_("Publication #%(id)s is %(status)s: %(error)s")
CANCELLED = N_("Publication #%(id)s cancelled.")
NOTHING = N_("No publications.")
SWITCH_ON = N_("Kill switch on: publishing stopped. Scheduled posts held: %(count)s.")
SWITCH_OFF = N_("Kill switch off. Held posts scheduled again: %(count)s.")
NO_CHANNELS = N_("No channels: add [[channels]] to the workspace file.")
READY = N_("ready")
MISSING = N_("missing: %(names)s")
HIDDEN = N_("Comment %(post)s hidden on %(channel)s.")
DELETED = N_("Comment %(post)s deleted on %(channel)s.")
COLUMN_CASE = N_("Case")
COLUMN_CHANNEL = N_("Channel")
COLUMN_WHEN = N_("When")
COLUMN_STATE = N_("State")
COLUMN_LINK = N_("Link or problem")
COLUMN_PLATFORM = N_("Platform")
COLUMN_SECRETS = N_("Secrets")
STATUS_NAMES = {
    "scheduled": N_("scheduled"),
    "sending": N_("sending"),
    "published": N_("published"),
    "failed": N_("failed"),
    "suspended": N_("held by the kill switch"),
    "cancelled": N_("cancelled"),
}

DraftId = Annotated[int, typer.Argument(help="The draft's number (approved).", min=1)]
Channel = Annotated[str, typer.Option("--channel", "-c", help="The channel's key ([[channels]]).")]
WorkspaceSlug = Annotated[
    str | None,
    typer.Option(
        "--workspace", "-w", help="The workspace's slug.", show_default="the only workspace"
    ),
]
_IN_RE = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_in(value: str) -> timedelta:
    """`10m`, `2h`, `30s`, `1d`: a delay from now."""
    match = _IN_RE.match(value)
    if not match:
        raise InputError(f"--in {value!r}: write a number and a unit, e.g. 10m, 2h, 1d")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def parse_at(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            f"--at {value!r} is not an ISO date and time; write e.g. 2026-12-08T18:00+02:00"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def workspace_of(session: Session, slug: str | None) -> Workspace:
    if slug is not None:
        found = session.scalar(select(Workspace).where(Workspace.slug == slug))
        if found is None:
            raise NotFoundError(f"workspace {slug!r} not found; check the slug in its file")
        return found
    rows = list(session.scalars(select(Workspace).limit(2)))
    if len(rows) != 1:
        raise InputError("name the workspace with --workspace SLUG (there is not exactly one)")
    return rows[0]


def _say_publication(reader: Reader, row: Publication) -> str:
    if row.status == "published":
        return reader.say(PUBLISHED, id=row.id, url=reader.fragment(row.url or "—"))
    if row.status in ("failed", "suspended"):
        return reader.say(
            NOT_PUBLISHED,
            id=row.id,
            status=reader.gettext(STATUS_NAMES[row.status]),
            error=reader.fragment(row.error or row.reason or "—"),
        )
    return reader.say(
        SCHEDULED,
        id=row.id,
        draft=row.draft_id,
        channel=reader.fragment(row.channel),
        when=reader.stamp(row.scheduled_at),
        status=reader.gettext(STATUS_NAMES[row.status]),
    )


def _print(text: str) -> None:
    console.print(text, highlight=False, markup=False)


@app.command("schedule")
def schedule_command(
    draft: DraftId,
    channel: Channel,
    at: Annotated[
        str | None,
        typer.Option("--at", help="When, ISO 8601 (UTC unless it says).", show_default="now"),
    ] = None,
    within: Annotated[
        str | None,
        typer.Option("--in", help="After this long: 30s, 10m, 2h, 1d.", show_default="now"),
    ] = None,
    by: By = None,
    language: LanguageOption = None,
) -> None:
    """Schedule an approved draft on a channel (now when neither --at nor --in is given)."""
    with cli_session() as session:
        if at is not None and within is not None:
            raise InputError("give --at or --in, not both")
        now = utcnow()
        when = parse_at(at) if at else (now + parse_in(within) if within else None)
        row = _schedule(session, draft, channel, when, by, now)
        _print(_say_publication(reader_of(session, row.workspace_id, language), row))


def _schedule(
    session: Session,
    draft_id: int,
    channel: str,
    when: datetime | None,
    by: str | None,
    now: datetime,
) -> Publication:
    found = get_draft(session, draft_id)
    return service.schedule(
        session, found.id, channel, when, by or default_actor(), found.workspace_id, now=now
    )


@app.command("now")
def now_command(
    draft: DraftId, channel: Channel, by: By = None, language: LanguageOption = None
) -> None:
    """Publish an approved draft on a channel right away, and say where it went."""
    with cli_session() as session:
        now = utcnow()
        row = _schedule(session, draft, channel, None, by, now)
        session.commit()
        if row.status == "scheduled":
            publish_now(session, row.id, now)
            session.refresh(row)
        _print(_say_publication(reader_of(session, row.workspace_id, language), row))
        if row.status == "failed":
            raise typer.Exit(1)


@app.command("list")
def list_command(
    case: Annotated[
        int | None,
        typer.Option("--case", help="Only this case's.", min=1, show_default="every case"),
    ] = None,
    workspace: WorkspaceSlug = None,
    language: LanguageOption = None,
) -> None:
    """The workspace's publications: scheduled, sent with links, failed, held."""
    with cli_session() as session:
        ws = workspace_of(session, workspace)
        reader = reader_of(session, ws.id, language)
        rows = service.publications(session, ws.id, case_id=case)
        if not rows:
            _print(reader.say(NOTHING))
            return
        say = reader.say
        table = Table(
            "#",
            say(COLUMN_CASE),
            say(COLUMN_CHANNEL),
            say(COLUMN_WHEN),
            say(COLUMN_STATE),
            say(COLUMN_LINK),
        )
        for row in rows:
            table.add_row(
                str(row.id),
                f"#{row.case_id}",
                reader.fragment(row.channel),
                reader.stamp(row.scheduled_at),
                reader.gettext(STATUS_NAMES[row.status]),
                reader.fragment(row.url or row.error or row.reason or ""),
            )
        console.print(table)


@app.command("cancel")
def cancel_command(
    publication: Annotated[int, typer.Argument(help="The publication's number.", min=1)],
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why.", show_default="none")
    ] = None,
    by: By = None,
    language: LanguageOption = None,
) -> None:
    """Cancel a publication that has not gone out (scheduled, held or failed)."""
    with cli_session() as session:
        row = session.get(Publication, publication)
        if row is None:
            raise NotFoundError(f"publication #{publication} not found")
        service.cancel(session, row.id, by or default_actor(), row.workspace_id, reason=reason)
        _print(reader_of(session, row.workspace_id, language).say(CANCELLED, id=row.id))


@app.command("kill-switch")
def kill_switch_command(
    reason: Annotated[str, typer.Option("--reason", help="Why publishing stops (required).")],
    workspace: WorkspaceSlug = None,
    by: By = None,
    language: LanguageOption = None,
) -> None:
    """Stop all publishing of the workspace: every scheduled post is held with the reason."""
    with cli_session() as session:
        ws = workspace_of(session, workspace)
        held = killswitch.engage(session, ws.id, reason, by or default_actor())
        reader = reader_of(session, ws.id, language)
        _print(reader.say(SWITCH_ON, count=reader.number(len(held))))


@app.command("resume")
def resume_command(
    workspace: WorkspaceSlug = None, by: By = None, language: LanguageOption = None
) -> None:
    """Lift the kill switch: held posts are scheduled again (past-due ones go next cycle)."""
    with cli_session() as session:
        ws = workspace_of(session, workspace)
        released = killswitch.lift(session, ws.id, by or default_actor())
        reader = reader_of(session, ws.id, language)
        _print(reader.say(SWITCH_OFF, count=reader.number(len(released))))


@app.command("channels")
def channels_command(workspace: WorkspaceSlug = None, language: LanguageOption = None) -> None:
    """The workspace's channels and whether their secrets are present."""
    with cli_session() as session:
        ws = workspace_of(session, workspace)
        reader = reader_of(session, ws.id, language)
        channels = workspace_channels(ws)
        if not channels:
            _print(reader.say(NO_CHANNELS))
            return
        secrets = session_secrets(session, ws.id)
        say = reader.say
        table = Table(say(COLUMN_CHANNEL), say(COLUMN_PLATFORM), say(COLUMN_SECRETS))
        for channel in channels:
            missing = missing_secrets(channel, secrets)
            state = say(MISSING, names=reader.names(missing)) if missing else say(READY)
            table.add_row(reader.fragment(channel.key), channel.platform, state)
        console.print(table)


def _moderate(
    action: str,
    post: str,
    channel: str,
    reason: str | None,
    confirm: bool,
    workspace: str | None,
    by: str | None,
    language: str | None,
) -> None:
    with cli_session() as session:
        ws = workspace_of(session, workspace)
        guard.moderate(
            session,
            ws.id,
            channel,
            post,
            action,
            by or default_actor(),
            reason=reason,
            confirm=confirm,
        )
        reader = reader_of(session, ws.id, language)
        _print(
            reader.say(
                HIDDEN if action == "hide" else DELETED,
                post=reader.fragment(post),
                channel=reader.fragment(channel),
            )
        )


Post = Annotated[str, typer.Argument(help="The comment's platform id, as in the stream.")]
Reason = Annotated[
    str | None,
    typer.Option("--reason", help="Why (needed to go ahead on criticism).", show_default="none"),
]
Confirm = Annotated[
    bool,
    typer.Option("--confirm", help="Go ahead although it is unanswered criticism (with --reason)."),
]


@app.command("hide")
def hide_command(
    post: Post,
    channel: Channel,
    reason: Reason = None,
    confirm: Confirm = False,
    workspace: WorkspaceSlug = None,
    by: By = None,
    language: LanguageOption = None,
) -> None:
    """Hide a comment on the Facebook page or Instagram account, through the guard."""
    _moderate("hide", post, channel, reason, confirm, workspace, by, language)


@app.command("delete")
def delete_command(
    post: Post,
    channel: Channel,
    reason: Reason = None,
    confirm: Confirm = False,
    workspace: WorkspaceSlug = None,
    by: By = None,
    language: LanguageOption = None,
) -> None:
    """Delete a comment on the Facebook page or Instagram account, through the guard."""
    _moderate("delete", post, channel, reason, confirm, workspace, by, language)
