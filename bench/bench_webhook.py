"""Webhook benchmark: posts per second that `POST /hooks/{workspace}/{key}` accepts durably, end
to end as a sender sees it, and how fast the runner then turns the deliveries into posts.

The real app is served by uvicorn in another process on a SQLite file (WAL, the default
setup); one client sends signed JSONL bodies of 500 posts over one keep-alive connection and
waits for each 202, which comes only after the body is committed. The baseline, in the same run
and on the same uvicorn and connection, is the raw HTTP round trip of the same bodies to a
trivial endpoint that reads the body and answers 202 without checking or storing anything:
the ratio is what signature, ingest checks and the commit cost on top of the transport.

Then the runner, in this process, reads the stored deliveries into posts (the whole pipeline:
enrichment, topics, rollups); its baseline is the `file` kind reading the same records from a
JSONL file into a fresh database, so the ratio is what reading from the inbox costs compared
with reading a file.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import multiprocessing
import os
import socket
import tempfile
import time
from pathlib import Path
from typing import Any

SECRET = "bench-webhook-secret"
SECRET_ENV = "BENCH_HOOK_SECRET"
POSTS_PER_REQUEST = 500
WORKSPACE = f"""
slug = "acme"
name = "Acme"
languages = ["en", "he"]

[[topics]]
key = "brand"
query = 'acme OR "acme burgers" OR אקמה'

[[sources]]
key = "orders"
kind = "webhook"
secret_env = "{SECRET_ENV}"

[[sources]]
key = "export"
kind = "file"
path = "posts.jsonl"
"""


def _records(count: int) -> list[dict[str, Any]]:
    from bench.bench_sources import make_events

    records = []
    for i, line in enumerate(make_events(count)):
        event = json.loads(line)
        post = event["commit"]["record"]
        records.append(
            {
                "id": f"w{i}",
                "text": post["text"],
                "author": event["did"],
                "platform": "bluesky",
                "language": post["langs"][0],
                "created_at": post["createdAt"],
            }
        )
    return records


def _bodies(records: list[dict[str, Any]]) -> list[bytes]:
    bodies = []
    for start in range(0, len(records), POSTS_PER_REQUEST):
        chunk = records[start : start + POSTS_PER_REQUEST]
        bodies.append("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in chunk).encode())
    return bodies


def _database(folder: Path, name: str) -> tuple[str, int, int]:
    """A migrated SQLite database with the workspace: (url, workspace id, webhook source id)."""
    from sqlalchemy import select

    from flarewatch.config.workspace import parse_workspace_toml
    from flarewatch.db.engine import create_db_engine, session_scope
    from flarewatch.db.migrate import upgrade
    from flarewatch.sources.models import Source
    from flarewatch.workspaces.service import sync_workspace

    url = f"sqlite:///{folder / name}"
    engine = create_db_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        workspace_id = sync_workspace(
            session, parse_workspace_toml(WORKSPACE, "acme.toml"), folder
        ).id
        source_id = session.scalars(select(Source.id).where(Source.key == "orders")).one()
    engine.dispose()
    return url, workspace_id, source_id


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve_flarewatch(url: str, data_dir: str, port: int) -> None:
    import uvicorn

    os.environ[SECRET_ENV] = SECRET
    os.environ["FLAREWATCH_DATA_DIR"] = data_dir
    from flarewatch.db.engine import create_db_engine
    from flarewatch.web.app import create_app

    app = create_app(create_db_engine(url))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _serve_trivial(port: int) -> None:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    async def accept(request: Request) -> Response:
        body = await request.body()
        return JSONResponse({"status": "stored", "bytes": len(body)}, status_code=202)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    app = Starlette(
        routes=[
            Route("/hooks/acme/orders", accept, methods=["POST"]),
            Route("/healthz", healthz),
        ]
    )
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


class _Server:
    def __init__(self, target: Any, *args: Any) -> None:
        """Runs `target(*args, port)` in a fresh process and waits until it answers."""
        self.port = _free_port()
        context = multiprocessing.get_context("spawn")  # a clean process, as a user starts it
        self.process = context.Process(target=target, args=(*args, self.port), daemon=True)
        self.process.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    connection.close()
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the benchmark server did not start within 60 s")

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(timeout=10)


def _send(port: int, bodies: list[bytes], signatures: list[str]) -> float:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    for body, signature in zip(bodies, signatures, strict=True):
        connection.request(
            "POST",
            "/hooks/acme/orders",
            body=body,
            headers={
                "Content-Type": "application/x-ndjson",
                "X-Flarewatch-Signature": signature,
            },
        )
        answer = connection.getresponse()
        payload = answer.read()
        if answer.status != 202:
            raise RuntimeError(f"the hook answered {answer.status}: {payload[:300]!r}")
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def _refused(port: int, body: bytes) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    bad = "sha256=" + "0" * 64
    headers = {"Content-Type": "application/x-ndjson", "X-Flarewatch-Signature": bad}
    connection.request("POST", "/hooks/acme/orders", body=body, headers=headers)
    answer = connection.getresponse()
    answer.read()
    connection.close()
    if answer.status != 401:
        raise RuntimeError(f"a wrongly signed body was answered {answer.status}, not 401")


def _drain(url: str, workspace_id: int, source_key: str) -> tuple[float, int]:
    """Seconds for the runner to read one source to its end, and the posts it stored."""
    from sqlalchemy import select

    from flarewatch.db.engine import create_db_engine, session_scope
    from flarewatch.runtime.embedded import EmbeddedRunner
    from flarewatch.sources.models import Source

    engine = create_db_engine(url)
    with session_scope(engine) as session:
        source_id = session.scalars(select(Source.id).where(Source.key == source_key)).one()
    runner = EmbeddedRunner(engine)
    started = time.perf_counter()
    outcome = runner.ingest_source(workspace_id, source_id)
    elapsed = time.perf_counter() - started
    engine.dispose()
    if not outcome.source.ok:
        raise RuntimeError(f"the runner failed: {outcome.source.error}")
    return elapsed, outcome.source.posts


def webhook_section(quick: bool) -> str:
    count = 4_000 if quick else 20_000
    records = _records(count)
    bodies = _bodies(records)
    signatures = [
        "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest() for body in bodies
    ]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "posts.jsonl").write_bytes(b"".join(bodies))
        hook_url, workspace_id, _ = _database(folder, "hook.db")
        file_url, file_workspace_id, _ = _database(folder, "file.db")
        trivial = _Server(_serve_trivial)
        try:
            _send(trivial.port, bodies[:2], signatures[:2])  # warm up
            base_time = _send(trivial.port, bodies, signatures)
        finally:
            trivial.stop()
        app = _Server(_serve_flarewatch, hook_url, str(folder / "data"))
        try:
            _refused(app.port, bodies[0])  # warm up the route without storing anything
            hook_time = _send(app.port, bodies, signatures)
        finally:
            app.stop()
        # The first pipeline run in a process loads models and caches: not what is measured.
        warm_url, warm_workspace_id, _ = _database(folder, "warm.db")
        _drain(warm_url, warm_workspace_id, "export")
        drain_time, drained = _drain(hook_url, workspace_id, "orders")
        file_time, filed = _drain(file_url, file_workspace_id, "export")
    if drained != count or filed != count:
        raise RuntimeError(f"stored {drained} (webhook) and {filed} (file) of {count} posts")
    rate, base_rate = count / hook_time, count / base_time
    drain_rate, file_rate = count / drain_time, count / file_time
    return "\n".join(
        [
            "## Sources: webhook",
            "",
            f"{count:,} posts sent as {len(bodies)} signed JSONL bodies of {POSTS_PER_REQUEST} "
            "posts, one after another over one keep-alive connection, to the app served by "
            "uvicorn in another process on SQLite (WAL, synchronous=NORMAL); each 202 comes "
            "after the body is committed.",
            "",
            "| accepting | posts/s | vs. baseline |",
            "|---|---:|---:|",
            f"| baseline: same bodies, trivial endpoint (read body, answer 202) | "
            f"{base_rate:,.0f} | 1.00 |",
            f"| `POST /hooks/acme/orders`: signature, ingest checks, durable commit | "
            f"{rate:,.0f} | {rate / base_rate:.2f} |",
            "",
            "| into posts (runner, whole pipeline) | posts/s | vs. baseline |",
            "|---|---:|---:|",
            f"| baseline: `file` kind, the same records from a JSONL file | {file_rate:,.0f} "
            "| 1.00 |",
            f"| `webhook` kind, from the stored deliveries | {drain_rate:,.0f} | "
            f"{drain_rate / file_rate:.2f} |",
            "",
        ]
    )


if __name__ == "__main__":
    import sys

    print(webhook_section(quick="--quick" in sys.argv))
