"""Creating a workspace from the browser: name, short name, languages, timezone, local weekend.

Topics (with the live preview), sources, alert routes and members are then set up on the new
workspace's own settings pages, which the settings page lists as the next steps.
"""

from __future__ import annotations

from babel import Locale, UnknownLocaleError
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from flarewatch.accounts.models import User
from flarewatch.config.settings import get_settings
from flarewatch.errors import PermissionDeniedError
from flarewatch.web.deps import current_user, get_db
from flarewatch.web.pages import page
from flarewatch.web.security import check_csrf
from flarewatch.web.templating import language_of
from flarewatch.workspaces.create import (
    WEEKENDS,
    NewWorkspace,
    create_workspace,
    may_create_workspaces,
)

router = APIRouter(tags=["pages"], include_in_schema=False)
# Offered as tick boxes; any other code the language identifier knows can be typed in.
COMMON_LANGUAGES = ("en", "he", "pl", "ar", "ru", "uk", "de", "fr", "es")
# Suggested in the timezone field (any IANA name is accepted).
COMMON_ZONES = (
    "Asia/Jerusalem",
    "Europe/Warsaw",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "UTC",
)


def language_name(code: str, ui_language: str) -> str:
    """The language's own name in the reader's language, e.g. "hebrajski" for he in Polish."""
    try:
        return str(Locale.parse(code).get_display_name(ui_language) or code)
    except (UnknownLocaleError, ValueError):
        return code


def _require_creator(db: Session, user: User) -> None:
    if not may_create_workspaces(db, user):
        raise PermissionDeniedError(
            "Only a workspace admin can create workspaces; ask one of them to create it or to "
            "make you an admin."
        )


@router.get("/workspaces/new")
def new_workspace_page(
    request: Request, user: User = Depends(current_user), db: Session = Depends(get_db)
) -> Response:
    _require_creator(db, user)
    ui = language_of(request)
    zone = user.timezone or "Asia/Jerusalem"
    return page(
        request,
        db,
        "workspace_new.html",
        user=user,
        post_languages=[(code, language_name(code, ui)) for code in COMMON_LANGUAGES],
        zones=COMMON_ZONES,
        weekends=list(WEEKENDS),
        default_zone=zone,
        # Israel's weekend is Friday–Saturday; elsewhere the usual Saturday–Sunday.
        default_weekend="fri-sat" if zone == "Asia/Jerusalem" else "sat-sun",
    )


@router.post("/workspaces", dependencies=[Depends(check_csrf)])
def new_workspace_create(
    name: str = Form(""),
    slug: str = Form(""),
    languages: list[str] = Form([]),
    other_languages: str = Form(""),
    timezone: str = Form(""),
    weekend: str = Form("sat-sun"),
    user: User = Depends(current_user),
    db: Session = Depends(get_db),
) -> Response:
    _require_creator(db, user)
    typed = [code.strip().lower() for code in other_languages.replace(";", ",").split(",")]
    chosen = list(dict.fromkeys([*languages, *(code for code in typed if code)]))
    answers = NewWorkspace(
        name=name, slug=slug, languages=chosen, timezone=timezone, weekend=weekend
    )
    workspace = create_workspace(db, user, answers, get_settings().resolved_workspaces_dir)
    db.commit()
    return RedirectResponse(f"/w/{workspace.slug}/settings?created=1#setup", status_code=303)
