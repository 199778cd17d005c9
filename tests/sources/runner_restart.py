"""A runner process SIGKILLed in the middle of a source's fetch and then run again to the end:
the restart check that connectors with a resumable checkpoint share."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import Engine, select

from flarewatch.db.engine import session_scope
from flarewatch.mentions.models import RawPost

# Polls the source in batches of 15 until a poll stores nothing, so a kill lands mid-fetch.
RUNNER_CHILD = """
import sys
from flarewatch.db.engine import create_db_engine
from flarewatch.runtime.embedded import EmbeddedRunner

engine = create_db_engine(sys.argv[1])
runner = EmbeddedRunner(engine, batch_size=15)
workspace_id, source_id = int(sys.argv[2]), int(sys.argv[3])
while True:
    outcome = runner.ingest_source(workspace_id, source_id)
    print("stored", outcome.source.posts, outcome.source.error, flush=True)
    if outcome.source.ok and outcome.source.posts == 0:
        break
"""
KILL_AFTER = 60  # posts stored before the kill
STORED_WAIT_SECONDS = 60  # a bound on a broken child, not a timing assertion


def stored_ids(engine: Engine) -> list[str]:
    with session_scope(engine) as session:
        return list(session.scalars(select(RawPost.external_id)))


def kill_mid_fetch_then_rerun(
    engine: Engine,
    database_url: str,
    workspace_id: int,
    source_id: int,
    tmp_path: Path,
    *,
    environ: dict[str, str] | None = None,
    rerun_timeout: float,
) -> int:
    """Runs the runner in a child process until KILL_AFTER posts are stored, SIGKILLs it, then
    runs it again to the end (it must exit cleanly); the number of posts stored at the kill."""
    child = tmp_path / "child.py"
    child.write_text(RUNNER_CHILD, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), **(environ or {})}
    args = [sys.executable, str(child), database_url, str(workspace_id), str(source_id)]
    first = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    started = time.monotonic()
    while len(stored_ids(engine)) < KILL_AFTER and time.monotonic() - started < STORED_WAIT_SECONDS:
        time.sleep(0.05)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    killed_at = len(stored_ids(engine))
    second = subprocess.run(args, env=env, capture_output=True, timeout=rerun_timeout, check=False)
    assert second.returncode == 0, second.stderr.decode()[-2000:]
    return killed_at
