"""One bad record never stops a source: it is reported with its line and the fix, every good
record is stored, the checkpoint moves past it, on SQLite and PostgreSQL (issue 12, points 1,
2 and 8)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from flarewatch.db.engine import session_scope, sessionmaker_for
from flarewatch.mentions.models import RawPost
from flarewatch.mentions.post import MAX_TEXT_CHARS, Post
from flarewatch.pipeline.context import build_context
from flarewatch.pipeline.isolate import store_batch
from flarewatch.runtime.embedded import EmbeddedRunner
from flarewatch.sources.models import Source
from flarewatch.workspaces.models import Workspace

from .conftest import post_line


def _rows(engine: Engine) -> list[str]:
    with session_scope(engine) as session:
        return list(session.scalars(select(RawPost.external_id).order_by(RawPost.id)))


def _source_id(engine: Engine) -> int:
    with session_scope(engine) as session:
        return session.scalars(select(Source.id)).one()


# Each line parses as JSON but used to raise out of the reader or fail the batch at the database.
BAD_RECORDS = {
    "date before year 1 in UTC": (
        '{"id": "bad", "text": "acme", "created_at": "0001-01-01T00:00:00+05:00"}',
        "created_at",
    ),
    "likes 1e400": ('{"id": "bad", "text": "acme", "likes": 1e400}', "likes"),
    "likes NaN": ('{"id": "bad", "text": "acme", "likes": NaN}', "likes"),
    "NaN in an unknown field": ('{"id": "bad", "text": "acme", "score": NaN}', "score"),
    "nested 100,000 deep": (
        '{"id": "bad", "text": "acme", "n": ' + "[" * 100_000 + "]" * 100_000 + "}",
        "nested",
    ),
    "nested 40 deep": ('{"id": "bad", "text": "acme", "n": ' + "[" * 40 + "]" * 40 + "}", "n"),
    "lone surrogate": ('{"id": "bad", "text": "acme \\ud800"}', "surrogate"),
    "NUL in text": ('{"id": "bad", "text": "acme \\u0000 x"}', "NUL"),
    "NUL in an unknown field": ('{"id": "bad", "text": "acme", "note": "a\\u0000"}', "note"),
    "followers beyond 64 bits": (
        '{"id": "bad", "text": "acme", "author": "x", "author_followers": 1e19}',
        "author_followers",
    ),
    "platform longer than its column": (
        json.dumps({"id": "bad", "text": "acme", "platform": "p" * 40}),
        "platform",
    ),
    "integer of 5,000 digits": ('{"id": "bad", "text": "acme", "n": ' + "9" * 5000 + "}", "n"),
}


@pytest.mark.parametrize("case", sorted(BAD_RECORDS))
def test_a_bad_record_is_reported_and_the_rest_is_stored(
    case: str, any_engine: Engine, make_workspace: Callable[..., int], tmp_path: Path
) -> None:
    bad, field = BAD_RECORDS[case]
    workspace_id = make_workspace(any_engine)
    lines = [post_line(1, "acme one"), bad, post_line(2, "acme two")]
    (tmp_path / "posts.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    runner = EmbeddedRunner(any_engine)

    first = runner.ingest_source(workspace_id, _source_id(any_engine))
    assert first.source.ok, first.source.error
    [problem] = first.source.problems
    assert problem.startswith("posts.jsonl line 2: ") and field in problem, problem
    assert _rows(any_engine) == ["p1", "p2"]

    again = runner.ingest_source(workspace_id, _source_id(any_engine))
    assert again.source.ok and again.source.problems == []  # reported once: checkpoint moved
    assert again.cycle.batch.stored == 0 and _rows(any_engine) == ["p1", "p2"]


def test_store_time_safety_net_keeps_every_good_record(
    any_engine: Engine, make_workspace: Callable[..., int]
) -> None:
    """Records that slip past the reader (built directly here) and that the database refuses
    are isolated: the good ones are stored, each bad one is named."""
    workspace_id = make_workspace(any_engine)
    when = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    posts = [
        Post(external_id="g1", text="acme good one", created_at=when),
        Post(external_id="b1", text="acme \ud800 bad", created_at=when, where="x line 2"),
        Post(external_id="g2", text="acme good two", author="ann", created_at=when),
        Post(
            external_id="b2",
            text="acme bad followers",
            author="bob",
            author_followers=2**70,
            created_at=when,
            where="x line 4",
        ),
        Post(external_id="g3", text="acme good three", created_at=when),
    ]
    with sessionmaker_for(any_engine)() as session:
        workspace = session.get_one(Workspace, workspace_id)
        context = build_context(session, workspace)
        stored = store_batch(session, context, _source_id(any_engine), posts, when)
        session.commit()
    assert [r.post.where for r in stored.rejected] == ["x line 2", "x line 4"]
    assert "UnicodeEncodeError" in stored.rejected[0].reason
    assert "Overflow" in stored.rejected[1].reason or "OutOfRange" in stored.rejected[1].reason
    assert stored.report.stored == 3 and stored.report.mentions == 3
    assert _rows(any_engine) == ["g1", "g2", "g3"]


def test_the_issue_repro_ten_thousand_lines_with_a_bad_date(
    any_engine: Engine, make_workspace: Callable[..., int], tmp_path: Path
) -> None:
    workspace_id = make_workspace(any_engine)
    lines = [post_line(i, f"weather report {i}") for i in range(1, 10_001)]
    lines.insert(2_500, '{"id": "bad", "text": "x", "created_at": "0001-01-01T00:00:00+05:00"}')
    (tmp_path / "posts.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    runner = EmbeddedRunner(any_engine)
    first = runner.ingest_source(workspace_id, _source_id(any_engine))
    assert first.source.ok and len(first.source.problems) == 1
    assert first.source.problems[0].startswith("posts.jsonl line 2501: created_at")
    assert first.cycle.batch.stored == 10_000
    again = runner.ingest_source(workspace_id, _source_id(any_engine))
    assert again.source.ok and not again.source.problems and again.cycle.batch.stored == 0
    with session_scope(any_engine) as session:
        assert session.scalar(select(func.count()).select_from(RawPost)) == 10_000


def test_repeated_ids_in_one_batch_are_not_counted_as_new(
    any_engine: Engine, make_workspace: Callable[..., int], tmp_path: Path
) -> None:
    workspace_id = make_workspace(any_engine)
    lines = [post_line(1, "acme one"), post_line(1, "acme one"), post_line(2, "acme two")]
    lines += [post_line(3, "acme two").replace("user3", "user2")]  # an exact repeat of p2
    (tmp_path / "posts.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    outcome = EmbeddedRunner(any_engine).ingest_source(workspace_id, _source_id(any_engine))
    batch = outcome.cycle.batch
    assert len(_rows(any_engine)) == 3  # p1, p2 and p3 (kept, pointing at p2)
    assert batch.stored == 3 and batch.duplicates == 1 and batch.already_stored == 1
    assert batch.received == batch.stored + batch.already_stored
    with session_scope(any_engine) as session:
        assert session.scalars(select(Source.posts_total)).one() == 3


def test_a_ten_megabyte_post_is_truncated_and_ingested(
    any_engine: Engine, make_workspace: Callable[..., int], tmp_path: Path
) -> None:
    """Before: over 9 minutes in language id. One 10 MB word is lingua's worst case."""
    workspace_id = make_workspace(any_engine)
    huge = "acme " + "a" * 10_000_000
    lines = [json.dumps({"id": "big", "text": huge, "author": "x"}), post_line(1, "acme small")]
    (tmp_path / "posts.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    outcome = EmbeddedRunner(any_engine).ingest_source(workspace_id, _source_id(any_engine))
    assert outcome.source.ok and not outcome.source.problems
    assert outcome.cycle.batch.mentions == 2
    with session_scope(any_engine) as session:
        big = session.scalars(select(RawPost).where(RawPost.external_id == "big")).one()
        assert len(big.text) == MAX_TEXT_CHARS
        assert big.text.startswith("acme aaa") and big.text.endswith("characters in the original]")
        assert "10,000,005" in big.text
        assert big.payload["truncated"] == {"text": len(huge)}
        assert len(big.payload["raw"]["text"]) == MAX_TEXT_CHARS  # the raw copy is bounded too
