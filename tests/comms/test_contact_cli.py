"""`flarewatch contact`: open, list, show, sent, answered, update and close on a real database,
output through the workspace's reader."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from flarewatch.cli.main import app
from flarewatch.comms.contact.models import PrivateContact
from flarewatch.config.settings import get_settings
from flarewatch.db.base import utcnow
from flarewatch.db.engine import create_db_engine, sessionmaker_for
from flarewatch.db.migrate import upgrade
from flarewatch.mentions.models import RawPost
from tests.cases.crisis import make_crisis

runner = CliRunner()


@dataclass
class Setup:
    engine: Engine
    case_id: int
    facebook_post: int
    instagram_post: int


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Setup]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("FLAREWATCH_DATABASE_URL", url)
    get_settings.cache_clear()
    engine = create_db_engine(url)
    upgrade(engine)
    with sessionmaker_for(engine)() as session:
        crisis = make_crisis(session, settle=False)
        posts = {}
        for platform in ("facebook", "instagram"):
            post = session.scalars(
                select(RawPost).where(RawPost.platform == platform).order_by(RawPost.id)
            ).first()
            assert post is not None
            # Commented two days ago: the 7-day private reply window is open for five more.
            post.created_at = utcnow() - timedelta(days=2)
            posts[platform] = post.id
        session.commit()
        yield Setup(engine, crisis.case.id, posts["facebook"], posts["instagram"])
    engine.dispose()


def _run(args: list[str], code: int = 0) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == code, (result.output, result.stderr)
    return result.output if code == 0 else result.stderr


def test_a_contact_from_open_to_close(setup: Setup) -> None:
    opened = _run(["contact", "open", str(setup.case_id), "--post", str(setup.facebook_post)])
    assert "Private contact #1 opened with angry0 on Facebook Messenger (private reply)" in opened
    assert "May message until" in opened and "(in 5 days)" in opened
    assert "One private reply to the comment is allowed within 7 days" in opened
    listed = _run(["contact", "list", str(setup.case_id)])
    assert "angry0" in listed and "To contact" in listed
    sent = _run(["contact", "sent", "1", "--note", "Offered a call", "--by", "dana"])
    assert "message sent on Facebook Messenger (private reply)" in sent
    assert "No private message can go out on this channel now" in sent
    refused = _run(["contact", "sent", "1"], 2)
    assert "only one is allowed" in refused and "--channel email or phone" in refused
    answered_at = (utcnow() - timedelta(hours=1)).isoformat()
    answered = _run(["contact", "answered", "1", "--at", answered_at])
    assert "their answer of" in answered and "(in 23 hours)" in answered
    shown = _run(["contact", "show", "1"])
    assert "Status: They answered" in shown and "sent on Facebook Messenger" in shown
    closed = _run(["contact", "close", "1", "--outcome", "resolved", "--note", "Refunded"])
    assert "Private contact #1 closed: resolved." in closed
    assert "Status: Closed: resolved" in _run(["contact", "show", "1"])
    with sessionmaker_for(setup.engine)() as session:
        row = session.get_one(PrivateContact, 1)
        assert (row.status, row.outcome, len(row.attempts)) == ("closed", "resolved", 1)


def test_instagram_caveat_update_and_clear_errors(setup: Setup) -> None:
    opened = _run(["contact", "open", str(setup.case_id), "--post", str(setup.instagram_post)])
    assert "Requests folder" in opened
    updated = _run(["contact", "update", "1", "--follows", "no"])
    assert "They do not follow the account" in updated
    assert "use one of resolved" in _run(["contact", "close", "1", "--outcome", "happy"], 2)
    assert "ISO 8601" in _run(["contact", "answered", "1", "--at", "yesterday"], 2)
    assert "not found" in _run(["contact", "show", "99"], 1)
    assert "has no private contacts" not in _run(["contact", "list", str(setup.case_id)])
    hebrew = _run(["contact", "show", "1", "--language", "he"])
    assert hebrew.startswith("פנייה פרטית #1 אל")
    assert "לתשומת לב: הם לא עוקבים אחרי החשבון: ההודעה תגיע לתיקיית הבקשות" in hebrew
