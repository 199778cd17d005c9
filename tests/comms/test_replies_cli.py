"""`flarewatch replies list/assign/skip/reopen/answered/answer/stats` on a migrated SQLite
file, output in the workspace's language (comms/replies/cli.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from flarewatch.cli.main import app
from flarewatch.comms.models import Draft
from flarewatch.config.settings import get_settings
from flarewatch.db.engine import create_db_engine, sessionmaker_for
from flarewatch.db.migrate import upgrade
from tests.cases.crisis import T0
from tests.comms.replies_data import Queue, make_queue, publish

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Engine, Queue]]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("FLAREWATCH_DATABASE_URL", url)
    get_settings.cache_clear()
    engine = create_db_engine(url)
    upgrade(engine)
    with sessionmaker_for(engine)() as session:
        queue = make_queue(session)
        publish(session, queue, "en_question", T0 + timedelta(hours=2, minutes=30))
        session.commit()
        yield engine, queue
    engine.dispose()
    get_settings.cache_clear()


def _run(args: list[str], code: int = 0) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == code, (result.output, result.stderr)
    return result.output if code == 0 else result.stderr


def test_list_assign_skip_and_stats(env: tuple[Engine, Queue]) -> None:
    engine, q = env
    case = str(q.crisis.case.id)
    rows = json.loads(_run(["replies", "list", case, "--format", "json"]))
    ids = [r["post_id"] for r in rows]
    assert q.posts["he_question"] in ids and q.posts["en_question"] not in ids  # answered
    he = next(r for r in rows if r["post_id"] == q.posts["he_question"])
    assert (he["reasons"], he["language"], he["state"]) == (["question"], "he", "open")

    answered = json.loads(_run(["replies", "list", case, "-s", "answered", "-f", "json"]))
    assert [r["post_id"] for r in answered] == [q.posts["en_question"]]

    text = _run(["replies", "list", case, "--reason", "question", "--language", "en"])
    assert f"Case #{case}: posts to answer (waiting): 2" in text
    assert "a question" in text

    he_id, pl_id = str(q.posts["he_question"]), str(q.posts["pl_question"])
    out = _run(["replies", "assign", case, he_id, pl_id, "--to", "dana@acme.test", "--by", "eli"])
    # The workspace's first language is English (languages = en, he).
    assert f"Case #{case}: 2 posts assigned to dana@acme.test." in out
    mine = json.loads(_run(["replies", "list", case, "-a", "dana@acme.test", "-f", "json"]))
    assert sorted(r["post_id"] for r in mine) == sorted([int(he_id), int(pl_id)])
    assert "viewer" in _run(["replies", "assign", case, he_id, "--to", "vera@acme.test"], 2)
    assert "not in the reply queue" in _run(
        ["replies", "assign", case, str(q.posts["own"]), "--to", "dana@acme.test"], 1
    )

    skipped = _run(["replies", "skip", case, pl_id, "--reason", "spam", "--language", "pl"])
    assert f"Wpis #{pl_id}" in skipped
    listed = json.loads(_run(["replies", "list", case, "-s", "no_answer", "-f", "json"]))
    assert [(r["post_id"], r["reason"]) for r in listed] == [(int(pl_id), "spam")]
    assert "--reason" in _run(["replies", "list", case, "--reason", "nope"], 2)

    stats = json.loads(_run(["replies", "stats", case, "--format", "json"]))
    assert stats["answered"] == 1 and stats["no_answer_needed"] == 1
    assert stats["median_reply_seconds"] == 30 * 60
    assert stats["open_by_assignee"]["dana@acme.test"] == 1
    shown = _run(["replies", "stats", case, "--language", "en"])
    assert "Time to reply per post: median 30 minutes, 90th percentile 30 minutes" in shown
    assert "Time to first reply from the case's opening: 2 hours" in shown
    hebrew = _run(["replies", "stats", case, "--language", "he"])
    assert "dana@acme.test" in hebrew and "Answered" not in hebrew


def test_answer_writes_a_reply_draft(env: tuple[Engine, Queue], tmp_path: Path) -> None:
    engine, q = env
    case = str(q.crisis.case.id)
    post = str(q.posts["addressed"])
    out = _run(["replies", "answer", case, post, "We are so sorry. Please DM us.", "--by", "dana"])
    assert f"/w/acme/cases/{case}/drafts/" in out
    reply = tmp_path / "reply.txt"
    reply.write_text("Przepraszamy, napisz do nas.", encoding="utf-8")
    _run(["replies", "answer", case, str(q.posts["pl_question"]), "--file", str(reply)])
    assert "not both" in _run(["replies", "answer", case, post, "x", "--file", str(reply)], 2)
    with sessionmaker_for(engine)() as session:
        made = session.scalars(select(Draft).where(Draft.created_by != "dana@acme.test")).all()
        assert [(d.kind, d.mention_id, d.created_by) for d in made] == [
            ("reply", q.mentions["addressed"], "dana"),
            ("reply", q.mentions["pl_question"], made[1].created_by),
        ]
        assert made[1].language == "pl"
