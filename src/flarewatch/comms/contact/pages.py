"""The case page's "Private contact" section (templates/partials/case_contact.html) and its
forms: open a contact, record a message sent or their answer, update what their profile
shows, close with the outcome. Each window reads in the reader's language and time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from flarewatch.bidi import isolate
from flarewatch.cases.models import Case
from flarewatch.comms import drafts
from flarewatch.comms.contact import changes, messages, service
from flarewatch.comms.contact.changes import ContactId
from flarewatch.comms.contact.models import OUTCOMES, PrivateContact
from flarewatch.comms.contact.windows import CHANNELS, DM_SETTINGS, FOLLOWS
from flarewatch.comms.contact.words import window_words
from flarewatch.db.base import utcnow
from flarewatch.errors import InputError
from flarewatch.i18n.formatting import Formatter, zone
from flarewatch.i18n.languages import translations_for
from flarewatch.web.case_guard import case_in_path
from flarewatch.web.deps import WorkspaceAccess, get_db, workspace_access
from flarewatch.web.pages import back_to
from flarewatch.web.params import MAX_DB_INT, CaseId
from flarewatch.web.security import check_csrf
from flarewatch.web.templating import language_of

router = APIRouter(tags=["pages"], include_in_schema=False)
POSTS_OFFERED = 20  # the story's first authors offered in the form's list


@dataclass(frozen=True, slots=True)
class ContactRow:
    contact: PrivateContact
    headline: Markup
    reasons: list[Markup]
    caveats: list[Markup]
    state: str  # open, depends, closed, done
    until: datetime | None
    # (when, channel, who, approved draft id or None) of each message sent; (when, channel)
    # of each answer.
    attempts: list[tuple[datetime, str, str, int | None]]
    answers: list[tuple[datetime, str]]


def contact_context(
    db: Session, access: WorkspaceAccess, case: Case, request: Request
) -> dict[str, Any]:
    """What the section shows: each contact with its window in the reader's words, the
    case's private-message drafts, and the choices of the forms."""
    language = language_of(request)
    gettext = translations_for(language).gettext
    fmt = Formatter(language, access.user.timezone or access.workspace.timezone)
    now = utcnow()
    working = service.working_time(access.workspace)
    rows = []
    for contact in service.case_contacts(db, case.id, workspace_id=access.workspace.id):
        current = (
            None if contact.status == "closed" else service.contact_window(contact, now, working)
        )
        words = window_words(
            current, now, language=language, gettext=gettext, isolate=isolate, moment=fmt.datetime
        )
        rows.append(
            ContactRow(
                contact=contact,
                headline=_markup(words.headline),
                reasons=[_markup(text) for text in words.reasons],
                caveats=[_markup(text) for text in words.caveats],
                state=current.state if current is not None else "done",
                until=current.until if current is not None else None,
                attempts=[
                    (
                        datetime.fromisoformat(a["at"]),
                        a["channel"],
                        str(a.get("by") or ""),
                        a.get("draft_id") if a.get("approved") else None,
                    )
                    for a in contact.attempts or []
                ],
                answers=[
                    (datetime.fromisoformat(a["at"]), a["channel"]) for a in contact.answers or []
                ],
            )
        )
    private_messages = [
        d
        for d in drafts.case_drafts(db, case.id, workspace_id=access.workspace.id)
        if d.kind == "private_message" and d.status != "withdrawn"
    ]
    return {
        "rows": rows,
        "drafts": private_messages,
        "channels": CHANNELS,
        "channel_labels": messages.CHANNEL_LABELS,
        "status_labels": messages.STATUS_LABELS,
        "outcomes": [(key, messages.OUTCOME_LABELS[key]) for key in OUTCOMES],
        "outcome_labels": messages.OUTCOME_LABELS,
        "follows": [(key, messages.FOLLOWS_LABELS[key]) for key in FOLLOWS],
        "dm_settings": [(key, messages.DM_SETTING_LABELS[key]) for key in DM_SETTINGS],
        "posts_offered": POSTS_OFFERED,
    }


def _markup(text: str) -> Markup:
    # Our own sentence with its fragments isolated (FSI … PDI): the template's bidi filter
    # turns those isolates into <bdi> elements.
    return Markup(escape(text))


def _section(access: WorkspaceAccess, case_id: int) -> str:
    return f"/w/{access.workspace.slug}/cases/{case_id}#contact"


def _local(value: str, access: WorkspaceAccess, what: str) -> datetime | None:
    """A datetime-local field (the reader's zone) as an aware moment; None when empty."""
    if not value.strip():
        return None
    try:
        local = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"{what} is not a date and time; pick one in the field") from None
    if local.tzinfo is not None:
        return local
    return local.replace(tzinfo=zone(access.user.timezone or access.workspace.timezone))


def _number(value: str, what: str) -> int | None:
    if not value.strip():
        return None
    try:
        number = int(value.strip().lstrip("#"))
    except ValueError:
        raise InputError(f"{what} {value.strip()[:40]!r} is not a number, e.g. 1234") from None
    if not 1 <= number <= MAX_DB_INT:
        raise InputError(f"{what} {number} is out of range")
    return number


@router.post(
    "/w/{slug}/cases/{case_id}/contacts",
    dependencies=[Depends(check_csrf), Depends(case_in_path)],
)
def contact_open(
    case_id: CaseId,
    post: str = Form(""),
    post_number: str = Form(""),
    assignee: str = Form(""),
    due: str = Form(""),
    follows: str = Form("unknown"),
    dm_setting: str = Form("unknown"),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    post_id = _number(post_number, "The post number") or _number(post, "The post")
    if post_id is None:
        raise InputError("choose the post whose author you will contact, or type its number")
    changes.open_contact(
        db,
        access,
        case_id,
        post_id,
        assignee=assignee or None,
        due_at=_local(due, access, "The due time"),
        follows=follows,
        dm_setting=dm_setting,
    )
    return back_to(_section(access, case_id))


@router.post(
    "/w/{slug}/cases/{case_id}/contacts/{contact_id}/sent", dependencies=[Depends(check_csrf)]
)
def contact_sent(
    case_id: CaseId,
    contact_id: ContactId,
    channel: str = Form(""),
    draft: str = Form(""),
    note: str = Form(""),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    changes.record_sent(
        db,
        access,
        case_id,
        contact_id,
        channel=channel or None,
        draft_id=_number(draft, "The draft"),
        note=note,
    )
    return back_to(_section(access, case_id))


@router.post(
    "/w/{slug}/cases/{case_id}/contacts/{contact_id}/answered",
    dependencies=[Depends(check_csrf)],
)
def contact_answered(
    case_id: CaseId,
    contact_id: ContactId,
    at: str = Form(""),
    note: str = Form(""),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    moment = _local(at, access, "When they answered") or utcnow()
    changes.record_answer(db, access, case_id, contact_id, at=moment, note=note)
    return back_to(_section(access, case_id))


@router.post(
    "/w/{slug}/cases/{case_id}/contacts/{contact_id}/update", dependencies=[Depends(check_csrf)]
)
def contact_update(
    case_id: CaseId,
    contact_id: ContactId,
    follows: str = Form(""),
    dm_setting: str = Form(""),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    changes.set_facts(
        db, access, case_id, contact_id, follows=follows or None, dm_setting=dm_setting or None
    )
    return back_to(_section(access, case_id))


@router.post(
    "/w/{slug}/cases/{case_id}/contacts/{contact_id}/close", dependencies=[Depends(check_csrf)]
)
def contact_close(
    case_id: CaseId,
    contact_id: ContactId,
    outcome: str = Form(""),
    note: str = Form(""),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    changes.close_contact(db, access, case_id, contact_id, outcome=outcome, note=note)
    return back_to(_section(access, case_id))
