"""`flarewatch digest send`: build a workspace's daily or weekly digest now, print or send it."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import typer

from flarewatch.cli.common import err_console, fail
from flarewatch.i18n.labels import N_

app = typer.Typer(help="Daily and weekly digests of a workspace (docs/oncall.md, 'Digests').")

# The human lines of `digest send` on standard error, in the workspace's language (or
# --language); the "sent<TAB>recipient" lines on standard output are a format and stay.
WOULD_SEND = N_("would send to %(recipient)s")
SEND_FAILED = N_("%(recipient)s: failed: %(error)s")


@app.command("send")
def send(
    workspace: str = typer.Option(
        ..., "--workspace", "-w", help="The slug of a workspace in the database."
    ),
    period: str = typer.Option(..., "--period", help="daily or weekly."),
    dry_run: bool = typer.Option(
        False,
        "--dry-run",
        help="Print the digest (plain text) and its recipients; send nothing.",
        show_default=True,
    ),
    language: str | None = typer.Option(
        None,
        "--language",
        help="en, he or pl for every recipient (and the printed digest).",
        show_default="each route's language, else the workspace's first",
    ),
) -> None:
    """Build the digest of the day (or week) up to now and send it to the recipients of the
    workspace's `[[digests]]` table for that period: email as HTML with a plain-text part,
    chat routes as a short text. With --dry-run it is printed instead."""
    from flarewatch.cli.common import ready_engine
    from flarewatch.cli.reader import reader_for
    from flarewatch.db.engine import session_scope
    from flarewatch.digests.build import build_digest, window
    from flarewatch.digests.config import DigestConfig
    from flarewatch.digests.render import render_digest
    from flarewatch.digests.service import digests_of, language_for, recipients, send_one
    from flarewatch.errors import NotFoundError
    from flarewatch.i18n.languages import LANGUAGES
    from flarewatch.workspaces.service import get_workspace

    if period not in ("daily", "weekly"):
        raise typer.BadParameter("use daily or weekly", param_hint="--period")
    if language is not None and language not in LANGUAGES:
        raise typer.BadParameter(f"use one of {', '.join(LANGUAGES)}", param_hint="--language")
    now = datetime.now(UTC)
    failures = 0
    with session_scope(ready_engine()) as session:
        try:
            found = get_workspace(session, workspace)
        except NotFoundError as err:
            fail(f"{err}; `flarewatch workspace list` shows the slugs", code=2)
        tables = [d for d in digests_of(found) if d.period == period]
        if not tables and not dry_run:
            fail(
                f"workspace {found.slug!r} has no [[digests]] table with period = "
                f"{period!r}; add one with its `to` (docs/oncall.md, 'Digests'), or use "
                "--dry-run",
                code=2,
            )
        reader = reader_for(found.languages, found.timezone, language)
        start, end = window(period, now, found.timezone or "UTC")
        built = build_digest(session, found, period, end, start)
        if dry_run:
            first = (found.languages or ["en"])[0]
            sys.stdout.write(render_digest(built, language or first).text)
            for table in tables:
                for label, _ in recipients(found, table):
                    line = reader.say(WOULD_SEND, recipient=reader.fragment(label))
                    err_console.print(line, highlight=False, markup=False)
            return
        for table in tables:
            if language is not None:
                table = DigestConfig.model_validate({**table.model_dump(), "language": language})
            for label, url in recipients(found, table):
                rendered = render_digest(built, language_for(found, table, url))
                try:
                    send_one(url, rendered)
                except RuntimeError as err:
                    failures += 1
                    line = reader.say(
                        SEND_FAILED,
                        recipient=reader.fragment(label),
                        error=reader.fragment(str(err)),
                    )
                    err_console.print(line, highlight=False, markup=False)
                else:
                    sys.stdout.write(f"sent\t{label}\n")
    if failures:
        raise typer.Exit(1)
