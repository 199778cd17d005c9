"""The workspace file's case-room tables: a good one loads; what they name that the file lacks
is reported by `workspace check` with the table and key to fix."""

from __future__ import annotations

from flarewatch.config.workspace import check_workspace_text, parse_workspace_toml

ROOM = """\
slug = "acme"
name = "Acme Burgers"

[followup]
days = 5

[tasks]
remind_minutes = 15

[[people]]
key = "dana"
notify = ["mailto://ops:pw@mail.example.com"]

[[rotas]]
key = "duty"
members = ["dana"]

[[owners]]
key = "qa"
name = "Food safety"
contacts = ["json://127.0.0.1:9/qa"]

[[case_types]]
key = "product_safety"
owner = "qa"
escalate_to = "rota:duty"

[[roles]]
key = "spokesperson"
checklist = ["Holding statement"]

[[role_rules]]
role = "spokesperson"
person = "dana@acme.test"
min_severity = "warning"
"""


def test_a_good_case_room_loads() -> None:
    config = parse_workspace_toml(ROOM)
    assert config.followup.days == 5 and config.tasks.remind_minutes == 15
    assert config.case_types[0].owner == "qa" and config.owners[0].name == "Food safety"
    assert config.roles[0].checklist == ["Holding statement"]
    assert config.role_rules[0].min_severity == "warning"


def test_what_the_tables_name_is_checked() -> None:
    bad = (
        ROOM.replace('owner = "qa"', 'owner = "legal-team"')
        .replace('escalate_to = "rota:duty"', 'escalate_to = "rota:nights"')
        .replace('role = "spokesperson"', 'role = "ceo"')
        .replace('contacts = ["json://127.0.0.1:9/qa"]', 'contacts = ["notascheme://x"]')
    )
    found = {p.location: p.message for p in check_workspace_text(bad).problems}
    assert "'legal-team' is not one of the owners" in found["case_types[0].owner"]
    assert "there is no rota 'nights'" in found["case_types[0].escalate_to"]
    assert "'ceo' is not one of the roles (spokesperson)" in found["role_rules[0].role"]
    assert "unknown notification scheme" in found["owners[0].contacts[0]"]
    assert not check_workspace_text(ROOM).problems
