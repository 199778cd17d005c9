"""`flarewatch public-page create|show|add|remove|disable CASE`: a case's public update page
from the command line, written in the workspace's language (cli/reader.py)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from flarewatch.accounts import service as accounts
from flarewatch.alerts.cliutil import By, LanguageOption, cli_session, default_actor, reader_of
from flarewatch.cases.service import get_case
from flarewatch.cli.common import user_console
from flarewatch.comms.public_page import service
from flarewatch.comms.public_page.models import FIGURES, PublicPage
from flarewatch.i18n.labels import N_
from flarewatch.i18n.languages import LANGUAGES

app = typer.Typer(
    help="A case's public update page: approved statements and updates, shared by a link.",
    no_args_is_help=True,
)
console = user_console()

ONLINE = N_("The public update page of case #%(case)s is online: %(url)s")
OFFLINE = N_("The public update page of case #%(case)s is offline; its link shows nothing now.")
ADDED = N_("Draft #%(draft)s is on the public update page of case #%(case)s.")
REMOVED = N_("Draft #%(draft)s was taken off the public update page of case #%(case)s.")
SETTINGS = N_("Language: %(language)s · figures: %(figures)s · search engines: %(indexing)s")
INDEXED = N_("may list it")
NOT_INDEXED = N_("asked not to list it")
COLUMN_DRAFT = N_("Draft")
COLUMN_KIND = N_("Kind")
COLUMN_SHOWN = N_("Shown")
COLUMN_ADDED = N_("Added")
SHOWN_YES = N_("yes")
SHOWN_WAITING = N_("no: changed after approval, waiting for approval again")
NO_ENTRIES = N_("Nothing on the page yet: add an approved statement or update.")
FIGURE_NAMES = {
    "status": N_("Status"),
    "posts_handled": N_("Posts handled"),
    "replies_sent": N_("Replies sent"),
    "first_response": N_("Time to first response"),
}

CaseArg = Annotated[int, typer.Argument(help="The case's number, as shown by 'cases list'.")]
DraftArg = Annotated[
    int, typer.Argument(help="The draft's number (an approved statement or update).")
]


def page_url(page: PublicPage) -> str:
    """The link people open: FLAREWATCH_PUBLIC_URL (or the listening address) + the token."""
    from flarewatch.oncall.acklink import public_url

    return f"{public_url()}/public/{page.token}"


def _audit(
    session: Session, actor: str, action: str, case_id: int, details: dict[str, Any]
) -> None:
    accounts.record_audit(
        session,
        actor,
        f"public_page.{action}",
        workspace_id=get_case(session, case_id).workspace_id,
        target_type="case",
        target_id=case_id,
        details=details,
    )


def _say(session: Session, case_id: int, language: str | None, message: str, **values: Any) -> None:
    reader = reader_of(session, get_case(session, case_id).workspace_id, language)
    isolated = {k: reader.fragment(v) if isinstance(v, str) else v for k, v in values.items()}
    console.print(reader.say(message, **isolated), highlight=False, markup=False)


@app.command("create")
def create_command(
    case_id: CaseArg,
    page_language: Annotated[
        str | None,
        typer.Option(
            "--page-language",
            help="The page's language: en, he or pl.",
            show_default="the workspace's first language; unchanged for a page",
        ),
    ] = None,
    title: Annotated[
        str | None,
        typer.Option("--title", help="The page's title.", show_default="'Updates from <brand>'"),
    ] = None,
    figure: Annotated[
        list[str] | None,
        typer.Option(
            "--figure",
            help=f"A figure to share (repeat for more): {', '.join(FIGURES)}.",
            show_default="status; unchanged for a page",
        ),
    ] = None,
    index: Annotated[
        bool | None,
        typer.Option(
            "--index/--noindex",
            help="Whether search engines may list the page.",
            show_default="--noindex",
        ),
    ] = None,
    by: By = None,
    language: LanguageOption = None,
) -> None:
    """Publish the case's public update page (or put it back online, or change its settings)
    and print its link."""
    actor = by or default_actor()
    with cli_session() as session:
        case = get_case(session, case_id)
        page = service.publish_page(
            session,
            case_id,
            actor,
            workspace_id=case.workspace_id,
            language=page_language,
            title=title,
            figures=figure,
            noindex=None if index is None else not index,
        )
        _audit(
            session,
            actor,
            "publish",
            case_id,
            {"language": page.language, "figures": list(page.figures)},
        )
        _say(session, case_id, language, ONLINE, case=case_id, url=page_url(page))


@app.command("show")
def show_command(case_id: CaseArg, language: LanguageOption = None) -> None:
    """The page's state, link, settings and entries."""
    with cli_session() as session:
        case = get_case(session, case_id)
        page = service.require_page(session, case_id, workspace_id=case.workspace_id)
        reader = reader_of(session, case.workspace_id, language)
        say = reader.say
        url = reader.fragment(page_url(page))
        line = say(ONLINE if page.enabled else OFFLINE, case=case_id, url=url)
        console.print(line, highlight=False, markup=False)
        settings = say(
            SETTINGS,
            language=reader.fragment(LANGUAGES.get(page.language, page.language)),
            figures=", ".join(say(FIGURE_NAMES[f]) for f in page.figures or []) or "—",
            indexing=say(NOT_INDEXED if page.noindex else INDEXED),
        )
        console.print(settings, highlight=False, markup=False)
        rows = service.entry_rows(session, page)
        if not rows:
            console.print(say(NO_ENTRIES), highlight=False, markup=False)
            return
        table = Table(say(COLUMN_DRAFT), say(COLUMN_KIND), say(COLUMN_SHOWN), say(COLUMN_ADDED))
        for entry, draft, shown in rows:
            table.add_row(
                f"#{draft.id} (v{entry.draft_version})",
                escape(reader.term(draft.kind)),
                say(SHOWN_YES if shown else SHOWN_WAITING),
                reader.stamp(entry.added_at),
            )
        console.print(table)


@app.command("add")
def add_command(
    case_id: CaseArg, draft_id: DraftArg, by: By = None, language: LanguageOption = None
) -> None:
    """Show an approved statement or update on the page (refused when its text is not approved)."""
    actor = by or default_actor()
    with cli_session() as session:
        case = get_case(session, case_id)
        entry = service.add_entry(session, case_id, draft_id, actor, workspace_id=case.workspace_id)
        _audit(
            session, actor, "add", case_id, {"draft_id": draft_id, "version": entry.draft_version}
        )
        _say(session, case_id, language, ADDED, draft=draft_id, case=case_id)


@app.command("remove")
def remove_command(
    case_id: CaseArg, draft_id: DraftArg, by: By = None, language: LanguageOption = None
) -> None:
    """Take a draft off the page."""
    actor = by or default_actor()
    with cli_session() as session:
        case = get_case(session, case_id)
        service.remove_entry(session, case_id, draft_id, actor, workspace_id=case.workspace_id)
        _audit(session, actor, "remove", case_id, {"draft_id": draft_id})
        _say(session, case_id, language, REMOVED, draft=draft_id, case=case_id)


@app.command("disable")
def disable_command(case_id: CaseArg, by: By = None, language: LanguageOption = None) -> None:
    """Take the page offline: its link answers 'not found', like an unknown one."""
    actor = by or default_actor()
    with cli_session() as session:
        case = get_case(session, case_id)
        service.disable_page(session, case_id, actor, workspace_id=case.workspace_id)
        _audit(session, actor, "disable", case_id, {})
        _say(session, case_id, language, OFFLINE, case=case_id)
