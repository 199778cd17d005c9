"""`flarewatch templates`: list, show, fill, edit, export, import and draft on the command
line (comms/templates/cli.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from flarewatch.alerts.service import raise_alerts
from flarewatch.cases.service import open_case_from_alert
from flarewatch.cli.main import app
from flarewatch.comms.models import Draft
from flarewatch.comms.templates.library import shipped
from flarewatch.config.settings import get_settings
from flarewatch.db.engine import create_db_engine, sessionmaker_for
from flarewatch.db.migrate import upgrade
from tests.alerts.helpers import T0, candidate, make_posts, make_workspace

runner = CliRunner()
KEY = "service-outage.holding-customers"


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("FLAREWATCH_DATABASE_URL", url)
    get_settings.cache_clear()
    engine = create_db_engine(url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def case_id(engine: Engine) -> int:
    with sessionmaker_for(engine)() as session:
        ws = make_workspace(session)
        ws.languages = ["pl", "en"]
        posts = make_posts(session, ws, 3)
        [alert] = raise_alerts(session, ws, [candidate(ws, post_ids=[posts[1].id])], T0)
        case = open_case_from_alert(session, alert.id, "dana")
        session.commit()
        return case.id


def _run(args: list[str], code: int = 0) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == code, (result.output, result.stderr)
    return result.output if code == 0 else result.stderr


def test_list_filters_and_show(case_id: int) -> None:
    listed = _run(["templates", "list", "--audience", "regulators"])
    assert "data-breach.statement-regulators" in listed and KEY not in listed
    assert "Regulators" in listed and "Actions" not in listed  # labels, English by default
    polish = _run(["templates", "list", "-w", "acme", "--playbook", "service-outage"])
    assert KEY in polish and "Klienci" in polish  # the workspace's language: Polish
    assert "No templates match." in _run(["templates", "list", "--playbook", "nope"])
    assert "--platform 'fax'" in _run(["templates", "list", "--platform", "fax"], 2)
    shown = _run(["templates", "show", KEY, "--language", "he"])
    assert shipped()[KEY].texts("he").subject in shown
    assert "מגיע עם Flarewatch" in shown and "SMS" in shown  # --language: Hebrew output
    assert "not found" in _run(["templates", "show", "nope.nope"], 1)


def test_fill_prints_the_text_and_its_tone_check(case_id: int) -> None:
    out = _run(
        [
            "templates",
            "fill",
            "service-outage.reply",
            str(case_id),
            "--platform",
            "bluesky",
            "--language",
            "en",
            "--set",
            "author=@dana",
            "--set",
            "link=https://acme.example/status",
        ]
    )
    assert "@dana Sorry, you are right: Acme Burgers is down" in out
    assert "Kontrola tonu: brak uwag." in out  # the workspace reads Polish
    missing = _run(["templates", "fill", KEY, str(case_id), "-l", "en"], 2)
    assert "needs a value for {link}" in missing and "--set link=" in missing
    assert "name=value" in _run(["templates", "fill", KEY, str(case_id), "--set", "oops"], 2)
    unknown = _run(["templates", "fill", KEY, str(case_id), "--set", "colour=red"], 2)
    assert "unknown variable 'colour'" in unknown


def test_edit_export_import_and_draft(case_id: int, engine: Engine, tmp_path: Path) -> None:
    document = _run(["templates", "show", KEY, "--toml"])
    mine = tmp_path / "mine.toml"
    mine.write_text(document.replace("Our engineers are", "Our whole team is"), encoding="utf-8")
    saved = _run(["templates", "edit", KEY, "--file", str(mine), "--by", "dana"])  # the only one
    assert "zapisany jako wersja 2." in saved
    again = _run(["templates", "edit", KEY, "--file", str(mine), "-w", "acme"])
    assert "bez zmian: wersja 2" in again  # the same text: no version 3
    wrong = _run(["templates", "edit", "data-breach.reply", "--file", str(mine), "-w", "acme"], 2)
    assert "not data-breach.reply" in wrong
    shown = _run(["templates", "show", KEY, "-w", "acme", "--language", "en"])
    assert "wersja 2" in shown and "Our whole team is" in shown

    exported = tmp_path / "set.toml"
    _run(["templates", "export", "-w", "acme", "--playbook", "service-outage", "-o", str(exported)])
    text = exported.read_text(encoding="utf-8")
    assert "Our whole team is" in text and "data-breach" not in text
    with sessionmaker_for(engine)() as session:
        make_workspace(session, "client-b")
        session.commit()
    needs = _run(["templates", "import", str(exported)], 2)
    assert "--workspace SLUG; there are acme, client-b" in needs
    imported = _run(["templates", "import", str(exported), "-w", "client-b"])
    assert "Templates read: 4; saved as new versions: 1." in imported  # client-b reads English
    assert "Our whole team is" in _run(["templates", "show", KEY, "-w", "client-b", "-l", "en"])
    broken = tmp_path / "broken.toml"
    broken.write_text('key = "x"\n[en]\nshort = "{nope}"\n', encoding="utf-8")
    assert "unknown variable {nope}" in _run(["templates", "import", str(broken), "-w", "acme"], 2)

    drafted = _run(
        [
            "templates",
            "draft",
            KEY,
            str(case_id),
            "--platform",
            "x",
            "-l",
            "en",
            "--set",
            "link=https://acme.example/status",
            "--by",
            "dana",
        ]
    )
    assert "Szkic #1 rozpoczęty w sprawie" in drafted and "Our whole team is" in drafted
    with sessionmaker_for(engine)() as session:
        draft = session.scalars(select(Draft)).one()
        assert (draft.case_id, draft.origin, draft.template_key, draft.template_version) == (
            case_id,
            "template",
            KEY,
            2,
        )
        assert draft.created_by == "dana"
