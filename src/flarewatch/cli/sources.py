"""`flarewatch sources …`: list the kinds and a workspace's sources, test one, run one.

`test` fetches once and stores nothing (no post, no checkpoint, no health change), so a new
source can be tried before it is trusted; given a workspace file it needs no database at all.
`run` fetches and stores through the embedded runner, as a poll would (detection and alerts
included).
"""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.cli.common import console, err_console, fail, progress_bar, ready_engine
from flarewatch.cli.workspace import load_for_running
from flarewatch.config.workspace import SourceConfig
from flarewatch.db.engine import session_scope, sessionmaker_for
from flarewatch.errors import FlarewatchError
from flarewatch.i18n.formatting import Formatter
from flarewatch.i18n.languages import DEFAULT_LANGUAGE
from flarewatch.pipeline.batch import BatchReport
from flarewatch.runtime.embedded import POLL_DEADLINE_SECONDS, EmbeddedRunner
from flarewatch.sources.health import SourceHealth, health_of_sources
from flarewatch.sources.ingest import post_to_record
from flarewatch.sources.models import Source
from flarewatch.sources.registry import describe_kinds
from flarewatch.sources.secrets import EnvironmentSecrets, Secrets
from flarewatch.sources.trial import excerpt, fetch_once
from flarewatch.sources.webhook import Inbox
from flarewatch.workspaces.models import Topic, Workspace
from flarewatch.workspaces.service import get_workspace, sync_workspace

app = typer.Typer(
    help="List the source kinds and a workspace's sources with their health; test or run one.",
    no_args_is_help=True,
)

WORKSPACE_HELP = "Workspace slug (in the database) or the path of its workspace .toml file."


# -- health ---------------------------------------------------------------------------------


def health_of(session: Session, sources: list[Source]) -> list[SourceHealth]:
    """The sources' health by the rules of `sources/health.py`, as the web page and API show."""
    return health_of_sources(session, sources, datetime.now(UTC))


STATE_COLOUR = {"ok": "green", "learning": "green", "paused": "dim", "silent": "yellow"}


def _when(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if value else "-"


def _status_text(health: SourceHealth) -> str:
    if health.state == "failing":
        return f"[red]failing[/] ({health.consecutive_errors}×)"
    if health.state == "stale":
        return "[red]stale[/]"
    text = f"[{STATE_COLOUR.get(health.state, 'yellow')}]{health.state}[/]"
    if health.consecutive_errors:  # one failure is not "failing" yet, but it is news
        return text + " [yellow](last poll failed)[/]"
    return text + (" (never polled)" if health.last_polled_at is None else "")


def _quota_text(quota: dict[str, Any] | None) -> str:
    if not quota:
        return "-"
    return ", ".join(f"{name} {value}" for name, value in sorted(quota.items()))


# -- where the sources come from: a workspace file or the database -----------------------------


def _is_file(workspace: str) -> bool:
    """A workspace file path rather than a slug (slugs have neither dots nor slashes)."""
    return workspace.endswith(".toml") or "/" in workspace or "\\" in workspace


@dataclass(slots=True)
class _Target:
    config: SourceConfig
    base_dir: Path
    secrets: Secrets
    topics: list[str]  # the workspace's topic queries (for kinds that keep only matches)
    inbox: Inbox | None = None  # the stored deliveries (webhook), when read from the database


def _from_file(path: Path, key: str) -> _Target:
    if not path.is_file():
        fail(f"{path}: no such workspace file; give a workspace .toml path or a slug", code=2)
    config = load_for_running(path)
    for source in config.sources:
        if source.key == key:
            topics = [topic.query for topic in config.topics]
            return _Target(source, path.parent, EnvironmentSecrets(), topics)
    keys = ", ".join(s.key for s in config.sources) or "none"
    fail(f"no source {key!r} in {path} (sources: {keys})", code=2)


def _stored_source(slug: str, key: str) -> tuple[Workspace, Source]:
    """The workspace and its source from the database (exit 2 with the fix when absent)."""
    engine = ready_engine()
    with session_scope(engine) as session:
        try:
            workspace = get_workspace(session, slug)
        except FlarewatchError as err:
            fail(str(err), code=2)
        source = session.scalar(
            select(Source).where(Source.workspace_id == workspace.id, Source.key == key)
        )
        if source is None:
            keys = session.scalars(
                select(Source.key).where(Source.workspace_id == workspace.id).order_by(Source.key)
            )
            fail(
                f"no source {key!r} in workspace {slug!r} (sources: {', '.join(keys) or 'none'})", 2
            )
        session.expunge_all()
        return workspace, source


def _from_database(slug: str, key: str) -> _Target:
    from flarewatch.sources.credentials import workspace_secrets

    workspace, source = _stored_source(slug, key)
    base_dir = Path(workspace.config.get("base_dir", "."))
    secrets = workspace_secrets(sessionmaker_for(ready_engine()), workspace.id)
    try:
        config = SourceConfig(**source.config)
    except ValueError as err:  # stored before a kind's keys changed: say so, in one line
        fail(f"source {key!r}: its stored configuration is not valid any more: {err}")
    with session_scope(ready_engine()) as session:
        topics = list(
            session.scalars(
                select(Topic.query)
                .where(Topic.workspace_id == workspace.id, Topic.active.is_(True))
                .order_by(Topic.id)
            )
        )
    # `sources test` fetches without a checkpoint and commits nothing, so a webhook source's
    # pending deliveries are shown and stay pending.
    inbox = Inbox(sessionmaker_for(ready_engine()), source.id)
    return _Target(config, base_dir, secrets, topics, inbox)


# -- commands -------------------------------------------------------------------------------


@app.command("list")
def list_sources(
    workspace: str = typer.Option(
        None, "--workspace", "-w", help=WORKSPACE_HELP, show_default="list the kinds only"
    ),
) -> None:
    """List every source kind and what it reads; with --workspace, its sources' health.

    The health of each source: status, last success, last error, posts stored, next poll
    and the platform's quota as last reported.
    """
    kinds = Table("kind", "reads", title="source kinds")
    for kind, reads in describe_kinds():
        kinds.add_row(kind, reads)
    console.print(kinds)
    if workspace is None:
        return
    slug = load_for_running(Path(workspace)).slug if _is_file(workspace) else workspace
    with session_scope(ready_engine()) as session:
        try:
            space = get_workspace(session, slug)
        except FlarewatchError as err:
            fail(f"{err} (add it first with 'flarewatch workspace add FILE.toml')", code=2)
        table = Table(title=f"sources of {space.slug} (times in UTC)")
        table.add_column("source", no_wrap=True)
        table.add_column("kind")
        table.add_column("status", no_wrap=True)
        table.add_column("last success")
        table.add_column("posts", justify="right")
        table.add_column("next poll")
        # Errors and quotas are long: one line each under the table keeps it readable.
        notes: list[str] = []
        rows = session.scalars(
            select(Source).where(Source.workspace_id == space.id).order_by(Source.key)
        ).all()
        archived = {row.id for row in rows if row.archived_at is not None}
        # Times as the workspace reads them: its zone, dates by its country's conventions.
        stamp = Formatter(DEFAULT_LANGUAGE, space.timezone).stamp
        for health in health_of(session, list(rows)):
            table.add_row(
                health.key,
                health.kind,
                "[dim]archived[/]" if health.source_id in archived else _status_text(health),
                stamp(health.last_ok_at),
                str(health.posts_total),
                stamp(health.next_poll_at),
            )
            if health.last_error:
                since = ""
                if health.consecutive_errors:
                    since = f" ({health.consecutive_errors} failed in a row"
                    since += f", failing since {stamp(health.since)})" if health.since else ")"
                notes.append(f"[red]{health.key}[/] last error{since}: {health.last_error}")
            if health.state == "silent":
                rate = health.rate
                notes.append(
                    f"[yellow]{health.key}[/] silent: {rate.seen} posts in the hour from "
                    f"{stamp(rate.hour)}, usually {rate.usual or 0:g}"
                )
            if health.quota:
                notes.append(f"{health.key} quota: {_quota_text(health.quota)}")
        console.print(table)
        for note in notes:
            console.print(note, highlight=False)


@app.command("test")
def test_source(
    key: str = typer.Argument(..., help="The source's key in the workspace."),
    workspace: str = typer.Option(..., "--workspace", "-w", help=WORKSPACE_HELP),
    jsonl: bool = typer.Option(
        False, "--jsonl", help="Print the posts themselves in the ingest format, one per line."
    ),
    limit: int = typer.Option(20, "--limit", "-n", min=1, help="Fetch at most this many posts."),
) -> None:
    """Fetch once from a source and show what came back, storing nothing.

    No post, checkpoint or health change is written; with a workspace file no database is
    needed. The fetch starts from the beginning (no checkpoint). Records that cannot be read
    are listed on stderr; exit 1 with the reason when the fetch itself fails.
    """
    target = (
        _from_file(Path(workspace), key) if _is_file(workspace) else _from_database(workspace, key)
    )
    result = fetch_once(
        target.config,
        target.base_dir,
        target.secrets,
        topics=target.topics,
        inbox=target.inbox,
        limit=limit,
        deadline_seconds=POLL_DEADLINE_SECONDS,
    )
    if result.error:
        fail(result.error)
    posts = result.posts
    for warning in result.warnings:
        err_console.print(
            f"[bold yellow]warning:[/] {escape(f'{warning.where}: {warning.message}')}",
            highlight=False,
        )
    for problem in result.problems:
        err_console.print(f"[yellow]skipped[/] {escape(f'{problem.where}: {problem.message}')}")
    summary = f"{target.config.key}: {len(posts)} post(s) fetched, nothing stored"
    if result.problems:
        summary += f"; {len(result.problems)} record(s) skipped"
    if jsonl:
        # Data on stdout stays raw (like `analyze`): it is meant for `ingest` or jq.
        for post in posts:
            sys.stdout.write(json.dumps(post_to_record(post), ensure_ascii=False, default=str))
            sys.stdout.write("\n")
        sys.stdout.flush()
        err_console.print(summary, markup=False)
        return
    console.print(summary, markup=False)
    if posts:
        table = Table("time", "author", "text", title="sample")
        for post in posts:
            table.add_row(_when(post.created_at), post.author or "-", excerpt(post))
        table.caption = "times in UTC"
        console.print(table)


@app.command("run")
def run_source(
    key: str = typer.Argument(..., help="The source's key in the workspace."),
    workspace: str = typer.Option(..., "--workspace", "-w", help=WORKSPACE_HELP),
) -> None:
    """Fetch a source now, due or not, and store what is new, with detection and alerts.

    Reads from the source's checkpoint to its end, as a poll would; a workspace file is added
    or updated first. Exit 1 with the reason when the fetch fails.
    """
    engine = ready_engine()
    if _is_file(workspace):
        path = Path(workspace)
        if not path.is_file():
            fail(f"{path}: no such workspace file; give a workspace .toml path or a slug", 2)
        config = load_for_running(path)
        with session_scope(engine) as session:
            sync_workspace(session, config, path.parent)
        slug = config.slug
    else:
        slug = workspace
    space, source = _stored_source(slug, key)
    if not source.is_polled:
        state = "paused" if source.paused_at is not None else "disabled"
        err_console.print(
            f"[yellow]note:[/] {escape(f'source {key!r} is {state}; running it once anyway')}"
        )
    runner = EmbeddedRunner(engine, console=console)
    if not logging.getLogger().isEnabledFor(logging.DEBUG):
        # The runner logs each failure and skipped record for the service log; here they are
        # printed once below, so its copies would only say everything twice (-v keeps them).
        logging.getLogger("flarewatch.runtime.embedded").setLevel(logging.CRITICAL)
    with progress_bar(rate="posts") as progress:
        task = progress.add_task(f"fetching {key}", total=None)

        def advance(batch: BatchReport) -> None:
            progress.update(task, advance=batch.received)

        runner.on_batch = advance
        outcome = runner.ingest_source(space.id, source.id)
    for problem in outcome.source.problems:
        err_console.print(f"[yellow]skipped[/] {escape(str(problem))}")
    if outcome.source.error:
        fail(outcome.source.error)
    batch = outcome.cycle.batch
    console.print(
        f"[green]{slug}/{key}[/]: {batch.stored} new post(s) ({batch.already_stored} already "
        f"stored, {batch.duplicates} duplicate(s)), {batch.mentions} mention(s), "
        f"{len(outcome.cycle.alerts_raised)} alert(s)"
    )
