"""Bluesky `mode = "jetstream"` against a local websocket server replaying Jetstream events."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from flarewatch.config.workspace import SourceConfig, parse_workspace_toml
from flarewatch.db.engine import create_db_engine, session_scope
from flarewatch.db.migrate import upgrade
from flarewatch.runtime.embedded import EmbeddedRunner
from flarewatch.sources.base import SourceError
from flarewatch.sources.jetstream import JetstreamSource
from flarewatch.sources.models import Source
from flarewatch.sources.registry import build_source
from flarewatch.workspaces.models import Topic
from flarewatch.workspaces.service import sync_workspace

from .bluesky_payloads import DID, jetstream_other, jetstream_post
from .jetstream_server import jetstream_replay
from .runner_restart import kill_mid_fetch_then_rerun, stored_ids

BASE_US = int(time.time() * 1e6) - 3_600_000_000  # an hour ago: a replay, not live
TOPICS = ['acme OR "אקמה"']


def _events(count: int) -> tuple[list[str], set[str]]:
    events, matching = [], set()
    for i in range(count):
        rkey = f"3lj{i:07d}"
        text = f"acme burger number {i} was cold" if i % 3 == 0 else f"weather report {i}"
        if i % 10 == 5:
            text = f"אקמה המבורגר {i}"
        events.append(jetstream_post(BASE_US + i * 1000, rkey, text))
        if i % 3 == 0 or i % 10 == 5:
            matching.add(f"at://{DID}/app.bsky.feed.post/{rkey}")
    return events, matching


def test_keeps_matching_posts_and_ignores_other_events() -> None:
    events = [
        jetstream_post(BASE_US + 1, "3laaa", "Acme fries are great"),
        jetstream_post(BASE_US + 2, "3lbbb", "nothing about the brand"),
        jetstream_other(BASE_US + 3, "identity"),
        jetstream_other(BASE_US + 4, "account"),
        jetstream_other(BASE_US + 5, "delete"),
        jetstream_post(BASE_US + 6, "3lccc", "שירות גרוע באקמה? לא, אקמה"),
    ]
    with jetstream_replay(events) as replay:
        source = JetstreamSource("js", TOPICS, endpoint=replay.url, quiet_seconds=0.3)
        result = source.fetch(None)
    assert [p.external_id for p in result.posts] == [
        f"at://{DID}/app.bsky.feed.post/3laaa",
        f"at://{DID}/app.bsky.feed.post/3lccc",
    ]
    post = result.posts[0]
    assert post.url == f"https://bsky.app/profile/{DID}/post/3laaa"
    assert (post.author, post.language, post.platform) == (DID, "en", "bluesky")
    assert result.checkpoint == {"cursor": BASE_US + 6}
    assert not result.problems
    assert replay.paths == ["/subscribe?wantedCollections=app.bsky.feed.post"]


def test_malformed_events_are_a_problem_each_and_the_rest_kept() -> None:
    events = [
        jetstream_post(BASE_US + 1, "3laaa", "acme one"),
        "{not json",
        json.dumps([1, 2]),
        json.dumps({"did": DID, "kind": "commit"}),  # no time_us
        json.dumps(
            {
                "did": DID,
                "time_us": BASE_US + 5,
                "kind": "commit",
                "commit": {"operation": "create", "collection": "app.bsky.feed.post"},
            }
        ),
        json.dumps(
            {
                "did": DID,
                "time_us": BASE_US + 6,
                "kind": "commit",
                "commit": {
                    "operation": "create",
                    "collection": "app.bsky.feed.post",
                    "rkey": "3lbad",
                    "record": {"text": 42},
                },
            }
        ),
        jetstream_post(BASE_US + 7, "3lzzz", "acme two"),
    ]
    with jetstream_replay(events) as replay:
        result = JetstreamSource("js", TOPICS, endpoint=replay.url, quiet_seconds=0.3).fetch(None)
    assert [p.external_id[-5:] for p in result.posts] == ["3laaa", "3lzzz"]
    assert len(result.problems) == 5
    assert all("skipped" in p.message for p in result.problems)
    assert result.checkpoint == {"cursor": BASE_US + 7}


def test_resumes_from_the_cursor_and_stops_at_the_limit() -> None:
    events, matching = _events(300)
    with jetstream_replay(events) as replay:
        source = JetstreamSource("js", TOPICS, endpoint=replay.url, quiet_seconds=0.3)
        taken: list[str] = []
        checkpoint = None
        for _ in range(20):
            result = source.fetch(checkpoint, limit=40)
            assert len(result.posts) <= 40
            taken.extend(p.external_id for p in result.posts)
            checkpoint = result.checkpoint
            if result.exhausted:
                break
    assert set(taken) == matching
    assert len(replay.paths) > 2 and "&cursor=" in replay.paths[1]


def test_without_topics_or_server_it_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no active topic"):
        JetstreamSource("js", [], endpoint="ws://127.0.0.1:9").fetch(None)
    with pytest.raises(SourceError, match="cannot read Jetstream"):
        JetstreamSource("js", TOPICS, endpoint="ws://127.0.0.1:9").fetch(None, deadline=None)
    config = SourceConfig(key="js", kind="bluesky", mode="jetstream", endpoint="ws://127.0.0.1:9")
    source = build_source(config, tmp_path, topics=TOPICS)
    assert isinstance(source, JetstreamSource) and source.topics == TOPICS


WORKSPACE = """
slug = "acme"
name = "Acme Burgers"
languages = ["en", "he"]

[[topics]]
key = "brand"
query = 'acme OR "אקמה"'

[[sources]]
key = "bsky"
kind = "bluesky"
mode = "jetstream"
endpoint = "{url}"
quiet_seconds = 1.0
"""


def _workspace(engine: Engine, url: str, tmp_path: Path) -> tuple[int, int]:
    config = parse_workspace_toml(WORKSPACE.format(url=url), "acme.toml")
    with session_scope(engine) as session:
        workspace_id = sync_workspace(session, config, tmp_path).id
        source_id = session.scalars(select(Source.id)).one()
    return workspace_id, source_id


def test_the_runner_passes_topics_and_rebuilds_when_they_change(
    engine: Engine, tmp_path: Path
) -> None:
    events = [
        jetstream_post(BASE_US + 1, "3laaa", "acme is late again"),
        jetstream_post(BASE_US + 2, "3lbbb", "globex is late again"),
    ]
    with jetstream_replay(events) as replay:
        workspace_id, source_id = _workspace(engine, replay.url, tmp_path)
        runner = EmbeddedRunner(engine)
        outcome = runner.ingest_source(workspace_id, source_id)
        assert outcome.source.ok, outcome.source.error
        assert [e[-5:] for e in stored_ids(engine)] == ["3laaa"]
        with session_scope(engine) as session:
            topic = session.scalars(select(Topic)).one()
            topic.query = "globex"
            session.commit()
            session.get_one(Source, source_id).checkpoint = None  # read the replay again
            session.commit()
        runner.ingest_source(workspace_id, source_id)
    assert sorted(e[-5:] for e in stored_ids(engine)) == ["3laaa", "3lbbb"]


def test_sigkill_mid_stream_then_restart_loses_and_doubles_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kill.db'}"
    engine = create_db_engine(url)
    upgrade(engine)
    events, matching = _events(1500)
    with jetstream_replay(events, pause=0.002) as replay:
        workspace_id, source_id = _workspace(engine, replay.url, tmp_path)
        killed_at = kill_mid_fetch_then_rerun(
            engine, url, workspace_id, source_id, tmp_path, rerun_timeout=120
        )
    assert 0 < killed_at < len(matching), "the kill must land mid-stream"
    stored = stored_ids(engine)
    assert len(stored) == len(set(stored)) == len(matching)
    assert set(stored) == matching
    engine.dispose()
