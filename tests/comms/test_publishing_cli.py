"""`flarewatch publish` on a file database against a local platform server; the guard on
hiding criticism; `[[channels]]` in the workspace file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from flarewatch.accounts.models import AuditLog
from flarewatch.cases.models import CaseEvent
from flarewatch.cli.main import app as main_app
from flarewatch.comms import drafts
from flarewatch.comms.models import Publication
from flarewatch.comms.publishing import guard, service
from flarewatch.comms.publishing.cli import app
from flarewatch.config.settings import get_settings
from flarewatch.config.workspace import WorkspaceConfigError, parse_workspace_toml
from flarewatch.db.engine import create_db_engine, sessionmaker_for
from flarewatch.db.migrate import upgrade
from flarewatch.errors import InputError
from flarewatch.runtime.embedded import EmbeddedRunner
from tests.comms.platform_server import PlatformServer, Reply, platform_server
from tests.comms.publishing_setup import (
    NOW,
    REPLY_TARGETS,
    SECRETS,
    Shop,
    approved_draft,
    make_shop,
)

runner = CliRunner()


@pytest.fixture
def server() -> Iterator[PlatformServer]:
    with platform_server() as running:
        yield running


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("FLAREWATCH_DATABASE_URL", url)
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    db = create_db_engine(url)
    upgrade(db)
    yield db
    db.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    with sessionmaker_for(engine)() as session:
        yield session


@pytest.fixture
def shop(db: Session, server: PlatformServer) -> Shop:
    return make_shop(db, server.url)


def run(args: list[str], code: int = 0) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == code, result.output
    return result.output


def test_publish_is_registered_and_documented() -> None:
    result = runner.invoke(main_app, ["publish", "--help"])
    assert result.exit_code == 0
    for command in ("schedule", "now", "list", "cancel", "kill-switch", "resume", "channels"):
        assert command in result.output


def test_now_publishes_and_prints_the_link(db: Session, shop: Shop, server: PlatformServer) -> None:
    server.on("POST", "/2/tweets", Reply(201, {"data": {"id": "42", "text": "…"}}))
    draft = approved_draft(db, shop, "x", "Sorry, we are on it.")
    output = run(["now", str(draft.id), "--channel", "xacct", "--by", "dana"])
    assert "published: https://x.com/acme/status/42" in output
    listed = run(["list", "--case", str(shop.case.id)])
    assert "https://x.com/acme/status/42" in listed


def test_schedule_in_cancel_and_the_kill_switch(db: Session, shop: Shop) -> None:
    draft = approved_draft(db, shop, "mastodon")
    output = run(["schedule", str(draft.id), "--channel", "masto", "--in", "10m"])
    assert "on masto at" in output and "(scheduled)" in output
    run(["schedule", str(draft.id), "--channel", "masto", "--in", "soon"], code=2)
    run(["schedule", str(draft.id), "--channel", "masto", "--at", "yesterday-ish"], code=2)
    second = run(["schedule", str(draft.id), "--channel", "masto", "--at", "2026-12-31T10:00Z"])
    assert "(scheduled)" in second
    stopped = run(["kill-switch", "--reason", "Legal hold"])
    assert "Scheduled posts held: 2." in stopped
    run(["kill-switch", "--reason", "again"], code=2)
    rows = db.scalars(select(Publication).order_by(Publication.id)).all()
    assert [r.status for r in rows] == ["suspended", "suspended"]
    assert "held by the kill switch" in run(["list"])
    run(["cancel", str(rows[0].id), "--reason", "Superseded"])
    resumed = run(["resume"])
    assert "Held posts scheduled again: 1." in resumed
    run(["resume"], code=2)
    db.expire_all()
    assert [r.status for r in db.scalars(select(Publication).order_by(Publication.id))] == [
        "cancelled",
        "scheduled",
    ]


def test_unapproved_drafts_are_refused_on_the_command_line(db: Session, shop: Shop) -> None:
    draft = drafts.create_draft(
        db, shop.case.id, "Sorry.", "d", workspace_id=shop.workspace.id, platform="mastodon"
    )
    db.commit()
    result = runner.invoke(app, ["now", str(draft.id), "--channel", "masto"])
    assert result.exit_code == 2
    assert "not approved" in result.output


def test_channels_show_missing_secrets(
    db: Session, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IG_TOKEN")
    output = run(["channels"])
    assert "missing: IG_TOKEN" in output
    assert output.count("ready") == 4


def test_the_guard_refuses_hiding_unanswered_criticism_then_audits_a_confirmed_hide(
    db: Session, shop: Shop, server: PlatformServer
) -> None:
    target = REPLY_TARGETS["facebook"]
    server.on("POST", f"/{target}", Reply(200, {"success": True}))
    db.add(
        CaseEvent(
            case_id=shop.case.id,
            kind="post",
            text="There was a worm in my burger!",
            data={"raw_post_id": shop.mentions["facebook"].raw_post_id},
        )
    )
    db.commit()
    refused = runner.invoke(app, ["hide", target, "--channel", "page"])
    assert refused.exit_code == 2
    assert "answering beats deleting" in refused.output
    assert f"case #{shop.case.id}" in refused.output
    no_reason = runner.invoke(app, ["hide", target, "--channel", "page", "--confirm"])
    assert no_reason.exit_code == 2
    assert server.received == []
    output = run(["hide", target, "--channel", "page", "--confirm", "--reason", "Doxxing"])
    assert "hidden on page" in output
    [hidden] = server.received
    assert hidden.form() == {"is_hidden": "true", "access_token": "fb-secret"}
    actions = db.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions[-3:] == ["moderation.hide.refused", "moderation.hide.refused", "moderation.hide"]
    entry = db.scalars(select(CaseEvent).where(CaseEvent.kind == "moderation")).one()
    assert "despite the warning" in entry.text and "Doxxing" in entry.text


def test_the_guard_lets_answered_or_calm_comments_be_hidden(
    db: Session, shop: Shop, server: PlatformServer
) -> None:
    target = REPLY_TARGETS["instagram"]
    server.on("POST", f"/{target}", Reply(200, {"success": True}))
    # Answered: a published reply to it.
    draft = approved_draft(db, shop, "instagram", "Sorry.", reply=True)
    db.add(
        Publication(
            workspace_id=shop.workspace.id,
            case_id=shop.case.id,
            draft_id=draft.id,
            draft_version=1,
            channel="insta",
            platform="instagram",
            in_reply_to=target,
            status="published",
            scheduled_at=draft.created_at,
            created_by="d",
        )
    )
    db.commit()
    judged = guard.moderate(db, shop.workspace.id, "insta", target, "hide", "dana")
    assert judged.answered and judged.critical
    assert server.received[-1].form() == {"hide": "true", "access_token": "ig-secret"}
    shop.mentions["facebook"].sentiment = "positive"
    db.commit()
    calm = guard.judge(db, shop.workspace.id, "facebook", REPLY_TARGETS["facebook"])
    assert (calm.critical, calm.warning()) == (False, None)
    with pytest.raises(InputError, match="Facebook pages and Instagram"):
        guard.moderate(db, shop.workspace.id, "xacct", "1", "hide", "dana")


def test_channels_in_the_workspace_file_are_checked() -> None:
    base = 'slug = "acme"\nname = "Acme"\n'
    good = base + (
        '[[channels]]\nkey = "masto"\nplatform = "mastodon"\n'
        'instance = "https://mastodon.social"\ntoken_env = "MASTO_TOKEN"\n'
    )
    config = parse_workspace_toml(good, "acme.toml")
    assert config.channels[0].base_url() == "https://mastodon.social"
    missing = base + '[[channels]]\nkey = "sky"\nplatform = "bluesky"\nhandle = "a.bsky.social"\n'
    with pytest.raises(WorkspaceConfigError, match="password_env"):
        parse_workspace_toml(missing, "acme.toml")
    twice = good + (
        '[[channels]]\nkey = "masto"\nplatform = "x"\naccount = "acme"\ntoken_env = "X"\n'
    )
    with pytest.raises(WorkspaceConfigError, match="already used by channels"):
        parse_workspace_toml(twice, "acme.toml")


def test_the_runner_cycle_publishes_what_is_due(
    engine: Engine, db: Session, shop: Shop, server: PlatformServer
) -> None:
    server.on("POST", "/api/v1/statuses", Reply(200, {"id": "3", "url": "https://m.example/3"}))
    draft = approved_draft(db, shop, "mastodon")
    row = service.schedule(
        db, draft.id, "masto", NOW + timedelta(minutes=1), "d", shop.workspace.id, now=NOW
    )
    db.commit()
    EmbeddedRunner(engine, clock=lambda: NOW).cycle(["acme"])
    assert server.received == []
    EmbeddedRunner(engine, clock=lambda: NOW + timedelta(minutes=2)).cycle(["acme"])
    db.refresh(row)
    assert (row.status, row.url) == ("published", "https://m.example/3")
