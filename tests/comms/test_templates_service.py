"""Templates in a workspace: versions, import and export, filling from a case and a draft
started from a template (comms/templates/service.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session

from flarewatch.bidi import FSI, PDI
from flarewatch.comms import drafts
from flarewatch.comms.models import Draft
from flarewatch.comms.templates import service
from flarewatch.comms.templates.library import parse_toml, shipped
from flarewatch.comms.templates.models import MessageTemplate
from flarewatch.db.engine import create_db_engine, sessionmaker_for
from flarewatch.db.migrate import alembic_config, upgrade
from flarewatch.errors import InputError, NotFoundError
from tests.cases.crisis import add_post, make_crisis

KEY = "service-outage.holding-customers"
NOW = datetime(2026, 12, 8, 14, 5, tzinfo=UTC)
EDITED = """
key = "service-outage.holding-customers"
playbook = "service-outage"
kind = "statement"
audience = "customers"
stage = "containment"

[en]
short = "{brand} is down. We are fixing it. Next update at {next_update}."
"""


@pytest.fixture
def db(any_engine: Engine) -> Iterator[Session]:
    with sessionmaker_for(any_engine)() as session:
        yield session


def test_editing_writes_a_new_version_and_keeps_the_history(db: Session) -> None:
    crisis = make_crisis(db)
    ws = crisis.workspace.id
    assert service.resolve(db, ws, KEY).version == 1
    doc = parse_toml(EDITED, "edit.toml")[0]
    saved, written = service.save_version(db, ws, KEY, doc, "dana@acme.test", now=NOW)
    assert (saved.version, saved.origin, written) == (2, "workspace", True)
    # the same text again writes nothing
    again, written = service.save_version(db, ws, KEY, doc, "eli@acme.test")
    assert (again.version, written) == (2, False)
    current = service.resolve(db, ws, KEY)
    assert current.version == 2 and current.doc.languages() == ["en"]
    assert current.created_by == "dana@acme.test"
    history = service.history(db, ws, KEY)
    assert [(t.version, t.origin) for t in history] == [(1, "shipped"), (2, "workspace")]
    assert service.resolve(db, ws, KEY, version=1).doc == shipped()[KEY]
    rows = db.scalars(select(MessageTemplate).where(MessageTemplate.key == KEY)).all()
    assert [(r.version, r.language, r.variant) for r in rows] == [(2, "en", "short")]
    # another workspace still sees the shipped text
    assert service.resolve(db, None, KEY).version == 1
    with pytest.raises(NotFoundError, match="no version 7"):
        service.resolve(db, ws, KEY, version=7)
    with pytest.raises(NotFoundError, match="templates list"):
        service.resolve(db, ws, "no-such.template")


def test_export_and_import_round_trip(db: Session) -> None:
    crisis = make_crisis(db)
    ws = crisis.workspace.id
    service.save_version(db, ws, KEY, parse_toml(EDITED, "e")[0], "dana@acme.test")
    custom = parse_toml(
        'key = "acme.thanks"\nkind = "update"\n[pl]\nshort = "Dziękujemy, {author}!"\n', "c"
    )[0]
    service.save_version(db, ws, custom.key, custom, "dana@acme.test")
    text = service.export_toml(service.available(db, ws), "Acme Burgers")
    docs = parse_toml(text, "export.toml")
    assert {d.key for d in docs} == set(shipped()) | {"acme.thanks"}
    # into another workspace: only what differs from its current text becomes a version
    other = make_crisis_workspace(db)
    results = service.import_templates(db, other, docs, "agency@acme.test")
    written = {t.key: t.version for t, changed in results if changed}
    assert written == {KEY: 2, "acme.thanks": 1}
    assert service.export_toml(service.available(db, other), "Acme Burgers") == text
    assert service.import_templates(db, other, docs, "agency@acme.test")[0][1] is False


def make_crisis_workspace(db: Session) -> int:
    from flarewatch.workspaces.models import Workspace

    ws = Workspace(slug="client-b", name="Client B", timezone="Europe/Warsaw", languages=["pl"])
    db.add(ws)
    db.flush()
    return ws.id


def test_a_draft_from_a_template_is_filled_from_the_case(db: Session) -> None:
    crisis = make_crisis(db)
    workspace = crisis.workspace
    draft, filled = service.draft_from_template(
        db,
        workspace,
        "service-outage.reply",
        crisis.case.id,
        "x",
        "dana@acme.test",
        values={"link": "https://acme.example/status"},
        mention_id=add_post(db, crisis, NOW).id,
        now=NOW,
    )
    assert (draft.origin, draft.template_key, draft.template_version) == (
        "template",
        "service-outage.reply",
        1,
    )
    assert (draft.kind, draft.audience, draft.stage, draft.language) == (
        "reply",
        "customers",
        "containment",
        "en",  # the workspace's first language
    )
    text = drafts.version_of(db, draft).text
    assert text.startswith("@user") and "Acme Burgers is down" in text
    assert "next update comes at 15:15" in text  # an hour on, rounded up, in the zone (UTC)
    assert filled.flags == [] and drafts.version_of(db, draft).flags == []
    assert db.get(Draft, draft.id) is not None


def test_a_hebrew_draft_keeps_the_latin_brand_isolated_and_email_has_its_subject(
    db: Session,
) -> None:
    crisis = make_crisis(db)
    draft, filled = service.draft_from_template(
        db,
        crisis.workspace,
        KEY,
        crisis.case.id,
        "email",
        "dana@acme.test",
        language="he",
        values={"issue": "האתר לא נטען", "link": "https://acme.example/status"},
        now=NOW,
    )
    assert filled.subject == f"תקלה ב-{FSI}Acme Burgers{PDI}: מה ידוע לנו"
    text = drafts.version_of(db, draft).text
    assert text.startswith(filled.subject + "\n\n")
    assert f"ב-{FSI}Acme Burgers{PDI}" in text and "ב-15:15" in text
    assert draft.language == "he" and filled.flags == []


def test_missing_values_and_wrong_choices_are_clear_errors(db: Session) -> None:
    crisis = make_crisis(db)
    ws = crisis.workspace
    with pytest.raises(InputError, match=r"needs a value for \{link\}.*--set link"):
        service.draft_from_template(db, ws, KEY, crisis.case.id, "x", "dana@acme.test")
    with pytest.raises(InputError, match="unknown variable 'colour'"):
        service.draft_from_template(db, ws, KEY, crisis.case.id, "x", "d", values={"colour": "red"})
    with pytest.raises(InputError, match="no text for email"):
        service.draft_from_template(db, ws, "service-outage.reply", crisis.case.id, "email", "d")
    with pytest.raises(InputError, match="no 'de' text"):
        service.draft_from_template(db, ws, KEY, crisis.case.id, "x", "d", language="de")
    with pytest.raises(NotFoundError):
        service.draft_from_template(db, ws, KEY, 999_999, "x", "d")
    assert db.scalars(select(Draft)).all() == []


def test_filters_pick_by_playbook_audience_platform_and_language(db: Session) -> None:
    crisis = make_crisis(db)
    every = service.available(db, crisis.workspace.id)
    regulators = service.matching(every, audience="regulators")
    assert [t.key for t in regulators] == ["data-breach.statement-regulators"]
    sms = service.matching(every, playbook="service-outage", platform="sms", language="pl")
    assert [t.key for t in sms] == [
        "service-outage.holding-customers",
        "service-outage.update-customers",
    ]


def test_migration_0021_adds_and_removes_the_table(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine, "0021")
    assert "message_template" in inspect(engine).get_table_names()
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0021-1")
    assert "message_template" not in inspect(engine).get_table_names()
    engine.dispose()
