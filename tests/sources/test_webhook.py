"""Kind "webhook": signed bodies stored before the answer, then posts on the runner's cycle.

Against the real app (TestClient) on a migrated database; the runner is the real one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from flarewatch.db.engine import create_db_engine, session_scope
from flarewatch.mentions.models import Mention, RawPost
from flarewatch.runtime.embedded import EmbeddedRunner
from flarewatch.sources.models import Source

from ..conftest import truncate_all
from .webhook_helpers import (
    SECRET_ENV,
    URL,
    Hook,
    deliveries,
    jsonl,
    make_hook,
    post,
    record,
    signature,
    stored_posts,
)


@pytest.fixture
def hook(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Hook]:
    made = make_hook(engine, tmp_path, monkeypatch)
    yield made
    made.client.close()


@pytest.fixture
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    db = create_db_engine(postgres_url)
    truncate_all(db)  # other tests in this worker may share the database
    yield db
    truncate_all(db)
    db.dispose()


def _run(hook: Hook) -> int:
    outcome = EmbeddedRunner(hook.engine).ingest_source(hook.workspace_id, hook.source_id)
    assert outcome.source.ok, outcome.source.error
    return outcome.source.posts


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", json.dumps(record(1)).encode()),
        ("application/json; charset=utf-8", json.dumps([record(1), record(2)]).encode()),
        ("application/x-ndjson", jsonl([record(1), record(2), record(3)])),
        ("application/jsonl", jsonl([record(1), record(2)]).rstrip(b"\n")),
    ],
)
def test_signed_bodies_are_stored_before_the_answer(
    hook: Hook, content_type: str, body: bytes
) -> None:
    answer = post(hook.client, body, content_type=content_type)
    assert answer.status_code == 202, answer.text
    expected = body.count(b'"id"')
    assert answer.json() == {
        "status": "stored",
        "delivery": answer.json()["delivery"],
        "accepted": expected,
        "rejected_total": 0,
        "rejected": [],
        "warnings": [],
    }
    [delivery] = deliveries(hook.engine)
    assert delivery.body == body and delivery.processed_at is None
    assert delivery.content_type == content_type.split(";")[0]
    assert stored_posts(hook.engine) == 0  # the route never runs the pipeline itself
    assert _run(hook) == expected


@pytest.mark.parametrize(
    ("header", "says"),
    [
        (None, "is missing"),
        ("sha256=" + "0" * 64, "does not match"),
        ("sha1=abc", "not of the form"),
        ("sha256=nothex", "not of the form"),
    ],
)
def test_bad_signatures_are_401_and_store_nothing(
    hook: Hook, header: str | None, says: str
) -> None:
    body = json.dumps(record(1)).encode()
    headers = {"Content-Type": "application/json"}
    if header is not None:
        headers["X-Flarewatch-Signature"] = header
    answer = hook.client.post(URL, content=body, headers=headers)
    assert answer.status_code == 401
    assert says in answer.json()["detail"] and "HMAC-SHA256" in answer.json()["detail"]
    assert deliveries(hook.engine) == []


def test_signed_with_another_secret_is_401(hook: Hook) -> None:
    body = json.dumps(record(1)).encode()
    answer = post(hook.client, body, sign=signature(body, "not-the-secret"))
    assert answer.status_code == 401
    assert deliveries(hook.engine) == []


def test_a_replayed_body_is_stored_once_and_answered_2xx(hook: Hook) -> None:
    body = jsonl([record(1), record(2)])
    first = post(hook.client, body, content_type="application/x-ndjson")
    again = post(hook.client, body, content_type="application/x-ndjson")
    assert first.status_code == 202
    assert again.status_code == 200
    assert again.json()["status"] == "duplicate"
    assert again.json()["delivery"] == first.json()["delivery"]
    assert len(deliveries(hook.engine)) == 1
    assert _run(hook) == 2
    # A retry after the runner read it is still a duplicate, not a second delivery.
    assert post(hook.client, body, content_type="application/x-ndjson").status_code == 200
    assert _run(hook) == 0
    assert stored_posts(hook.engine) == 2


def test_ten_thousand_posts_in_one_request(hook: Hook) -> None:
    body = jsonl(record(i) for i in range(10_000))
    assert len(body) > 1024 * 1024  # over the app-wide body limit: the hook has its own
    answer = post(hook.client, body, content_type="application/x-ndjson")
    assert answer.status_code == 202, answer.text
    assert answer.json()["accepted"] == 10_000
    assert _run(hook) == 10_000
    assert _run(hook) == 0
    with session_scope(hook.engine) as session:
        ids = set(session.scalars(select(RawPost.external_id)))
        source = session.get_one(Source, hook.source_id)
        assert source.checkpoint == {}
    assert ids == {f"h{i}" for i in range(10_000)}
    assert all(d.processed_at is not None for d in deliveries(hook.engine))


def test_runner_turns_deliveries_into_mentions_exactly_once(hook: Hook) -> None:
    post(hook.client, json.dumps([record(1), record(2, "weather talk")]).encode())
    post(hook.client, json.dumps(record(3, "אקמה היה מצוין")).encode())
    runner = EmbeddedRunner(hook.engine)
    runner.cycle()
    runner.cycle()
    with session_scope(hook.engine) as session:
        mentioned = sorted(
            session.scalars(
                select(RawPost.external_id).join(Mention, Mention.raw_post_id == RawPost.id)
            )
        )
    assert mentioned == ["h1", "h3"]
    assert stored_posts(hook.engine) == 3


def test_a_partly_bad_body_keeps_the_good_records(hook: Hook) -> None:
    lines = [
        json.dumps(record(1)),
        json.dumps(record(2, created_at="yesterday")),
        "{not json",
        json.dumps(record(4, text="")),
        json.dumps(record(5)),
    ]
    body = ("\n".join(lines) + "\n").encode()
    answer = post(hook.client, body, content_type="application/x-ndjson")
    assert answer.status_code == 202, answer.text
    result = answer.json()
    assert result["accepted"] == 2 and result["rejected_total"] == 3
    assert [(r["line"], r.get("field")) for r in result["rejected"]] == [
        (2, "created_at"),
        (3, None),
        (4, "text"),
    ]
    assert "not valid JSON" in result["rejected"][1]["message"]
    [delivery] = deliveries(hook.engine)
    assert delivery.error and "3 record(s) rejected" in delivery.error
    outcome = EmbeddedRunner(hook.engine).ingest_source(hook.workspace_id, hook.source_id)
    assert outcome.source.posts == 2
    assert [p.split(":")[0] for p in outcome.source.problems] == [
        f"webhook delivery {delivery.id} line 2",
        f"webhook delivery {delivery.id} line 3",
        f"webhook delivery {delivery.id} line 4",
    ]


def test_array_items_are_named_by_position(hook: Hook) -> None:
    body = json.dumps([record(1), "text", record(3, likes=-1)]).encode()
    answer = post(hook.client, body)
    assert answer.status_code == 202
    assert [(r["item"], r.get("field")) for r in answer.json()["rejected"]] == [
        (2, None),
        (3, "likes"),
    ]


@pytest.mark.parametrize(
    ("content_type", "body", "says", "line", "field"),
    [
        ("application/json", b'{"id": "1", "text": "cut', "not valid JSON", 1, None),
        ("application/json", b'[\n{"id": "1",\n "text": }]', "line 3", 3, None),
        ("application/x-ndjson", b'{"id": "1"}\n{"text": "x"}\n', "field text", 1, "text"),
        ("application/json", b'"just text"', "a JSON str", None, None),
        ("application/json", b"[]", "no records", None, None),
        ("application/json", b"\xff\xfe{}", "not UTF-8", None, None),
    ],
)
def test_unreadable_bodies_are_422_with_line_and_field(
    hook: Hook,
    content_type: str,
    body: bytes,
    says: str,
    line: int | None,
    field: str | None,
) -> None:
    answer = post(hook.client, body, content_type=content_type)
    assert answer.status_code == 422, answer.text
    assert says in answer.json()["detail"]
    if line is not None:
        first = answer.json()["rejected"][0]
        assert first.get("line") == line and first.get("field") == field
    assert deliveries(hook.engine) == []


def test_other_content_types_are_415(hook: Hook) -> None:
    body = b"id,text\n1,acme\n"
    answer = post(hook.client, body, content_type="text/csv")
    assert answer.status_code == 415
    assert "application/x-ndjson" in answer.json()["detail"]
    assert deliveries(hook.engine) == []


def test_a_body_over_the_hook_limit_is_413(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLAREWATCH_MAX_HOOK_BYTES", "4096")
    small = make_hook(engine, tmp_path, monkeypatch)
    body = jsonl(record(i) for i in range(100))
    answer = post(small.client, body, content_type="application/x-ndjson")
    assert answer.status_code == 413
    assert "FLAREWATCH_MAX_HOOK_BYTES" in answer.json()["detail"]
    assert deliveries(engine) == []
    assert post(small.client, json.dumps(record(1)).encode()).status_code == 202


def test_without_the_secret_on_the_server_it_is_503(
    hook: Hook, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SECRET_ENV)
    answer = post(hook.client, json.dumps(record(1)).encode())
    assert answer.status_code == 503
    assert SECRET_ENV in answer.json()["detail"]
    assert deliveries(hook.engine) == []


@pytest.mark.parametrize("url", ["/hooks/acme/nope", "/hooks/nope/orders", "/hooks/acme/export"])
def test_unknown_or_non_webhook_sources_are_the_same_404(hook: Hook, url: str) -> None:
    answer = post(hook.client, json.dumps(record(1)).encode(), url=url)
    assert answer.status_code == 404
    assert answer.json()["detail"].startswith("No webhook source at this address")


def test_a_disabled_source_is_404(hook: Hook) -> None:
    with session_scope(hook.engine) as session:
        session.get_one(Source, hook.source_id).enabled = False
    answer = post(hook.client, json.dumps(record(1)).encode())
    assert answer.status_code == 404 and "enabled" in answer.json()["detail"]
    assert deliveries(hook.engine) == []


def test_no_session_or_csrf_token_is_needed(hook: Hook) -> None:
    """The signature is the credential: a sender has no cookie and no CSRF token."""
    hook.client.cookies.clear()
    answer = post(hook.client, json.dumps(record(1)).encode())
    assert answer.status_code == 202


def test_openapi_lists_the_route_and_its_answers(hook: Hook) -> None:
    schema = hook.client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/hooks/{workspace}/{key}"]["post"]
    assert set(operation["responses"]) >= {"200", "202", "401", "404", "413", "415", "422", "503"}
    assert "application/x-ndjson" in operation["requestBody"]["content"]


def test_a_crash_before_the_commit_reads_the_delivery_again_exactly_once(
    hook: Hook, monkeypatch: pytest.MonkeyPatch
) -> None:
    post(hook.client, jsonl(record(i) for i in range(7)), content_type="application/x-ndjson")
    from flarewatch.sources import service

    real = service.record_success

    def power_cut(*args: object, **kwargs: object) -> None:
        raise RuntimeError("power cut before commit")

    monkeypatch.setattr("flarewatch.runtime.embedded.record_success", power_cut)
    crashed = EmbeddedRunner(hook.engine).ingest_source(hook.workspace_id, hook.source_id)
    assert not crashed.source.ok and "power cut" in (crashed.source.error or "")
    assert stored_posts(hook.engine) == 0
    assert deliveries(hook.engine)[0].processed_at is None  # rolled back with the posts
    monkeypatch.setattr("flarewatch.runtime.embedded.record_success", real)
    assert _run(hook) == 7
    assert _run(hook) == 0
    assert stored_posts(hook.engine) == 7


def test_small_batches_resume_inside_a_delivery(hook: Hook) -> None:
    """A batch that stops inside a body keeps its place in the checkpoint, nothing else."""
    post(hook.client, jsonl(record(i) for i in range(10)), content_type="application/x-ndjson")
    post(hook.client, json.dumps([record(i) for i in range(10, 13)]).encode())
    runner = EmbeddedRunner(hook.engine, batch_size=4)
    outcome = runner.ingest_source(hook.workspace_id, hook.source_id)
    assert outcome.source.posts == 13
    with session_scope(hook.engine) as session:
        ids = sorted(session.scalars(select(RawPost.external_id)))
        assert session.get_one(Source, hook.source_id).checkpoint == {}
    assert ids == sorted(f"h{i}" for i in range(13))


def test_one_batch_stopped_inside_a_delivery_checkpoints_its_place(
    hook: Hook, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flarewatch.sources import webhook
    from flarewatch.sources.webhook import Inbox, WebhookSource

    post(hook.client, jsonl(record(i) for i in range(5)), content_type="application/x-ndjson")
    loaded: list[int] = []
    real_body = webhook.delivery_body

    def counted(session: object, delivery_id: int) -> bytes:
        loaded.append(delivery_id)
        return real_body(session, delivery_id)  # type: ignore[arg-type]

    monkeypatch.setattr(webhook, "delivery_body", counted)
    source = WebhookSource("orders", Inbox(hook.app.state.sessionmaker, hook.source_id))
    first = source.fetch(None, limit=3)
    assert [p.external_id for p in first.posts] == ["h0", "h1", "h2"]
    assert first.checkpoint == {"delivery": deliveries(hook.engine)[0].id, "record": 3}
    assert not first.exhausted and first.commit_with is None
    rest = source.fetch(first.checkpoint, limit=3)
    assert [p.external_id for p in rest.posts] == ["h3", "h4"]
    assert rest.checkpoint == {} and rest.exhausted and rest.commit_with is not None
    # The body was loaded and parsed once; the second batch went on from the first's entries.
    assert loaded == [deliveries(hook.engine)[0].id]
    # A fresh reader (a restarted runner) loads it again from the checkpoint.
    again = WebhookSource("orders", Inbox(hook.app.state.sessionmaker, hook.source_id))
    assert [p.external_id for p in again.fetch(first.checkpoint, limit=3).posts] == ["h3", "h4"]


@pytest.mark.postgres
def test_on_postgresql_replays_and_the_runner_are_exactly_once(
    postgres_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook = make_hook(postgres_engine, tmp_path, monkeypatch)
    body = jsonl(record(i) for i in range(50))
    assert post(hook.client, body, content_type="application/x-ndjson").status_code == 202
    assert post(hook.client, body, content_type="application/x-ndjson").status_code == 200
    bad = jsonl([record(60), record(61, text="")])
    assert post(hook.client, bad, content_type="application/x-ndjson").status_code == 202
    runner = EmbeddedRunner(postgres_engine, batch_size=20)
    runner.cycle()
    runner.cycle()
    assert stored_posts(postgres_engine) == 51
    assert len(deliveries(postgres_engine)) == 2
    assert all(d.processed_at is not None for d in deliveries(postgres_engine))
    hook.client.close()


def test_an_unused_date_column_is_a_warning_in_the_answer_and_on_the_run(hook: Hook) -> None:
    records = [{"id": f"d{i}", "text": "acme", "Post Date": "2026-03-01 10:00"} for i in range(3)]
    answer = post(hook.client, json.dumps(records).encode())
    assert answer.status_code == 202 and answer.json()["accepted"] == 3
    [warning] = answer.json()["warnings"]
    assert "item 1" in warning and "'Post Date'" in warning and "created_at" in warning
    outcome = EmbeddedRunner(hook.engine).ingest_source(hook.workspace_id, hook.source_id)
    assert outcome.source.posts == 3 and len(outcome.source.warnings) == 1


def test_sources_test_shows_pending_deliveries_and_marks_nothing(
    hook: Hook, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from flarewatch.cli.main import app
    from flarewatch.config.settings import get_settings

    post(hook.client, json.dumps([record(1), record(2)]).encode())
    monkeypatch.setenv("FLAREWATCH_DATABASE_URL", str(hook.engine.url))
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["sources", "test", "orders", "--workspace", "acme"])
    assert result.exit_code == 0, result.output
    assert "orders: 2 post(s) fetched, nothing stored" in result.output
    assert deliveries(hook.engine)[0].processed_at is None
    assert stored_posts(hook.engine) == 0


def test_a_workspace_file_cannot_test_a_webhook_source(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from flarewatch.cli.main import app

    from .webhook_helpers import WORKSPACE

    path = tmp_path / "acme.toml"
    path.write_text(WORKSPACE, encoding="utf-8")
    result = CliRunner().invoke(app, ["sources", "test", "orders", "--workspace", str(path)])
    assert result.exit_code == 1
    assert "reads the deliveries stored in the database" in result.output


def test_two_copies_arriving_at_once_are_stored_once(
    hook: Hook, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second request passed its 'already stored?' check before the first committed: the
    unique key refuses its insert and it answers 'duplicate' with the first one's id."""
    from flarewatch.sources import webhook_inbox

    body = json.dumps(record(1)).encode()
    first = post(hook.client, body)
    real_lookup = webhook_inbox._delivery_id
    lookups: list[int | None] = []

    def missed_once(session: object, source_id: int, digest: str) -> int | None:
        found = None if not lookups else real_lookup(session, source_id, digest)  # type: ignore[arg-type]
        lookups.append(found)
        return found

    monkeypatch.setattr(webhook_inbox, "_delivery_id", missed_once)
    second = post(hook.client, body)
    assert second.status_code == 200 and second.json()["status"] == "duplicate"
    assert second.json()["delivery"] == first.json()["delivery"]
    assert lookups == [None, first.json()["delivery"]]
    assert len(deliveries(hook.engine)) == 1
