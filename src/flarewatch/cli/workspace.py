"""`flarewatch workspace …`: add, check and list workspace files."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from flarewatch.cli.common import console, fail, ready_engine
from flarewatch.config.workspace import WorkspaceConfigError, load_workspace_file
from flarewatch.db.engine import session_scope
from flarewatch.workspaces.service import list_workspaces, sync_workspace

app = typer.Typer(help="Add, check and list workspaces (one TOML file per client brand).")


@app.command("check")
def check(path: Path = typer.Argument(..., help="Workspace TOML file to validate.")) -> None:
    """Validate a workspace file without changing anything; exit 2 when it is invalid."""
    try:
        config = load_workspace_file(path)
    except WorkspaceConfigError as err:
        fail(str(err), code=2)
    console.print(
        f"[green]OK[/] {path}: workspace {config.slug!r} with {len(config.topics)} topic(s), "
        f"{len(config.sources)} source(s), {len(config.alert_routes)} alert route(s)"
    )


@app.command("add")
def add(path: Path = typer.Argument(..., help="Workspace TOML file to add or update.")) -> None:
    """Create or update a workspace from its file (topics and sources included)."""
    try:
        config = load_workspace_file(path)
    except WorkspaceConfigError as err:
        fail(str(err), code=2)
    with session_scope(ready_engine()) as session:
        workspace = sync_workspace(session, config, path.parent)
        console.print(f"[green]saved[/] workspace {workspace.slug!r} ({workspace.name})")


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
