"""The public update page: published, changed, taken offline and given a new link by editors,
and the approved drafts it shows. Every change is on the case timeline; the front ends (web,
API, CLI) check the permission and write the audit log.

What the page shows is `public_view`: only drafts that pass the approval gate
(`comms.drafts.approved_text`) at the moment the page is read, the figures the brand chose,
and nothing else of the case.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.alerts.wording import wording
from flarewatch.cases.models import Case
from flarewatch.cases.service import get_case
from flarewatch.cases.timeline import add_entry as add_timeline_entry
from flarewatch.comms.drafts import ApprovalRequiredError, approved_text, get_draft
from flarewatch.comms.models import Draft
from flarewatch.comms.public_page.figures import Figure, compute
from flarewatch.comms.public_page.models import ENTRY_KINDS, FIGURES, PublicEntry, PublicPage
from flarewatch.db.base import utcnow
from flarewatch.detect.explain import N_
from flarewatch.errors import InputError, InvalidTransitionError, NotFoundError
from flarewatch.i18n.languages import LANGUAGES, workspace_language
from flarewatch.workspaces.models import Workspace

TOKEN_BYTES = 32  # 43 URL-safe characters: not guessable, not enumerable
MAX_TITLE = 200
EVENT_KIND = "public_page"

PAGE_PUBLISHED = N_("Public update page published")
PAGE_CHANGED = N_("Public update page settings changed")
PAGE_DISABLED = N_("Public update page taken offline; its link shows nothing now")
PAGE_NEW_LINK = N_("Public update page has a new link; the old link no longer works")
ENTRY_ADDED = N_("Draft #%(draft)s (version %(version)s) shown on the public update page")
ENTRY_REMOVED = N_("Draft #%(draft)s taken off the public update page")


@dataclass(frozen=True)
class PublicEntryView:
    kind: str  # statement or update
    text: str
    language: str
    at: datetime  # when it went on the page, or was approved again after that


@dataclass(frozen=True)
class PublicView:
    """Everything the public page shows, and nothing more (no ids, people or posts)."""

    brand: str
    title: str  # empty: the template says "Updates from <brand>"
    language: str
    timezone: str | None
    noindex: bool
    figures: list[Figure]
    entries: list[PublicEntryView]  # newest first
    updated_at: datetime


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def page_of(
    session: Session, case_id: int, *, workspace_id: int | None = None
) -> PublicPage | None:
    case = get_case(session, case_id, workspace_id=workspace_id)
    return session.scalar(select(PublicPage).where(PublicPage.case_id == case.id))


def require_page(session: Session, case_id: int, *, workspace_id: int | None = None) -> PublicPage:
    page = page_of(session, case_id, workspace_id=workspace_id)
    if page is None:
        raise NotFoundError(
            f"case #{case_id} has no public update page; create it first "
            f"(flarewatch public-page create {case_id})"
        )
    return page


def check_settings(
    language: str | None, title: str | None, figures: Sequence[str] | None
) -> tuple[str | None, str | None, list[str] | None]:
    """The settings as stored, or an InputError naming what to change."""
    if language is not None and language not in LANGUAGES:
        raise InputError(f"unknown page language {language!r}; use one of {', '.join(LANGUAGES)}")
    clean_title = None if title is None else " ".join(title.split())
    if clean_title is not None and len(clean_title) > MAX_TITLE:
        raise InputError(
            f"the page title has {len(clean_title)} characters; keep it under {MAX_TITLE}"
        )
    chosen = None
    if figures is not None:
        unknown = [f for f in figures if f not in FIGURES]
        if unknown:
            raise InputError(
                f"unknown figure {', '.join(repr(f) for f in unknown)}; "
                f"choose from {', '.join(FIGURES)}"
            )
        chosen = [f for f in FIGURES if f in set(figures)]
    return language, clean_title, chosen


def publish_page(
    session: Session,
    case_id: int,
    actor: str,
    *,
    workspace_id: int,
    language: str | None = None,
    title: str | None = None,
    figures: Sequence[str] | None = None,
    noindex: bool | None = None,
    now: datetime | None = None,
) -> PublicPage:
    """Creates the case's page (online, with a new token) or puts it back online; settings
    given replace the stored ones. Returns the page."""
    case = get_case(session, case_id, workspace_id=workspace_id)
    language, title, chosen = check_settings(language, title, figures)
    now = now or utcnow()
    page = session.scalar(select(PublicPage).where(PublicPage.case_id == case.id))
    if page is None:
        workspace = session.get_one(Workspace, case.workspace_id)
        page = PublicPage(
            workspace_id=case.workspace_id,
            case_id=case.id,
            token=new_token(),
            enabled=True,
            language=language or workspace_language(list(workspace.languages or [])),
            title=title or "",
            figures=chosen if chosen is not None else ["status"],
            noindex=True if noindex is None else noindex,
            created_by=actor,
            created_at=now,
            updated_at=now,
        )
        session.add(page)
        session.flush()
        _event(session, case, actor, now, wording(PAGE_PUBLISHED))
        return page
    changes = _apply(page, language, title, chosen, noindex)
    if not page.enabled:
        page.enabled = True
        _event(session, case, actor, now, wording(PAGE_PUBLISHED))
    elif changes:
        _event(session, case, actor, now, wording(PAGE_CHANGED), {"changed": changes})
    page.updated_at = now
    session.flush()
    return page


def _apply(
    page: PublicPage,
    language: str | None,
    title: str | None,
    figures: list[str] | None,
    noindex: bool | None,
) -> list[str]:
    """Stores the settings given; returns the names of those that changed."""
    changed: list[str] = []
    if language is not None and language != page.language:
        page.language, changed = language, [*changed, "language"]
    if title is not None and title != page.title:
        page.title, changed = title, [*changed, "title"]
    if figures is not None and figures != list(page.figures or []):
        page.figures, changed = figures, [*changed, "figures"]
    if noindex is not None and noindex != page.noindex:
        page.noindex, changed = noindex, [*changed, "noindex"]
    return changed


def disable_page(
    session: Session, case_id: int, actor: str, *, workspace_id: int, now: datetime | None = None
) -> PublicPage:
    """Takes the page offline: its link answers 404 like an unknown one. Its entries stay, so
    publishing it again shows them again."""
    page = require_page(session, case_id, workspace_id=workspace_id)
    if not page.enabled:
        return page
    now = now or utcnow()
    page.enabled = False
    page.updated_at = now
    _event(session, _case(session, page), actor, now, wording(PAGE_DISABLED))
    session.flush()
    return page


def renew_link(
    session: Session, case_id: int, actor: str, *, workspace_id: int, now: datetime | None = None
) -> PublicPage:
    """A new token: the old link (shared too widely, or by mistake) stops working at once."""
    page = require_page(session, case_id, workspace_id=workspace_id)
    now = now or utcnow()
    page.token = new_token()
    page.updated_at = now
    _event(session, _case(session, page), actor, now, wording(PAGE_NEW_LINK))
    session.flush()
    return page


def add_entry(
    session: Session,
    case_id: int,
    draft_id: int,
    actor: str,
    *,
    workspace_id: int,
    now: datetime | None = None,
) -> PublicEntry:
    """Shows an approved statement or update of the case on its page. A draft whose current
    text is not approved is refused (the approval gate), as are replies and private messages."""
    page = require_page(session, case_id, workspace_id=workspace_id)
    draft = get_draft(session, draft_id, workspace_id=workspace_id)
    if draft.case_id != page.case_id:
        raise NotFoundError(f"draft #{draft_id} is not a draft of case #{case_id}")
    if draft.kind not in ENTRY_KINDS:
        raise InputError(
            f"draft #{draft.id} is a {draft.kind.replace('_', ' ')}; the public page shows "
            "statements and updates only"
        )
    approved = approved_text(session, draft)  # the gate: ApprovalRequiredError when not
    if any(e.draft_id == draft.id for e in entries(session, page)):
        raise InvalidTransitionError(f"draft #{draft.id} is already on the public update page")
    now = now or utcnow()
    entry = PublicEntry(
        page_id=page.id,
        draft_id=draft.id,
        draft_version=approved.number,
        added_by=actor,
        added_at=now,
    )
    session.add(entry)
    page.updated_at = now
    said = wording(ENTRY_ADDED, draft=draft.id, version=approved.number)
    _event(session, _case(session, page), actor, now, said, {"draft_id": draft.id})
    session.flush()
    return entry


def remove_entry(
    session: Session,
    case_id: int,
    draft_id: int,
    actor: str,
    *,
    workspace_id: int,
    now: datetime | None = None,
) -> PublicEntry:
    """Takes a draft off the page (kept on record with who and when)."""
    page = require_page(session, case_id, workspace_id=workspace_id)
    entry = next((e for e in entries(session, page) if e.draft_id == draft_id), None)
    if entry is None:
        raise NotFoundError(
            f"draft #{draft_id} is not on the public update page of case #{case_id}"
        )
    now = now or utcnow()
    entry.removed_at, entry.removed_by = now, actor
    page.updated_at = now
    said = wording(ENTRY_REMOVED, draft=draft_id)
    _event(session, _case(session, page), actor, now, said, {"draft_id": draft_id})
    session.flush()
    return entry


def entries(session: Session, page: PublicPage) -> list[PublicEntry]:
    """The entries on the page now, oldest first."""
    return list(
        session.scalars(
            select(PublicEntry)
            .where(PublicEntry.page_id == page.id, PublicEntry.removed_at.is_(None))
            .order_by(PublicEntry.id)
        )
    )


def entry_rows(session: Session, page: PublicPage) -> list[tuple[PublicEntry, Draft, bool]]:
    """For the editors: each entry, its draft, and whether its text shows now (False while a
    revision waits for approval)."""
    rows = []
    for entry in entries(session, page):
        draft = session.get_one(Draft, entry.draft_id)
        rows.append((entry, draft, _shown_text(session, draft) is not None))
    return rows


def public_view(session: Session, token: str) -> PublicView | None:
    """What `/public/{token}` shows; None for an unknown token or a page offline (the two
    must look the same to a visitor)."""
    page = session.scalar(select(PublicPage).where(PublicPage.token == token))
    if page is None or not page.enabled:
        return None
    case = _case(session, page)
    workspace = session.get_one(Workspace, page.workspace_id)
    shown: list[PublicEntryView] = []
    for entry in entries(session, page):
        draft = session.get_one(Draft, entry.draft_id)
        text = _shown_text(session, draft)
        if text is None:
            continue  # revised after approval: hidden until approved again
        at = max(entry.added_at, draft.updated_at)
        shown.append(PublicEntryView(draft.kind, text, draft.language, at))
    shown.sort(key=lambda e: e.at, reverse=True)
    return PublicView(
        brand=workspace.name,
        title=page.title,
        language=page.language,
        timezone=workspace.timezone,
        noindex=page.noindex,
        figures=compute(session, case, list(page.figures or [])),
        entries=shown,
        updated_at=max([page.updated_at, *(e.at for e in shown)]),
    )


def _shown_text(session: Session, draft: Draft) -> str | None:
    try:
        return approved_text(session, draft).text
    except ApprovalRequiredError:
        return None


def _case(session: Session, page: PublicPage) -> Case:
    return session.get_one(Case, page.case_id)


def _event(
    session: Session,
    case: Case,
    actor: str,
    at: datetime,
    said: dict[str, Any],
    data: dict[str, Any] | None = None,
) -> None:
    add_timeline_entry(session, case, EVENT_KIND, actor, said, at, data)
