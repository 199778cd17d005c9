"""`flarewatch demo`: a demo workspace replaying a crisis that grows out of normal chatter."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from sqlalchemy import Engine, select

from flarewatch.config.workspace import WorkspaceConfig, load_workspace_file
from flarewatch.db.engine import session_scope
from flarewatch.runtime.embedded import CycleReport, EmbeddedRunner
from flarewatch.workspaces.models import Workspace
from flarewatch.workspaces.service import delete_workspace_data, sync_workspace

DEMO_DIR = Path(__file__).parent
DEMO_WORKSPACE_FILE = DEMO_DIR / "workspace.toml"


@dataclass(slots=True)
class DemoSetup:
    workspace_id: int
    slug: str
    demo_user: str | None


def demo_config(speed: float) -> WorkspaceConfig:
    """The bundled demo workspace with its scenario sources replaying at `speed` (0: at once)."""
    config = load_workspace_file(DEMO_WORKSPACE_FILE)
    for source in config.sources:
        if source.kind == "scenario":
            source.speed = speed if speed > 0 else None
    return config


def prepare_demo(engine: Engine, speed: float) -> DemoSetup:
    """Replace any earlier demo workspace with a fresh one, so every demo replays from the start."""
    config = demo_config(speed)
    with session_scope(engine) as session:
        old = session.scalar(select(Workspace).where(Workspace.slug == config.slug))
        if old is not None:
            delete_workspace_data(session, old)
        workspace = sync_workspace(session, config, DEMO_DIR)
        demo_user = _ensure_demo_user(session, workspace)
        return DemoSetup(workspace.id, workspace.slug, demo_user)


def _ensure_demo_user(session: object, workspace: Workspace) -> str | None:
    from flarewatch.accounts.service import ensure_demo_user

    user = ensure_demo_user(session, workspace)  # type: ignore[arg-type]
    return str(user.email)


def replay_all(engine: Engine, setup: DemoSetup, console: Console | None = None) -> CycleReport:
    """Run the whole scenario through every stage at once (`demo --no-serve`)."""
    runner = EmbeddedRunner(engine, console=console)
    return runner.cycle([setup.slug])


def start_background_replay(
    engine: Engine, setup: DemoSetup, stop: threading.Event, console: Console | None = None
) -> threading.Thread:
    """Poll the replaying scenario every second in a thread while the web app serves."""
    runner = EmbeddedRunner(engine, console=console)
    thread = threading.Thread(
        target=runner.run_forever, args=(1.0, stop), name="flarewatch-demo", daemon=True
    )
    thread.start()
    return thread
