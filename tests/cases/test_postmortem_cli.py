"""`flarewatch cases postmortem ID --format html|pdf --output FILE`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from flarewatch.cases.cli import app
from flarewatch.cases.postmortem.review import save_review
from flarewatch.config.settings import get_settings
from flarewatch.db.engine import create_db_engine, sessionmaker_for
from flarewatch.db.migrate import upgrade
from tests.cases.crisis import make_crisis

runner = CliRunner()


@pytest.fixture
def case_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("FLAREWATCH_DATABASE_URL", url)
    get_settings.cache_clear()
    engine: Engine = create_db_engine(url)
    upgrade(engine)
    with sessionmaker_for(engine)() as session:
        crisis = make_crisis(session)
        save_review(session, crisis.case, {"lessons": "Reply within the hour"}, "dana")
        session.commit()
        yield crisis.case.id
    engine.dispose()


def test_postmortem_as_html_and_pdf(case_id: int, tmp_path: Path) -> None:
    html = tmp_path / "pm.html"
    result = runner.invoke(
        app, ["postmortem", str(case_id), "--format", "html", "--output", str(html)]
    )
    assert result.exit_code == 0, result.output
    assert f"Post-mortem of case #{case_id} written to {html}" in result.output
    text = html.read_text(encoding="utf-8")
    assert "Reply within the hour" in text and "Response times" in text

    pdf = tmp_path / "pm.pdf"
    result = runner.invoke(
        app,
        ["postmortem", str(case_id), "--format", "pdf", "--output", str(pdf), "--language", "pl"],
    )
    assert result.exit_code == 0, result.output
    reader = pypdf.PdfReader(pdf)
    assert len(reader.pages) >= 1
    assert "Czasy reakcji" in "".join(page.extract_text() for page in reader.pages)


def test_postmortem_refuses_bad_input_with_the_fix(case_id: int, tmp_path: Path) -> None:
    bad = runner.invoke(app, ["postmortem", str(case_id), "--format", "docx"])
    assert bad.exit_code == 2 and "use html or pdf" in bad.stderr
    lang = runner.invoke(app, ["postmortem", str(case_id), "--language", "de"])
    assert lang.exit_code == 2 and "use en, he, pl" in lang.stderr
    folder = runner.invoke(app, ["postmortem", str(case_id), "--output", str(tmp_path)])
    assert folder.exit_code == 2 and "is a folder" in folder.stderr
    missing = tmp_path / "nowhere" / "pm.html"
    nowhere = runner.invoke(app, ["postmortem", str(case_id), "--output", str(missing)])
    assert nowhere.exit_code == 2 and "does not exist" in nowhere.stderr
    unknown = runner.invoke(app, ["postmortem", "999", "--output", str(tmp_path / "x.html")])
    assert unknown.exit_code == 1 and "case #999 not found" in unknown.stderr
