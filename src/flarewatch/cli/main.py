"""The `flarewatch` command."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from flarewatch import __version__
from flarewatch.cli.common import console, fail, progress_bar, ready_engine
from flarewatch.cli.lazy import HELP_MARKUP, LazyCommand, LazyGroup

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from flarewatch.runtime.embedded import CycleReport

# Command groups and commands imported on first use (flarewatch/cli/lazy.py): `--help` and
# `query check` then start without SQLAlchemy, Alembic or the enrichment models.
SUBCOMMANDS = {
    "query": LazyCommand("flarewatch.query.cli", "app", "Check, test and import boolean queries."),
    "alerts": LazyCommand("flarewatch.alerts.cli", "app", "List, acknowledge and deliver alerts."),
    "cases": LazyCommand("flarewatch.cases.cli", "app", "Open and work crisis cases."),
    "playbooks": LazyCommand(
        "flarewatch.playbooks.cli", "app", "List, show and save crisis playbooks."
    ),
    "mentions": LazyCommand(
        "flarewatch.mentions.cli", "app", "Export the mention stream, one post a line."
    ),
    "oncall": LazyCommand(
        "flarewatch.oncall.cli", "app", "Who is on call, and who an alert would page."
    ),
    "digest": LazyCommand(
        "flarewatch.digests.cli", "app", "Send a workspace's daily or weekly digest."
    ),
    "contact": LazyCommand(
        "flarewatch.comms.contact.cli",
        "app",
        "Contact a case's originator privately, within each platform's window.",
    ),
    "public-page": LazyCommand(
        "flarewatch.comms.public_page.cli",
        "app",
        "A case's public update page: approved statements and updates, shared by a link.",
    ),
    "tone": LazyCommand(
        "flarewatch.tone.cli", "app", "Check the tone of crisis-communication drafts."
    ),
    "stakeholders": LazyCommand(
        "flarewatch.comms.stakeholders.cli",
        "app",
        "Preview, send and schedule case updates for internal audiences.",
    ),
    "advocates": LazyCommand(
        "flarewatch.comms.advocates.cli", "app", "List advocates; brief them with approved facts."
    ),
    "publish": LazyCommand(
        "flarewatch.comms.publishing.cli",
        "app",
        "Publish approved drafts through the workspace's channels; the kill switch.",
    ),
    "replies": LazyCommand(
        "flarewatch.comms.replies.cli", "app", "A case's reply queue: posts to answer, drafts."
    ),
    "drafts": LazyCommand(
        "flarewatch.comms.drafts_cli",
        "app",
        "Write a case's drafts, send them for approval, approve or ask for changes.",
    ),
    "templates": LazyCommand(
        "flarewatch.comms.templates.cli",
        "app",
        "Message templates: list, show, fill from a case, edit, export, import, draft.",
    ),
    "user": LazyCommand("flarewatch.accounts.cli", "app", "Manage people, roles and API tokens."),
    "workspace": LazyCommand(
        "flarewatch.cli.workspace",
        "app",
        "Start, add, check, export and list workspaces.",
    ),
    "sources": LazyCommand(
        "flarewatch.cli.sources",
        "app",
        "List source kinds and health; test or run a source.",
    ),
    "analyze": LazyCommand(
        "flarewatch.enrich.cli",
        "analyze",
        "Add language, sentiment and enrichment fields to JSONL posts.",
    ),
    "backtest": LazyCommand(
        "flarewatch.detect.cli",
        "backtest",
        "Score a series or stored history with the live detector; --labels adds NAB scores.",
    ),
}


class FlarewatchCommands(LazyGroup):
    lazy = SUBCOMMANDS


app = typer.Typer(
    name="flarewatch",
    help="Flarewatch: social listening and online crisis management.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=FlarewatchCommands,
    rich_markup_mode=HELP_MARKUP,
)


# Where the web app listens; the defaults come from the settings (FLAREWATCH_HOST, _PORT).
HOST_OPTION = typer.Option(
    None, "--host", help="Address to listen on.", show_default="127.0.0.1, or FLAREWATCH_HOST"
)
PORT_OPTION = typer.Option(
    None, "--port", help="Port to listen on.", show_default="8000, or FLAREWATCH_PORT"
)


def _version(value: bool) -> None:
    if value:
        console.print(f"flarewatch {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log pipeline details."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Flarewatch: monitor, detect, alert and handle online crises."""
    from flarewatch.config.log_level import configured_log_level

    logging.basicConfig(
        level=logging.DEBUG if verbose else configured_log_level(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not verbose:
        # Every command checks the schema on start; Alembic's per-step INFO lines are noise
        # there (a real upgrade is still logged by `flarewatch migrate -v`).
        logging.getLogger("alembic").setLevel(logging.WARNING)


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema (SQLite by default, or FLAREWATCH_DATABASE_URL)."""
    from flarewatch.db.engine import get_engine
    from flarewatch.db.migrate import upgrade

    engine = get_engine()
    upgrade(engine)
    console.print(f"[green]database is up to date[/] ({escape(engine.url.render_as_string())})")


def _serve(engine: Engine, host: str, port: int, demo_user: str | None = None) -> None:
    import uvicorn

    from flarewatch.web.app import create_app

    web_app = create_app(engine, demo_user=demo_user)
    # The app reads forwarded headers itself, only from FLAREWATCH_TRUSTED_PROXIES; uvicorn's own
    # handling would trust any local peer.
    uvicorn.run(web_app, host=host, port=port, log_level="warning", proxy_headers=False)


@app.command()
def serve(
    host: str = HOST_OPTION,
    port: int = PORT_OPTION,
) -> None:
    """Serve the web app and JSON API on the existing data (no polling)."""
    from flarewatch.config.settings import get_settings

    settings = get_settings()
    engine = ready_engine()
    host, port = host or settings.host, port or settings.port
    console.print(f"Flarewatch on [bold]http://{host}:{port}[/] (Ctrl+C to stop)")
    _serve(engine, host, port)


def _print_cycle(report: CycleReport) -> None:
    for outcome in report.failed_sources:
        console.print(
            f"[red]source {outcome.workspace}/{outcome.source} failed:[/] {outcome.error}"
        )
    if report.batch.stored or report.alerts_raised:
        console.print(
            f"stored {report.batch.stored} post(s), {report.batch.mentions} mention(s); "
            f"alerts {report.alerts_raised or 'none'}; cases {report.cases_opened or 'none'}"
        )


@app.command()
def run(
    workspace_files: list[Path] = typer.Argument(
        None, help="Workspace TOML files to add or update before starting."
    ),
    interval: float = typer.Option(
        None,
        "--interval",
        help="Seconds between polls.",
        show_default="60, or FLAREWATCH_POLL_INTERVAL_SECONDS",
    ),
    once: bool = typer.Option(False, "--once", help="Run one cycle and exit."),
    web: bool = typer.Option(True, "--web/--no-web", help="Also serve the web app."),
    host: str = HOST_OPTION,
    port: int = PORT_OPTION,
) -> None:
    """Poll sources, run pipeline, detection and alerts, and serve the web app, in one process."""
    from flarewatch.cli.workspace import load_for_running
    from flarewatch.config.settings import get_settings
    from flarewatch.db.engine import session_scope
    from flarewatch.runtime.embedded import EmbeddedRunner
    from flarewatch.workspaces.notes import SyncNote
    from flarewatch.workspaces.service import list_workspaces, sync_workspace

    settings = get_settings()
    engine = ready_engine()
    for path in workspace_files or []:
        config = load_for_running(path)
        notes: list[SyncNote] = []
        with session_scope(engine) as session:
            sync_workspace(session, config, path.parent, notes)
        for note in notes:
            console.print(f"note: {path}: {note}", highlight=False, soft_wrap=True)
    with session_scope(engine) as session:
        if not list_workspaces(session):
            fail("no workspace yet; add one with 'flarewatch run WORKSPACE.toml'", code=2)
    runner = EmbeddedRunner(engine, console=console)
    if once:
        report = runner.cycle()
        _print_cycle(report)
        raise typer.Exit(1 if report.failed_sources else 0)
    stop = threading.Event()
    every = interval or settings.poll_interval_seconds
    if not web:
        console.print(f"polling every {every:.0f} s (Ctrl+C to stop)")
        try:
            runner.run_forever(every, stop, on_cycle=_print_cycle)
        except KeyboardInterrupt:
            stop.set()
        return
    thread = threading.Thread(
        target=runner.run_forever, args=(every, stop, _print_cycle), daemon=True
    )
    thread.start()
    host, port = host or settings.host, port or settings.port
    console.print(f"polling every {every:.0f} s; web on [bold]http://{host}:{port}[/]")
    try:
        _serve(engine, host, port)
    finally:
        stop.set()


@app.command()
def ingest(
    file: Path = typer.Argument(
        ...,
        help="Posts in the ingest format (JSONL/CSV) or another tool's export "
        "(CSV, TSV, .xlsx, JSONL, tweets.js, comments.json; optionally .gz).",
    ),
    workspace: str = typer.Option(
        None, "--workspace", "-w", help="Workspace slug.", show_default="the only workspace"
    ),
    format_: str = typer.Option(
        "auto",
        "--format",
        help="auto|brandwatch|talkwalker|meltwater|sprinklr|mention|x-archive|facebook-dyi|"
        "jsonl|csv: whose export the file is (auto: told from its header; docs/migration.md).",
    ),
    mapping: str = typer.Option(
        None,
        "--map",
        help="FIELD=COLUMN pairs for columns no preset reads, comma-separated, e.g. "
        "'text=Full Text,created_at=Date'.",
        show_default="the preset's columns",
    ),
    timezone: str = typer.Option(
        None,
        "--timezone",
        help="IANA zone of export dates written without one, e.g. Europe/Warsaw.",
        show_default="a zone named above the header, else UTC",
    ),
) -> None:
    """Import a file of posts into a workspace; importing it again adds only what is new.

    Exports of Brandwatch, Talkwalker, Meltwater, Sprinklr and Mention, X archives and
    Facebook downloads keep their own dates, so imported history warms the baselines."""
    from sqlalchemy import select

    from flarewatch.db.engine import session_scope
    from flarewatch.errors import FlarewatchError
    from flarewatch.pipeline.batch import BatchReport
    from flarewatch.runtime.embedded import EmbeddedRunner
    from flarewatch.sources.models import Source
    from flarewatch.workspaces.service import get_workspace, list_workspaces

    if not file.is_file():
        fail(f"{file}: no such file; give the path of the posts or export file to import", code=2)
    export_options = _export_options(file, format_, mapping, timezone)
    engine = ready_engine()
    with session_scope(engine) as session:
        if workspace is None:
            spaces = list_workspaces(session)
            if len(spaces) != 1:
                fail(
                    "name the workspace with --workspace SLUG (see 'flarewatch workspace list')", 2
                )
            target = spaces[0]
        else:
            try:
                target = get_workspace(session, workspace)
            except FlarewatchError as err:
                fail(str(err), code=2)
        key = f"import-{file.name}"[:64]
        source = session.scalar(
            select(Source).where(Source.workspace_id == target.id, Source.key == key)
        )
        config = {"key": key, "kind": "file", "path": str(file.resolve()), "enabled": True}
        config |= export_options
        if source is None:
            source = Source(workspace_id=target.id, key=key, kind="file", config=config)
            session.add(source)
        source.config, source.enabled = config, True
        # An import reads the whole file again, so a re-import can say how many of its posts
        # were already stored (the identity key keeps them from being stored twice).
        source.checkpoint = None
        session.flush()
        workspace_id, source_id, slug = target.id, source.id, target.slug
    runner = EmbeddedRunner(engine, console=console)
    with progress_bar(rate="posts") as progress:
        task = progress.add_task(f"ingesting {file.name}", total=None)

        def advance(batch: BatchReport) -> None:
            progress.update(task, advance=batch.received)

        runner.on_batch = advance
        outcome = runner.ingest_source(workspace_id, source_id)
    for warning in outcome.source.warnings:
        console.print(f"[bold yellow]warning:[/] {escape(str(warning))}", highlight=False)
    for problem in outcome.source.problems:
        console.print(f"[yellow]skipped[/] {escape(str(problem))}")
    if outcome.source.error:
        fail(outcome.source.error)
    batch = outcome.cycle.batch
    console.print(
        f"[green]{slug}[/]: {batch.stored} new post(s) ({batch.already_stored} already stored, "
        f"{batch.duplicates} duplicate(s)), {batch.mentions} mention(s), "
        f"{len(outcome.cycle.alerts_raised)} alert(s)"
    )
    if outcome.source.problems:
        raise typer.Exit(1)


def _export_options(
    file: Path, format_: str, mapping: str | None, timezone: str | None
) -> dict[str, object]:
    """The file source's export options for `ingest`, or {} for the ingest format read as a
    plain file source; prints which format an `auto` file was read as."""
    from flarewatch.sources.base import SourceError
    from flarewatch.sources.exports.dates import zone
    from flarewatch.sources.exports.mapping import parse_map
    from flarewatch.sources.exports.registry import FORMATS, PRESETS
    from flarewatch.sources.exports.sniff import sniff_format
    from flarewatch.sources.file import file_format

    if format_ not in FORMATS:
        fail(f"--format {format_!r} is not one of {', '.join(FORMATS)}", code=2)
    try:
        fields = parse_map(mapping)
        zone(timezone)
        found = sniff_format(file) if format_ == "auto" else format_
    except (ValueError, SourceError) as err:
        fail(str(err), code=2)
    if format_ == "auto" and found not in ("jsonl", "csv"):
        console.print(
            f"reading {file.name} as a {PRESETS[found].title} export", highlight=False, markup=False
        )
    if found in ("jsonl", "csv") and not fields and timezone is None:
        try:
            file_format(file)
        except SourceError:
            pass  # a .tsv or .txt in the ingest format: the export reader takes it
        else:
            return {}  # the ingest format itself: read (and re-read) as before
    options: dict[str, object] = {"format": found, "map": fields}
    if timezone:
        options["timezone"] = timezone
    return options


@app.command()
def report(
    workspace: str = typer.Option(
        None, "--workspace", "-w", help="Only this workspace.", show_default="all"
    ),
    language: str = typer.Option(
        None,
        "--language",
        help="Write the report in en, he or pl.",
        show_default="each workspace's first language with a translation, else en",
    ),
) -> None:
    """Summarise each workspace in its language: posts, mentions, alerts, cases, the newest
    post (in the workspace's time zone) and failing sources."""
    from flarewatch.cli.reader import language_problem
    from flarewatch.cli.report import print_report
    from flarewatch.cli.summary import summarise
    from flarewatch.db.base import utcnow
    from flarewatch.db.engine import session_scope
    from flarewatch.workspaces.service import list_workspaces

    problem = language_problem(language)
    if problem:
        fail(problem, code=2)
    with session_scope(ready_engine()) as session:
        spaces = list_workspaces(session)
        if workspace:
            spaces = [w for w in spaces if w.slug == workspace]
            if not spaces:
                fail(f"no workspace {workspace!r}; see 'flarewatch workspace list'", code=2)
        summaries = [summarise(session, space) for space in spaces]
    print_report(console, summaries, utcnow(), language)


@app.command()
def demo(
    serve_web: bool = typer.Option(
        True,
        "--serve/--no-serve",
        help="Serve the dashboard while replaying (default), or "
        "replay everything at once, print a summary and exit.",
    ),
    speed: float = typer.Option(
        120.0, "--speed", min=1.0, help="Replay speed: scenario seconds per wall-clock second."
    ),
    host: str = HOST_OPTION,
    port: int = PORT_OPTION,
) -> None:
    """Replay the bundled crisis scenario through every stage (data stays for later commands)."""
    from flarewatch.cli.report import print_report
    from flarewatch.cli.summary import summarise
    from flarewatch.config.settings import get_settings
    from flarewatch.db.base import utcnow
    from flarewatch.db.engine import session_scope
    from flarewatch.demo.run import prepare_demo, replay_all, start_background_replay
    from flarewatch.workspaces.models import Workspace

    settings = get_settings()
    engine = ready_engine()
    setup = prepare_demo(engine, speed=0 if not serve_web else speed)
    if not serve_web:
        with console.status("replaying the demo scenario through every stage…"):
            replay_all(engine, setup, console=console)
        with session_scope(engine) as session:
            s = summarise(session, session.get_one(Workspace, setup.workspace_id))
        print_report(console, [s], utcnow())
        console.print(
            f"data kept in {settings.resolved_database_url}; try 'flarewatch serve'", markup=False
        )
        if s.failing_sources:
            fail("; ".join(s.failing_lines()))
        return
    stop = threading.Event()
    start_background_replay(engine, setup, stop, console=console)
    host, port = host or settings.host, port or settings.port
    console.print(
        f"Replaying the demo crisis at ×{speed:g}; open [bold]http://{host}:{port}[/] "
        f"(signed in as {setup.demo_user}). Ctrl+C to stop."
    )
    try:
        _serve(engine, host, port, demo_user=setup.demo_user)
    finally:
        stop.set()
