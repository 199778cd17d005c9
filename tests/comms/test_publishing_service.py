"""Scheduling, the approval gate at both ends, sending through each platform's documented
API on a local server, retries, reconciling an interrupted send, and the kill switch."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from flarewatch.accounts.models import AuditLog
from flarewatch.cases.models import CaseEvent
from flarewatch.comms import drafts
from flarewatch.comms.publishing import killswitch, service
from flarewatch.comms.publishing.models import KillSwitchEvent, PublicationAttempt
from flarewatch.comms.publishing.sender import MAX_ATTEMPTS, SENDING_LEASE, publish_due
from flarewatch.db.engine import sessionmaker_for
from flarewatch.errors import InputError, InvalidTransitionError, NotFoundError
from tests.comms.platform_server import PlatformServer, Reply, platform_server
from tests.comms.publishing_setup import (
    NOW,
    REPLY_TARGETS,
    SECRETS,
    Shop,
    approved_draft,
    make_shop,
)


@pytest.fixture
def server() -> Iterator[PlatformServer]:
    with platform_server() as running:
        yield running


@pytest.fixture
def db(any_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    with sessionmaker_for(any_engine)() as session:
        yield session


@pytest.fixture
def shop(db: Session, server: PlatformServer) -> Shop:
    return make_shop(db, server.url)


def test_mastodon_statement_and_reply_go_out_with_the_idempotency_key(
    db: Session, shop: Shop, server: PlatformServer
) -> None:
    server.on(
        "POST",
        "/api/v1/statuses",
        Reply(200, {"id": "111", "url": "https://masto.example/@acme/111"}),
        Reply(200, {"id": "112", "url": "https://masto.example/@acme/112"}),
    )
    ws = shop.workspace.id
    statement = approved_draft(db, shop, "mastodon")
    reply = approved_draft(db, shop, "mastodon", "We are sorry, please DM us.", reply=True)
    first = service.schedule(db, statement.id, "masto", None, "dana@acme.test", ws, now=NOW)
    second = service.schedule(db, reply.id, "masto", None, "dana@acme.test", ws, now=NOW)
    db.commit()
    report = publish_due(db, NOW)
    assert report.published == [first.id, second.id]
    sent = server.to("/api/v1/statuses")
    assert [r.form()["status"] for r in sent] == [
        "We are sorry. We are checking every burger and will update you by 18:00.",
        "We are sorry, please DM us.",
    ]
    assert "in_reply_to_id" not in sent[0].form()
    assert sent[1].form()["in_reply_to_id"] == REPLY_TARGETS["mastodon"]
    assert sent[0].headers["authorization"] == "Bearer masto-secret"
    assert sent[0].headers["idempotency-key"] == f"flarewatch-publication-{ws}-{first.id}"
    db.refresh(first)
    assert (first.status, first.remote_id, first.url) == (
        "published",
        "111",
        "https://masto.example/@acme/111",
    )
    entries = db.scalars(
        select(CaseEvent).where(CaseEvent.kind == "publication").order_by(CaseEvent.id)
    ).all()
    published = [e for e in entries if e.data["message"].startswith("Draft #%(draft)s published")]
    assert published[0].data["url"] == "https://masto.example/@acme/111"
    assert f"Draft #{statement.id} published on masto" == published[0].text


def test_bluesky_signs_in_reads_the_reply_refs_and_writes_a_post_record(
    db: Session, shop: Shop, server: PlatformServer
) -> None:
    server.on(
        "POST",
        "/xrpc/com.atproto.server.createSession",
        Reply(
            200,
            {
                "accessJwt": "jwt-1",
                "refreshJwt": "r",
                "did": "did:plc:acme",
                "handle": "acme.bsky.social",
            },
        ),
    )
    parent = REPLY_TARGETS["bluesky"]
    root = "at://did:plc:first/app.bsky.feed.post/3kroot"
    server.on(
        "GET",
        "/xrpc/app.bsky.feed.getPosts",
        Reply(
            200,
            {
                "posts": [
                    {
                        "uri": parent,
                        "cid": "bafyparent",
                        "record": {"reply": {"root": {"uri": root, "cid": "bafyroot"}}},
                    }
                ]
            },
        ),
    )
    server.on(
        "POST",
        "/xrpc/com.atproto.repo.createRecord",
        Reply(200, {"uri": "at://did:plc:acme/app.bsky.feed.post/3lnew", "cid": "bafynew"}),
    )
    draft = approved_draft(db, shop, "bluesky", "Sorry, we are on it.", reply=True)
    publication = service.schedule(db, draft.id, "sky", None, "dana", shop.workspace.id, now=NOW)
    db.commit()
    assert publish_due(db, NOW).published == [publication.id]
    [login] = server.to("/xrpc/com.atproto.server.createSession")
    assert login.json() == {"identifier": "acme.bsky.social", "password": "bsky-app-pass"}
    [created] = server.to("/xrpc/com.atproto.repo.createRecord")
    body = created.json()
    assert created.headers["authorization"] == "Bearer jwt-1"
    assert (body["repo"], body["collection"], len(body["rkey"])) == (
        "did:plc:acme",
        "app.bsky.feed.post",
        13,
    )
    assert body["record"]["text"] == "Sorry, we are on it."
    assert body["record"]["reply"] == {
        "root": {"uri": root, "cid": "bafyroot"},
        "parent": {"uri": parent, "cid": "bafyparent"},
    }
    db.refresh(publication)
    assert publication.url == "https://bsky.app/profile/acme.bsky.social/post/3lnew"


def test_facebook_instagram_and_x_use_their_documented_endpoints(
    db: Session, shop: Shop, server: PlatformServer
) -> None:
    server.on("POST", "/104/feed", Reply(200, {"id": "104_900"}))
    server.on("POST", f"/{REPLY_TARGETS['facebook']}/comments", Reply(200, {"id": "104_555_1"}))
    server.on("POST", f"/{REPLY_TARGETS['instagram']}/replies", Reply(200, {"id": "1789_2"}))
    server.on("POST", "/2/tweets", Reply(201, {"data": {"id": "1900", "text": "…"}}))
    ws = shop.workspace.id
    rows = [
        service.schedule(
            db, approved_draft(db, shop, "facebook").id, "page", None, "d", ws, now=NOW
        ),
        service.schedule(
            db,
            approved_draft(db, shop, "facebook", "Sorry.", reply=True).id,
            "page",
            None,
            "d",
            ws,
            now=NOW,
        ),
        service.schedule(
            db,
            approved_draft(db, shop, "instagram", "Sorry.", reply=True).id,
            "insta",
            None,
            "d",
            ws,
            now=NOW,
        ),
        service.schedule(
            db,
            approved_draft(db, shop, "x", "Sorry.", reply=True).id,
            "xacct",
            None,
            "d",
            ws,
            now=NOW,
        ),
    ]
    db.commit()
    assert publish_due(db, NOW).published == [r.id for r in rows]
    [feed] = server.to("/104/feed")
    assert feed.form()["access_token"] == "fb-secret"
    [tweet] = server.to("/2/tweets")
    assert tweet.json() == {"text": "Sorry.", "reply": {"in_reply_to_tweet_id": REPLY_TARGETS["x"]}}
    assert tweet.headers["authorization"] == "Bearer x-secret"
    for row in rows:
        db.refresh(row)
    assert [r.url for r in rows] == [
        "https://www.facebook.com/104_900",
        "https://facebook.example/104_555",
        "https://instagram.example/17890000000000001",
        "https://x.com/acme/status/1900",
    ]


def test_instagram_statements_and_wrong_channels_are_refused_when_scheduling(
    db: Session, shop: Shop
) -> None:
    ws = shop.workspace.id
    insta = approved_draft(db, shop, "instagram")
    with pytest.raises(InputError, match="Instagram cannot publish a text-only post"):
        service.schedule(db, insta.id, "insta", None, "d", ws, now=NOW)
    masto = approved_draft(db, shop, "mastodon")
    with pytest.raises(InputError, match="written for mastodon but channel 'xacct' is a x"):
        service.schedule(db, masto.id, "xacct", None, "d", ws, now=NOW)
    with pytest.raises(NotFoundError, match="no channel 'nope'"):
        service.schedule(db, masto.id, "nope", None, "d", ws, now=NOW)
    long = drafts.create_draft(db, shop.case.id, "a" * 400, "d", workspace_id=ws, platform="x")
    drafts.mark_approved(db, long, "legal")
    with pytest.raises(InputError, match="takes at most 280"):
        service.schedule(db, long.id, "xacct", None, "d", ws, now=NOW)


def test_the_gate_refuses_unapproved_drafts_and_text_changed_after_scheduling(
    db: Session, shop: Shop, server: PlatformServer
) -> None:
    server.on("POST", "/api/v1/statuses", Reply(200, {"id": "1", "url": "u"}))
    ws = shop.workspace.id
    unapproved = drafts.create_draft(
        db, shop.case.id, "Sorry.", "d", workspace_id=ws, platform="mastodon"
    )
    with pytest.raises(drafts.ApprovalRequiredError):
        service.schedule(db, unapproved.id, "masto", None, "d", ws, now=NOW)
    draft = approved_draft(db, shop, "mastodon")
    publication = service.schedule(
        db, draft.id, "masto", NOW + timedelta(minutes=5), "d", ws, now=NOW
    )
    drafts.revise_draft(db, draft.id, "Something else entirely.", "eve", workspace_id=ws)
    drafts.mark_approved(db, draft, "legal")  # even the new text approved: not what was scheduled
    db.commit()
    report = publish_due(db, NOW + timedelta(minutes=6))
    assert report.failed == [publication.id]
    assert server.to("/api/v1/statuses") == []
    db.refresh(publication)
    assert publication.status == "failed"
    assert "changed after this post was scheduled" in (publication.error or "")


def test_a_rate_limit_is_retried_after_retry_after_and_errors_say_what_to_do(
    db: Session, shop: Shop, server: PlatformServer
) -> None:
    server.on(
        "POST",
        "/2/tweets",
        Reply(
            429,
            {"title": "Too Many Requests", "detail": "Too Many Requests"},
            {"Retry-After": "120"},
        ),
        Reply(201, {"data": {"id": "7", "text": "x"}}),
    )
    ws = shop.workspace.id
    publication = service.schedule(
        db, approved_draft(db, shop, "x", "Sorry.").id, "xacct", None, "d", ws, now=NOW
    )
    db.commit()
    assert publish_due(db, NOW).retried == [publication.id]
    db.refresh(publication)
    assert publication.status == "scheduled"
    assert publication.scheduled_at == NOW + timedelta(seconds=120)
    assert "rate limit reached" in (publication.error or "")
    assert publish_due(db, NOW + timedelta(seconds=60)).published == []
    assert publish_due(db, NOW + timedelta(seconds=121)).published == [publication.id]
    attempts = db.scalars(select(PublicationAttempt.outcome).order_by(PublicationAttempt.id)).all()
    assert attempts == ["retry", "published"]


@pytest.mark.parametrize(
    ("reply", "kind_words"),
    [
        (Reply(401, {"error": "The access token is invalid"}), "refused the credentials"),
        (
            Reply(422, {"error": "Validation failed: Text character limit of 500 exceeded"}),
            "too long",
        ),
    ],
)
def test_auth_and_length_errors_fail_at_once_with_a_clear_message(
    db: Session, shop: Shop, server: PlatformServer, reply: Reply, kind_words: str
) -> None:
    server.on("POST", "/api/v1/statuses", reply)
    publication = service.schedule(
        db, approved_draft(db, shop, "mastodon").id, "masto", None, "d", shop.workspace.id, now=NOW
    )
    db.commit()
    assert publish_due(db, NOW).failed == [publication.id]
    db.refresh(publication)
    assert publication.status == "failed"
    assert kind_words in (publication.error or "")
    failed = db.scalars(select(CaseEvent).where(CaseEvent.kind == "publication")).all()[-1]
    assert failed.data["message"] == "Draft #%(draft)s was not published on %(channel)s: %(error)s"


def test_server_errors_are_retried_then_failed_after_the_last_attempt(
    db: Session, shop: Shop, server: PlatformServer
) -> None:
    server.on("POST", "/104/feed", Reply(503, {"error": {"message": "Service unavailable"}}))
    publication = service.schedule(
        db, approved_draft(db, shop, "facebook").id, "page", None, "d", shop.workspace.id, now=NOW
    )
    db.commit()
    moment = NOW
    for _ in range(MAX_ATTEMPTS):
        publish_due(db, moment)
        db.refresh(publication)
        moment = publication.scheduled_at + timedelta(seconds=1)
    assert publication.status == "failed"
    assert len(server.to("/104/feed")) == MAX_ATTEMPTS


def test_an_interrupted_send_is_resent_with_its_key_only_where_the_platform_has_one(
    db: Session, shop: Shop, server: PlatformServer
) -> None:
    server.on("POST", "/api/v1/statuses", Reply(200, {"id": "5", "url": "https://m/5"}))
    ws = shop.workspace.id
    masto = service.schedule(
        db, approved_draft(db, shop, "mastodon").id, "masto", None, "d", ws, now=NOW
    )
    x = service.schedule(
        db, approved_draft(db, shop, "x", "Sorry.").id, "xacct", None, "d", ws, now=NOW
    )
    for row in (masto, x):  # as a crash after the claim leaves them
        row.status, row.attempts = "sending", 1
        db.add(
            PublicationAttempt(publication_id=row.id, number=1, claimed_at=NOW, outcome="sending")
        )
    db.commit()
    assert publish_due(db, NOW + timedelta(minutes=1)).published == []  # still within the lease
    report = publish_due(db, NOW + SENDING_LEASE + timedelta(minutes=1))
    assert sorted(report.reconciled) == sorted([masto.id, x.id])
    assert report.published == [masto.id]
    db.refresh(x)
    assert x.status == "failed" and "may or may not have been posted" in (x.error or "")
    assert server.to("/2/tweets") == []
    [sent] = server.to("/api/v1/statuses")
    assert sent.headers["idempotency-key"] == f"flarewatch-publication-{ws}-{masto.id}"


def test_the_kill_switch_stops_a_post_scheduled_one_second_later(
    db: Session, shop: Shop, server: PlatformServer
) -> None:
    server.on("POST", "/api/v1/statuses", Reply(200, {"id": "9", "url": "https://m/9"}))
    ws = shop.workspace.id
    draft = approved_draft(db, shop, "mastodon")
    publication = service.schedule(
        db, draft.id, "masto", NOW + timedelta(seconds=1), "d", ws, now=NOW
    )
    held = killswitch.engage(db, ws, "Legal review of every statement", "ceo@acme.test", now=NOW)
    db.commit()
    assert [p.id for p in held] == [publication.id]
    assert publish_due(db, NOW + timedelta(seconds=2)).published == []
    assert server.received == []
    db.refresh(publication)
    assert (publication.status, publication.reason) == (
        "suspended",
        "Legal review of every statement",
    )
    # Scheduling while it is on holds the new post too.
    later = service.schedule(
        db, approved_draft(db, shop, "mastodon").id, "masto", None, "d", ws, now=NOW
    )
    assert later.status == "suspended"
    with pytest.raises(InvalidTransitionError, match="already on"):
        killswitch.engage(db, ws, "again", "ceo@acme.test", now=NOW)
    released = killswitch.lift(db, ws, "ceo@acme.test", now=NOW + timedelta(seconds=3))
    db.commit()
    assert {p.id for p in released} == {publication.id, later.id}
    assert sorted(publish_due(db, NOW + timedelta(seconds=4)).published) == sorted(
        [publication.id, later.id]
    )
    actions = db.scalars(select(KillSwitchEvent.action).order_by(KillSwitchEvent.id)).all()
    assert actions == ["engaged", "lifted"]
    audited = db.scalars(select(AuditLog.action).where(AuditLog.action.like("publishing.%"))).all()
    assert audited == ["publishing.kill_switch.engaged", "publishing.kill_switch.lifted"]
    texts = db.scalars(select(CaseEvent.text).where(CaseEvent.kind == "publication")).all()
    assert "Kill switch on (Legal review of every statement); scheduled posts held: 1" in texts
    assert "Kill switch off; held posts scheduled again: 2" in texts


def test_engaging_needs_a_reason_and_lifting_needs_it_on(db: Session, shop: Shop) -> None:
    with pytest.raises(InputError, match="say why"):
        killswitch.engage(db, shop.workspace.id, "  ", "d", now=NOW)
    with pytest.raises(InvalidTransitionError, match="not on"):
        killswitch.lift(db, shop.workspace.id, "d", now=NOW)


def test_cancel_only_what_has_not_gone_out(db: Session, shop: Shop, server: PlatformServer) -> None:
    server.on("POST", "/api/v1/statuses", Reply(200, {"id": "1", "url": "u"}))
    ws = shop.workspace.id
    row = service.schedule(
        db,
        approved_draft(db, shop, "mastodon").id,
        "masto",
        NOW + timedelta(hours=1),
        "d",
        ws,
        now=NOW,
    )
    service.cancel(db, row.id, "d", ws, reason="Superseded", now=NOW)
    assert row.status == "cancelled"
    db.commit()
    assert publish_due(db, NOW + timedelta(hours=2)).published == []
    sent = service.schedule(
        db, approved_draft(db, shop, "mastodon").id, "masto", None, "d", ws, now=NOW
    )
    db.commit()
    publish_due(db, NOW)
    with pytest.raises(InvalidTransitionError, match="is published"):
        service.cancel(db, sent.id, "d", ws, now=NOW)


def test_a_missing_secret_fails_naming_the_variable(
    db: Session, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("X_TOKEN")
    row = service.schedule(
        db,
        approved_draft(db, shop, "x", "Sorry.").id,
        "xacct",
        None,
        "d",
        shop.workspace.id,
        now=NOW,
    )
    db.commit()
    assert publish_due(db, NOW).failed == [row.id]
    db.refresh(row)
    assert "X_TOKEN" in (row.error or "") and "token_env" in (row.error or "")


def test_bluesky_retries_write_the_same_record_key_and_read_back_a_post_already_made(
    db: Session, shop: Shop, server: PlatformServer
) -> None:
    server.on(
        "POST",
        "/xrpc/com.atproto.server.createSession",
        Reply(200, {"accessJwt": "jwt", "did": "did:plc:acme", "handle": "acme.bsky.social"}),
    )
    server.on(
        "POST",
        "/xrpc/com.atproto.repo.createRecord",
        Reply(502, {"error": "UpstreamFailure", "message": "Bad gateway"}),
        Reply(400, {"error": "InvalidRequest", "message": "Record already exists"}),
    )
    draft = approved_draft(db, shop, "bluesky", "Sorry, we are on it.")
    row = service.schedule(db, draft.id, "sky", None, "d", shop.workspace.id, now=NOW)
    db.commit()
    # First try: a 502, and no record under the key yet, so it is tried again later.
    server.on("GET", "/xrpc/com.atproto.repo.getRecord", Reply(400, {"error": "RecordNotFound"}))
    assert publish_due(db, NOW).retried == [row.id]
    server.on(
        "GET",
        "/xrpc/com.atproto.repo.getRecord",
        Reply(
            200,
            {"uri": "at://did:plc:acme/app.bsky.feed.post/3lmade", "cid": "bafy", "value": {}},
        ),
    )
    # Second try: the key is taken (the first post did get through): it is read back.
    db.refresh(row)
    assert publish_due(db, row.scheduled_at).published == [row.id]
    keys = [r.json()["rkey"] for r in server.to("/xrpc/com.atproto.repo.createRecord")]
    looked_up = server.to("/xrpc/com.atproto.repo.getRecord")[-1].query["rkey"]
    assert len(keys) == 2 and keys[0] == keys[1] == looked_up[0]
    db.refresh(row)
    assert row.url == "https://bsky.app/profile/acme.bsky.social/post/3lmade"


def test_x_says_when_it_refuses_a_duplicate(
    db: Session, shop: Shop, server: PlatformServer
) -> None:
    server.on(
        "POST",
        "/2/tweets",
        Reply(
            403,
            {
                "detail": "You are not allowed to create a Tweet with duplicate content.",
                "status": 403,
            },
        ),
    )
    row = service.schedule(
        db,
        approved_draft(db, shop, "x", "Sorry.").id,
        "xacct",
        None,
        "d",
        shop.workspace.id,
        now=NOW,
    )
    db.commit()
    assert publish_due(db, NOW).failed == [row.id]
    db.refresh(row)
    assert "duplicate of an earlier post" in (row.error or "")
