"""`flarewatch workspace …`: add, check and list workspace files; re-score their sentiment."""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy import select

from flarewatch.cli.common import console, err_console, fail, progress_bar, ready_engine
from flarewatch.cli.reader import LANGUAGE_HELP, language_problem, reader_for
from flarewatch.config.toml_source import ConfigProblem
from flarewatch.config.workspace import WorkspaceConfig, check_workspace_file
from flarewatch.db.engine import session_scope
from flarewatch.errors import NotFoundError
from flarewatch.i18n.labels import N_
from flarewatch.workspaces.models import Topic
from flarewatch.workspaces.notes import SyncNote
from flarewatch.workspaces.service import get_workspace, list_workspaces, sync_workspace

app = typer.Typer(
    help="Start, add, check, export and list workspaces (one TOML file per client brand); "
    "re-score sentiment."
)
SINCE_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def parse_since(value: str, now: datetime) -> datetime:
    """'90m', '24h', '7d' (back from now) or an ISO time with a zone, e.g.
    2024-06-11T12:00:00+03:00."""
    found = re.fullmatch(r"\s*(\d+)\s*([mhd])\s*", value)
    if found:
        return now - timedelta(**{SINCE_UNITS[found.group(2)]: int(found.group(1))})
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is neither a duration like 24h, 7d or 90m nor an ISO time such as "
            "2024-06-11T12:00:00+03:00"
        ) from None
    if parsed.tzinfo is None:
        raise typer.BadParameter(f"{value!r} needs a time zone, e.g. {value}+00:00")
    return parsed.astimezone(UTC)


def load_for_running(path: Path) -> WorkspaceConfig:
    """The file's configuration for `add` and `run`: refused (exit 2) with every error in it;
    problems of this machine (a source file not there yet) are printed as warnings and the
    workspace loads, its source showing them as failing health."""
    result = check_workspace_file(path)
    if result.errors or result.config is None:
        fail(_problem_list(path, "invalid workspace configuration", result.errors), code=2)
    for warning in result.warnings:
        err_console.print(
            f"[bold yellow]warning:[/] {escape(f'{path}: {warning.describe()}')}", highlight=False
        )
    return result.config


def _problem_list(path: Path, heading: str, problems: list[ConfigProblem]) -> str:
    return f"{path}: {heading}\n" + "\n".join(f"  - {p.describe()}" for p in problems)


@app.command("check")
def check(path: Path = typer.Argument(..., help="Workspace TOML file to validate.")) -> None:
    """Validate a workspace file without changing anything: list every problem in it, with its
    line and the fix; exit 2 when there is any (a missing source file included)."""
    result = check_workspace_file(path)
    if result.problems:
        heading = (
            "invalid workspace configuration"
            if result.errors
            else "problems found (the workspace would load, with failing sources)"
        )
        fail(_problem_list(path, heading, result.problems), code=2)
    config = result.config
    assert config is not None  # no problems means it validated
    console.print(
        f"[green]OK[/] {path}: workspace {config.slug!r} with {len(config.topics)} topic(s), "
        f"{len(config.sources)} source(s), {len(config.alert_routes)} alert route(s)"
        + _oncall_counts(config),
        soft_wrap=True,  # one line, however long the path: scripts grep it
    )


def _oncall_counts(config: WorkspaceConfig) -> str:
    if not (config.people or config.rotas or config.escalation):
        return ""
    policies = "policy" if len(config.escalation) == 1 else "policies"
    return (
        f", {len(config.people)} on-call people, {len(config.rotas)} rota(s), "
        f"{len(config.escalation)} escalation {policies}"
    )


# The lines of `workspace add`, in the workspace's language (cli/reader.py).
SAVED = N_("saved workspace %(slug)s (%(name)s)")
NOTE = N_("note: %(path)s: %(note)s")


@app.command("add")
def add(
    path: Path = typer.Argument(..., help="Workspace TOML file to add or update."),
    language: str | None = typer.Option(
        None, "--language", help=LANGUAGE_HELP, show_default="the workspace's first language"
    ),
) -> None:
    """Create or update a workspace from its file (topics and sources included); the
    confirmation and notes are in the workspace's language (or --language)."""
    problem = language_problem(language)
    if problem:
        fail(problem, code=2)
    config = load_for_running(path)
    reader = reader_for(config.languages, config.timezone, language)
    with session_scope(ready_engine()) as session:
        notes: list[SyncNote] = []
        workspace = sync_workspace(session, config, path.parent, notes)
        saved = reader.say(
            SAVED, slug=reader.fragment(workspace.slug), name=reader.fragment(workspace.name)
        )
        console.print(f"[green]{escape(saved)}[/]", highlight=False)
    for note in notes:
        line = reader.say(
            NOTE,
            path=reader.fragment(str(path)),
            note=note.render(reader.gettext, reader.fragment),
        )
        err_console.print(f"[bold yellow]{escape(line)}[/]", highlight=False, soft_wrap=True)


STARTER = Path(__file__).resolve().parent.parent / "config" / "starter.toml"


@app.command("init")
def init(
    path: Path = typer.Argument(
        Path("workspace.toml"), help="Where to write the starter file.", show_default=True
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite the file if it exists."),
) -> None:
    """Write a commented starter workspace file to edit, check and add."""
    if path.exists() and not force:
        fail(f"{path} exists; choose another path or add --force to overwrite it", code=2)
    path.write_text(STARTER.read_text(encoding="utf-8"), encoding="utf-8")
    console.print(
        f"[green]wrote[/] {path}; edit it, then 'flarewatch workspace check {path}' and "
        f"'flarewatch workspace add {path}'",
        highlight=False,
    )


@app.command("export")
def export(
    slug: str = typer.Argument(..., help="The workspace's slug."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="File to write.", show_default="standard output"
    ),
) -> None:
    """Write a workspace as it is now (web changes included) as a workspace file."""
    from flarewatch.workspaces.export import export_toml

    with session_scope(ready_engine()) as session:
        try:
            text = export_toml(session, get_workspace(session, slug))
        except NotFoundError as err:
            fail(str(err), code=2)
    if output is None:
        sys.stdout.write(text)  # data: raw, so it can be redirected to a file as is
        return
    output.write_text(text, encoding="utf-8")
    err_console.print(f"wrote {output}", highlight=False, markup=False)


@app.command("list")
def list_command() -> None:
    """List the workspaces in the database."""
    with session_scope(ready_engine()) as session:
        table = Table("slug", "name", "languages", "timezone")
        for workspace in list_workspaces(session):
            table.add_row(
                workspace.slug, workspace.name, ",".join(workspace.languages), workspace.timezone
            )
        console.print(table)


@app.command("rescore")
def rescore(
    slug: str = typer.Argument(..., help="The workspace's slug."),
    backend: str = typer.Option(
        "e5",
        "--backend",
        "-b",
        help="Sentiment backend to score with: default, use, e5 or transformers (see "
        "docs/enrichment.md; e5 is the most accurate offline and scores ~15-30 posts/s per core).",
    ),
    topic: str | None = typer.Option(
        None, "--topic", "-t", help="Only this topic's mentions (its key).", show_default="all"
    ),
    since: str | None = typer.Option(
        None,
        "--since",
        "-s",
        help="Only mentions created since then: 24h, 7d, 90m or an ISO time with a zone.",
        show_default="all stored mentions",
    ),
) -> None:
    """Score stored mentions' sentiment again with another backend and rebuild the rollups.

    In a crisis, re-score a topic's last day with the accurate model (audited; docs/enrichment.md).
    """
    from flarewatch.enrich.sentiment import SENTIMENT_BACKENDS, backend_install_problem
    from flarewatch.mentions.service import rescore_mentions

    if backend not in SENTIMENT_BACKENDS:
        fail(f"unknown backend {backend!r}; use one of: {', '.join(SENTIMENT_BACKENDS)}", code=2)
    problem = backend_install_problem(backend)
    if problem:
        fail(problem, code=2)
    cutoff = parse_since(since, datetime.now(UTC)) if since else None
    with session_scope(ready_engine()) as session:
        try:
            workspace = get_workspace(session, slug)
        except NotFoundError as err:
            fail(str(err), code=2)
        topic_id = None
        if topic is not None:
            topic_id = session.scalar(
                select(Topic.id).where(Topic.workspace_id == workspace.id, Topic.key == topic)
            )
            if topic_id is None:
                keys = session.scalars(
                    select(Topic.key).where(Topic.workspace_id == workspace.id).order_by(Topic.key)
                )
                fail(f"no topic {topic!r} in {slug!r} (topics: {', '.join(keys) or 'none'})", 2)
        with progress_bar() as progress:
            task = progress.add_task(f"re-scoring with {backend}", total=None)
            report = rescore_mentions(
                session,
                workspace,
                backend,
                topic_id=topic_id,
                since=cutoff,
                actor="cli",
                progress=lambda n: progress.update(task, advance=n),
            )
    console.print(
        f"[green]re-scored[/] {report.posts} post(s) with {backend}: "
        f"{report.mentions_changed} mention(s) changed, {report.labels_changed} label(s); "
        f"rollups rebuilt for {len(report.topics)} topic(s)"
        + (
            f"; {report.failed} post(s) the model could not score kept their score"
            if report.failed
            else ""
        )
    )
