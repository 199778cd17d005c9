"""`flarewatch demo`: a demo workspace replaying a crisis that grows out of normal chatter."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from sqlalchemy import Engine, select

from flarewatch.cases.models import Case
from flarewatch.config.workspace import WorkspaceConfig, load_workspace_file
from flarewatch.db.engine import session_scope
from flarewatch.runtime.embedded import CycleReport, EmbeddedRunner
from flarewatch.workspaces.models import Workspace
from flarewatch.workspaces.service import delete_workspace_data, sync_workspace

DEMO_DIR = Path(__file__).parent
DEMO_WORKSPACE_FILE = DEMO_DIR / "workspace.toml"
# The worm in the burger is a product-safety crisis: its case gets that playbook and that case
# type (routed to the QA team of workspace.toml, whose rules then give it its roles), as a team
# would.
DEMO_PLAYBOOK = "product-safety"
DEMO_CASE_TYPE = "product_safety"
DEMO_ROUTING_NOTE = "Was the burger from the Dizengoff branch ours, and which batch?"


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
    report = runner.cycle([setup.slug])
    open_demo_case_room(engine, setup)
    return report


def start_background_replay(
    engine: Engine, setup: DemoSetup, stop: threading.Event, console: Console | None = None
) -> threading.Thread:
    """Poll the replaying scenario every second in a thread while the web app serves."""
    runner = EmbeddedRunner(engine, console=console)
    thread = threading.Thread(
        target=runner.run_forever,
        args=(1.0, stop, lambda _: open_demo_case_room(engine, setup)),
        name="flarewatch-demo",
        daemon=True,
    )
    thread.start()
    return thread


def open_demo_case_room(engine: Engine, setup: DemoSetup) -> int | None:
    """Once the demo's crisis case is open (once): applies the product-safety playbook, routes
    the case to its owner as a product-safety case and gives it the roles the workspace's
    rules name; returns the case's id when it did."""
    from flarewatch.cases.roles import apply_rules
    from flarewatch.cases.routing import route_case
    from flarewatch.playbooks.models import CasePlaybook
    from flarewatch.playbooks.service import apply_playbook

    with session_scope(engine) as session:
        case = session.scalars(
            select(Case)
            .where(Case.workspace_id == setup.workspace_id, Case.status != "closed")
            .order_by(Case.id)
            .limit(1)
        ).first()
        if case is None:
            return None
        if session.scalar(select(CasePlaybook.id).where(CasePlaybook.case_id == case.id)):
            return None
        actor = setup.demo_user or "system"
        apply_playbook(session, case.id, DEMO_PLAYBOOK, actor)
        route_case(session, case.id, DEMO_CASE_TYPE, actor, note=DEMO_ROUTING_NOTE)
        apply_rules(session, case, actor)
        return case.id
