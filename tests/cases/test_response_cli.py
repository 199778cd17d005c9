"""`flarewatch cases route/findings/role/roles` on a file database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flarewatch.accounts import service as accounts
from flarewatch.cases.cli import app
from flarewatch.config.settings import get_settings
from flarewatch.config.workspace import WorkspaceConfig
from flarewatch.db.engine import create_db_engine, sessionmaker_for
from flarewatch.db.migrate import upgrade
from tests.alerts.conftest import HttpReceiver, start_http_receiver
from tests.cases.crisis import make_crisis

runner = CliRunner()


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    server, got = start_http_receiver()
    yield got
    server.shutdown()
    server.server_close()


@pytest.fixture
def case_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, receiver: HttpReceiver
) -> Iterator[int]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("FLAREWATCH_DATABASE_URL", url)
    get_settings.cache_clear()
    engine = create_db_engine(url)
    upgrade(engine)
    with sessionmaker_for(engine)() as session:
        crisis = make_crisis(session)
        user = accounts.create_user(session, "dana@acme.test", "Dana")
        accounts.add_member(session, crisis.workspace, user, "responder")
        crisis.workspace.config = WorkspaceConfig.model_validate(
            {
                "slug": "acme",
                "name": "Acme",
                "owners": [{"key": "qa", "name": "QA", "contacts": [receiver.url("qa")]}],
                "case_types": [{"key": "product_safety", "owner": "qa"}],
                "role_rules": [
                    {"role": "legal", "person": "dana@acme.test", "case_types": ["product_safety"]}
                ],
            }
        ).model_dump(mode="json")
        session.commit()
        yield crisis.case.id
    engine.dispose()


def _ok(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, (result.output, result.stderr)
    return result.output


def test_route_findings_and_roles_from_the_command_line(
    case_id: int, receiver: HttpReceiver
) -> None:
    out = _ok(["route", str(case_id), "product_safety", "--note", "Batch 42?"])
    assert f"Routing request #1: case #{case_id} sent to QA (1 of 1 contacts reached)" in out
    assert receiver.requests[0][1]["message"].startswith("Batch 42?")
    assert f"Findings recorded on case #{case_id}" in _ok(["findings", "1", "Not ours"])
    roles = _ok(["roles", str(case_id)])
    assert "Legal" in roles and "dana@acme.test" in roles and "#1 watch+ product_safety" in roles
    assert "spokesperson is now dana@acme.test" in _ok(
        ["role", str(case_id), "spokesperson", "dana@acme.test"]
    )
    assert "spokesperson is now nobody" in _ok(["role", str(case_id), "spokesperson"])
    bad = runner.invoke(app, ["route", str(case_id), "legal"])
    assert bad.exit_code == 2 and "this workspace has: product_safety" in bad.stderr
    stranger = runner.invoke(app, ["role", str(case_id), "it", "x@y.test"])
    assert stranger.exit_code == 1 and "not a member of this workspace" in stranger.stderr
