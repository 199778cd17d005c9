"""Polling: sources run concurrently with a deadline each, `every` decides when one is due,
failures back off, and the platform's Retry-After is obeyed."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, select

from flarewatch.db.engine import session_scope
from flarewatch.mentions.models import RawPost
from flarewatch.runtime.embedded import EmbeddedRunner
from flarewatch.sources.models import Source
from flarewatch.sources.service import backoff_seconds
from tests.sources.platform_server import PlatformServer, Reply, _serve

from .conftest import post_line

FEED = (Path(__file__).parents[1] / "sources" / "fixtures" / "rss2.xml").read_bytes()
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def _rss(key: str, url: str, every: str | None = None) -> str:
    line = f'\nevery = "{every}"' if every else ""
    return f'[[sources]]\nkey = "{key}"\nkind = "rss"\nurl = "{url}"{line}\n'


def _server() -> PlatformServer:
    state = PlatformServer()
    _serve(state)
    return state


def _source(engine: Engine, key: str) -> Source:
    with session_scope(engine) as session:
        source = session.scalars(select(Source).where(Source.key == key)).one()
        session.expunge(source)
        return source


def test_a_trickling_feed_costs_only_its_own_deadline(
    engine: Engine, make_workspace: Callable[..., int], tmp_path: Path
) -> None:
    server = _server()
    server.route("GET", "/slow.xml", Reply(200, FEED, trickle_seconds=0.05))
    server.route("GET", "/fast.xml", Reply.raw(FEED, content_type="application/rss+xml"))
    extra = _rss("slow", server.url("/slow.xml")) + _rss("fast", server.url("/fast.xml"))
    make_workspace(engine, extra=extra)
    (tmp_path / "posts.jsonl").write_text(post_line(1, "acme is fine") + "\n", encoding="utf-8")
    started = time.monotonic()
    report = EmbeddedRunner(engine, poll_deadline=1.5).cycle()
    elapsed = time.monotonic() - started
    assert elapsed < 8.0  # the slow feed alone would take over 60 s to send
    assert [s.source for s in report.failed_sources] == ["slow"]
    assert "too slowly" in (report.failed_sources[0].error or "")
    ok = {s.source: s.posts for s in report.sources if s.ok}
    assert ok == {"export": 1, "fast": 2}
    with session_scope(engine) as session:
        assert len(list(session.scalars(select(RawPost)))) == 3


def test_every_decides_when_a_source_is_polled_again(
    engine: Engine, make_workspace: Callable[..., int]
) -> None:
    server = _server()
    server.route("GET", "/feed.xml", Reply.raw(FEED, content_type="application/rss+xml"))
    make_workspace(engine, extra=_rss("feed", server.url("/feed.xml"), every="10m"))
    clock = [NOW]
    runner = EmbeddedRunner(engine, clock=lambda: clock[0])
    runner.cycle()
    assert _source(engine, "feed").next_poll_at == NOW + timedelta(minutes=10)
    runner.cycle()  # not due yet
    clock[0] = NOW + timedelta(minutes=11)
    runner.cycle()
    assert [r.path for r in server.requests] == ["/feed.xml", "/feed.xml"]


def test_failures_back_off_and_retry_after_is_obeyed(
    engine: Engine, make_workspace: Callable[..., int], tmp_path: Path
) -> None:
    (tmp_path / "posts.jsonl").write_text("", encoding="utf-8")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = _server()
    server.route("GET", "/limited.xml", Reply.raw("slow down", 429, **{"Retry-After": "3600"}))
    extra = _rss("down", f"http://127.0.0.1:{port}/feed.xml", every="1m")
    extra += _rss("limited", server.url("/limited.xml"))
    make_workspace(engine, extra=extra)
    runner = EmbeddedRunner(engine, clock=lambda: NOW)
    report = runner.cycle()
    assert {s.source for s in report.failed_sources} == {"down", "limited"}
    down = _source(engine, "down")
    assert down.failing_since == NOW and down.consecutive_errors == 1
    assert down.next_poll_at is not None
    assert NOW + timedelta(seconds=47) <= down.next_poll_at <= NOW + timedelta(seconds=73)
    limited = _source(engine, "limited")
    assert limited.next_poll_at == NOW + timedelta(hours=1)
    assert "HTTP 429" in (limited.last_error or "")


def test_backoff_doubles_up_to_an_hour() -> None:
    assert backoff_seconds(60, 1, jitter=1.0) == 60
    assert backoff_seconds(60, 3, jitter=1.0) == 240
    assert backoff_seconds(60, 20, jitter=1.0) == 3600
    assert backoff_seconds(0, 1, jitter=1.0) == 30  # files: never faster than 30 s
