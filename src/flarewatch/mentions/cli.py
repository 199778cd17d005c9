"""`flarewatch mentions`: export the post stream as the inbox filters it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from flarewatch.alerts.cliutil import cli_session, workspace_id_for
from flarewatch.cli.common import err_console
from flarewatch.errors import InputError
from flarewatch.mentions.export import FORMATS, export_lines
from flarewatch.mentions.stream import SINCE_CHOICES, PostFilters, PostRow, iter_posts

app = typer.Typer(help="Export the mention stream: one record per post.", no_args_is_help=True)


@app.command("export")
def export_command(
    workspace: Annotated[str, typer.Option("--workspace", "-w", help="The workspace's slug.")],
    format: Annotated[
        str, typer.Option("--format", "-f", help=f"File format: {', '.join(FORMATS)}.")
    ] = "jsonl",
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write to this file.", show_default="standard output"),
    ] = None,
    topic: Annotated[
        str | None,
        typer.Option(help="Posts that matched this topic (its key).", show_default="any"),
    ] = None,
    platform: Annotated[
        str | None, typer.Option(help="Only this platform.", show_default="any")
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(help="Only this language (ISO 639-1 code, e.g. he, pl).", show_default="any"),
    ] = None,
    sentiment: Annotated[
        str | None,
        typer.Option(help="Only negative, neutral or positive posts.", show_default="any"),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            help=f"Only this recent: {', '.join(SINCE_CHOICES)}.", show_default="any time"
        ),
    ] = None,
    author: Annotated[
        str | None, typer.Option(help="Only this author's handle.", show_default="any")
    ] = None,
    tag: Annotated[
        str | None, typer.Option(help="Only posts with this tag.", show_default="any")
    ] = None,
    assignee: Annotated[
        str | None,
        typer.Option(help="Only posts assigned to this member (e-mail).", show_default="any"),
    ] = None,
    search: Annotated[
        str | None,
        typer.Option(
            "--search", "-q", help="Words that must all be in the text.", show_default="any"
        ),
    ] = None,
    include_hidden: Annotated[
        bool,
        typer.Option("--include-hidden", help="Also posts marked or filtered as not relevant."),
    ] = False,
    limit: Annotated[
        int | None,
        typer.Option("--limit", "-n", min=1, help="At most this many posts.", show_default="all"),
    ] = None,
) -> None:
    """Write the posts the inbox shows under these filters, newest first: one record per
    post, its topics as a list (CSV: separated by ';')."""
    filters = PostFilters(
        topic=topic,
        platform=platform,
        language=language,
        sentiment=sentiment,
        since=since,
        author=author,
        q=search,
        tag=tag,
        assignee=assignee,
        hidden="show" if include_hidden else None,
    )
    written = 0
    with cli_session() as session:
        if format not in FORMATS:
            raise InputError(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")
        if since is not None and since not in SINCE_CHOICES:
            raise InputError(f"--since takes one of {', '.join(SINCE_CHOICES)}, not {since!r}")
        workspace_id = workspace_id_for(session, workspace)
        assert workspace_id is not None  # a slug was given
        rows = iter_posts(session, workspace_id, filters, limit=limit)

        def counted() -> Iterator[PostRow]:
            nonlocal written
            for row in rows:
                written += 1
                yield row

        target = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
        try:
            for chunk in export_lines(counted(), format):
                target.write(chunk)
        finally:
            if out:
                target.close()
    where = str(out) if out else "standard output"
    err_console.print(f"{written} posts written to {where}.", highlight=False, markup=False)
