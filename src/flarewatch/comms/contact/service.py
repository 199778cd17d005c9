"""Private contact as a case task: open, record what was sent and answered, close with an
outcome, and remind the assignee when a window is closing (issue 21 §6).

Opening a contact on a post of the case creates a case task for the assignee, due when the
platform's window closes (Meta: 7 days after the comment) or sooner (`due_at`, e.g. a playbook
step's due time), and writes the timeline. A message recorded as sent must fit the channel's
window (the platform would refuse it otherwise); a message sent from a `private_message` draft
whose status is `approved` passes the approval gate (`drafts.approved_text`) and records the
approved version; without an approved draft the person records that they sent a text by hand.
Every attempt, answer and outcome is on the timeline; `remind_closing` (after each detection
cycle) tells the assignee once per window, a day before Meta's 7 days end and four hours before
the 24-hour window does.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.accounts.notifications import notify
from flarewatch.accounts.service import get_user_by_email, member_by_email, role_in
from flarewatch.alerts.wording import spoken, wording
from flarewatch.cases.models import Case, CaseEvent, Task
from flarewatch.cases.service import add_note, add_task, complete_task, get_case
from flarewatch.cases.timeline import add_entry
from flarewatch.comms import drafts
from flarewatch.comms.contact.messages import (
    ANSWERED,
    ANSWERED_UNTIL,
    CHANNEL_NAMES,
    CLOSED,
    OPENED,
    OPENED_UNTIL,
    REMINDED,
    REMINDER,
    SENT_APPROVED,
    SENT_BY_HAND,
    TASK_TITLE,
)
from flarewatch.comms.contact.models import OUTCOMES, PrivateContact
from flarewatch.comms.contact.windows import (
    CHANNELS,
    DM_SETTINGS,
    FOLLOWS,
    REMIND_BEFORE,
    ContactFacts,
    Window,
    channel_of,
    check_choice,
    render_said,
    window,
)
from flarewatch.db.base import utcnow
from flarewatch.errors import InputError, InvalidTransitionError, NotFoundError
from flarewatch.i18n.languages import translations_for, workspace_language
from flarewatch.mentions.models import Author, RawPost
from flarewatch.oncall.urgency import WorkingTime, working_time_of
from flarewatch.workspaces.models import Workspace

MAX_NOTE = 5_000
# How far ahead of now an answer's time may be (clocks differ a little, never a day).
FUTURE_SLACK = timedelta(minutes=5)


def open_contact(
    session: Session,
    case_id: int,
    post_id: int,
    actor: str,
    *,
    workspace_id: int,
    assignee: str | None = None,
    due_at: datetime | None = None,
    follows: str = "unknown",
    dm_setting: str = "unknown",
    now: datetime | None = None,
) -> PrivateContact:
    """A private contact with the author of the case's post `post_id`, its task and timeline
    entry. One open contact per post and case."""
    case = get_case(session, case_id, workspace_id=workspace_id)
    if case.status == "closed":
        raise InvalidTransitionError(f"case #{case.id} is closed; reopen it to contact anyone")
    check_choice("follows", follows, FOLLOWS)
    check_choice("message setting", dm_setting, DM_SETTINGS)
    if due_at is not None and due_at.tzinfo is None:
        raise InputError("the due time needs a timezone, e.g. 2024-05-07T18:00+02:00")
    post = session.get(RawPost, post_id)
    if post is None or post.workspace_id != case.workspace_id:
        raise NotFoundError(
            f"post #{post_id} not found in this workspace; use the post's number from the case "
            "page or 'flarewatch cases originator'"
        )
    already = session.scalar(
        select(PrivateContact).where(
            PrivateContact.case_id == case.id,
            PrivateContact.raw_post_id == post.id,
            PrivateContact.status != "closed",
        )
    )
    if already is not None:
        raise InvalidTransitionError(
            f"private contact #{already.id} about post #{post.id} is still open on this case; "
            "record on it, or close it first"
        )
    email = member_by_email(session, case.workspace_id, assignee).email if assignee else None
    now = now or utcnow()
    author = session.get(Author, post.author_id) if post.author_id else None
    handle = author.handle if author is not None else str(post.payload.get("author") or "?")
    contact = PrivateContact(
        workspace_id=case.workspace_id,
        case_id=case.id,
        raw_post_id=post.id,
        author_id=post.author_id,
        handle=handle[:200],
        platform=post.platform,
        channel=channel_of(post.platform),
        post_url=post.url,
        comment_at=post.created_at,
        follows=follows,
        dm_setting=dm_setting,
        status="to_contact",
        assignee=email,
        attempts=[],
        answers=[],
        opened_by=actor,
        opened_at=now,
        updated_at=now,
    )
    session.add(contact)
    session.flush()
    workspace = session.get_one(Workspace, case.workspace_id)
    current = contact_window(contact, now, working_time(workspace))
    contact.deadline = current.until if current.state == "open" else None
    task_due = min((t for t in (contact.deadline, due_at) if t is not None), default=None)
    words = translations_for(workspace_language(workspace.languages)).gettext
    title = words(TASK_TITLE) % {"person": handle, "channel": channel_name(contact.channel)}
    task = add_task(session, case.id, title, actor, assignee=email, due_at=task_due)
    contact.task_id = task.id
    params: dict[str, Any] = {
        "contact": contact.id,
        "person": handle,
        "channel": channel_name(contact.channel),
    }
    said = (
        wording(OPENED_UNTIL, **params, until_at=contact.deadline.isoformat())
        if contact.deadline is not None
        else wording(OPENED, **params)
    )
    _event(session, case, contact, actor, said, now)
    session.flush()
    return contact


def record_sent(
    session: Session,
    contact_id: int,
    actor: str,
    *,
    workspace_id: int,
    channel: str | None = None,
    draft_id: int | None = None,
    note: str | None = None,
    at: datetime | None = None,
    now: datetime | None = None,
) -> PrivateContact:
    """Records a private message sent at `at` (default now) on `channel` (default the post's
    platform). Refused when the channel's window was shut then (the platform refuses it too).
    From an approved draft it passes the approval gate; otherwise it is recorded as written by
    hand (a draft named but not approved is kept with it)."""
    contact = _open(session, contact_id, workspace_id)
    now = now or utcnow()
    at = _moment(at, now, "--at")
    used = check_choice("channel", channel or contact.channel, CHANNELS)
    workspace = session.get_one(Workspace, contact.workspace_id)
    then = contact_window(contact, at, working_time(workspace), channel=used)
    if not then.may_send:
        raise InvalidTransitionError(
            f"no private message can go out on {used} now: {_why(then)}. Write by e-mail or "
            "phone (--channel email or phone), or close the contact"
        )
    attempt: dict[str, Any] = {
        "at": at.isoformat(),
        "channel": used,
        "by": actor,
        "draft_id": None,
        "draft_version": None,
        "approved": False,
        "note": _note(note),
    }
    if draft_id is not None:
        draft = drafts.get_draft(session, draft_id, workspace_id=contact.workspace_id)
        if draft.case_id != contact.case_id or draft.kind != "private_message":
            raise InputError(
                f"draft #{draft.id} is not a private message of case #{contact.case_id}; "
                "write one with kind private_message on this case"
            )
        if draft.status == "approved":
            version = drafts.approved_text(session, draft)  # the approval gate
            attempt.update(draft_version=version.number, approved=True)
        else:
            attempt["draft_version"] = draft.current_version
        attempt["draft_id"] = draft.id
        contact.draft_id = draft.id
    contact.attempts = [*contact.attempts, attempt]
    contact.status = "sent"
    contact.updated_at = now
    _refresh_deadline(contact, now, workspace)
    family = used if used in ("email", "phone") else "platform"
    params: dict[str, Any] = {"person": contact.handle, "channel": channel_name(used)}
    if attempt["approved"]:
        message = SENT_APPROVED[family]
        params |= {"draft": attempt["draft_id"], "version": attempt["draft_version"]}
    else:
        message = SENT_BY_HAND[family]
    case = session.get_one(Case, contact.case_id)
    _event(session, case, contact, actor, wording(message, **params), at, attempt=attempt)
    _finish_task(session, contact, actor)
    if attempt["note"]:
        add_note(session, case.id, attempt["note"], actor)
    session.flush()
    return contact


def record_answer(
    session: Session,
    contact_id: int,
    actor: str,
    *,
    workspace_id: int,
    at: datetime,
    channel: str | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> PrivateContact:
    """Records their answer at `at`: on Meta it opens the 24-hour window from then."""
    contact = _open(session, contact_id, workspace_id)
    now = now or utcnow()
    at = _moment(at, now, "--at")
    used = check_choice("channel", channel or contact.channel, CHANNELS)
    answer = {"at": at.isoformat(), "channel": used, "by": actor, "note": _note(note)}
    contact.answers = [*contact.answers, answer]
    if used == contact.channel and (contact.last_answer_at is None or at > contact.last_answer_at):
        contact.last_answer_at = at
    contact.status = "answered"
    contact.updated_at = now
    workspace = session.get_one(Workspace, contact.workspace_id)
    _refresh_deadline(contact, now, workspace)
    params: dict[str, Any] = {"person": contact.handle, "answered_at": at.isoformat()}
    said = (
        wording(ANSWERED_UNTIL, **params, until_at=contact.deadline.isoformat())
        if contact.deadline is not None
        else wording(ANSWERED, **params)
    )
    case = session.get_one(Case, contact.case_id)
    _event(session, case, contact, actor, said, at, answer=answer)
    if answer["note"]:
        add_note(session, case.id, answer["note"], actor)
    session.flush()
    return contact


def close_contact(
    session: Session,
    contact_id: int,
    actor: str,
    *,
    workspace_id: int,
    outcome: str,
    note: str | None = None,
    now: datetime | None = None,
) -> PrivateContact:
    """Ends the contact with its outcome (and the person's note on the timeline)."""
    contact = _open(session, contact_id, workspace_id)
    check_choice("outcome", outcome, OUTCOMES)
    now = now or utcnow()
    contact.status = "closed"
    contact.outcome = outcome
    contact.outcome_note = _note(note)
    contact.closed_at = now
    contact.updated_at = now
    contact.deadline = None
    case = session.get_one(Case, contact.case_id)
    said = wording(CLOSED[outcome], contact=contact.id, person=contact.handle)
    _event(session, case, contact, actor, said, now, outcome=outcome)
    _finish_task(session, contact, actor)
    if contact.outcome_note:
        add_note(session, case.id, contact.outcome_note, actor)
    session.flush()
    return contact


def get_contact(session: Session, contact_id: int, *, workspace_id: int | None) -> PrivateContact:
    contact = session.get(PrivateContact, contact_id)
    if contact is None or (workspace_id is not None and contact.workspace_id != workspace_id):
        raise NotFoundError(
            f"private contact #{contact_id} not found; list a case's with 'flarewatch contact "
            "list CASE'"
        )
    return contact


def case_contacts(
    session: Session, case_id: int, *, workspace_id: int | None = None
) -> list[PrivateContact]:
    """The case's private contacts, oldest first."""
    case = get_case(session, case_id, workspace_id=workspace_id)
    return list(
        session.scalars(
            select(PrivateContact)
            .where(PrivateContact.case_id == case.id)
            .order_by(PrivateContact.id)
        )
    )


def contact_window(
    contact: PrivateContact,
    now: datetime,
    working: WorkingTime | None = None,
    *,
    channel: str | None = None,
) -> Window:
    """The window of the contact's channel (or `channel`) at `now`, from what is recorded."""
    used = channel or contact.channel
    sent = [
        datetime.fromisoformat(a["at"]) for a in contact.attempts or [] if a.get("channel") == used
    ]
    answers = [
        datetime.fromisoformat(a["at"]) for a in contact.answers or [] if a.get("channel") == used
    ]
    facts = ContactFacts(
        channel=used,
        comment_at=contact.comment_at,
        sent_at=tuple(t for t in sent if t <= now),
        answered_at=max((t for t in answers if t <= now), default=None),
        follows=contact.follows,
        dm_setting=contact.dm_setting,
    )
    return window(facts, now, working, platform=contact.platform)


def set_facts(
    session: Session,
    contact_id: int,
    *,
    workspace_id: int,
    follows: str | None = None,
    dm_setting: str | None = None,
    now: datetime | None = None,
) -> PrivateContact:
    """Records whether they follow the account and who may message them (seen on their
    profile); the window follows."""
    contact = _open(session, contact_id, workspace_id)
    if follows is not None:
        contact.follows = check_choice("follows", follows, FOLLOWS)
    if dm_setting is not None:
        contact.dm_setting = check_choice("message setting", dm_setting, DM_SETTINGS)
    now = now or utcnow()
    contact.updated_at = now
    _refresh_deadline(contact, now, session.get_one(Workspace, contact.workspace_id))
    session.flush()
    return contact


def remind_closing(session: Session, workspace: Workspace, now: datetime) -> list[PrivateContact]:
    """Tells each open contact's assignee (else the case's owner) when its window is closing:
    once per window (a new answer opens a new window, with its own reminder)."""
    horizon = now + max(REMIND_BEFORE.values())
    rows = session.scalars(
        select(PrivateContact)
        .where(
            PrivateContact.workspace_id == workspace.id,
            PrivateContact.status != "closed",
            PrivateContact.deadline.is_not(None),
            PrivateContact.deadline <= horizon,
        )
        .order_by(PrivateContact.deadline, PrivateContact.id)
    ).all()
    working = working_time(workspace)
    reminded = []
    for contact in rows:
        current = contact_window(contact, now, working)
        remind_at = current.remind_at()
        if remind_at is None or now < remind_at or contact.reminded_for == current.until:
            continue
        assert current.until is not None
        contact.reminded_for = current.until
        case = session.get_one(Case, contact.case_id)
        person = contact.assignee or case.owner
        user = get_user_by_email(session, person) if person else None
        if user is None or role_in(session, user.id, workspace.id) is None:
            continue  # nobody to tell; the page shows the countdown
        until = current.until.isoformat()
        stored = wording(
            REMINDER, contact=contact.id, case=case.id, person=contact.handle, until_at=until
        )
        link = f"/w/{workspace.slug}/cases/{case.id}#contact"
        notify(session, user, workspace.id, "contact", stored, spoken(stored), link)
        said = wording(REMINDED, assignee=user.email, person=contact.handle, until_at=until)
        _event(session, case, contact, "system", said, now)
        reminded.append(contact)
    session.flush()
    return reminded


def workspace_of(session: Session, contact: PrivateContact) -> Workspace:
    return session.get_one(Workspace, contact.workspace_id)


def working_time(workspace: Workspace) -> WorkingTime | None:
    """The workspace's working hours, weekend and holidays (its file's on-call fields), for
    the advice on e-mail and phone; None when they cannot be read."""
    config = workspace.config or {}
    try:
        return working_time_of(
            workspace.timezone or "UTC",
            str(config.get("working_hours") or "09:00-18:00"),
            config.get("weekend"),
            config.get("holidays_country"),
        )
    except (ValueError, ValidationError, KeyError):
        return None


def channel_name(channel: str) -> str:
    """The channel as the timeline names it (a product name; e-mail and phone have their own
    sentences)."""
    return CHANNEL_NAMES.get(channel, channel)


def _open(session: Session, contact_id: int, workspace_id: int) -> PrivateContact:
    contact = get_contact(session, contact_id, workspace_id=workspace_id)
    if contact.status == "closed":
        raise InvalidTransitionError(
            f"private contact #{contact.id} is closed ({contact.outcome}); open a new one"
        )
    return contact


def _refresh_deadline(contact: PrivateContact, now: datetime, workspace: Workspace) -> None:
    current = contact_window(contact, now, working_time(workspace))
    contact.deadline = current.until if current.state == "open" else None


def _finish_task(session: Session, contact: PrivateContact, actor: str) -> None:
    """The contact's task is done once a message went out (or the contact ended)."""
    task = session.get(Task, contact.task_id) if contact.task_id else None
    if task is not None and task.status == "open":
        complete_task(session, task.id, actor)


def _moment(value: datetime | None, now: datetime, name: str) -> datetime:
    if value is None:
        return now
    if value.tzinfo is None:
        raise InputError(f"{name} needs a timezone, e.g. 2024-05-07T18:00+02:00")
    if value > now + FUTURE_SLACK:
        raise InputError(f"{name} {value.isoformat()} is in the future; give when it happened")
    return value


def _note(note: str | None) -> str | None:
    clean = (note or "").strip()
    if len(clean) > MAX_NOTE:
        raise InputError(f"the note has {len(clean):,} characters; keep it under {MAX_NOTE:,}")
    return clean or None


def _why(current: Window) -> str:
    return "; ".join(render_said(reason) for reason in current.reasons)


def _event(
    session: Session,
    case: Case,
    contact: PrivateContact,
    actor: str,
    said: dict[str, Any],
    at: datetime,
    **data: Any,
) -> CaseEvent:
    """A `contact` entry on the case timeline (translated from `said` when shown)."""
    return add_entry(session, case, "contact", actor, said, at, {"contact_id": contact.id, **data})
